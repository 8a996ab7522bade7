/**
 * Builds everything behind the AudioHook endpoints from configuration: speech engines, conversation store with its
 * outbox relay, recording store and uploader, event delivery (bus + webhooks), in-process assist, the REST/live API
 * and the web UI. Defaults need nothing but the box (pocketsphinx, SQLite, in-process bus, recordings on disk); the
 * same code scales out on PostgreSQL/Redis/Azure by environment variables alone (docs/configuration.md).
 */
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { assistConfigFromEnv, AssistRuntime, type AssistWorker } from '@hookscribe/assist';
import {
  createConversationStore,
  createEventDelivery,
  createRecordingStore,
  eventDeliveryConfigFromEnv,
  OutboxRelay,
  parseRedactionKinds,
  RecordingUploader,
  TranscriptRedactor,
  type Subscription,
} from '@hookscribe/conversations';
import {
  buildCallEngineChoice,
  FallbackEngine,
  defaultPocketsphinxConfig,
  PocketsphinxEngine,
  speechConfigFromEnv,
  supportedLanguages,
  transcriberOptionsFromConfig,
} from '@hookscribe/speech';
import type { Logger } from 'pino';
import { conversationApi } from '../api/conversation-api.js';
import { accessPluginFromEnv } from '../access/access-plugin.js';
import type { AppPlugin } from '../app.js';
import type { ServerConfig } from '../config.js';
import type { ServerMetrics } from '../metrics.js';
import { recordingKeyFor } from '../recording/call-recorder.js';
import { entraOpenAiTokenProvider } from '../secrets/openai-token-provider.js';
import { entraSpeechTokenProvider } from '../secrets/speech-token-provider.js';
import type { CallInfo, SessionSubscriber } from '../session-events.js';
import { webUi } from '../web-ui/web-ui-plugin.js';
import { PipelineMetrics } from './pipeline-metrics.js';
import { attachAssistSink } from './assist-sink.js';
import { createPrivacyServices, privacyConfigFromEnv } from './privacy-services.js';
import { callPipeline } from './call-pipeline.js';
import { LiveDecodeCapacity } from './live-capacity.js';
import { liveCapacityPlan } from './transcription-capacity.js';
import { notLiveCause, TranscriptionCapacityMetrics } from './transcription-capacity-metrics.js';
import { PostCallEngines } from '../postcall/post-call-engines.js';
import { recoverInterruptedCalls } from '../postcall/interrupted-calls.js';
import { PostCallScheduler } from '../postcall/post-call-scheduler.js';
import { RecordingFinalisation } from '../postcall/recording-finalisation.js';
import { PostCallTranscriptionWorker } from '../postcall/post-call-worker.js';
import { createTranscriptionJobQueue } from '../postcall/transcription-job-queue-config.js';

export interface DependencyHealth {
  name: string;
  status: 'ok' | 'degraded';
  detail: string | null;
}

export interface PipelineServices {
  subscribers: SessionSubscriber[];
  plugins: AppPlugin[];
  supportedLanguages: string[];
  /** the recorder started a call's WAV: nothing reads it (post-call, the recording API) before it is finalised */
  recordingStarted(call: CallInfo): void;
  /**
   * The recorder finalised a call's recording: it goes to the recording store (when its WAV was written), and the
   * call's post-call jobs, which read it, may now be queued.
   */
  recordingFinalised(call: CallInfo, files: { wavPath: string | null; jsonPath: string | null }): void;
  /**
   * Starts moving events from the outbox to the bus. Call it after every bus subscriber exists (assist, the live
   * API registered by buildApp): events left in the outbox by a previous run would otherwise pass them by.
   */
  startDelivery(): void;
  /** the REST API token printed for development when HOOKSCRIBE_API_TOKENS is unset */
  devApiToken: string | null;
  health(): Promise<DependencyHealth[]>;
  close(): Promise<void>;
}

/** fallback watchdog and decoder request timeout when the configured engine is the only one */
const LONE_ENGINE_WATCHDOG_MS = 60_000;

/** the longest post-call jobs of an ended call wait for its recording to be finalised (a WAV flush, normally ms) */
const RECORDING_FINALISE_WAIT_MS = 30_000;

/** how long shutdown waits for recordings of just-ended calls to reach the recording store */
const UPLOAD_GRACE_MS = 10_000;

