// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../src/api/api-client.js';
import { History, HISTORY_PAGE_SIZE } from '../src/components/History.js';
import { call, fakeFetch, segment } from './support/fake-api.js';
import { FakeAudioContext, mulawWav } from './support/fake-audio.js';

const ended = (id: string) =>
  call(id, { state: 'ended', startedAt: '2026-11-24T09:00:00Z', endedAt: '2026-11-24T09:02:30Z' });

describe('history', () => {
  beforeEach(() => FakeAudioContext.install());
  afterEach(cleanup);

  const pages: Record<string, { items: ReturnType<typeof call>[]; nextCursor: string | null }> = {
    first: { items: [ended('h1'), ended('h2')], nextCursor: 'cur-2' },
    'cur-2': { items: [ended('h3')], nextCursor: null },
  };

  const setup = async (selectedId: string | null = null) => {
    const { fetchImpl, requests } = fakeFetch((url) => {
      if (url.pathname === '/api/conversations')
        return { body: pages[url.searchParams.get('cursor') ?? 'first'] };
      if (url.pathname === '/api/conversations/h1') {
        return {
          body: {
            ...ended('h1'),
            transcript: [
              segment('t1', 'customer', 'I was charged twice', 1, true),
              segment('t2', 'agent', 'let me refund that', 3, true),
            ],
            assist: [],
          },
        };
      }
      if (url.pathname === '/api/conversations/h1/recording') return { body: mulawWav(5) };
      return undefined;
    });
    const onSelect = vi.fn();
    const api = new ApiClient('good-token', undefined, fetchImpl);
    let view!: ReturnType<typeof render>;
    await act(async () => {
      view = render(<History api={api} selectedId={selectedId} onSelect={onSelect} />);
    });
    return { requests, onSelect, container: view.container };
  };
  const listRequests = (requests: URL[]) => requests.filter((r) => r.pathname === '/api/conversations');

  it('searches by text, caller and time range', async () => {
    const { requests } = await setup();
    fireEvent.change(screen.getByLabelText('Text'), { target: { value: ' refund ' } });
    fireEvent.change(screen.getByLabelText('Caller (ANI)'), { target: { value: '+14155551234' } });
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-11-24T08:00' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2026-11-24T12:00' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    });
    const last = listRequests(requests).at(-1)!.searchParams;
    expect(last.get('q')).toBe('refund');
    expect(last.get('ani')).toBe('tel:+14155551234');
    expect(last.get('from')).toBe(new Date('2026-11-24T08:00').toISOString());
    expect(last.get('to')).toBe(new Date('2026-11-24T12:00').toISOString());
    expect(last.get('limit')).toBe(String(HISTORY_PAGE_SIZE));
    expect(last.has('cursor')).toBe(false);
  });

  it('pages forward with the cursor and back again', async () => {
    const { requests } = await setup();
    const rows = () =>
      screen
        .getAllByRole('row')
        .filter((r) => r.dataset.conversationId)
        .map((r) => r.dataset.conversationId);
    expect(rows()).toEqual(['h1', 'h2']);
    expect((screen.getByRole('button', { name: /Newer/ }) as HTMLButtonElement).disabled).toBe(true);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: /Older/ }));
    });
    expect(listRequests(requests).at(-1)!.searchParams.get('cursor')).toBe('cur-2');
    expect(rows()).toEqual(['h3']);
    expect((screen.getByRole('button', { name: /Older/ }) as HTMLButtonElement).disabled).toBe(true);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: /Newer/ }));
    });
    expect(rows()).toEqual(['h1', 'h2']);
    expect(screen.getByText('Page 1')).toBeTruthy();
  });

  it('rows select with Enter', async () => {
    const { onSelect } = await setup();
    const row = screen.getAllByRole('row').find((r) => r.dataset.conversationId === 'h2')!;
    fireEvent.keyDown(row, { key: 'Enter' });
    expect(onSelect).toHaveBeenCalledWith('h2');
  });

  it('the player highlights the word at the playback position; clicking a word seeks there', async () => {
    const { container } = await setup('h1');
    await screen.findByRole('button', { name: 'Play' });
    await waitFor(() => expect(container.querySelectorAll('.turn')).toHaveLength(2));
    const active = () => container.querySelector('.word.active')?.textContent ?? null;
    expect(active()).toBeNull(); // position 0 is before the first word
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Play' }));
    });
    const context = FakeAudioContext.last!;
    expect(context.started).toEqual([{ offset: 0 }]);
    context.currentTime = 1.45; // "was" spans 1.4–1.75 s
    await waitFor(() => expect(active()).toBe('was'));
    context.currentTime = 3.5; // "me" spans 3.4–3.75 s
    await waitFor(() => expect(active()).toBe('me'));
    expect(container.querySelector('.word.active')!.closest('.turn')!.classList.contains('lane-agent')).toBe(
      true,
    );
    await act(async () => {
      fireEvent.click(screen.getByText('charged'));
    });
    expect(context.started.at(-1)).toEqual({ offset: 1.8 });
    await waitFor(() => expect(active()).toBe('charged'));
    // Enter on a turn plays from the turn's start
    await act(async () => {
      fireEvent.keyDown(container.querySelector('.turn.lane-agent')!, { key: 'Enter' });
    });
    expect(context.started.at(-1)).toEqual({ offset: 3 });
  });
});

describe('transcript status in the history', () => {
  afterEach(cleanup);

  it('shows whether each call was transcribed live or is pending / being / done from its recording', async () => {
    const at = '2026-11-24T09:03:00.000Z';
    const items = [
      call('live', {
        state: 'ended',
        transcription: { status: 'live', reason: null, version: 'live', updatedAt: at },
      }),
      call('pending', {
        state: 'ended',
        transcription: { status: 'pending', reason: 'live capacity full', version: 'live', updatedAt: at },
      }),
      call('working', {
        state: 'ended',
        transcription: { status: 'working', reason: 'live capacity full', version: 'live', updatedAt: at },
      }),
      call('done', {
        state: 'ended',
        transcription: { status: 'done', reason: 'live capacity full', version: 'recovered', updatedAt: at },
      }),
    ];
    const { fetchImpl } = fakeFetch((url) =>
      url.pathname === '/api/conversations' ? { body: { items, nextCursor: null } } : undefined,
    );
    let view!: ReturnType<typeof render>;
    await act(async () => {
      view = render(
        <History
          api={new ApiClient('good-token', undefined, fetchImpl)}
          selectedId={null}
          onSelect={vi.fn()}
        />,
      );
    });
    await waitFor(() => expect(view.container.querySelectorAll('[data-transcript-status]')).toHaveLength(4));
    const shown = [...view.container.querySelectorAll('[data-transcript-status]')].map((e) => [
      e.textContent,
      e.getAttribute('title'),
    ]);
    expect(shown).toEqual([
      ['live', null],
      ['pending', 'live capacity full'],
      ['transcribing recording', 'live capacity full'],
      ['from recording', 'live capacity full'],
    ]);
  });
});
