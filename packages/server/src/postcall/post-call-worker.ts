/**
 * The post-call transcription worker: takes jobs from the TranscriptionJobQueue, reads the call's recording from the
 * RecordingStore, runs it through transcribeRecording (the live CallTranscriber) and stores the result as a new
 * transcript version with its `transcript_replaced` event (outbox: live API, webhooks, assist). One job at a time;
 * run more workers (in-process on every instance, or hookscribe-stt processes) for more throughput.
 *
 * A job holds a lease, renewed while it runs; a worker that dies loses the lease and another takes the job again.
 * The store writes a version once, so a job finished twice still gives one result.
 */
import type {
  ClaimedTranscriptionJob,
  ConversationStore,
  RecordingRead,
  RecordingStore,
  TranscriptionJobQueue,
  TranscriptionState,
  TranscriptRedactor,
  TranscriptVersion,
} from '@hookscribe/conversations';
import {
  callPhraseHints,
  transcribeRecording,
  type CallTranscriberOptions,
  type RecordingStreamGap,
  type SpeechEngine,
} from '@hookscribe/speech';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { transcriptSegmentOf } from '../pipeline/call-records.js';
import { conversationEvent } from '../pipeline/conversation-event-factory.js';
import { openCustomConfigOf, parseSidecarText, streamGapsOfSidecar } from '../recording/recording-sidecar.js';
import type { SpeakerAdaptedPass } from './speaker-adapted-pass.js';

export interface PostCallWorkerOptions {
  queue: TranscriptionJobQueue;
  store: ConversationStore;
  /** where recordings are read (the RecordingStore, or the uploader that also serves local copies) */
  recordings: Pick<RecordingStore, 'get'>;
  /** engines for a job kind: the recovery pass, or the slower accurate pass */
  engines(kind: ClaimedTranscriptionJob['kind']): readonly SpeechEngine[];
  /** a second, speaker-adapted decode after the first (the accurate pass); null: the first decode is the result */
  speakerAdaptation?(kind: ClaimedTranscriptionJob['kind']): SpeakerAdaptedPass | null;
  /** CallTranscriber settings from configuration (default language, VAD, segmenter) */
  transcriber: Omit<CallTranscriberOptions, 'engines' | 'onTranscript' | 'onStatus' | 'callId'>;
  redactor: TranscriptRedactor;
  log: Logger;
  /** this worker's name in leases (host-pid) */
  worker: string;
  onEventsWritten?: () => void;
  /** a job finished (stored or given up): for throughput metrics */
  onJobFinished?: (job: ClaimedTranscriptionJob, outcome: PostCallJobOutcome) => void;
  /** how long a job stays leased without a renewal (default 60 s; renewed every third of it) */
  leaseMs?: number;
  /** how long an idle worker waits before looking for jobs again (wake() cuts it short) */
  idlePollMs?: number;
  retryInMs?: number;
}

export interface PostCallJobOutcome {
  result: 'stored' | 'already-stored' | 'retrying' | 'gave-up' | 'abandoned';
  audioSeconds: number;
  elapsedMs: number;
  error?: string;
}

const VERSION_OF: Record<ClaimedTranscriptionJob['kind'], Exclude<TranscriptVersion, 'live'>> = {
  recover: 'recovered',
  accurate: 'accurate',
};

class JobAbandoned extends Error {
  override name = 'JobAbandoned';
}

export class PostCallTranscriptionWorker {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private current: AbortController | null = null;
  readonly stats = { stored: 0, duplicates: 0, failed: 0, gaveUp: 0, audioSeconds: 0 };

