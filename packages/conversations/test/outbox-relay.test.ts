import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BusUnavailableError, type EventBus } from '../src/bus/event-bus.js';
import { InProcessEventBus } from '../src/bus/in-process-event-bus.js';
import { RedisStreamsEventBus } from '../src/bus/redis-streams-event-bus.js';
import type { ConversationEvent } from '../src/events.js';
import { OutboxRelay, type OutboxRelayMetrics } from '../src/outbox-relay.js';
import { SqliteConversationStore } from '../src/store/sqlite-conversation-store.js';
import { startRedis, type RedisService } from './support/services-redis.js';
import { eventNumber, numberedEvents, until } from './bus-sample-events.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function store() {
  const s = new SqliteConversationStore({ path: ':memory:' });
  cleanups.push(() => s.close());
  return s;
}

function relay(options: ConstructorParameters<typeof OutboxRelay>[0]) {
  const r = new OutboxRelay({ idleIntervalMs: 20, retryInitialMs: 20, retryMaxMs: 200, ...options });
  cleanups.push(() => r.stop());
  return r;
}

/** Per conversation, the numbers in first-seen order (duplicates allowed by at-least-once are folded). */
function firstSeenOrder(received: ConversationEvent[]): Map<string, number[]> {
  const seen = new Set<string>();
  const order = new Map<string, number[]>();
  for (const e of received) {
    if (seen.has(e.eventId)) continue;
    seen.add(e.eventId);
    order.set(e.conversationId, [...(order.get(e.conversationId) ?? []), eventNumber(e)]);
  }
  return order;
}

describe('OutboxRelay with the SQLite store', () => {
  it('delivers enqueued events in order per conversation, acks them and reports depth and lag', async () => {
    const s = store();
    const bus = new InProcessEventBus();
    cleanups.push(() => bus.close());
    const received: ConversationEvent[] = [];
    await bus.subscribe((e) => void received.push(e), { group: 'test' });
    const metrics: OutboxRelayMetrics[] = [];
    const r = relay({ store: s, bus, onMetrics: (m) => metrics.push(m) });
    const a = numberedEvents(15);
    const b = numberedEvents(15);
    await s.enqueueEvents(a);
    await s.enqueueEvents(b);
    r.start();
    await until(() => received.length >= 30);
    await until(async () => (await s.outboxDepth()) === 0);
    const order = firstSeenOrder(received);
    expect(order.get(a[0]!.conversationId)).toEqual(a.map(eventNumber));
    expect(order.get(b[0]!.conversationId)).toEqual(b.map(eventNumber));
    expect(r.health()).toMatchObject({ status: 'ok', delivered: 30 });
    expect(metrics.at(-1)!.delivered).toBe(30);
    expect(metrics.some((m) => m.depth > 0 || m.lagMs >= 0)).toBe(true);
  });

  it('a bus refusing events keeps them in the outbox (health degraded) and keeps per-conversation order once it accepts', async () => {
    const s = store();
    const published: ConversationEvent[] = [];
    let refuse = true;
    const flaky: EventBus = {
      name: 'flaky',
      async publish(event) {
        // refuses every other event while "down", so a naive relay would reorder
        if (refuse && published.length % 2 === 0) {
          published.push(event);
          throw new BusUnavailableError('target down');
        }
        published.push(event);
      },
      subscribe: () => Promise.reject(new Error('unused')),
      health: async () => ({ bus: 'flaky', status: 'ok', detail: null }),
      close: async () => {},
    };
    const accepted: ConversationEvent[] = [];
    const bus: EventBus = {
      ...flaky,
      async publish(event) {
        const before = published.length;
        await flaky.publish(event);
        if (published.length > before) accepted.push(event);
      },
    };
    const r = relay({ store: s, bus });
    const events = numberedEvents(10);
    await s.enqueueEvents(events);
    r.start();
    await until(() => r.health().failed > 3);
    expect(r.health().status).toBe('degraded');
    expect(r.health().detail).toMatch(/target down/);
    expect(await s.outboxDepth()).toBeGreaterThan(0);
    refuse = false;
    await until(async () => (await s.outboxDepth()) === 0);
    expect(firstSeenOrder(accepted).get(events[0]!.conversationId)).toEqual(events.map(eventNumber));
    expect(r.health().status).toBe('ok');
  });
});

