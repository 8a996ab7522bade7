import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { SqliteConversationStore, StoreUnavailableError } from '@hookscribe/conversations';
import { conversationApi } from '../src/api/conversation-api.js';
import {
  OTHER_TOKEN,
  TOKEN,
  WAV,
  apiFixture,
  auth,
  segment,
  summary,
  type ApiFixture,
} from './api-fixture.js';

let f: ApiFixture;
beforeEach(async () => {
  f = await apiFixture();
});
afterEach(async () => {
  await f.close();
});

const get = (url: string, headers: Record<string, string> = auth) =>
  f.app.inject({ method: 'GET', url, headers });

describe('auth', () => {
  it('without a token: 401 JSON with a WWW-Authenticate header and no stack trace', async () => {
    const res = await get('/api/conversations', {});
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.headers['www-authenticate']).toMatch(/Bearer/);
    expect(res.json()).toEqual({
      error: 'unauthorized',
      message: 'sign in, or present a valid API token or bearer JWT (Authorization: Bearer, X-API-Key)',
    });
    expect(res.body).not.toMatch(/at .*\.ts|stack/);
  });

  it('accepts any configured token as Bearer, X-API-Key or ?key=', async () => {
    expect((await get('/api/conversations', { authorization: `Bearer ${TOKEN}` })).statusCode).toBe(200);
    expect((await get('/api/conversations', { 'x-api-key': OTHER_TOKEN })).statusCode).toBe(200);
    expect((await get(`/api/conversation/${f.ids.billing}?key=${TOKEN}`, {})).statusCode).toBe(200);
  });

  it('refuses a wrong token, a token prefix and a non-Bearer scheme', async () => {
    expect((await get('/api/conversations', { authorization: 'Bearer nope' })).statusCode).toBe(401);
    expect(
      (await get('/api/conversations', { authorization: `Bearer ${TOKEN.slice(0, -1)}` })).statusCode,
    ).toBe(401);
    expect((await get('/api/conversations', { authorization: `Basic ${TOKEN}` })).statusCode).toBe(401);
    expect((await get(`/api/conversations?key=wrong`, {})).statusCode).toBe(401);
  });

  it('with no tokens configured the API is closed and says why', async () => {
    const closed = await apiFixture({ tokens: [] });
    const res = await closed.app.inject({ url: '/api/conversations', headers: auth });
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toMatch(/HOOKSCRIBE_API_TOKENS/);
    await closed.close();
  });

  it('serves the OpenAPI document without a token', async () => {
    const res = await get('/api/openapi.json', {});
    expect(res.statusCode).toBe(200);
    expect(res.json().openapi).toBe('3.1.0');
  });
});

describe('GET /api/conversations', () => {
  it('lists newest first', async () => {
    const res = await get('/api/conversations');
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((c: { id: string }) => c.id)).toEqual([
      f.ids.ended,
      f.ids.refund,
      f.ids.billing,
    ]);
  });

  it('filters by state, time range, ANI and transcript text', async () => {
    const ids = async (query: string) =>
      (await get(`/api/conversations?${query}`)).json().items.map((c: { id: string }) => c.id);
    expect(await ids('state=ended')).toEqual([f.ids.ended]);
    expect(await ids('state=active')).toEqual([f.ids.refund, f.ids.billing]);
    expect(await ids('from=2026-11-21T00:00:00Z&to=2026-11-22T00:00:00Z')).toEqual([f.ids.refund]);
    expect(await ids(`ani=${encodeURIComponent('tel:+111')}`)).toEqual([f.ids.ended, f.ids.billing]);
    expect(await ids('q=refund')).toEqual([f.ids.refund]);
    expect(await ids('q=billing%20statement')).toEqual([f.ids.billing]);
  });

  it('pages with a cursor', async () => {
    const first = (await get('/api/conversations?limit=2')).json();
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (
      await get(`/api/conversations?limit=2&cursor=${encodeURIComponent(first.nextCursor)}`)
    ).json();
    expect(second.items.map((c: { id: string }) => c.id)).toEqual([f.ids.billing]);
    expect(second.nextCursor).toBeNull();
  });

  it('caps a huge page size at 200 instead of refusing or obeying it', async () => {
    for (let i = 0; i < 205; i++) {
      await f.store.upsertConversation(summary(`bulk-${String(i).padStart(3, '0')}`));
    }
    const res = await get('/api/conversations?limit=1000000');
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toHaveLength(200);
    expect(res.json().nextCursor).not.toBeNull();
  });

  it.each([
    ['limit=abc', 'limit'],
    ['limit=0', 'limit'],
    ['limit=-5', 'limit'],
    ['limit=1.5', 'limit'],
    ['state=bogus', 'state'],
    ['from=yesterday', 'from'],
    ['from=2026-11-22T00:00:00Z&to=2026-11-21T00:00:00Z', 'from'],
    [`q=${'x'.repeat(201)}`, 'q'],
  ])('rejects %s with a 400 naming %s', async (query, field) => {
    const res = await get(`/api/conversations?${query}`);
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error).toBe('bad_request');
    expect(body.details.map((d: { path: string }) => d.path)).toContain(field);
    expect(res.body).not.toMatch(/stack|node_modules/);
  });
});

