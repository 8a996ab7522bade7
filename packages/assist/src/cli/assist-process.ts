/**
 * The standalone assist process (`hookscribe-assist`): config from env, a shared bus, optional transcript history,
 * one AssistWorker. Separate from the bin file so tests can run it in-process.
 *
 * Env: HOOKSCRIBE_BUS=redis (required: an in-process bus cannot be shared with the server process),
 * HOOKSCRIBE_REDIS_URL, HOOKSCRIBE_REDIS_STREAM, HOOKSCRIBE_ASSIST_CONSUMER (default host-pid),
 * HOOKSCRIBE_POSTGRES_URL (optional: the conversation store, read to rebuild conversations picked up mid-call),
 * plus everything in assist-config.ts.
 *
 * INTEGRATION POINT: when @hookscribe/conversations offers a bus/store factory from config, use it here instead of
 * constructing RedisStreamsEventBus / PostgresConversationStore directly.
 */
import { hostname } from 'node:os';
import { PostgresConversationStore, RedisStreamsEventBus } from '@hookscribe/conversations';
import type { AssistLogger } from '../assist-logger.js';
import { AssistRuntime } from '../assist-runtime.js';
import { AssistConfigError, assistConfigFromEnv } from '../config/assist-config.js';
import type { TranscriptHistory } from '../worker/assist-bus.js';
import type { AssistWorker } from '../worker/assist-worker.js';

export interface AssistProcess {
  worker: AssistWorker;
  stop(): Promise<void>;
}

export async function startAssistProcess(
  env: NodeJS.ProcessEnv,
  logger: AssistLogger,
): Promise<AssistProcess | null> {
  const config = assistConfigFromEnv(env);
  if (config.mode === 'off') {
    logger.info('HOOKSCRIBE_ASSIST=off: nothing to do');
    return null;
  }
  const busKind = env.HOOKSCRIBE_BUS ?? '';
  if (busKind !== 'redis')
    throw new AssistConfigError(
      `hookscribe-assist needs a shared bus: set HOOKSCRIBE_BUS=redis (got ${busKind ? `"${busKind}"` : 'nothing'}). ` +
        'With the default in-process bus, assist runs embedded in the server.',
    );
  // load KB, rules and prompts before connecting anything: a config mistake fails fast and leaks nothing
  const runtime = await AssistRuntime.load(config, { logger });
  const bus = new RedisStreamsEventBus({
    url: env.HOOKSCRIBE_REDIS_URL || 'redis://127.0.0.1:6379',
    ...(env.HOOKSCRIBE_REDIS_STREAM ? { stream: env.HOOKSCRIBE_REDIS_STREAM } : {}),
    onError: (err, context) => logger.warn(`assist bus ${context}: ${(err as Error).message ?? String(err)}`),
  });
  let store: PostgresConversationStore | null = null;
  let history: TranscriptHistory | null = null;
  const consumer = env.HOOKSCRIBE_ASSIST_CONSUMER || `${hostname()}-${process.pid}`;
  let worker: AssistWorker;
  try {
    if (env.HOOKSCRIBE_POSTGRES_URL) {
      const pg = new PostgresConversationStore({ connectionString: env.HOOKSCRIBE_POSTGRES_URL });
      store = pg;
      await pg.init();
      history = { finals: async (id) => (await pg.getConversation(id))?.transcript ?? [] };
    }
    worker = runtime.createWorker(bus, { consumer, history });
    await worker.start();
  } catch (err) {
    await bus.close().catch(() => {});
    await store?.close().catch(() => {});
    throw err;
  }
  logger.info(
    `hookscribe-assist: consumer "${consumer}" in group "assist"${history ? ', history from PostgreSQL' : ''}`,
  );
  return {
    worker,
    async stop() {
      await worker.stop();
      await bus.close();
      await store?.close();
      // what this worker did: with several workers in the group, each one's share of the load
      const { conversations, finals, published, publishFailures } = worker.stats;
      logger.info(
        `hookscribe-assist: consumer "${consumer}" stopped after ${finals} finals of ${conversations} conversations, ` +
          `${published} results published, ${publishFailures} publish failures`,
      );
    },
  };
}