  constructor(private readonly options: PostCallWorkerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** a job may have been queued: look now instead of at the next poll */
  wake(): void {
    this.wakeUp?.();
  }

  /**
   * Stops taking jobs; the job in progress is abandoned (its lease runs out and another worker takes it). Waits at
   * most `graceMs` for it to wind down: stopping the engines afterwards ends whatever is left.
   */
  async stop(graceMs = 5_000): Promise<void> {
    this.running = false;
    this.current?.abort(new JobAbandoned('worker stopping'));
    this.wake();
    await Promise.race([this.loop, delay(graceMs, undefined, { ref: false })]);
  }

  private async run(): Promise<void> {
    const { log } = this.options;
    while (this.running) {
      let job: ClaimedTranscriptionJob | null = null;
      try {
        job = await this.options.queue.claim(this.options.worker, this.leaseMs);
      } catch (err) {
        log.warn({ err }, 'post-call job queue unavailable; retrying');
      }
      if (job) await this.process(job);
      else await this.idle();
    }
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? 60_000;
  }

  private idle(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.options.idlePollMs ?? 2_000);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }

  /**
   * What the recording's sidecar says about the live call: its paused and discarded spans, so post-call offsets land
   * on the stream timeline like the live transcript's (the UI maps them onto the recording the same way), and the
   * phrase hints its `open` carried (customConfig.sttPhrases). Without a readable sidecar the recording's own
   * timeline is used and no hints, and the log says so.
   */
  private async liveCallOf(
    recordingKey: string,
    log: Logger,
  ): Promise<{ streamGaps: RecordingStreamGap[]; phrases: string[] }> {
    let sidecar: { messages: unknown[] };
    try {
      const read = await this.options.recordings.get(recordingKey, undefined, 'sidecar');
      if (read === null) {
        log.warn(
          'recording has no sidecar: post-call offsets are on the recording timeline (pauses not known)',
        );
        return { streamGaps: [], phrases: [] };
      }
      sidecar = parseSidecarText(Buffer.from(await readAll(read)).toString('utf8'));
    } catch (error) {
      log.warn(
        { err: (error as Error).message },
        'recording sidecar unreadable: post-call offsets are on the recording timeline (pauses not known)',
      );
      return { streamGaps: [], phrases: [] };
    }
    const streamGaps = streamGapsOfSidecar(sidecar).map((gap) => ({
      kind: gap.kind,
      startSample: Math.round(gap.start * SAMPLE_RATE),
      samples: Math.round(gap.length * SAMPLE_RATE),
    }));
    // the live call logged what was wrong with its hints already
    return { streamGaps, phrases: callPhraseHints(openCustomConfigOf(sidecar)).phrases };
  }

