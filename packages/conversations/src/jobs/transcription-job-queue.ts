/**
 * TranscriptionJobQueue: durable post-call transcription jobs, one per call and kind, for calls whose live transcript
 * is missing or incomplete ('recover') and, with HOOKSCRIBE_STT_POSTCALL=all, for every ended call ('accurate').
 *
 * At-least-once, like the outbox: a claimed job is leased; a worker that dies mid-job loses its lease and the job is
 * claimed again. Exactly one result per call comes from the store (storeTranscriptVersion writes a version once).
 *
 * Adapters: the conversation store's own tables (SQLite, PostgreSQL: `store.transcriptionJobs()`, the single-box
 * default) and a Redis Streams consumer group (scaled out). All pass test/job-queue-contract.ts.
 */

export type TranscriptionJobKind = 'recover' | 'accurate';

/** recover jobs go first: those calls have no (complete) transcript at all */
export const JOB_PRIORITY: Record<TranscriptionJobKind, number> = { recover: 0, accurate: 1 };

export interface TranscriptionJobRequest {
  /** hookscribe conversation id (AudioHook session id) */
  conversationId: string;
  kind: TranscriptionJobKind;
  /** why the call needs it (over capacity, engine failure, restart mid-call, second pass) */
  reason: string;
  /** RecordingStore key of the call's audio */
  recordingKey: string;
  /** length of the audio in seconds, for the backlog figures; null when unknown */
  audioSeconds: number | null;
  /** the call's language; null = the engine default */
  language: string | null;
}

export interface TranscriptionJob extends TranscriptionJobRequest {
  id: string;
  /** ISO-8601 */
  enqueuedAt: string;
  /** claims so far, this one included */
  attempts: number;
  lastError: string | null;
}

/** A job leased to one worker; pass it back to renew/complete/fail. */
export interface ClaimedTranscriptionJob extends TranscriptionJob {
  /** identifies this claim: a worker whose lease ran out cannot complete or fail the job it lost */
  leaseToken: string;
}

export interface TranscriptionBacklog {
  /** jobs waiting or being worked on */
  jobs: number;
  /** their audio in seconds (jobs of unknown length count 0) */
  audioSeconds: number;
  /** ISO-8601 enqueue time of the oldest, null when empty */
  oldestEnqueuedAt: string | null;
  /** jobs under a live lease */
  working: number;
}

export interface TranscriptionJobQueue {
  readonly backend: 'sqlite' | 'postgres' | 'redis';
  /** Connects / prepares; writes may be issued before it resolves. */
  init(): Promise<void>;
  /** Idempotent by (conversationId, kind): resolves false when that job already exists (queued, working or done). */
  enqueue(job: TranscriptionJobRequest): Promise<boolean>;
  /** Leases the next job (recover before accurate, oldest first) for `leaseMs`; null when there is none. */
  claim(worker: string, leaseMs: number): Promise<ClaimedTranscriptionJob | null>;
  /** Extends the lease while working; false when it was lost (expired and claimed by another worker). */
  renew(job: ClaimedTranscriptionJob, leaseMs: number): Promise<boolean>;
  /** Done: never claimed again. */
  complete(job: ClaimedTranscriptionJob): Promise<void>;
  /** The attempt failed: claimable again after `retryInMs`, or given up after the queue's maxAttempts. */
  fail(job: ClaimedTranscriptionJob, error: string, retryInMs: number): Promise<'retrying' | 'gave-up'>;
  backlog(): Promise<TranscriptionBacklog>;
  close(): Promise<void>;
}

export const DEFAULT_MAX_JOB_ATTEMPTS = 5;

export function checkJobRequest(job: TranscriptionJobRequest): TranscriptionJobRequest {
  if (job === null || typeof job !== 'object') throw new TypeError('job must be an object');
  if (typeof job.conversationId !== 'string' || job.conversationId.length === 0)
    throw new TypeError('job.conversationId must be a non-empty string');
  if (job.kind !== 'recover' && job.kind !== 'accurate')
    throw new TypeError('job.kind must be recover or accurate');
  if (typeof job.recordingKey !== 'string' || job.recordingKey.length === 0)
    throw new TypeError('job.recordingKey must be a non-empty string');
  const audioSeconds =
    typeof job.audioSeconds === 'number' && Number.isFinite(job.audioSeconds) && job.audioSeconds >= 0
      ? job.audioSeconds
      : null;
  return {
    conversationId: job.conversationId,
    kind: job.kind,
    reason: String(job.reason ?? '').slice(0, 500),
    recordingKey: job.recordingKey,
    audioSeconds,
    language: typeof job.language === 'string' && job.language.length > 0 ? job.language : null,
  };
}
