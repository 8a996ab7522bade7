import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ConversationEvent, TranscriptSegment } from '@hookscribe/conversations';
import { AssistRuntime } from '../src/assist-runtime.js';
import { assistConfigFromEnv } from '../src/config/assist-config.js';
import { ASSIST_CONSUMER_GROUP } from '../src/worker/assist-worker.js';
import { cancellationCall } from './fixtures/cancellation-call.js';
import { ended, final, partial, segment, started } from './support/events.js';
import { MemoryBus } from './support/memory-bus.js';

let runtime: AssistRuntime;
beforeAll(async () => {
  runtime = await AssistRuntime.load(assistConfigFromEnv({}));
});

async function setup(extra: Parameters<AssistRuntime['createWorker']>[1] = {}) {
  const bus = new MemoryBus();
  const worker = runtime.createWorker(bus, extra);
  await worker.start();
  return { bus, worker };
}

describe('AssistWorker (local mode)', () => {
  it('subscribes in the "assist" consumer group and publishes one assist_update per final plus one at the end', async () => {
    const { bus, worker } = await setup({ consumer: 'w1' });
    expect(bus.subscribedWith).toEqual({ group: ASSIST_CONSUMER_GROUP, consumer: 'w1' });
    const call = cancellationCall();
    await bus.deliver(started('c1'));
    for (const s of call) await bus.deliver(final('c1', s));
    await bus.deliver(ended('c1'));
    const events = bus.published;
    expect(events).toHaveLength(call.length + 1);
    expect(
      events.every((e) => e.type === 'assist_update' && e.conversationId === 'c1' && e.schemaVersion === 1),
    ).toBe(true);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    const last = bus.updates('c1').at(-1);
    expect(last?.finalSummary?.text).toMatch(/cancel/i);
    expect(last?.suggestions?.[0]?.id).toBe('cancellations-and-retention.md');
    expect(last?.alerts?.map((a) => a.rule)).toEqual(['retention']);
    expect(worker.conversationCount).toBe(0); // evicted at session_ended
    await worker.stop();
  });

  it('redoes the end-of-call summary when post-call transcription replaces the transcript (call over capacity)', async () => {
    const { bus, worker } = await setup();
    await bus.deliver(started('c2'));
    await bus.deliver(ended('c2')); // no live transcript at all
    expect(bus.updates('c2').at(-1)?.finalSummary?.text ?? '').not.toMatch(/cancel/i);
    const replaced: ConversationEvent = {
      ...ended('c2'),
      eventId: 'replaced-1',
      type: 'transcript_replaced',
      data: { version: 'recovered', reason: 'live capacity full', segments: cancellationCall() },
    };
    await bus.deliver(replaced);
    const last = bus.updates('c2').at(-1);
    expect(last?.finalSummary?.text).toMatch(/cancel/i);
    expect(last?.alerts?.map((a) => a.rule)).toEqual(['retention']);
    expect(worker.conversationCount).toBe(0);
    await worker.stop();
  });

  it('ignores partials, other event types, its own assist_update events and late events after the end', async () => {
    const { bus, worker } = await setup();
    const s = segment('s1', 'customer', 'I want to cancel my subscription', 1);
    await bus.deliver(partial('c1', s));
    expect(bus.published).toHaveLength(0);
    await bus.deliver(final('c1', s));
    const update = bus.published[0]!;
    await bus.deliver(update);
    await bus.deliver(ended('c1'));
    await bus.deliver(final('c1', segment('s2', 'customer', 'hello again', 9)));
    await bus.deliver(ended('c1'));
    expect(bus.published).toHaveLength(2);
    await worker.stop();
  });

  it('publishes nothing for a redelivered final (duplicate)', async () => {
    const { bus, worker } = await setup();
    const e = final('c1', segment('s1', 'customer', 'my card was stolen', 1));
    await bus.deliver(e);
    await bus.deliver(e, 2);
    expect(bus.published).toHaveLength(1);
    await worker.stop();
  });

  it('an empty call (started, ended, no speech) gets the defined final summary', async () => {
    const { bus, worker } = await setup();
    await bus.deliver(started('quiet'));
    await bus.deliver(ended('quiet'));
    expect(bus.updates('quiet')).toEqual([
      expect.objectContaining({
        mode: 'local',
        finalSummary: { text: 'No speech was transcribed in this call.', nextSteps: [] },
      }),
    ]);
    await worker.stop();
  });

  it('keeps conversations apart when their events interleave', async () => {
    const { bus, worker } = await setup();
    await Promise.all([
      bus.deliver(final('a', segment('a1', 'customer', 'I want to cancel my subscription', 1))),
      bus.deliver(final('b', segment('b1', 'customer', 'I lost my card on the bus', 1))),
    ]);
    expect(bus.updates('a')[0]?.suggestions?.[0]?.id).toBe('cancellations-and-retention.md');
    expect(bus.updates('b')[0]?.suggestions?.[0]?.id).toBe('lost-or-stolen-card.md');
    expect(bus.updates('b')[0]?.alerts).toEqual([]);
    await worker.stop();
  });

  it('processes one conversation in arrival order even when deliveries overlap', async () => {
    const { bus, worker } = await setup();
    const call = cancellationCall();
    await Promise.all(call.map((s) => bus.deliver(final('c', s))));
    const updates = bus.updates('c');
    expect(updates).toHaveLength(call.length);
    expect(updates.map((u) => u.sentiment?.segmentId)).toEqual(call.map((s) => s.id));
    await worker.stop();
  });

  it('when publishing fails the handler rejects (bus redelivers) and the redelivery publishes the pending update', async () => {
    const { bus, worker } = await setup();
    const e = final('c1', segment('s1', 'customer', 'I want to cancel my subscription', 1));
    bus.failPublishes = 1;
    await expect(bus.deliver(e)).rejects.toThrow('bus down');
    expect(bus.published).toHaveLength(0);
    await bus.deliver(e, 2);
    expect(bus.updates('c1')[0]?.alerts?.map((a) => a.rule)).toEqual(['retention']);
    expect(worker.stats.publishFailures).toBe(1);
    await worker.stop();
  });

  it('rebuilds a conversation picked up mid-call from the transcript history', async () => {
    const call = cancellationCall();
    const history = { finals: async (): Promise<readonly TranscriptSegment[]> => call.slice(0, 6) };
    const { bus, worker } = await setup({ history });
    await bus.deliver(final('c1', call[6]!));
    const update = bus.updates('c1')[0];
    expect(update?.alerts?.map((a) => a.rule)).toEqual(['retention']); // raised by turn 2, seen only via history
    expect(update?.summary?.actions.join(' ')).toMatch(/processed a refund/);
    await worker.stop();
  });

  it('two workers sharing a round-robin stream both summarise the whole call when given the history', async () => {
    const call = cancellationCall();
    const stored: TranscriptSegment[] = [];
    const history = { finals: async (): Promise<readonly TranscriptSegment[]> => [...stored] };
    const a = await setup({ history, consumer: 'a' });
    const b = await setup({ history, consumer: 'b' });
    for (const [i, s] of call.entries()) {
      stored.push(s); // the store has the segment before its event is delivered (outbox)
      await (i % 2 === 0 ? a : b).bus.deliver(final('rr', s));
    }
    await a.bus.deliver(ended('rr')); // a did not see the last final (it went to b)
    const last = a.bus.updates('rr').at(-1);
    expect(last?.sentiment?.segmentId).toBe(call.at(-1)!.id); // replayed at the end
    expect(last?.alerts?.map((x) => x.id)).toEqual(['retention:' + call[1]!.id]); // turn 2 went to worker b
    expect(b.bus.updates('rr').at(-1)?.summary?.actions.join(' ')).toMatch(/processed a refund/); // turn 5 went to a
    expect(last?.finalSummary?.nextSteps.join(' ')).toMatch(/refund within five working days/);
    expect(last?.finalSummary?.nextSteps.join(' ')).toMatch(/confirmation email/);
    await a.worker.stop();
    await b.worker.stop();
  });

  it('carries on without the earlier turns when the history cannot be read', async () => {
    const warnings: string[] = [];
    const failing = { finals: async (): Promise<never> => Promise.reject(new Error('store offline')) };
    const bus = new MemoryBus();
    const worker = (
      await AssistRuntime.load(assistConfigFromEnv({}), {
        logger: { info: () => {}, warn: (m) => warnings.push(m) },
      })
    ).createWorker(bus, {
      history: failing,
    });
    await worker.start();
    await bus.deliver(final('c1', segment('s1', 'customer', 'hello', 1)));
    expect(bus.published).toHaveLength(1);
    expect(warnings.join('\n')).toMatch(/could not load earlier transcript.*store offline/);
    await worker.stop();
  });
});

