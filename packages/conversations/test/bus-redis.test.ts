import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusUnavailableError } from '../src/bus/event-bus.js';
import { RedisStreamsEventBus } from '../src/bus/redis-streams-event-bus.js';
import type { ConversationEvent } from '../src/events.js';
import { startRedis, type RedisService } from './support/services-redis.js';
import { eventBusContract } from './bus-contract.js';
import { eventNumber, numberedEvents, until } from './bus-sample-events.js';

let redis: RedisService;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.dispose();
});

function busOn(stream: string) {
  return new RedisStreamsEventBus({
    url: redis.url,
    stream,
    batchSize: 5,
    blockMs: 200,
    claimIdleMs: 300,
    claimIntervalMs: 100,
  });
}

eventBusContract('redis streams', async () => {
  // Each test gets its own stream; each bus() is a separate connection set, like a separate server instance.
  const stream = `test:${randomUUID()}`;
  const buses: RedisStreamsEventBus[] = [];
  return {
    bus: async () => {
      const bus = busOn(stream);
      buses.push(bus);
      await until(async () => (await bus.health()).status === 'ok', 'redis connected');
      return bus;
    },
    cleanup: async () => {
      await Promise.all(buses.map((b) => b.close()));
    },
  };
});

describe('RedisStreamsEventBus faults', () => {
  it('Redis killed and restarted: publish rejects and health degrades while down, fan-out and groups resume after', async () => {
    const stream = `test:${randomUUID()}`;
    const bus = busOn(stream);
    await until(async () => (await bus.health()).status === 'ok');
    const fanOut: number[] = [];
    const grouped: number[] = [];
    const errors: string[] = [];
    const fan = await bus.subscribe((e) => void fanOut.push(eventNumber(e)));
    const grp = await bus.subscribe((e) => void grouped.push(eventNumber(e)), { group: 'g' });
    await new Promise((r) => setTimeout(r, 150));
    const events = numberedEvents(10);
    for (const e of events.slice(0, 5)) await bus.publish(e);
    await until(() => fanOut.length === 5 && grouped.length === 5);

    await redis.stop();
    await until(async () => (await bus.health()).status === 'degraded');
    expect((await bus.health()).detail).toMatch(/redis/);
    await expect(bus.publish(events[5]!)).rejects.toBeInstanceOf(BusUnavailableError);

    await redis.start(); // empty: no persistence in tests
    await until(async () => (await bus.health()).status === 'ok');
    for (const e of events.slice(5)) {
      // the first publishes may race the reconnect of the publisher: retry like the outbox relay does
      await until(async () =>
        bus.publish(e).then(
          () => true,
          (err: Error) => (errors.push(err.message), false),
        ),
      );
    }
    await until(() => fanOut.length === 10 && grouped.length === 10, 'resumed after restart');
    expect(fanOut).toEqual(events.map(eventNumber));
    expect(grouped).toEqual(events.map(eventNumber));
    await fan.close();
    await grp.close();
    await bus.close();
  });

  it('a new group starts after the history (default) or at the start of the stream with groupStart=earliest', async () => {
    const stream = `test:${randomUUID()}`;
    const bus = busOn(stream);
    await until(async () => (await bus.health()).status === 'ok');
    const old = numberedEvents(3);
    for (const e of old) await bus.publish(e);
    const latest: string[] = [];
    const earliest: string[] = [];
    const subLatest = await bus.subscribe((e) => void latest.push(e.eventId), { group: 'new-latest' });
    const replaying = new RedisStreamsEventBus({
      url: redis.url,
      stream,
      blockMs: 200,
      groupStart: 'earliest',
    });
    const subEarliest = await replaying.subscribe((e) => void earliest.push(e.eventId), {
      group: 'new-earliest',
    });
    const fresh = numberedEvents(1)[0]!;
    await bus.publish(fresh);
    await until(() => latest.length === 1 && earliest.length === 4);
    expect(latest).toEqual([fresh.eventId]);
    expect(earliest).toEqual([...old, fresh].map((e) => e.eventId));
    await subLatest.close();
    await subEarliest.close();
    await replaying.close();
    await bus.close();
  });

  it('a malformed stream entry goes to the dead-letter stream and does not stop the consumer', async () => {
    const stream = `test:${randomUUID()}`;
    const bus = busOn(stream);
    const seen: ConversationEvent[] = [];
    const problems: string[] = [];
    const errBus = new RedisStreamsEventBus({
      url: redis.url,
      stream,
      blockMs: 200,
      onError: (_e, context) => problems.push(context),
    });
    const sub = await errBus.subscribe((e) => void seen.push(e), { group: 'g' });
    await until(async () => (await bus.health()).status === 'ok');
    const raw = new (await import('ioredis')).Redis(redis.url);
    await raw.xadd(stream, '*', 'event', '{"not":"an event"}');
    await raw.xadd(stream, '*', 'event', 'not json at all');
    const good = numberedEvents(1)[0]!;
    await bus.publish(good);
    await until(() => seen.length === 1);
    expect(seen[0]!.eventId).toBe(good.eventId);
    expect(await raw.xlen(`${stream}:dead`)).toBe(2);
    expect(problems.filter((p) => p.startsWith('malformed'))).toHaveLength(2);
    raw.disconnect();
    await sub.close();
    await errBus.close();
    await bus.close();
  });
});