describe('GET /api/conversations/:id', () => {
  it('returns the conversation with its transcript, also under the seed URL', async () => {
    const res = await get(`/api/conversations/${f.ids.billing}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.id).toBe(f.ids.billing);
    expect(body.transcript[0].text).toBe('I have a question about my billing statement');
    expect(body.assist).toEqual([]);
    expect((await get(`/api/conversation/${f.ids.billing}`)).json()).toEqual(body);
  });

  it('404 for an unknown id, 400 for an id that is not an id', async () => {
    const missing = await get('/api/conversations/does-not-exist');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'not_found', message: 'conversation does-not-exist not found' });
    const bad = await get(`/api/conversations/${encodeURIComponent('../../etc/passwd')}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0].path).toBe('id');
  });
});

describe('live endpoints: bad input is answered before the stream starts', () => {
  it('400 for a malformed conversation id, as JSON', async () => {
    const res = await get(`/api/conversations/${encodeURIComponent('a b')}/live`);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.json().details[0].path).toBe('id');
  });
});

describe('GET /api/conversations/:id/events', () => {
  it('pages through the stored event log with after/nextAfter', async () => {
    const id = f.ids.billing;
    await f.store.appendSegment(id, segment('second final', 5), {
      events: [
        {
          schemaVersion: 1,
          eventId: 'e-1',
          type: 'transcript_available',
          conversationId: id,
          time: new Date().toISOString(),
          data: segment('second final', 5),
        },
      ],
    });
    await f.store.endConversation(
      id,
      { state: 'ended', closeReason: 'end', endedAt: new Date().toISOString() },
      {
        events: [
          {
            schemaVersion: 1,
            eventId: 'e-2',
            type: 'session_ended',
            conversationId: id,
            time: new Date().toISOString(),
            data: summary(id, { state: 'ended' }),
          },
        ],
      },
    );
    const first = (await get(`/api/conversations/${id}/events?limit=1`)).json();
    expect(first.items.map((i: { event: { eventId: string } }) => i.event.eventId)).toEqual(['e-1']);
    const rest = (await get(`/api/conversations/${id}/events?after=${first.nextAfter}`)).json();
    expect(rest.items.map((i: { event: { eventId: string } }) => i.event.eventId)).toEqual(['e-2']);
    expect((await get(`/api/conversations/${id}/events?after=-1`)).statusCode).toBe(400);
    expect((await get(`/api/conversations/nope/events`)).statusCode).toBe(404);
  });
});

describe('GET /api/conversations/:id/recording', () => {
  const url = () => `/api/conversations/${f.ids.ended}/recording`;

  it('serves the whole WAV with Accept-Ranges', async () => {
    const res = await get(url());
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('audio/wav');
    expect(res.headers['accept-ranges']).toBe('bytes');
    expect(res.headers['content-length']).toBe(String(WAV.length));
    expect(res.rawPayload.equals(WAV)).toBe(true);
  });

  it.each([
    ['bytes=0-99', 0, 99],
    ['bytes=500-', 500, WAV.length - 1],
    ['bytes=-100', WAV.length - 100, WAV.length - 1],
    ['bytes=1000-99999', 1000, WAV.length - 1],
  ])('Range %s → 206 with the exact bytes', async (range, start, end) => {
    const res = await get(url(), { ...auth, range });
    expect(res.statusCode).toBe(206);
    expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/${WAV.length}`);
    expect(res.headers['content-length']).toBe(String(end - start + 1));
    expect(res.rawPayload.equals(WAV.subarray(start, end + 1))).toBe(true);
  });

  it('a range starting past the end → 416 with Content-Range: bytes */size', async () => {
    const res = await get(url(), { ...auth, range: `bytes=${WAV.length}-` });
    expect(res.statusCode).toBe(416);
    expect(res.headers['content-range']).toBe(`bytes */${WAV.length}`);
    expect(res.json().error).toBe('range_not_satisfiable');
  });

  it('an unparsable Range header is ignored (whole file)', async () => {
    const res = await get(url(), { ...auth, range: 'pages=1-2' });
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.length).toBe(WAV.length);
  });

  it('404 when the conversation has no recording or does not exist', async () => {
    expect((await get(`/api/conversations/${f.ids.billing}/recording`)).statusCode).toBe(404);
    expect((await get(`/api/conversations/nope/recording`)).statusCode).toBe(404);
  });
});

describe('dependency failures', () => {
  it('store unavailable → 503 with a plain message; unexpected error → 500 without internals', async () => {
    const store = new SqliteConversationStore({ path: ':memory:' });
    let failure: Error = new StoreUnavailableError('ECONNREFUSED 127.0.0.1:5432');
    const broken = {
      listConversations: async () => {
        throw failure;
      },
      getConversation: store.getConversation.bind(store),
      listEvents: store.listEvents.bind(store),
    };
    const app = Fastify({ logger: false });
    await app.register(conversationApi, { store: broken, tokens: [TOKEN] });
    const res = await app.inject({ url: '/api/conversations', headers: auth });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({
      error: 'unavailable',
      message: 'the conversation store is unavailable; retry later',
    });
    failure = new TypeError("Cannot read properties of undefined (reading 'x')");
    const crash = await app.inject({ url: '/api/conversations', headers: auth });
    expect(crash.statusCode).toBe(500);
    expect(crash.json()).toEqual({ error: 'internal', message: 'internal error' });
    await app.close();
    await store.close();
  });
});

describe('OpenAPI document', () => {
  it('documents every GET route the plugin registers (and nothing it does not)', async () => {
    const paths = Object.keys((await get('/api/openapi.json')).json().paths).sort();
    const registered = [...new Set(f.routes.map((r) => r.replace(/:(\w+)/g, '{$1}')))].sort();
    expect(registered).toEqual(paths);
  });
});
