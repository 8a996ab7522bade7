import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import {
  RedisStreamsEventBus,
  SqliteConversationStore,
  StoreUnavailableError,
  type ConversationEvent,
} from '@hookscribe/conversations';
import { conversationApi } from '../src/api/conversation-api.js';
import { startRedis, type RedisService } from '../../conversations/test/support/services-redis.js';
import { TOKEN, apiFixture, auth, event, type ApiFixture } from './api-fixture.js';

interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** A real HTTP SSE client: collects parsed messages; `raw` keeps the unparsed text. */
function sseClient(url: string, headers: Record<string, string> = {}) {
  const messages: SseMessage[] = [];
  let raw = '';
  let response: IncomingMessage | null = null;
  let ended = false;
  const req = httpRequest(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
    response = res;
    res.setEncoding('utf8');
    let buffer = '';
    res.on('data', (chunk: string) => {
      raw += chunk;
      buffer += chunk;
      let split: number;
      while ((split = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, split);
        buffer = buffer.slice(split + 2);
        const message: SseMessage = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) message.comment = line.slice(1).trim();
          const [, field, value] = /^(\w+): ?(.*)$/.exec(line) ?? [];
          if (field === 'id' || field === 'event' || field === 'data') message[field] = value;
        }
        messages.push(message);
      }
    });
    res.on('end', () => (ended = true));
    res.on('close', () => (ended = true));
  });
  req.on('error', () => (ended = true));
  req.end();
  return {
    messages,
    get raw() {
      return raw;
    },
    get status() {
      return response?.statusCode;
    },
    get headers() {
      return response?.headers;
    },
    get ended() {
      return ended;
    },
    events: () => messages.filter((m) => m.id && m.data).map((m) => JSON.parse(m.data!) as ConversationEvent),
    close: () => req.destroy(),
  };
}

