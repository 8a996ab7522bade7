/** The standalone worker (hookscribe-assist) on a real Redis Streams bus started by the test. */
import { RedisStreamsEventBus, type ConversationEvent } from '@hookscribe/conversations';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startAssistProcess } from '../src/cli/assist-process.js';
import { AssistConfigError } from '../src/config/assist-config.js';
import { cancellationCall } from './fixtures/cancellation-call.js';
import { ended, final, started } from './support/events.js';
import { startRedisServer } from './support/redis-server.js';

const quiet = { info: () => {}, warn: () => {} };

describe('hookscribe-assist process', () => {
  let redis: Awaited<ReturnType<typeof startRedisServer>>;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(() => redis?.stop());

  it('consumes transcript events from Redis Streams and publishes assist_update events back', async () => {
    const env = {
      HOOKSCRIBE_BUS: 'redis',
      HOOKSCRIBE_REDIS_URL: redis.url,
      HOOKSCRIBE_ASSIST_CONSUMER: 'test-worker',
    };
    const running = await startAssistProcess(env, quiet);
    const bus = new RedisStreamsEventBus({ url: redis.url, blockMs: 200 });
    const seen: ConversationEvent[] = [];
    const sub = await bus.subscribe((e) => void seen.push(e)); // fan-out: sees everything, including assist output
    try {
      await bus.publish(started('redis-call'));
      for (const s of cancellationCall()) await bus.publish(final('redis-call', s));
      await bus.publish(ended('redis-call'));
      await vi.waitFor(
        () => expect(seen.filter((e) => e.type === 'assist_update' && e.data.finalSummary)).toHaveLength(1),
        {
          timeout: 20_000,
          interval: 100,
        },
      );
      const updates = seen.flatMap((e) => (e.type === 'assist_update' ? [e.data] : []));
      expect(updates).toHaveLength(cancellationCall().length + 1);
      const last = updates.at(-1);
      expect(last?.alerts?.map((a) => a.rule)).toEqual(['retention']);
      expect(last?.suggestions?.[0]?.id).toBe('cancellations-and-retention.md');
    } finally {
      await sub.close();
      await bus.close();
      await running?.stop();
    }
  });

  it('refuses to run without a shared bus, with a message that says what to set', async () => {
    await expect(startAssistProcess({}, quiet)).rejects.toThrow(AssistConfigError);
    await expect(startAssistProcess({ HOOKSCRIBE_BUS: 'memory' }, quiet)).rejects.toThrow(
      /set HOOKSCRIBE_BUS=redis \(got "memory"\)/,
    );
  });

  it('does nothing when assist is off', async () => {
    expect(await startAssistProcess({ HOOKSCRIBE_ASSIST: 'off' }, quiet)).toBeNull();
  });

  it('fails at start on a broken rules file, naming it', async () => {
    await expect(
      startAssistProcess(
        {
          HOOKSCRIBE_BUS: 'redis',
          HOOKSCRIBE_REDIS_URL: redis.url,
          HOOKSCRIBE_ASSIST_RULES: '/nonexistent/rules.yaml',
        },
        quiet,
      ),
    ).rejects.toThrow(/cannot read alert rules file \/nonexistent\/rules\.yaml/);
  });
});
