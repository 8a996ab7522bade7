// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../src/api/api-client.js';
import { ConversationView } from '../src/components/ConversationView.js';
import { call, event, FakeEventSource, fakeFetch, segment } from './support/fake-api.js';

describe('conversation view', () => {
  beforeEach(() => FakeEventSource.install());
  afterEach(cleanup);

  const setup = async (stored = [segment('s0', 'agent', 'thanks for calling', 0.5, true)]) => {
    const { fetchImpl } = fakeFetch((url) =>
      url.pathname === '/api/conversations/c1'
        ? { body: { ...call('c1'), transcript: stored, assist: [] } }
        : undefined,
    );
    let view!: ReturnType<typeof render>;
    await act(async () => {
      view = render(
        <ConversationView
          api={new ApiClient('good-token', undefined, fetchImpl)}
          id="c1"
          onBack={() => undefined}
          onOpenHistory={() => undefined}
        />,
      );
    });
    const live = FakeEventSource.open('/api/conversations/c1/live')[0]!;
    return { container: view.container, live };
  };
  const turns = (container: HTMLElement) => [...container.querySelectorAll<HTMLElement>('.turn')];

  it('puts customer and agent turns in their lanes, in stream order', async () => {
    const { container, live } = await setup();
    act(() =>
      live.emit(event('transcript_available', 'c1', segment('s2', 'agent', 'let me check', 6, true))),
    );
    act(() =>
      live.emit(event('transcript_available', 'c1', segment('s1', 'customer', 'my bill is wrong', 2, true))),
    );
    expect(turns(container).map((t) => [t.dataset.segmentId, t.className.match(/lane-\w+/)![0]])).toEqual([
      ['s0', 'lane-agent'],
      ['s1', 'lane-customer'],
      ['s2', 'lane-agent'],
    ]);
  });

  it('a partial updates in place and settles into its final (same segment id)', async () => {
    const { container, live } = await setup([]);
    act(() => live.emit(event('partial_transcript', 'c1', segment('u1', 'customer', 'I want', 1, false))));
    expect(turns(container)).toHaveLength(1);
    expect(turns(container)[0]!.classList.contains('partial')).toBe(true);
    expect(screen.getByText('speaking…')).toBeTruthy();
    act(() =>
      live.emit(event('partial_transcript', 'c1', segment('u1', 'customer', 'I want to cancel', 1, false))),
    );
    expect(turns(container)).toHaveLength(1);
    expect(turns(container)[0]!.textContent).toContain('cancel');
    act(() =>
      live.emit(
        event('transcript_available', 'c1', segment('u1', 'customer', 'I want to cancel my plan', 1, true)),
      ),
    );
    expect(turns(container)).toHaveLength(1);
    expect(turns(container)[0]!.classList.contains('partial')).toBe(false);
    expect(turns(container)[0]!.textContent).toContain('I want to cancel my plan');
    // a late partial does not undo the final
    act(() => live.emit(event('partial_transcript', 'c1', segment('u1', 'customer', 'I want', 1, false))));
    expect(turns(container)[0]!.textContent).toContain('my plan');
  });

  it('events that arrive while the stored transcript loads are not lost or doubled', async () => {
    const { container, live } = await setup();
    act(() =>
      live.emit(event('transcript_available', 'c1', segment('s0', 'agent', 'thanks for calling', 0.5, true))),
    );
    expect(turns(container)).toHaveLength(1);
  });

  it('marks low-confidence words with a dotted underline and the confidence in the title', async () => {
    const { container, live } = await setup([]);
    act(() =>
      live.emit(
        event(
          'transcript_available',
          'c1',
          segment('u2', 'customer', 'account number please', 3, true, [0.9, 0.3, 0.49]),
        ),
      ),
    );
    const low = [...container.querySelectorAll<HTMLElement>('.word.low-confidence')];
    expect(low.map((w) => w.textContent)).toEqual(['number', 'please']);
    expect(low[0]!.title).toBe('low confidence (0.30)');
    expect(screen.getByText('account').classList.contains('low-confidence')).toBe(false);
  });

  it('shows redacted words as a badge, not their text', async () => {
    const { container, live } = await setup([]);
    act(() =>
      live.emit(
        event('transcript_available', 'c1', segment('u3', 'customer', 'my card is [redacted]', 3, true)),
      ),
    );
    const badge = container.querySelector<HTMLElement>('.word.redacted')!;
    expect(badge.textContent).toBe('redacted');
    expect(badge.title).toBe('redacted');
    expect(container.textContent).not.toContain('[redacted]');
  });

  it('shows the assist panel when results arrive, and the call ending', async () => {
    await setup();
    expect(screen.getByText('No assist results yet.')).toBeTruthy();
    const { live } = { live: FakeEventSource.open('/api/conversations/c1/live')[0]! };
    act(() =>
      live.emit(
        event('assist_update', 'c1', {
          mode: 'local',
          summary: {
            issue: 'duplicate charge',
            customerNeed: 'refund',
            actions: [],
            text: 'Customer was charged twice.',
          },
          suggestions: [
            { id: 'k1', title: 'Refund policy', excerpt: 'Refunds take 3–5 days.', source: 'kb', score: 0.8 },
          ],
          alerts: [
            { id: 'al1', rule: 'cancel', severity: 'warning', text: 'Cancellation risk', segmentId: 's0' },
          ],
        }),
      ),
    );
    expect(screen.getByText('Customer was charged twice.')).toBeTruthy();
    expect(screen.getByText('Refund policy')).toBeTruthy();
    expect(screen.getByText('Cancellation risk')).toBeTruthy();
    act(() =>
      live.emit(
        event('session_ended', 'c1', call('c1', { state: 'ended', endedAt: new Date().toISOString() })),
      ),
    );
    expect(screen.getByText('ended')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Open recording' })).toBeTruthy();
  });

  it('auto-scroll stops when the user scrolls up, and "Jump to live" resumes it', async () => {
    const { container, live } = await setup();
    const lanes = container.querySelector<HTMLElement>('.lanes')!;
    Object.defineProperty(lanes, 'scrollHeight', { configurable: true, value: 1000 });
    Object.defineProperty(lanes, 'clientHeight', { configurable: true, value: 300 });
    act(() => live.emit(event('transcript_available', 'c1', segment('s5', 'customer', 'hello', 9, true))));
    expect(lanes.scrollTop).toBe(1000); // followed
    lanes.scrollTop = 100;
    act(() => {
      lanes.dispatchEvent(new Event('scroll'));
    });
    act(() => live.emit(event('transcript_available', 'c1', segment('s6', 'agent', 'hi', 10, true))));
    expect(lanes.scrollTop).toBe(100); // the reader keeps their place
    act(() => screen.getByRole('button', { name: /Jump to live/ }).click());
    expect(lanes.scrollTop).toBe(1000);
    expect(screen.queryByRole('button', { name: /Jump to live/ })).toBeNull();
  });
});