export async function startPipelineServices(
  config: ServerConfig,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  metrics?: ServerMetrics,
): Promise<PipelineServices> {
  const log = logger.child({ component: 'pipeline' });
  const onError = (err: unknown, context: string) => log.warn({ err, context }, 'dependency error');
  const pipelineMetrics = metrics ? new PipelineMetrics(metrics.registry) : null;

  // --- conversation store + outbox relay
  const store = createConversationStore(env, config.dataDir, {
    onStatus: (err) =>
      err ? log.warn({ err }, 'conversation store degraded') : log.info('conversation store ok'),
  });
  store.init().catch((err: unknown) => log.error({ err }, 'conversation store failed to initialise'));
  const delivery = await createEventDelivery(eventDeliveryConfigFromEnv(env), onError);
  const relay = new OutboxRelay({
    store,
    bus: delivery.bus,
    onError,
    ...(pipelineMetrics ? { onMetrics: (m) => pipelineMetrics.observeOutbox(m) } : {}),
  });
  const subscribable = delivery.bus.name !== 'webhook';
  if (!subscribable)
    log.warn('HOOKSCRIBE_BUS=webhook: the live API and in-process assist need a subscribable bus');

  // --- recordings
  const privacyConfig = privacyConfigFromEnv(env);
  const recordings = await createRecordingStore(env, config.dataDir);
  const uploader = new RecordingUploader({
    store: recordings,
    conversations: store,
    // redacted spans are silenced before the recording is stored, encrypted or uploaded
    prepare: (job) => privacy.prepareRecording(job),
    onStatus: (job, err) =>
      err
        ? log.warn(
            { err, sessionId: job.conversationId },
            'recording upload failed; retrying, local copy kept',
          )
        : log.debug({ sessionId: job.conversationId }, 'recording stored'),
  });
  const pendingUploads = new Set<Promise<void>>();

  // --- speech
  const speechConfig = speechConfigFromEnv(env);
  // Live capacity: only as many calls are admitted as the cores decode in real time, so a channel's wait for a decoder
  // stays short (a wait is backlog, and backlog past maxBacklogMs kills the channel); calls beyond it are transcribed
  // after the call.
  const plan = liveCapacityPlan(speechConfig.engines, config.sttLiveChannels);
  const capacity = new LiveDecodeCapacity(plan.channels);
  log.info({ liveChannels: plan.channels, basis: plan.basis }, 'live decode capacity');
  // Two warm decoders: a stereo call's second channel must not wait ~1 s (far more on a loaded box) for a decoder at
  // its first utterance.
  const engineChoice = buildCallEngineChoice(speechConfig, {
    embedded: () => {
      const defaults = defaultPocketsphinxConfig();
      return new PocketsphinxEngine({
        vocabulary: speechConfig.vocabulary,
        speakerWarp: speechConfig.speakerWarp ? defaults.speakerWarp : null,
        pool: {
          ...defaults.pool,
          // two per core: decoding is CPU-bound, more decoders add no throughput, only memory and — created all at
          // once when calls start — model loads that delay every call's first finals (scale-out.test.ts showed it);
          // an admitted channel waits for one between utterances, bounded by maxBacklogMs
          maxDecoders: Math.max(1, Math.min(plan.channels, 2 * availableParallelism())),
          warmDecoders: 2,
          // a channel that falls behind begins its next utterance before the last one released its decoder; that
          // wait is backlog, already bounded by maxBacklogMs, so it must not fail sooner on its own
          acquireTimeoutMs: LONE_ENGINE_WATCHDOG_MS,
          maxWaiting: 256,
          // a little below the event loop: decoding never starves ping/open
          niceness: 5,
          // on a box shared with other work a decoder may wait long for CPU; only a dead thread should fail
          requestTimeoutMs: LONE_ENGINE_WATCHDOG_MS,
        },
      });
    },
    azureTokenProvider: (resourceId) => entraSpeechTokenProvider(resourceId),
    openAiTokenProvider: () => entraOpenAiTokenProvider(),
    // with one engine there is nothing to fall back to: declaring it hung early only kills the channel for the rest
    // of the call, while a starved decoder catches up (its backlog stays bounded by maxBacklogMs)
    ...(new Set([...speechConfig.engines, ...speechConfig.allowlist]).size === 1
      ? { watchdogMs: LONE_ENGINE_WATCHDOG_MS }
      : {}),
  });
  // every engine chain a call can get: the defaults and one per allowlisted engine
  const engines = engineChoice.all;
  // transcripts are labelled with the engine that produced them: the engines inside the fallback chains
  pipelineMetrics?.initialiseSeries([
    ...new Set(
      engines.flatMap((engine) =>
        engine instanceof FallbackEngine ? engine.options.engines.map((e) => e.name) : [engine.name],
      ),
    ),
  ]);
  for (const engine of engines) {
    engine
      .start()
      .catch((err: unknown) => log.error({ err, engine: engine.name }, 'speech engine failed to start'));
  }

  // --- post-call transcription (jobs in the store by default, Redis Streams when scaled out)
  const transcriberOptions = transcriberOptionsFromConfig(speechConfig);
  const redactor = new TranscriptRedactor(parseRedactionKinds(env.HOOKSCRIBE_REDACT));
  const jobs =
    engines.length > 0 && config.sttPostCall !== 'off'
      ? createTranscriptionJobQueue(config.sttJobs, env, store)
      : null;
  jobs?.init().catch((err: unknown) => log.warn({ err }, 'post-call job queue not ready yet'));
  const capacityMetrics = metrics
    ? new TranscriptionCapacityMetrics(metrics.registry, {
        live: { capacity: plan.channels, inUse: () => capacity.inUse },
        ...(jobs ? { backlog: () => jobs.backlog() } : {}),
      })
    : null;
  const postCallEngines = new PostCallEngines(speechConfig);
  const postCallWorker =
    jobs && config.sttWorkerInProcess
      ? new PostCallTranscriptionWorker({
          queue: jobs,
          store,
          // the uploader serves a recording's local copy until it is in the recording store
          recordings: uploader,
          engines: (kind) => postCallEngines.for(kind),
          speakerAdaptation: (kind) => postCallEngines.speakerAdaptation(kind),
          transcriber: transcriberOptions,
          redactor,
          log: log.child({ component: 'post-call' }),
          worker: `${hostname()}-${process.pid}`,
          leaseMs: config.sttLeaseMs,
          onEventsWritten: () => relay.wake(),
          ...(capacityMetrics
            ? {
                onJobFinished: (job, outcome) => {
                  capacityMetrics.postCallJobs.inc({ kind: job.kind, result: outcome.result });
                  if (outcome.result === 'stored') {
                    capacityMetrics.postCallAudio.inc({ kind: job.kind }, outcome.audioSeconds);
                    capacityMetrics.postCallJobDuration.observe({ kind: job.kind }, outcome.elapsedMs / 1000);
                  }
                },
              }
            : {}),
        })
      : null;
  const recordingFinalisation = new RecordingFinalisation({
    recording: config.recording,
    waitMs: RECORDING_FINALISE_WAIT_MS,
    log: log.child({ component: 'post-call' }),
  });
  const scheduler = new PostCallScheduler({
    mode: config.sttPostCall,
    recording: config.recording,
    queue: jobs,
    store,
    recordingKey: (call) => recordingKeyFor(call.sessionId, call.openedAt),
    log: log.child({ component: 'post-call' }),
    onQueued: () => postCallWorker?.wake(),
  });
  if (engines.length > 0)
    void recoverInterruptedCalls({
      recordingsDir: join(config.dataDir, 'recordings'),
      store,
      uploader,
      scheduler,
      log,
    }).catch((err: unknown) => log.warn({ err }, 'looking for calls interrupted by a restart failed'));
  const pipeline = callPipeline({
    engines: engineChoice.defaults,
    engineChoice,
    transcriber: transcriberOptions,
    store,
    redactor,
    onEventsWritten: () => relay.wake(),
    capacity,
    onNotLive: (call, reason) =>
      capacityMetrics?.notLive.inc({ endpoint: call.profile, cause: notLiveCause(reason) }),
    // once the recorder has finalised the WAV and sidecar the jobs read (it does so at `ended` too, concurrently)
    onCallEnded: (call, outcome) =>
      void recordingFinalisation.whenFinalised(call.sessionId).then(() => scheduler.callEnded(call, outcome)),
    metricsIntervalMs: config.metricsIntervalMs,
    ...(pipelineMetrics
      ? {
          onTranscript: (call, event, latencyMs) => {
            pipelineMetrics.transcripts.inc({
              endpoint: call.profile,
              kind: event.type,
              engine: event.engine,
            });
            if (latencyMs !== null) {
              pipelineMetrics.finalLatency.observe(
                { endpoint: call.profile, engine: event.engine },
                latencyMs / 1000,
              );
            }
          },
        }
      : {}),
    connectorPartials: speechConfig.partials,
  });

  const privacy = createPrivacyServices({
    config: privacyConfig,
    store,
    recordings: uploader,
    recordingKey: (c) => recordingKeyFor(c.id, c.startedAt),
    logger,
    settled: (sessionId) => pipeline.settled(sessionId),
    onEventsWritten: () => relay.wake(),
    // a bus shared between instances (the in-process bus is not: every call is local there)
    ...(subscribable && delivery.bus.name !== 'inprocess' ? { bus: delivery.bus } : {}),
  });
  await privacy.listen();
  // after the privacy services exist: a resumed upload is redacted first (prepare)
  uploader
    .resume(join(config.dataDir, 'recordings'))
    .catch((err: unknown) => log.warn({ err }, 'resuming recording uploads failed'));

  // --- assist (in-process unless the deployment runs hookscribe-assist workers)
  const assistConfig = assistConfigFromEnv(env);
  let assistWorker: AssistWorker | null = null;
  let assistRuntime: AssistRuntime | null = null;
  const subscriptions: Subscription[] = [];
  if (subscribable) {
    if (assistConfig.mode !== 'off' && config.assistInProcess) {
      assistRuntime = await AssistRuntime.load(assistConfig, {
        logger: { info: (m: string) => log.info(m), warn: (m: string) => log.warn(m) },
      });
      assistWorker = assistRuntime.createWorker(delivery.bus, {
        history: { finals: async (id) => (await store.getConversation(id))?.transcript ?? [] },
      });
      await assistWorker.start();
    }
    const knowledge = assistRuntime?.knowledgeBase;
    subscriptions.push(
      ...(await attachAssistSink({
        bus: delivery.bus,
        store,
        live: pipeline.live,
        logger: log,
        ...(knowledge ? { lookup: (id: string) => knowledge.get(id) } : {}),
      })),
    );
  }

  // --- REST/live API and web UI
  // access control first: its hook must cover every route registered after it
  const access = accessPluginFromEnv(env, config.dataDir, store, log);
  const devApiToken = access.devApiToken;
  const plugins: AppPlugin[] = [
    access.plugin,
    {
      plugin: conversationApi,
      options: {
        store,
        // the uploader serves local copies until their upload is confirmed, then the store
        recordings: uploader,
        recordingKey: (c: { id: string; startedAt: string }) => recordingKeyFor(c.id, c.startedAt),
        ...(subscribable ? { bus: delivery.bus } : {}),
        routes: privacy.routes,
      },
    },
    { plugin: webUi },
  ];

  const services: PipelineServices = {
    subscribers: [pipeline.subscriber, privacy.subscriber],
    plugins,
    supportedLanguages: supportedLanguages(engines),
    devApiToken,
    startDelivery: () => {
      relay.start();
      privacy.start();
      postCallWorker?.start();
    },
    recordingStarted(call) {
      uploader.recordingStarted(recordingKeyFor(call.sessionId, call.openedAt));
    },
    recordingFinalised(call, files) {
      const key = recordingKeyFor(call.sessionId, call.openedAt);
      if (files.wavPath === null) {
        uploader.recordingAbandoned(key);
        recordingFinalisation.finalised(call.sessionId);
        return;
      }
      const ids = {
        sessionId: call.sessionId,
        conversationId: call.conversationId,
        correlationId: call.correlationId,
        organizationId: call.organizationId,
      };
      const upload = uploader
        .enqueue({
          conversationId: call.sessionId,
          key,
          wavPath: files.wavPath,
          jsonPath: files.jsonPath,
        })
        .then(
          () => undefined,
          (err: unknown) =>
            log.warn({ err, ...ids }, 'recording not in the recording store yet; kept locally'),
        );
      pendingUploads.add(upload);
      void upload.finally(() => pendingUploads.delete(upload));
      // enqueue registered the recording before its first await: readers find it from now on
      recordingFinalisation.finalised(call.sessionId);
    },
    async health() {
      const storeHealth = await store.health().catch((err: unknown) => ({
        status: 'degraded' as const,
        detail: String(err),
      }));
      const buses = await delivery.health().catch(() => []);
      const relayHealth = relay.health();
      const uploads = uploader.health();
      const report: DependencyHealth[] = [
        { name: 'store', status: storeHealth.status, detail: storeHealth.detail },
        ...buses.map((b) => ({ name: `bus:${b.bus}`, status: b.status, detail: b.detail ?? null })),
        { name: 'outbox', status: relayHealth.status, detail: relayHealth.detail },
        { name: 'recordings', status: uploads.status, detail: uploads.detail },
      ];
      return report;
    },
    async close() {
      await privacy.stop().catch(() => undefined);
      await postCallWorker?.stop().catch(() => undefined);
      await postCallEngines.stop();
      await jobs?.close().catch(() => undefined);
      for (const s of subscriptions) await s.close().catch(() => undefined);
      await assistWorker?.stop().catch(() => undefined);
      await relay.stop().catch(() => undefined);
      // uploads of calls that just ended get a bounded chance; the rest resume at the next start (markers)
      await Promise.race([
        Promise.allSettled([...pendingUploads]),
        delay(UPLOAD_GRACE_MS, undefined, { ref: false }),
      ]);
      uploader.close();
      await delivery.close().catch(() => undefined);
      for (const engine of engines) await engine.stop().catch(() => undefined);
      await access.recorder.flush().catch(() => undefined); // audit entries still queued reach the store
      await access.close();
      await store.close().catch(() => undefined);
    },
  };
  pipelineMetrics?.watchDependencies(() => services.health());
  return services;
}
