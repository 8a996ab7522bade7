/**
 * The privacy side of the call pipeline, built from configuration: retention sweep (HOOKSCRIBE_RETENTION), deletion
 * and erasure, post-call audio redaction of recordings (HOOKSCRIBE_AUDIO_REDACTION), and secure pause
 * (HOOKSCRIBE_SECURE_PAUSE_MAX_SECONDS) — their API routes, their session subscriber and their lifecycle.
 */
import {
  ConversationEraser,
  parseRecordingKeys,
  type EventBus,
  type Subscription,
  describeRetentionPolicy,
  parseRetentionPolicy,
  RetentionSweeper,
  type ConversationStore,
  type RecordingDeleter,
  type RecordingUploadJob,
  type RetentionPolicy,
} from '@hookscribe/conversations';
import type { Logger } from 'pino';
import type { ApiRoutes } from '../api/api-routes.js';
import { ConfigError } from '../config.js';
import { privacyApi } from '../api/privacy-api.js';
import { securePauseApi } from '../api/secure-pause-api.js';
import {
  parseAudioRedactionMargin,
  parseAudioRedactionMethod,
  redactRecordingAudio,
  type AudioRedactionMethod,
} from '../recording/recording-audio-redaction.js';
import type { SessionSubscriber } from '../session-events.js';
import { SecurePause } from './secure-pause.js';

export interface PrivacyConfig {
  retention: RetentionPolicy;
  /** 0 = this instance does not sweep (another one does) */
  sweepIntervalMs: number;
  audioRedaction: AudioRedactionMethod | null;
  audioRedactionMarginSeconds: number;
  securePauseMaxMs: number;
}

function integerSetting(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = env[name]?.trim();
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${name}: must be an integer ${min}–${max} (got "${value}")`);
  return n;
}

/**
 * Reads and validates every privacy setting, the recording keys included (their material is never echoed). Throws
 * ConfigError listing each problem with its variable, so the start stops with exit code 2 like any invalid setting.
 */
export function privacyConfigFromEnv(env: NodeJS.ProcessEnv): PrivacyConfig {
  const problems: string[] = [];
  const read = <T>(parse: () => T, fallback: T): T => {
    try {
      return parse();
    } catch (error) {
      problems.push((error as Error).message);
      return fallback;
    }
  };
  const config: PrivacyConfig = {
    retention: read(() => parseRetentionPolicy(env.HOOKSCRIBE_RETENTION), {}),
    sweepIntervalMs:
      read(() => integerSetting(env, 'HOOKSCRIBE_RETENTION_SWEEP_MINUTES', 60, 0, 10_080), 60) * 60_000,
    audioRedaction: read(() => parseAudioRedactionMethod(env.HOOKSCRIBE_AUDIO_REDACTION), null),
    audioRedactionMarginSeconds: read(
      () => parseAudioRedactionMargin(env.HOOKSCRIBE_AUDIO_REDACTION_MARGIN_MS),
      0,
    ),
    securePauseMaxMs:
      read(() => integerSetting(env, 'HOOKSCRIBE_SECURE_PAUSE_MAX_SECONDS', 180, 5, 3_600), 180) * 1000,
  };
  read(() => parseRecordingKeys(env.HOOKSCRIBE_RECORDING_KEYS), null);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

export interface PrivacyServicesOptions {
  config: PrivacyConfig;
  store: ConversationStore;
  /** deletes recordings (the uploader: it also abandons pending uploads); null when recording is off */
  recordings: RecordingDeleter | null;
  recordingKey: (conversation: { id: string; startedAt: string }) => string;
  logger: Logger;
  /** resolves once an ended call's finals are stored (the pipeline's settled) */
  settled: (sessionId: string) => Promise<void>;
  onEventsWritten?: () => void;
  /** a subscribable bus shared by the instances: secure pause requests reach the instance holding the call */
  bus?: EventBus | null;
}

export interface PrivacyServices {
  routes: ApiRoutes[];
  subscriber: SessionSubscriber;
  sweeper: RetentionSweeper | null;
  securePause: SecurePause;
  /** the uploader's prepare step: silence redacted spans in the local recording before it is stored */
  prepareRecording(job: Required<RecordingUploadJob>): Promise<void>;
  /** subscribes secure pause routing to the bus (call before the outbox relay starts) */
  listen(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

export function createPrivacyServices(options: PrivacyServicesOptions): PrivacyServices {
  const { config, store, logger } = options;
  const log = logger.child({ component: 'privacy' });
  const eraser = new ConversationEraser({
    store,
    recordings: options.recordings,
    recordingKey: options.recordingKey,
  });
  const sweeper =
    Object.keys(config.retention).length > 0 && config.sweepIntervalMs > 0
      ? new RetentionSweeper({
          store,
          recordings: options.recordings,
          recordingKey: options.recordingKey,
          policy: config.retention,
          intervalMs: config.sweepIntervalMs,
          onError: (err, context) =>
            log.warn({ err, context }, 'retention sweep step failed; retried next sweep'),
          onSwept: (report) => {
            log.info({ ...report }, 'retention sweep done');
            options.onEventsWritten?.();
          },
        })
      : null;
  const securePause = new SecurePause({
    store,
    maxPauseMs: config.securePauseMaxMs,
    logger: log,
    onEventsWritten: options.onEventsWritten,
  });
  let routing: Subscription | null = null;
  return {
    routes: [privacyApi({ store, eraser, sweeper }), securePauseApi({ securePause, store })],
    async listen() {
      if (options.bus) routing = await securePause.listen(options.bus);
    },
    subscriber: securePause.subscriber,
    sweeper,
    securePause,
    async prepareRecording(job) {
      const method = config.audioRedaction;
      if (method === null) return;
      await options.settled(job.conversationId);
      const report = await redactRecordingAudio(job, {
        store,
        method,
        marginSeconds: config.audioRedactionMarginSeconds,
      });
      if (report !== null) {
        log.info({ sessionId: job.conversationId, spans: report.spans.length }, 'recording redacted');
        options.onEventsWritten?.();
      }
    },
    start() {
      if (Object.keys(config.retention).length > 0)
        log.info(
          { retention: describeRetentionPolicy(config.retention), sweeping: sweeper !== null },
          'retention policy',
        );
      sweeper?.start();
    },
    async stop() {
      await sweeper?.stop();
      await routing?.close();
    },
  };
}
