/**
 * The store-backed job queue on PostgreSQL: the conversation store's `transcription_jobs` table (migration 31) on
 * the store's pool. Claims take the next job FOR UPDATE SKIP LOCKED, so instances never lease the same one.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import {
  DEFAULT_MAX_JOB_ATTEMPTS,
  JOB_PRIORITY,
  checkJobRequest,
  type ClaimedTranscriptionJob,
  type TranscriptionBacklog,
  type TranscriptionJobQueue,
  type TranscriptionJobRequest,
} from './transcription-job-queue.js';

export class PostgresTranscriptionJobQueue implements TranscriptionJobQueue {
  readonly backend = 'postgres';

  /** `ready`: resolves once the store applied its migrations */
  constructor(
    private readonly pool: pg.Pool,
    private readonly ready: () => Promise<void>,
    private readonly options: { maxAttempts?: number } = {},
  ) {}

  init(): Promise<void> {
    return this.ready();
  }

  async enqueue(request: TranscriptionJobRequest): Promise<boolean> {
    const job = checkJobRequest(request);
    await this.ready();
    const result = await this.pool.query(
      `INSERT INTO transcription_jobs (id, conversation_id, kind, priority, body) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (conversation_id, kind) DO NOTHING`,
      [randomUUID(), job.conversationId, job.kind, JOB_PRIORITY[job.kind], JSON.stringify(job)],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async claim(worker: string, leaseMs: number): Promise<ClaimedTranscriptionJob | null> {
    await this.ready();
    const leaseToken = `${worker}:${randomUUID()}`;
    const result = await this.pool.query(
      `UPDATE transcription_jobs SET state = 'working', lease_owner = $1, attempts = attempts + 1,
         available_at = clock_timestamp() + make_interval(secs => $2::float8 / 1000)
       WHERE id = (SELECT id FROM transcription_jobs
                   WHERE state IN ('queued', 'working') AND available_at <= clock_timestamp()
                   ORDER BY priority, enqueued_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING id, body, enqueued_at, attempts, last_error`,
      [leaseToken, leaseMs],
    );
    const row = result.rows[0] as Record<string, unknown> | undefined;
    if (row === undefined) return null;
    return {
      ...(row.body as TranscriptionJobRequest),
      id: String(row.id),
      enqueuedAt: (row.enqueued_at as Date).toISOString(),
      attempts: Number(row.attempts),
      lastError: row.last_error === null ? null : String(row.last_error),
      leaseToken,
    };
  }

  async renew(job: ClaimedTranscriptionJob, leaseMs: number): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE transcription_jobs SET available_at = clock_timestamp() + make_interval(secs => $3::float8 / 1000)
       WHERE id = $1 AND lease_owner = $2 AND state = 'working'`,
      [job.id, job.leaseToken, leaseMs],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async complete(job: ClaimedTranscriptionJob): Promise<void> {
    await this.pool.query(
      `UPDATE transcription_jobs SET state = 'done', lease_owner = NULL WHERE id = $1 AND lease_owner = $2`,
      [job.id, job.leaseToken],
    );
  }

  async fail(
    job: ClaimedTranscriptionJob,
    error: string,
    retryInMs: number,
  ): Promise<'retrying' | 'gave-up'> {
    const gaveUp = job.attempts >= (this.options.maxAttempts ?? DEFAULT_MAX_JOB_ATTEMPTS);
    await this.pool.query(
      `UPDATE transcription_jobs SET state = $3, lease_owner = NULL, last_error = $4,
         available_at = clock_timestamp() + make_interval(secs => $5::float8 / 1000)
       WHERE id = $1 AND lease_owner = $2`,
      [
        job.id,
        job.leaseToken,
        gaveUp ? 'failed' : 'queued',
        String(error).slice(0, 2000),
        Math.max(0, retryInMs),
      ],
    );
    return gaveUp ? 'gave-up' : 'retrying';
  }

  async backlog(): Promise<TranscriptionBacklog> {
    await this.ready();
    const result = await this.pool.query(
      `SELECT count(*)::int AS jobs, coalesce(sum((body->>'audioSeconds')::float8), 0) AS audio,
              min(enqueued_at) AS oldest,
              count(*) FILTER (WHERE state = 'working' AND available_at > clock_timestamp())::int AS working
       FROM transcription_jobs WHERE state IN ('queued', 'working')`,
    );
    const row = result.rows[0] as Record<string, unknown>;
    return {
      jobs: Number(row.jobs),
      audioSeconds: Number(row.audio),
      oldestEnqueuedAt: row.oldest === null ? null : (row.oldest as Date).toISOString(),
      working: Number(row.working),
    };
  }

  close(): Promise<void> {
    return Promise.resolve(); // the store owns the pool
  }
}
