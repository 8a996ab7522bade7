/** The analytics and export routes: metrics, transcript downloads, Genesys-id lookup, dashboard, calls CSV. */
import { parse } from 'csv-parse/sync';
import Fastify from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteConversationStore, computeCallMetrics } from '@hookscribe/conversations';
import { conversationApi } from '../src/api/conversation-api.js';
import type { RouteAccess } from '../src/api/route-access.js';
import { TOKEN, apiFixture, auth, segment, summary, type ApiFixture } from './api-fixture.js';

let f: ApiFixture;
beforeEach(async () => {
  f = await apiFixture();
  const metrics = computeCallMetrics({
    segments: [segment('hello there', 2)],
    gaps: [{ kind: 'paused', start: 10, duration: 5 }],
    durationSeconds: 300,
    status: 'final',
  });
  await f.store.appendSegment(f.ids.ended, segment('thanks for calling', 4));
  await f.store.saveCallMetrics(f.ids.ended, metrics);
});
afterEach(async () => {
  await f.close();
});

const get = (url: string, headers: Record<string, string> = auth) =>
  f.app.inject({ method: 'GET', url, headers });

describe('metrics', () => {
  it('serves the stored metrics; 204 while a known call has none yet, 404 for an unknown one', async () => {
    const res = await get(`/api/conversations/${f.ids.ended}/metrics`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'final', durationSeconds: 300, pausedSeconds: 5 });
    const none = await get(`/api/conversations/${f.ids.billing}/metrics`);
    expect(none.statusCode).toBe(204);
    expect(none.body).toBe('');
    const unknown = await get('/api/conversations/nope/metrics');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toMatch(/not found/);
  });

  it('needs a token like every other route', async () => {
    expect((await get(`/api/conversations/${f.ids.ended}/metrics`, {})).statusCode).toBe(401);
    expect((await get('/api/analytics/dashboard', {})).statusCode).toBe(401);
    expect((await get('/api/analytics/calls.csv', {})).statusCode).toBe(401);
  });
});

describe('transcript downloads', () => {
  it.each([
    ['text', /^text\/plain/, 'txt', /\[00:00:04\] Customer: thanks for calling/],
    ['json', /^application\/json/, 'json', /"metrics": \{/],
    [
      'srt',
      /^application\/x-subrip/,
      'srt',
      /^1\n00:00:04,000 --> 00:00:05,000\nCustomer: thanks for calling\n/,
    ],
    [
      'vtt',
      /^text\/vtt/,
      'vtt',
      /^WEBVTT\n\n00:00:04\.000 --> 00:00:05\.000\n<v Customer>thanks for calling<\/v>/,
    ],
  ])('%s: an attachment with the right type', async (format, type, extension, body) => {
    const res = await get(`/api/conversations/${f.ids.ended}/transcript?format=${format}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(type);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${f.ids.ended}.${extension}"`);
    expect(res.body).toMatch(body);
  });

  it('an unknown format is a 400 naming the field; an unknown call a 404', async () => {
    const bad = await get(`/api/conversations/${f.ids.ended}/transcript?format=docx`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/^format:/);
    expect((await get('/api/conversations/nope/transcript?format=srt')).statusCode).toBe(404);
  });
});

describe('Genesys conversation id lookup', () => {
  it('lists the sessions of a Genesys conversation', async () => {
    const res = await get(`/api/conversations/by-genesys-id/gc-${f.ids.refund}`);
    expect(res.json().items.map((c: { id: string }) => c.id)).toEqual([f.ids.refund]);
    expect((await get('/api/conversations/by-genesys-id/unknown')).json()).toEqual({ items: [] });
    expect((await get('/api/conversations/by-genesys-id/a%2F..')).statusCode).toBe(400);
  });
});

describe('dashboard and calls CSV', () => {
  it('the dashboard aggregates the calls that have metrics, filtered', async () => {
    const res = await get('/api/analytics/dashboard?endpoint=monitor&dnis=tel:%2B18005550199');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      calls: 1,
      averageHandleSeconds: 300,
      callsPerHour: [{ hour: '2026-11-22T10:00:00.000Z', calls: 1 }],
    });
    expect((await get('/api/analytics/dashboard?endpoint=transcription')).json().calls).toBe(0);
    const bad = await get('/api/analytics/dashboard?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z');
    expect(bad.statusCode).toBe(400);
  });

  it('the CSV streams every call across store pages, newest first, with a header', async () => {
    for (let i = 0; i < 620; i++) {
      const id = `bulk-${String(i).padStart(4, '0')}`;
      await f.store.upsertConversation(
        summary(id, { startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), dnis: 'tel:+1bulk' }),
      );
      await f.store.saveCallMetrics(
        id,
        computeCallMetrics({ segments: [], gaps: [], durationSeconds: i, status: 'live' }),
      );
    }
    const res = await get('/api/analytics/calls.csv?dnis=tel:%2B1bulk');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="calls.csv"');
    const rows = parse(res.body, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(620);
    expect(rows[0]).toMatchObject({ id: 'bulk-0619', duration_s: '619', metrics_status: 'live' });
    expect(rows[619]!.id).toBe('bulk-0000');
  });
});

describe('route access', () => {
  it('export routes need a supervisor and are audited as exports; reads are viewer routes', async () => {
    const access = new Map<string, RouteAccess | undefined>();
    const app = Fastify();
    app.addHook('onRoute', (route) => void access.set(route.url, route.config?.access));
    const store = new SqliteConversationStore({ path: ':memory:' });
    await app.register(conversationApi, { store, tokens: [TOKEN] });
    await app.ready();
    expect(access.get('/api/conversations/:id/transcript')).toEqual({ role: 'supervisor', audit: 'export' });
    expect(access.get('/api/analytics/calls.csv')).toEqual({ role: 'supervisor', audit: 'export' });
    expect(access.get('/api/analytics/dashboard')).toEqual({ role: 'supervisor' });
    expect(access.get('/api/conversations/:id/metrics')).toEqual({ role: 'viewer', audit: 'read' });
    expect(access.get('/api/conversations/by-genesys-id/:gcConversationId')).toEqual({ role: 'viewer' });
    await app.close();
    await store.close();
  });
});
