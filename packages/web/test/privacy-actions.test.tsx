// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../src/api/api-client.js';
import { History } from '../src/components/History.js';
import { call, event, segment } from './support/fake-api.js';
import { FakeAudioContext, mulawWav } from './support/fake-audio.js';

const ended = (id: string, extra = {}) =>
  call(id, { state: 'ended', startedAt: '2026-11-24T09:00:00Z', endedAt: '2026-11-24T09:02:30Z', ...extra });

/** A fetch that answers by method and path and records both (the shared fake routes by path only). */
function api(routes: Record<string, () => { status?: number; body?: unknown }>) {
  const requests: string[] = [];
  const fetchImpl = async (input: string, init?: RequestInit): Promise<Response> => {
    const url = new URL(input, 'http://hookscribe.test');
    const key = `${init?.method ?? 'GET'} ${url.pathname}`;
    requests.push(init?.body ? `${key} ${String(init.body)}` : key);
    const answer = routes[key]?.();
    if (answer === undefined) return new Response('{"error":"not_found","message":"nope"}', { status: 404 });
    const body = answer.body instanceof ArrayBuffer ? answer.body : JSON.stringify(answer.body ?? {});
    return new Response(answer.status === 204 ? null : body, { status: answer.status ?? 200 });
  };
  return { client: new ApiClient('good-token', undefined, fetchImpl), requests };
}

describe('retention actions on a past call', () => {
  beforeEach(() => FakeAudioContext.install());
  afterEach(cleanup);

  const detail = (extra = {}) => ({
    body: { ...ended('h1', extra), transcript: [segment('t1', 'customer', 'hello', 1, true)], assist: [] },
  });

  it('places and releases a legal hold; a held call cannot be deleted from the UI', async () => {
    let held = false;
    const { client, requests } = api({
      'GET /api/conversations': () => ({ body: { items: [ended('h1')], nextCursor: null } }),
      'GET /api/conversations/h1': () => detail(held ? { legalHold: true } : {}),
      'GET /api/conversations/h1/recording': () => ({ body: mulawWav(2) }),
      'PUT /api/conversations/h1/legal-hold': () => ({ body: { id: 'h1', legalHold: (held = !held) } }),
    });
    await act(async () => render(<History api={client} selectedId="h1" onSelect={() => undefined} />));
    await act(async () => fireEvent.click(await screen.findByRole('button', { name: 'Place legal hold' })));
    expect(requests).toContain('PUT /api/conversations/h1/legal-hold {"hold":true}');
    expect(screen.getByText('Legal hold')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Delete call…' }) as HTMLButtonElement).disabled).toBe(true);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Release legal hold' })));
    expect(requests).toContain('PUT /api/conversations/h1/legal-hold {"hold":false}');
    expect((screen.getByRole('button', { name: 'Delete call…' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('deletes after confirmation and drops the call from the list; without the admin role it says so', async () => {
    let allowed = false;
    const onSelect = vi.fn();
    const { client, requests } = api({
      'GET /api/conversations': () => ({ body: { items: [ended('h1'), ended('h2')], nextCursor: null } }),
      'GET /api/conversations/h1': () => detail(),
      'GET /api/conversations/h1/events': () => ({
        body: {
          items: [
            { seq: 1, event: event('stream_paused', 'h1', { offset: 1, initiator: 'server', secure: true }) },
          ],
        },
      }),
      'GET /api/conversations/h1/recording': () => ({ body: mulawWav(2) }),
      'DELETE /api/conversations/h1': () =>
        allowed ? { status: 204 } : { status: 403, body: { error: 'forbidden', message: 'admin only' } },
    });
    const view = await act(async () => render(<History api={client} selectedId="h1" onSelect={onSelect} />));
    const confirm = vi.spyOn(window, 'confirm');

    confirm.mockReturnValueOnce(false);
    await act(async () => fireEvent.click(await screen.findByRole('button', { name: 'Delete call…' })));
    expect(requests.filter((r) => r.startsWith('DELETE'))).toEqual([]);

    confirm.mockReturnValueOnce(true);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Delete call…' })));
    expect(screen.getByRole('status').textContent).toBe('This needs the admin role.');

    allowed = true;
    confirm.mockReturnValueOnce(true);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Delete call…' })));
    expect(requests.filter((r) => r.startsWith('DELETE'))).toHaveLength(2);
    expect(onSelect).toHaveBeenCalledWith(null);
    const rows = [...view.container.querySelectorAll<HTMLElement>('tr[data-conversation-id]')];
    expect(rows.map((row) => row.dataset.conversationId)).toEqual(['h2']);
  });

  it('erasure: offered once a caller number is searched for; erases after confirmation and reloads', async () => {
    let erased = false;
    const { client, requests } = api({
      'GET /api/conversations': () => ({
        body: {
          items: erased ? [ended('h9', { legalHold: true })] : [ended('h8'), ended('h9')],
          nextCursor: null,
        },
      }),
      'POST /api/erasure': () => {
        erased = true;
        return { body: { erased: ['h8'], held: ['h9'] } };
      },
    });
    await act(async () => render(<History api={client} selectedId={null} onSelect={() => undefined} />));
    expect(screen.queryByRole('button', { name: /Erase all calls/ })).toBeNull();
    fireEvent.change(screen.getByLabelText('Caller (ANI)'), { target: { value: '+14155550100' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Search' })));
    vi.spyOn(window, 'confirm').mockReturnValueOnce(true);
    await act(async () =>
      fireEvent.click(screen.getByRole('button', { name: 'Erase all calls of tel:+14155550100…' })),
    );
    expect(requests).toContain('POST /api/erasure {"ani":"tel:+14155550100"}');
    expect(screen.getByRole('status').textContent).toBe('Erased 1 call; 1 kept on legal hold.');
    expect(requests.filter((r) => r.startsWith('GET /api/conversations')).length).toBeGreaterThanOrEqual(3);
  });
});
