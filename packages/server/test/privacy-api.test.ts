/**
 * The privacy routes inside the conversation API: deletion, legal hold, erasure by ANI, retention status and sweep,
 * over an in-memory SQLite store and a filesystem recording store; plus their OpenAPI entries.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  ConversationEraser,
  FilesystemRecordingStore,
  RetentionSweeper,
  SqliteConversationStore,
  parseRetentionPolicy,
} from '@hookscribe/conversations';
import { conversationApi } from '../src/api/conversation-api.js';
import { privacyApi } from '../src/api/privacy-api.js';
import { auth, segment, summary, TOKEN, WAV } from './api-fixture.js';

describe('privacy API', () => {
  let app: FastifyInstance;
  let store: SqliteConversationStore;
  let recordings: FilesystemRecordingStore;
  let dir: string;
  const ids = {
    a: '0a000000-0000-4000-8000-000000000001',
    b: '0a000000-0000-4000-8000-000000000002',
    held: '0a000000-0000-4000-8000-000000000003',
    other: '0a000000-0000-4000-8000-000000000004',
    old: '0a000000-0000-4000-8000-000000000005',
  };

  beforeAll(async () => {
    store = new SqliteConversationStore({ path: ':memory:' });
    dir = mkdtempSync(join(tmpdir(), 'hookscribe-privacy-api-'));
    recordings = new FilesystemRecordingStore(join(dir, 'store'));
    writeFileSync(join(dir, 'call.wav'), WAV);
    const calls: [string, string, string][] = [
      [ids.a, 'tel:+14155550111', '2026-11-20T10:00:00.000Z'],
      [ids.b, 'tel:+14155550111', '2026-11-21T10:00:00.000Z'],
      [ids.held, 'tel:+14155550111', '2026-11-22T10:00:00.000Z'],
      [ids.other, 'tel:+14155550222', '2026-11-22T10:00:00.000Z'],
      [ids.old, 'tel:+14155550333', '2020-01-01T10:00:00.000Z'],
    ];
    for (const [id, ani, startedAt] of calls) {
      await store.upsertConversation(summary(id, { ani, startedAt, state: 'ended' }));
      await store.appendSegment(id, segment(`words of ${id.slice(-1)}`));
      await recordings.put(join(dir, 'call.wav'), null, id);
    }
    await store.setLegalHold(ids.held, true);
    const eraser = new ConversationEraser({ store, recordings });
    const sweeper = new RetentionSweeper({
      store,
      recordings,
      policy: parseRetentionPolicy('transcripts=365d'),
      now: () => Date.parse('2026-12-01T00:00:00.000Z'),
    });
    app = Fastify();
    await app.register(conversationApi, {
      store,
      recordings,
      tokens: [TOKEN],
      routes: [privacyApi({ store, eraser, sweeper })],
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = (method: 'DELETE' | 'PUT' | 'POST' | 'GET', url: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: auth,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  it('needs a token like every conversation route', async () => {
    expect((await app.inject({ method: 'DELETE', url: `/api/conversations/${ids.a}` })).statusCode).toBe(401);
    expect(
      (await app.inject({ method: 'POST', url: '/api/erasure', payload: { ani: '+1' } })).statusCode,
    ).toBe(401);
  });

  it('DELETE removes the conversation and its recording; again it is 404', async () => {
    const res = await call('DELETE', `/api/conversations/${ids.a}`);
    expect(res.statusCode).toBe(204);
    expect(await store.getConversation(ids.a)).toBeNull();
    expect(await recordings.exists(ids.a)).toBe(false);
    expect((await call('GET', `/api/conversations/${ids.a}`)).statusCode).toBe(404);
    expect((await call('DELETE', `/api/conversations/${ids.a}`)).statusCode).toBe(404);
    expect((await call('DELETE', '/api/conversations/..%2Fetc')).statusCode).toBe(400);
  });

  it('a call still live is not deleted: 409 live', async () => {
    const live = '0a000000-0000-4000-8000-000000000006';
    await store.upsertConversation(summary(live, { startedAt: new Date().toISOString(), state: 'active' }));
    const res = await call('DELETE', `/api/conversations/${live}`);
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toBe('live');
    expect(await store.getConversation(live)).not.toBeNull();
  });

  it('legal hold: set, shown on the conversation, refuses deletion with 409, released again', async () => {
    expect((await call('PUT', `/api/conversations/${ids.other}/legal-hold`, { hold: true })).json()).toEqual({
      id: ids.other,
      legalHold: true,
    });
    expect((await call('GET', `/api/conversations/${ids.other}`)).json().legalHold).toBe(true);
    const refused = await call('DELETE', `/api/conversations/${ids.other}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toBe('legal_hold');
    expect(await recordings.exists(ids.other)).toBe(true);
    await call('PUT', `/api/conversations/${ids.other}/legal-hold`, { hold: false });
    expect((await call('GET', `/api/conversations/${ids.other}`)).json().legalHold).toBeUndefined();
    expect(
      (await call('PUT', `/api/conversations/${ids.other}/legal-hold`, { hold: 'yes' })).statusCode,
    ).toBe(400);
    expect(
      (
        await call('PUT', '/api/conversations/0a000000-0000-4000-8000-0000000000ff/legal-hold', {
          hold: true,
        })
      ).statusCode,
    ).toBe(404);
  });

  it('erasure by ANI deletes every call of that number except held ones, and reports both', async () => {
    const res = await call('POST', '/api/erasure', { ani: '+14155550111' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ erased: [ids.b], held: [ids.held], live: [] });
    expect(await store.getConversation(ids.b)).toBeNull();
    expect(await recordings.exists(ids.b)).toBe(false);
    expect(await store.getConversation(ids.held)).not.toBeNull();
    expect(await recordings.exists(ids.held)).toBe(true);
    expect(await store.getConversation(ids.other)).not.toBeNull();
    expect((await call('POST', '/api/erasure', {})).statusCode).toBe(400);
  });

  it('retention: shows the policy and runs a sweep on request', async () => {
    expect((await call('GET', '/api/retention')).json()).toEqual({
      policy: { recordings: 'kept', transcripts: '365d', assist: 'kept', audit: 'kept' },
      sweeping: true,
      lastSweep: null,
    });
    const swept = await call('POST', '/api/retention/sweep');
    expect(swept.json()).toMatchObject({ transcripts: 1, conversations: 0, failures: 0 });
    expect((await store.getConversation(ids.old))?.transcript).toEqual([]);
    expect((await store.getConversation(ids.other))?.transcript).toHaveLength(1);
    expect((await call('GET', '/api/retention')).json().lastSweep).toMatchObject({ transcripts: 1 });
  });

  it('documents its routes in the OpenAPI document beside the GETs of the same paths', async () => {
    const paths = (await app.inject({ url: '/api/openapi.json' })).json().paths;
    expect(Object.keys(paths['/api/conversations/{id}']).sort()).toEqual(['delete', 'get']);
    for (const path of ['/api/conversations/{id}/legal-hold', '/api/erasure', '/api/retention/sweep'])
      expect(paths[path]).toBeDefined();
  });

  it('routes declare admin access with the audit action of what they do', async () => {
    const declared: Record<string, unknown> = {};
    const probe = Fastify();
    probe.addHook('onRoute', (route) => {
      declared[`${String(route.method)} ${route.url}`] = (route.config as { access?: unknown })?.access;
    });
    await probe.register(conversationApi, {
      store,
      tokens: [TOKEN],
      routes: [
        privacyApi({ store, eraser: new ConversationEraser({ store, recordings: null }), sweeper: null }),
      ],
    });
    await probe.ready();
    expect(declared).toMatchObject({
      'DELETE /api/conversations/:id': { role: 'admin', audit: 'delete' },
      'PUT /api/conversations/:id/legal-hold': { role: 'admin', audit: 'hold' },
      'POST /api/erasure': { role: 'admin', audit: 'erase' },
      'GET /api/retention': { role: 'admin' },
      'POST /api/retention/sweep': { role: 'admin' },
    });
    await probe.close();
  });
});
