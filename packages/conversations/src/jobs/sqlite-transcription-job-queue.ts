/**
 * The store-backed job queue on SQLite: the conversation store's `transcription_jobs` table (migration 31), on the
 * store's own connection. Claims run in BEGIN IMMEDIATE, so processes sharing the file never lease the same job.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import {
  DEFAULT_MAX_JOB_ATTEMPTS,
  JOB_PRIORITY,
  checkJobRequest,
  type ClaimedTranscriptionJob,
  type TranscriptionBacklog,
  type TranscriptionJobQueue,
  type TranscriptionJobRequest,
} from './transcription-job-queue.js';

type Row = Record<string, unknown>;

export class SqliteTranscriptionJobQueue implements TranscriptionJobQueue {
  readonly backend = 'sqlite';

  constructor(
    private readonly db: Database.Database,
    private readonly options: { now?: () => number; maxAttempts?: number } = {},
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  init(): Promise<void> {
    return Promise.resolve();
  }

  enqueue(request: TranscriptionJobRequest): Promise<boolean> {
    const job = checkJobRequest(request);
    const now = this.now();
    const result = this.db
      .prepare(
        `INSERT OR IGNORE INTO transcription_jobs (id, conversation_id, kind, priority, body, enqueued_at, available_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(randomUUID(), job.conversationId, job.kind, JOB_PRIORITY[job.kind], JSON.stringify(job), now, now);
    return Promise.resolve(result.changes > 0);
  }

  claim(worker: string, leaseMs: number): Promise<ClaimedTranscriptionJob | null> {
    const claim = this.db.transaction((): ClaimedTranscriptionJob | null => {
      const now = this.now();
      const row = this.db
        .prepare(
          `SELECT id, body, enqueued_at, attempts, last_error FROM transcription_jobs
           WHERE state IN ('queued', 'working') AND available_at <= ?
           ORDER BY priority, enqueued_at, id LIMIT 1`,
        )
        .get(now) as Row | undefined;
      if (row === undefined) return null;
      const leaseToken = `${worker}:${randomUUID()}`;
      this.db
        .prepare(
          `UPDATE transcription_jobs SET state = 'working', available_at = ?, lease_owner = ?, attempts = attempts + 1
           WHERE id = ?`,
        )
        .run(now + leaseMs, leaseToken, row.id);
      return {
        ...(JSON.parse(String(row.body)) as TranscriptionJobRequest),
        id: String(row.id),
        enqueuedAt: new Date(Number(row.enqueued_at)).toISOString(),
        attempts: Number(row.attempts) + 1,
        lastError: row.last_error === null ? null : String(row.last_error),
        leaseToken,
      };
    });
    return Promise.resolve(claim.immediate());
  }

  renew(job: ClaimedTranscriptionJob, leaseMs: number): Promise<boolean> {
    const result = this.db
      .prepare(
        `UPDATE transcription_jobs SET available_at = ? WHERE id = ? AND lease_owner = ? AND state = 'working'`,
      )
      .run(this.now() + leaseMs, job.id, job.leaseToken);
    return Promise.resolve(result.changes > 0);
  }

  complete(job: ClaimedTranscriptionJob): Promise<void> {
    this.db
      .prepare(
        `UPDATE transcription_jobs SET state = 'done', lease_owner = NULL WHERE id = ? AND lease_owner = ?`,
      )
      .run(job.id, job.leaseToken);
    return Promise.resolve();
  }

  fail(job: ClaimedTranscriptionJob, error: string, retryInMs: number): Promise<'retrying' | 'gave-up'> {
    const gaveUp = job.attempts >= (this.options.maxAttempts ?? DEFAULT_MAX_JOB_ATTEMPTS);
    this.db
      .prepare(
        `UPDATE transcription_jobs SET state = ?, available_at = ?, lease_owner = NULL, last_error = ?
         WHERE id = ? AND lease_owner = ?`,
      )
      .run(
        gaveUp ? 'failed' : 'queued',
        this.now() + Math.max(0, retryInMs),
        String(error).slice(0, 2000),
        job.id,
        job.leaseToken,
      );
    return Promise.resolve(gaveUp ? 'gave-up' : 'retrying');
  }

  backlog(): Promise<TranscriptionBacklog> {
    const row = this.db
      .prepare(
        `SELECT count(*) AS jobs, coalesce(sum(json_extract(body, '$.audioSeconds')), 0) AS audio,
                min(enqueued_at) AS oldest,
                sum(CASE WHEN state = 'working' AND available_at > ? THEN 1 ELSE 0 END) AS working
         FROM transcription_jobs WHERE state IN ('queued', 'working')`,
      )
      .get(this.now()) as Row;
    return Promise.resolve({
      jobs: Number(row.jobs),
      audioSeconds: Number(row.audio),
      oldestEnqueuedAt: row.oldest === null ? null : new Date(Number(row.oldest)).toISOString(),
      working: Number(row.working ?? 0),
    });
  }

  close(): Promise<void> {
    return Promise.resolve(); // the store owns the connection
  }
}