describe('AssistWorker memory bounds', () => {
  it('drops conversations idle for longer than the idle timeout', async () => {
    let now = 0;
    const bus = new MemoryBus();
    const rt = await AssistRuntime.load(
      assistConfigFromEnv({ HOOKSCRIBE_ASSIST_IDLE_TIMEOUT_SECONDS: '60' }),
      { clock: () => now },
    );
    const worker = rt.createWorker(bus);
    await bus.subscribe(() => {}, {}); // not started: drive handle() directly
    await worker.handle(final('old', segment('s1', 'customer', 'hello', 1)));
    now = 30_000;
    await worker.handle(final('new', segment('s1', 'customer', 'hello', 1)));
    now = 61_000;
    expect(worker.sweepIdle()).toBe(1);
    expect(worker.conversationCount).toBe(1);
    expect(worker.stats.evicted).toBe(1);
  });

  it('drops the least recently active conversation beyond maxConversations', async () => {
    let now = 0;
    const bus = new MemoryBus();
    const rt = await AssistRuntime.load(assistConfigFromEnv({ HOOKSCRIBE_ASSIST_MAX_CONVERSATIONS: '3' }), {
      clock: () => now,
    });
    const worker = rt.createWorker(bus);
    for (const id of ['a', 'b', 'c', 'd']) {
      now += 1000;
      await worker.handle(final(id, segment('s1', 'customer', 'hello', 1)));
    }
    expect(worker.conversationCount).toBe(3);
    expect(worker.stats.evicted).toBe(1);
  });
});

describe('AssistWorker on the real InProcessEventBus', () => {
  it('runs the sample call through the bus and publishes schema-valid assist_update events', async () => {
    const { InProcessEventBus, parseConversationEvent } = await import('@hookscribe/conversations');
    const bus = new InProcessEventBus();
    const worker = runtime.createWorker(bus);
    await worker.start();
    const updates: ConversationEvent[] = [];
    const sub = await bus.subscribe((e) => void (e.type === 'assist_update' && updates.push(e)));
    const call = cancellationCall();
    await bus.publish(started('bus-call'));
    for (const s of call) await bus.publish(final('bus-call', s));
    await bus.publish(ended('bus-call'));
    await vi.waitFor(() => expect(updates).toHaveLength(call.length + 1));
    for (const e of updates)
      expect(() => parseConversationEvent(JSON.parse(JSON.stringify(e)))).not.toThrow();
    const last = updates.at(-1);
    expect(last?.type === 'assist_update' && last.data.finalSummary?.text).toMatch(/cancel/i);
    await sub.close();
    await worker.stop();
    await bus.close();
  });
});