async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20));
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function listen(f: ApiFixture): Promise<string> {
  await f.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(f.app.server.address() as AddressInfo).port}`;
}

async function fixture(options: Parameters<typeof apiFixture>[0] = {}) {
  const f = await apiFixture(options);
  cleanups.push(() => f.close());
  return { f, base: await listen(f) };
}

describe('live API (SSE over real HTTP)', () => {
  it('streams every conversation event as id/event/data frames', async () => {
    const { f, base } = await fixture();
    const client = sseClient(`${base}/api/live`, auth);
    cleanups.push(() => client.close());
    await until(() => client.raw.includes('retry:'));
    expect(client.status).toBe(200);
    expect(client.headers?.['content-type']).toMatch(/text\/event-stream/);
    const a = event('call-a', 1);
    const b = event('call-b', 1);
    await f.bus.publish(a);
    await f.bus.publish(b);
    await until(() => client.events().length === 2);
    expect(client.events()).toEqual([a, b]);
    const frame = client.messages.find((m) => m.id === a.eventId)!;
    expect(frame.event).toBe('partial_transcript');
  });

  it('the per-conversation stream only carries that conversation; ?types= filters types', async () => {
    const { f, base } = await fixture();
    const one = sseClient(`${base}/api/conversations/call-a/live`, auth);
    const typed = sseClient(`${base}/api/live?types=session_ended&key=${TOKEN}`);
    cleanups.push(
      () => one.close(),
      () => typed.close(),
    );
    await until(() => one.raw.includes('retry:') && typed.raw.includes('retry:'));
    const a = event('call-a', 1);
    await f.bus.publish(event('call-b', 1));
    await f.bus.publish(a);
    const ended: ConversationEvent = { ...event('call-b', 2), type: 'session_ended', data: {} as never };
    await f.bus.publish(ended);
    await until(() => one.events().length === 1 && typed.events().length === 1);
    expect(one.events()[0]!.eventId).toBe(a.eventId);
    expect(typed.events()[0]!.eventId).toBe(ended.eventId);
  });

  it('resumes after Last-Event-ID from the ring; an unknown id gets a resync message', async () => {
    const { f, base } = await fixture();
    const events = [1, 2, 3, 4].map((n) => event('call-a', n));
    const first = sseClient(`${base}/api/live`, auth);
    cleanups.push(() => first.close());
    await until(() => first.raw.includes('retry:'));
    for (const e of events) await f.bus.publish(e);
    await until(() => first.events().length === 4);
    first.close();

    const resumed = sseClient(`${base}/api/live`, { ...auth, 'last-event-id': events[1]!.eventId });
    cleanups.push(() => resumed.close());
    await until(() => resumed.events().length === 2);
    expect(resumed.events().map((e) => e.eventId)).toEqual([events[2]!.eventId, events[3]!.eventId]);

    const lost = sseClient(`${base}/api/live?lastEventId=not-a-known-id`, auth);
    cleanups.push(() => lost.close());
    await until(() => lost.messages.some((m) => m.event === 'resync'));
    expect(lost.events()).toEqual([]);
  });

  it('resumes a conversation stream from the store event log when the ring no longer has the id', async () => {
    const { f, base } = await fixture({ ringSize: 1 });
    const id = f.ids.billing;
    const stored = [1, 2, 3].map((n) => ({ ...event(id, n), type: 'transcript_available' as const }));
    for (const e of stored) await f.store.enqueueEvents([e]);
    const resumed = sseClient(`${base}/api/conversations/${id}/live`, {
      ...auth,
      'last-event-id': stored[0]!.eventId,
    });
    cleanups.push(() => resumed.close());
    await until(() => resumed.events().length === 2);
    expect(resumed.events().map((e) => e.eventId)).toEqual([stored[1]!.eventId, stored[2]!.eventId]);
  });

  it('resume while the store is down: resync message, and the live stream keeps working', async () => {
    const failing = {
      getConversation: async () => null,
      listConversations: async () => ({ items: [], nextCursor: null }),
      listEvents: async () => {
        throw new StoreUnavailableError('connect ECONNREFUSED 127.0.0.1:5432');
      },
    };
    const { f, base } = await fixture({ store: failing });
    const client = sseClient(`${base}/api/conversations/call-x/live`, { ...auth, 'last-event-id': 'gone' });
    cleanups.push(() => client.close());
    await until(() => client.messages.some((m) => m.event === 'resync'));
    const e = event('call-x', 1);
    await f.bus.publish(e);
    await until(() => client.events().length === 1);
    expect(client.events()[0]!.eventId).toBe(e.eventId);
  });

  it('sends heartbeats', async () => {
    const { base } = await fixture({ heartbeatMs: 30 });
    const client = sseClient(`${base}/api/live`, auth);
    cleanups.push(() => client.close());
    await until(() => client.messages.some((m) => m.comment === 'heartbeat'));
  });

  it('drops a client that stops reading instead of buffering without bound; others keep streaming', async () => {
    let dropped = 0;
    const { f, base } = await fixture({ maxBufferedBytes: 64 * 1024, onClientDropped: () => dropped++ });
    const port = new URL(base).port;
    // a slow client: never reads its socket
    const slow = httpRequest({ host: '127.0.0.1', port, path: '/api/live', headers: auth }, (res) =>
      res.pause(),
    );
    slow.on('error', () => {});
    slow.end();
    cleanups.push(() => slow.destroy());
    const healthy = sseClient(`${base}/api/live`, auth);
    cleanups.push(() => healthy.close());
    await until(() => healthy.raw.includes('retry:'));
    const big = 'x'.repeat(16 * 1024);
    let published = 0;
    while (dropped === 0) {
      const e = event('call-a', published++);
      if (e.type === 'partial_transcript') e.data.text = big;
      await f.bus.publish(e);
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(dropped).toBe(1);
    await until(() => healthy.events().length === published);
  });

  it('401 without a token (before the stream starts); 503 when no bus is configured', async () => {
    const { f } = await fixture();
    const res = await f.app.inject({ url: '/api/live' });
    expect(res.statusCode).toBe(401);
    const store = new SqliteConversationStore({ path: ':memory:' });
    const app = Fastify();
    await app.register(conversationApi, { store, tokens: [TOKEN] });
    const noBus = await app.inject({ url: '/api/live', headers: auth });
    expect(noBus.statusCode).toBe(503);
    expect(noBus.json().message).toMatch(/event bus/);
    await app.close();
    await store.close();
  });
});

describe('live API across instances (real Redis)', () => {
  let redis: RedisService;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.dispose();
  });

  it('a client on instance B sees events of calls handled by instance A', async () => {
    const stream = 'live-across';
    const busA = new RedisStreamsEventBus({ url: redis.url, stream, blockMs: 200 });
    const busB = new RedisStreamsEventBus({ url: redis.url, stream, blockMs: 200 });
    const a = await fixture({ bus: busA });
    const b = await fixture({ bus: busB });
    const onB = sseClient(`${b.base}/api/live`, auth);
    const onA = sseClient(`${a.base}/api/live`, auth);
    cleanups.push(
      () => onB.close(),
      () => onA.close(),
    );
    await until(() => onB.raw.includes('retry:') && onA.raw.includes('retry:'));
    const fromA = event('call-on-a', 1);
    await busA.publish(fromA); // instance A's relay publishes its call's event
    await until(() => onB.events().length === 1 && onA.events().length === 1);
    expect(onB.events()[0]).toEqual(fromA);
    expect(onA.events()[0]).toEqual(fromA);
  });
});
