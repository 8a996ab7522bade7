/**
 * The standalone post-call transcription process (`hookscribe-stt`): configuration from the environment (the
 * server's variables), the shared conversation store, recording store and job queue, one
 * PostCallTranscriptionWorker. Its events go into the store's outbox; the servers' outbox relays deliver them.
 * Separate from the bin file so tests can run it in-process.
 */
import { hostname } from 'node:os';
import {
  createConversationStore,
  createRecordingStore,
  parseRedactionKinds,
  TranscriptRedactor,
} from '@hookscribe/conversations';
import { speechConfigFromEnv, transcriberOptionsFromConfig } from '@hookscribe/speech';
import type { Logger } from 'pino';
import { loadConfig } from '../config.js';
import { PostCallEngines } from './post-call-engines.js';
import { PostCallTranscriptionWorker } from './post-call-worker.js';
import { createTranscriptionJobQueue } from './transcription-job-queue-config.js';

export interface SttProcess {
  worker: PostCallTranscriptionWorker;
  stop(): Promise<void>;
}

export async function startSttProcess(env: NodeJS.ProcessEnv, logger: Logger): Promise<SttProcess> {
  const config = loadConfig(env);
  const speechConfig = speechConfigFromEnv(env);
  if (speechConfig.engines.length === 0)
    throw new Error('HOOKSCRIBE_STT_ENGINES=none: nothing to transcribe with');
  const store = createConversationStore(env, config.dataDir, {
    onStatus: (err) => (err ? logger.warn({ err }, 'conversation store degraded') : undefined),
  });
  await store.init();
  const recordings = await createRecordingStore(env, config.dataDir);
  const queue = createTranscriptionJobQueue(config.sttJobs, env, store);
  await queue.init();
  const engines = new PostCallEngines(speechConfig);
  const name = env.HOOKSCRIBE_STT_CONSUMER?.trim() || `${hostname()}-${process.pid}`;
  const worker = new PostCallTranscriptionWorker({
    queue,
    store,
    recordings,
    engines: (kind) => engines.for(kind),
    speakerAdaptation: (kind) => engines.speakerAdaptation(kind),
    transcriber: transcriberOptionsFromConfig(speechConfig),
    redactor: new TranscriptRedactor(parseRedactionKinds(env.HOOKSCRIBE_REDACT)),
    log: logger,
    worker: name,
    leaseMs: config.sttLeaseMs,
  });
  worker.start();
  logger.info(
    { worker: name, jobs: queue.backend, store: env.HOOKSCRIBE_STORE ?? 'sqlite' },
    'hookscribe-stt started',
  );
  return {
    worker,
    async stop() {
      await worker.stop();
      await engines.stop();
      await queue.close().catch(() => undefined);
      await store.close().catch(() => undefined);
      const { stored, duplicates, failed, gaveUp, audioSeconds } = worker.stats;
      logger.info(
        { worker: name, stored, duplicates, failed, gaveUp, audioSeconds },
        'hookscribe-stt stopped',
      );
    },
  };
}