describe('OutboxRelay ordering when retries come back out of order', () => {
  it('a later event claimed before the refused one is held back until the refused one went out', async () => {
    const [e1, e2] = numberedEvents(2);
    const entry = (id: string, event: ConversationEvent, attempts: number) => ({
      id,
      seq: null,
      event,
      attempts,
      lastError: null,
    });
    // what the store hands out on each claim: the retry of e2 becomes claimable before the retry of e1
    const claims = [
      [entry('1', e1!, 1), entry('2', e2!, 1)],
      [entry('2', e2!, 2)],
      [entry('1', e1!, 2), entry('2', e2!, 3)],
    ];
    const refused: string[][] = [];
    const acked: string[] = [];
    const store = {
      claimOutbox: async () => claims.shift() ?? [],
      ackOutbox: async (ids: string[]) => void acked.push(...ids),
      failOutbox: async (ids: string[]) => void refused.push(ids),
      outboxDepth: async () => 0,
    };
    const accepted: string[] = [];
    let refuseNext = true;
    const bus: EventBus = {
      name: 'scripted',
      async publish(event) {
        if (refuseNext) {
          refuseNext = false;
          throw new BusUnavailableError('down');
        }
        accepted.push(event.eventId);
      },
      subscribe: () => Promise.reject(new Error('unused')),
      health: async () => ({ bus: 'scripted', status: 'ok', detail: null }),
      close: async () => {},
    };
    const r = new OutboxRelay({ store, bus });
    await r.relayOnce();
    expect(refused).toEqual([['1', '2']]);
    await r.relayOnce();
    expect(refused).toEqual([['1', '2'], ['2']]); // e2 alone: held, not published
    expect(accepted).toEqual([]);
    await r.relayOnce();
    expect(accepted).toEqual([e1!.eventId, e2!.eventId]);
    expect(acked).toEqual(['1', '2']);
  });
});

describe('OutboxRelay → Redis Streams, Redis killed mid-stream', () => {
  let redis: RedisService;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.dispose();
  });

  it('loses nothing: events produced while Redis is down flow after it is back, in order per conversation', async () => {
    const s = store();
    const bus = new RedisStreamsEventBus({
      url: redis.url,
      stream: 'relay-test',
      blockMs: 200,
      claimIdleMs: 500,
    });
    cleanups.push(() => bus.close());
    const received: ConversationEvent[] = [];
    const sub = await bus.subscribe((e) => void received.push(e), { group: 'workers' });
    cleanups.push(() => sub.close());
    const r = relay({ store: s, bus });
    r.start();

    const calls = [numberedEvents(30), numberedEvents(30), numberedEvents(30)];
    const enqueue = async (from: number, to: number) => {
      for (let n = from; n < to; n++) for (const call of calls) await s.enqueueEvents([call[n]!]);
    };
    await enqueue(0, 10);
    await until(() => new Set(received.map((e) => e.eventId)).size === 30, 'first third delivered');

    await redis.stop(); // mid-call: the calls keep producing events
    await enqueue(10, 20);
    await until(() => r.health().status === 'degraded', 'relay notices');
    expect(await s.outboxDepth()).toBeGreaterThan(0);
    expect((await bus.health()).status).toBe('degraded');

    await redis.start();
    await enqueue(20, 30);
    await until(
      () => new Set(received.map((e) => e.eventId)).size === 90,
      'everything delivered after restart',
    );
    await until(async () => (await s.outboxDepth()) === 0, 'outbox drained');
    const order = firstSeenOrder(received);
    for (const call of calls) expect(order.get(call[0]!.conversationId)).toEqual(call.map(eventNumber));
  });
});