  private async process(job: ClaimedTranscriptionJob): Promise<void> {
    const { store, queue, log: baseLog } = this.options;
    const log = baseLog.child({ sessionId: job.conversationId, job: job.kind, attempt: job.attempts });
    const started = Date.now();
    const abort = new AbortController();
    this.current = abort;
    const renew = setInterval(() => {
      queue.renew(job, this.leaseMs).then(
        (held) => {
          if (!held) abort.abort(new JobAbandoned('lease lost to another worker'));
        },
        (err: unknown) => log.warn({ err }, 'post-call job lease not renewed'),
      );
    }, this.leaseMs / 3);
    let audioSeconds = job.audioSeconds ?? 0;
    const finish = (outcome: Omit<PostCallJobOutcome, 'elapsedMs' | 'audioSeconds'>) =>
      this.options.onJobFinished?.(job, { ...outcome, audioSeconds, elapsedMs: Date.now() - started });
    try {
      const conversation = await store.getConversation(job.conversationId);
      if (!conversation) throw new Error(`conversation ${job.conversationId} is not in the store (yet)`);
      const versionNow = conversation.transcription?.version ?? 'live';
      const state = (
        status: TranscriptionState['status'],
        version: TranscriptVersion,
      ): TranscriptionState => ({
        status,
        reason: job.reason,
        version,
        updatedAt: new Date().toISOString(),
      });
      await store.setTranscription(job.conversationId, state('working', versionNow));
      const recording = await this.options.recordings.get(job.recordingKey);
      if (!recording) throw new Error(`recording ${job.recordingKey} is not in the recording store (yet)`);
      const wav = await readAll(recording);
      const { streamGaps, phrases } = await this.liveCallOf(job.recordingKey, log);
      log.info(
        { reason: job.reason, streamGaps: streamGaps.length, phrases: phrases.length },
        'post-call transcription started',
      );
      const recordingOptions = {
        ...this.options.transcriber,
        engines: this.options.engines(job.kind),
        language: job.language ?? conversation.language,
        callId: job.conversationId,
        ...(conversation.media
          ? { channelNames: conversation.media.channels as ('external' | 'internal')[] }
          : {}),
        signal: abort.signal,
        streamGaps,
        ...(phrases.length > 0 ? { phrases } : {}),
      };
      const result = await transcribeRecording(wav, recordingOptions);
      audioSeconds = result.audioSeconds;
      let finals = result.finals;
      const adaptation = this.options.speakerAdaptation?.(job.kind);
      if (adaptation) {
        const adapted = await adaptation.run(wav, result, recordingOptions, log);
        finals = adapted.finals;
        log.info({ channels: adapted.channels }, 'speaker adaptation');
      }
      const version = VERSION_OF[job.kind];
      const segments = finals.map(
        (event) => this.options.redactor.redact(transcriptSegmentOf(event)).segment,
      );
      const stored = await store.storeTranscriptVersion(
        job.conversationId,
        version,
        segments,
        state('done', version),
        {
          events: [
            conversationEvent('transcript_replaced', job.conversationId, {
              version,
              reason: job.reason,
              segments,
            }),
          ],
        },
      );
      await queue.complete(job);
      this.options.onEventsWritten?.();
      if (stored) {
        this.stats.stored++;
        this.stats.audioSeconds += result.audioSeconds;
      } else this.stats.duplicates++;
      log.info(
        {
          version,
          segments: segments.length,
          audioSeconds: result.audioSeconds,
          elapsedMs: Date.now() - started,
          stored,
        },
        stored ? 'post-call transcript stored' : 'post-call transcript was already stored by another worker',
      );
      finish({ result: stored ? 'stored' : 'already-stored' });
    } catch (err) {
      if (err instanceof JobAbandoned) {
        log.info({ why: err.message }, 'post-call job abandoned; it will be taken again');
        finish({ result: 'abandoned', error: err.message });
        return;
      }
      const message = (err as Error).message ?? String(err);
      this.stats.failed++;
      const outcome = await queue
        .fail(job, message, this.options.retryInMs ?? 30_000)
        .catch(() => 'retrying' as const);
      if (outcome === 'gave-up') {
        this.stats.gaveUp++;
        const current = await store.getConversation(job.conversationId).catch(() => null);
        await store
          .setTranscription(job.conversationId, {
            status: 'failed',
            reason: `${job.reason}; post-call transcription gave up after ${job.attempts} attempts: ${message}`,
            version: current?.transcription?.version ?? 'live',
            updatedAt: new Date().toISOString(),
          })
          .catch(() => undefined);
        log.error({ err }, 'post-call transcription gave up');
      } else {
        const current = await store.getConversation(job.conversationId).catch(() => null);
        if (current)
          await store
            .setTranscription(job.conversationId, {
              status: 'pending',
              reason: `${job.reason}; attempt ${job.attempts} failed: ${message}`,
              version: current.transcription?.version ?? 'live',
              updatedAt: new Date().toISOString(),
            })
            .catch(() => undefined);
        log.warn({ err }, 'post-call transcription failed; retrying later');
      }
      finish({ result: outcome, error: message });
    } finally {
      clearInterval(renew);
      this.current = null;
    }
  }
}

/** AudioHook audio is 8 kHz: the sidecar's gap seconds → samples on the stream timeline */
const SAMPLE_RATE = 8000;

async function readAll(recording: RecordingRead): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of recording.stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
