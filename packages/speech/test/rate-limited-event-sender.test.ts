import { describe, expect, it } from 'vitest';
import type { EventEntity } from '@hookscribe/audiohook';
import { RateLimitedEventSender } from '../src/connector/rate-limited-event-sender.js';
import { FakeClock } from './support/fake-clock.js';

const entity = (n: number, pad = 0): EventEntity => ({
  type: 'transcript',
  data: { n, pad: 'x'.repeat(pad) },
});

function setup(options: Partial<ConstructorParameters<typeof RateLimitedEventSender>[0]> = {}) {
  const clock = new FakeClock();
  const messages: { at: number; entities: EventEntity[] }[] = [];
  const sender = new RateLimitedEventSender({
    send: (entities) => messages.push({ at: clock.time, entities }),
    now: clock.now,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    ...options,
  });
  return { clock, messages, sender };
}

const ns = (m: { entities: EventEntity[] }) => m.entities.map((e) => (e.data as { n: number }).n);

describe('RateLimitedEventSender', () => {
  it('sends one final per message while the bucket has tokens', () => {
    const { messages, sender } = setup();
    for (let i = 0; i < 10; i++) sender.enqueue(entity(i));
    expect(messages.map(ns)).toEqual([[0], [1], [2], [3], [4], [5], [6], [7], [8], [9]]);
  });

  it('batches when the queue outgrows the tokens, then keeps the long-run rate of 5/s', () => {
    const { clock, messages, sender } = setup();
    for (let i = 0; i < 25; i++) sender.enqueue(entity(i)); // burst spent
    expect(messages).toHaveLength(25);
    for (let i = 25; i < 40; i++) sender.enqueue(entity(i)); // bucket empty: wait for a token, then batch
    expect(messages).toHaveLength(25);
    clock.advance(200);
    expect(messages).toHaveLength(26);
    expect(ns(messages[25]!)).toEqual(Array.from({ length: 15 }, (_, i) => 25 + i));
    // sustained: 100 single enqueues over 10 s never exceed 5 messages per second after the burst
    for (let t = 0; t < 100; t++) {
      sender.enqueue(entity(100 + t));
      clock.advance(100);
    }
    const perSecond = new Map<number, number>();
    for (const m of messages.slice(26))
      perSecond.set(Math.floor(m.at / 1000), (perSecond.get(Math.floor(m.at / 1000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(6); // 5/s + the partial token carried at a boundary
    expect(messages.flatMap(ns)).toHaveLength(140); // nothing lost
  });

  it('honours a custom rate and burst', () => {
    const { clock, messages, sender } = setup({ ratePerSecond: 1, burst: 2 });
    for (let i = 0; i < 4; i++) sender.enqueue(entity(i));
    expect(messages.map(ns)).toEqual([[0], [1]]);
    clock.advance(999);
    expect(messages).toHaveLength(2);
    clock.advance(1);
    expect(messages.map(ns)).toEqual([[0], [1], [2, 3]]);
  });

  it('backs off for retryAfter on a client 429 and resends what the client may have dropped', () => {
    const { clock, messages, sender } = setup();
    sender.enqueue(entity(1));
    clock.advance(500);
    sender.clientError(429, 2000);
    sender.enqueue(entity(2));
    expect(messages).toHaveLength(1);
    clock.advance(1999);
    expect(messages).toHaveLength(1);
    clock.advance(1);
    expect(messages.flatMap(ns)).toEqual([1, 1, 2]); // entity 1 again (same id supersedes itself), then 2
  });

  it('falls back to 3 s without retryAfter, and ignores other client errors', () => {
    const { clock, messages, sender } = setup();
    sender.clientError(400, null);
    sender.enqueue(entity(1));
    expect(messages).toHaveLength(1);
    clock.advance(5000);
    sender.clientError(429, null);
    sender.enqueue(entity(2));
    clock.advance(2999);
    expect(messages).toHaveLength(1);
    clock.advance(1);
    expect(messages.flatMap(ns)).toEqual([1, 2]);
  });

  it('keeps every message under 64 KiB by splitting batches', () => {
    const { clock, messages, sender } = setup({ burst: 1 });
    sender.enqueue(entity(0));
    for (let i = 1; i <= 10; i++) sender.enqueue(entity(i, 20_000));
    for (let i = 0; i < 20; i++) clock.advance(200);
    expect(messages.flatMap(ns)).toEqual(Array.from({ length: 11 }, (_, i) => i));
    for (const m of messages) expect(Buffer.byteLength(JSON.stringify(m.entities))).toBeLessThan(65535 - 160);
    expect(messages.length).toBeGreaterThan(3);
  });

  it('flush() resolves once everything queued was handed out; close() drops the rest', async () => {
    const { clock, sender, messages } = setup({ burst: 1, ratePerSecond: 1 });
    sender.enqueue(entity(1)); // spends the only token
    sender.enqueue([entity(2), entity(3)]);
    let flushed = false;
    const flush = sender.flush().then(() => (flushed = true));
    await Promise.resolve();
    expect(flushed).toBe(false);
    clock.advance(1000);
    await flush;
    expect(messages.map(ns)).toEqual([[1], [2, 3]]);
    expect(clock.pendingTimers).toBe(0);

    sender.enqueue([entity(4), entity(5)]);
    const pending = sender.flush();
    sender.close();
    await pending;
    expect(sender.pending).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('reports a send that throws and goes on with the rest', () => {
    const errors: unknown[] = [];
    const sent: number[] = [];
    const sender = new RateLimitedEventSender({
      send: (entities) => {
        const n = (entities[0]!.data as { n: number }).n;
        if (n === 2) throw new Error('session closed');
        sent.push(n);
      },
      onSendError: (error) => errors.push(error),
    });
    sender.enqueue([entity(1)]);
    sender.enqueue([entity(2)]);
    sender.enqueue([entity(3)]);
    expect(sent).toEqual([1, 3]);
    expect(errors).toHaveLength(1);
    sender.close();
  });

  it('lets a newer partial or the final replace a queued partial of the same utterance', () => {
    const { clock, messages, sender } = setup({ burst: 1, ratePerSecond: 1 });
    const t = (id: string, isFinal: boolean, text: string): EventEntity => ({
      type: 'transcript',
      data: { id, isFinal, text },
    });
    sender.enqueue(t('a', false, 'he')); // sent at once
    sender.enqueue(t('a', false, 'hello'));
    sender.enqueue(t('b', false, 'yes'));
    sender.enqueue(t('a', false, 'hello the'));
    sender.enqueue(t('a', true, 'hello there'));
    sender.enqueue(t('b', true, 'yes please'));
    clock.advance(1000);
    const sent = messages.map((m) => m.entities.map((e) => (e.data as { text: string }).text));
    expect(sent).toEqual([['he'], ['hello there', 'yes please']]);
  });
});
