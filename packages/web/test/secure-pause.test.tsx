// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../src/api/api-client.js';
import { ConversationView } from '../src/components/ConversationView.js';
import {
  fileTimeOf,
  pauseSpansOf,
  recordingGaps,
  streamTimeOf,
  type PauseSpan,
} from '../src/lib/pause-spans.js';
import { call, event, FakeEventSource, fakeFetch, segment } from './support/fake-api.js';

describe('secure pause in the live conversation view', () => {
  beforeEach(() => FakeEventSource.install());
  afterEach(cleanup);

  it('the button asks the server to pause; the span shows in the lanes from the events; resume ends it', async () => {
    const { fetchImpl, requests } = fakeFetch((url) => {
      if (url.pathname === '/api/conversations/c1')
        return {
          body: {
            ...call('c1'),
            transcript: [segment('s0', 'agent', 'your card please', 1, true)],
            assist: [],
          },
        };
      if (url.pathname === '/api/conversations/c1/events') return { body: { items: [], nextAfter: null } };
      if (url.pathname === '/api/conversations/c1/pause')
        return { body: { id: 'c1', paused: true, autoResumeAt: '2026-11-24T03:03:00.000Z' } };
      if (url.pathname === '/api/conversations/c1/resume')
        return { body: { id: 'c1', paused: false, autoResumeAt: null } };
      return undefined;
    });
    const view = await act(async () =>
      render(
        <ConversationView
          api={new ApiClient('good-token', undefined, fetchImpl)}
          id="c1"
          onBack={() => undefined}
          onOpenHistory={() => undefined}
        />,
      ),
    );
    const live = FakeEventSource.open('/api/conversations/c1/live')[0]!;

    await act(async () => fireEvent.click(await screen.findByRole('button', { name: 'Secure pause' })));
    expect(requests.map((url) => url.pathname)).toContain('/api/conversations/c1/pause');
    // nothing is shown as paused until Genesys has actually paused (the event says so)
    expect(view.container.querySelector('.pause-marker')).toBeNull();

    act(() => live.emit(event('stream_paused', 'c1', { offset: 3, initiator: 'server', secure: true })));
    const marker = view.container.querySelector<HTMLElement>('.pause-marker.secure')!;
    expect(marker.textContent).toContain('Secure pause 0:03–now');
    expect(screen.getByText(/Secure pause since 0:03/)).toBeTruthy();

    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Resume recording' })));
    expect(requests.map((url) => url.pathname)).toContain('/api/conversations/c1/resume');
    act(() => live.emit(event('stream_resumed', 'c1', { offset: 3, discarded: 42 })));
    expect(view.container.querySelector('.pause-marker')!.textContent).toContain('0:03–0:45');
    expect(screen.getByRole('button', { name: 'Secure pause' })).toBeTruthy();
    // the marker sits between the turns, in stream order
    const order = [...view.container.querySelectorAll<HTMLElement>('.turn, .pause-marker')].map((el) =>
      el.classList.contains('turn') ? el.dataset.segmentId : 'pause',
    );
    expect(order).toEqual(['s0', 'pause']);
  });

  it('says so when the role does not allow it', async () => {
    const { fetchImpl } = fakeFetch((url) => {
      if (url.pathname === '/api/conversations/c1')
        return { body: { ...call('c1'), transcript: [], assist: [] } };
      if (url.pathname === '/api/conversations/c1/pause')
        return { status: 403, body: { error: 'forbidden', message: 'needs supervisor' } };
      return undefined;
    });
    await act(async () =>
      render(
        <ConversationView
          api={new ApiClient('good-token', undefined, fetchImpl)}
          id="c1"
          onBack={() => undefined}
          onOpenHistory={() => undefined}
        />,
      ),
    );
    await act(async () => fireEvent.click(await screen.findByRole('button', { name: 'Secure pause' })));
    expect(screen.getByRole('status').textContent).toBe('Secure pause needs the supervisor role.');
  });

  it('is not offered for a call that has ended', async () => {
    const { fetchImpl } = fakeFetch((url) =>
      url.pathname === '/api/conversations/c1'
        ? { body: { ...call('c1', { state: 'ended' }), transcript: [], assist: [] } }
        : undefined,
    );
    await act(async () =>
      render(
        <ConversationView
          api={new ApiClient('good-token', undefined, fetchImpl)}
          id="c1"
          onBack={() => undefined}
          onOpenHistory={() => undefined}
        />,
      ),
    );
    expect(screen.queryByRole('button', { name: 'Secure pause' })).toBeNull();
  });
});

describe('pause spans and the recording timeline', () => {
  const spans: PauseSpan[] = pauseSpansOf([
    event('stream_paused', 'c', { offset: 10, initiator: 'server', secure: true }),
    event('stream_resumed', 'c', { offset: 10, discarded: 30 }),
    event('stream_paused', 'c', { offset: 50, initiator: 'client', secure: false }),
    event('stream_resumed', 'c', { offset: 50, discarded: 5 }),
  ]);

  it('builds closed spans from the events, ignoring repeats', () => {
    expect(spans).toEqual([
      { start: 10, end: 40, secure: true },
      { start: 50, end: 55, secure: false },
    ]);
    const repeated = pauseSpansOf([
      event('stream_paused', 'c', { offset: 10, initiator: 'server', secure: true }),
      event('stream_resumed', 'c', { offset: 10, discarded: 30 }),
      event('stream_resumed', 'c', { offset: 10, discarded: 30 }),
    ]);
    expect(repeated).toHaveLength(1);
  });

  it('converts between recording and stream time around the spans the recording lacks', () => {
    expect(streamTimeOf(5, spans)).toBe(5);
    expect(streamTimeOf(12, spans)).toBe(42);
    expect(streamTimeOf(25, spans)).toBe(60);
    expect(fileTimeOf(42, spans)).toBe(12);
    expect(fileTimeOf(20, spans)).toBe(10); // inside the pause: where the recording resumes
    expect(fileTimeOf(60, spans)).toBe(25);
    expect(recordingGaps(spans)).toEqual([
      { at: 10, seconds: 30, secure: true },
      { at: 20, seconds: 5, secure: false },
    ]);
  });
});
