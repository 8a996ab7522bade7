/**
 * PostgresConversationStore: for several server instances sharing one database. Full-text search through a generated
 * tsvector ('simple' configuration: no stemming, language-neutral, prefix match) with a GIN index; the outbox is
 * claimed with FOR UPDATE SKIP LOCKED so instances never hold the same entry at once.
 *
 * Faults: if PostgreSQL is unreachable at start, init() keeps retrying with back-off (health: degraded) and writes
 * made meanwhile wait in the bounded WriteQueue; if it goes away mid-call, writes are retried in order per
 * conversation until it is back. Reads fail fast with StoreUnavailableError.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type {
  AssistResult,
  ConversationEvent,
  ConversationSummary,
  TranscriptionState,
  TranscriptSegment,
  TranscriptVersion,
} from '../events.js';
import type {
  ConversationDetail,
  ConversationEnd,
  ConversationPage,
  ConversationQuery,
  ConversationStore,
  EventQuery,
  OutboxEntry,
  StoredEvent,
  StoreHealth,
  WriteOptions,
} from './conversation-store.js';
import { PostgresTranscriptionJobQueue } from '../jobs/postgres-transcription-job-queue.js';
import {
  auditPage,
  checkAuditEntry,
  normalizeAuditQuery,
  type AuditEntry,
  type AuditPage,
  type AuditQuery,
} from './audit-log.js';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.js';
import type { CallAnalyticsPage, CallAnalyticsQuery, CallDashboard } from '../analytics/call-analytics.js';
import type { CallMetrics } from '../analytics/call-metrics.js';
import {
  checkMetrics,
  normalizeAnalyticsPage,
  normalizeAnalyticsQuery,
  type CallAnalyticsListQuery,
} from './call-analytics-input.js';
import {
  callDashboardOf,
  insertAssistFacts,
  listCallAnalyticsRows,
  readCallMetrics,
  saveCallMetricsRow,
} from './postgres-call-analytics.js';
import { StoreInputError, StoreNotFoundError, StoreUnavailableError } from './store-errors.js';
import {
  checkConversation,
  checkEnd,
  checkEvents,
  checkSegment,
  checkTranscriptionState,
  checkTranscriptVersion,
  encodeCursor,
  eventLimit,
  isLogged,
  normalizeQuery,
} from './store-input.js';
import { WriteQueue, describe } from './write-queue.js';

export interface PostgresConversationStoreOptions {
  /** postgres://user:pass@host:port/db */
  connectionString: string;
  /** pool size (default 10) */
  maxConnections?: number;
  /** bound on writes held in memory while PostgreSQL is unreachable (default 10000) */
  maxPendingWrites?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** connect timeout per attempt (default 5000) */
  connectTimeoutMs?: number;
  /** called with every connection problem and on recovery (null) — wire to the logger */
  onStatus?: (error: unknown | null) => void;
}

type Row = Record<string, unknown>;

/** partial events of one conversation waiting to be written together */
interface PartialGroup {
  events: ConversationEvent[];
  started: boolean;
  done: Promise<void>;
}

/** advisory lock key held while migrating, so instances starting together do not race */
const MIGRATION_LOCK = 74_680_001;

const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const TRANSIENT_PG_CODES = new Set(['57P01', '57P02', '57P03', '53300', '40001', '40P01', '55P03']);

/** Connection-level and retry-safe failures; constraint and syntax errors are not. */
export function isTransientPostgresError(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (TRANSIENT_NODE_CODES.has(code) || TRANSIENT_PG_CODES.has(code) || code.startsWith('08')) return true;
  }
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable/i.test(
    message,
  );
}

export class PostgresConversationStore implements ConversationStore {
  private readonly pool: pg.Pool;
  private readonly queue: WriteQueue;
  private readonly options: PostgresConversationStoreOptions;
  private ready = false;
  private starting: Promise<void> | null = null;
  private lastError: unknown = null;
  private closed = false;
  private wakeStarter: (() => void) | null = null;

  constructor(options: PostgresConversationStoreOptions) {
    this.options = options;
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      idleTimeoutMillis: 30_000,
    });
    // an idle client losing its server must not crash the process: note it, the next query reconnects
    this.pool.on('error', (error) => this.noteError(error));
    this.queue = new WriteQueue({
      maxPending: options.maxPendingWrites ?? 10_000,
      isRetryable: isTransientPostgresError,
      initialBackoffMs: options.initialBackoffMs ?? 100,
      maxBackoffMs: options.maxBackoffMs ?? 5_000,
      onStatus: (error) => (error === null ? this.noteRecovered() : this.noteError(error)),
    });
  }

  init(): Promise<void> {
    this.starting ??= this.connectAndMigrate();
    return this.starting;
  }

  /** Applied migration versions (diagnostics and tests). */
  async appliedMigrations(): Promise<number[]> {
    const { rows } = await this.pool.query('SELECT version FROM schema_migrations ORDER BY version');
    return rows.map((row: Row) => Number(row.version));
  }

  private async connectAndMigrate(): Promise<void> {
    let backoff = this.options.initialBackoffMs ?? 100;
    const maxBackoff = this.options.maxBackoffMs ?? 5_000;
    for (;;) {
      if (this.closed) throw new StoreUnavailableError('store closed before PostgreSQL became reachable');
      try {
        await this.migrate();
        this.ready = true;
        this.noteRecovered();
        return;
      } catch (error) {
        if (!isTransientPostgresError(error)) {
          this.noteError(error);
          throw new StoreUnavailableError(`PostgreSQL schema migration failed: ${describe(error)}`, {
            cause: error,
          });
        }
        this.noteError(error);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, backoff);
          this.wakeStarter = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        backoff = Math.min(maxBackoff, backoff * 2);
      }
    }
  }

  private async migrate(): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const { rows } = await client.query('SELECT version FROM schema_migrations');
      const done = new Set(rows.map((row: Row) => Number(row.version)));
      for (const migration of POSTGRES_MIGRATIONS) {
        if (done.has(migration.version)) continue;
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
          migration.version,
          migration.name,
        ]);
      }
    });
  }

  private noteError(error: unknown): void {
    this.lastError = error;
    this.options.onStatus?.(error);
  }

  private noteRecovered(): void {
    if (this.lastError === null) return;
    this.lastError = null;
    this.options.onStatus?.(null);
  }

  private async transaction<T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const value = await body(client);
      await client.query('COMMIT');
      return value;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** Post-call transcription jobs in this database (the store-backed job queue). */
  transcriptionJobs(options: { maxAttempts?: number } = {}): PostgresTranscriptionJobQueue {
    return new PostgresTranscriptionJobQueue(this.pool, () => this.init(), options);
  }

  // ---- writes -------------------------------------------------------------------------------------------------

  private write(key: string, body: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    if (this.closed) return Promise.reject(new StoreUnavailableError('store is closed'));
    this.partialGroups.delete(key); // later partials must queue behind this write
    void this.init().catch(() => undefined);
    return this.queue.run(key, async () => {
      await this.init();
      try {
        await this.transaction(body);
      } catch (error) {
        if ((error as { code?: unknown }).code === '23503')
          throw new StoreNotFoundError(`conversation ${key} not found`);
        throw error;
      }
    });
  }

  async upsertConversation(conversation: ConversationSummary, options?: WriteOptions): Promise<void> {
    const row = checkConversation(conversation);
    const events = checkEvents(options?.events);
    return this.writeStatement(
      row.id,
      `INSERT INTO conversations (id, started_at, state, ani, body) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at, state = excluded.state,
         ani = excluded.ani, body = excluded.body`,
      [row.id, row.startedAt, row.state, row.ani, JSON.stringify(row)],
      events,
    );
  }

  async endConversation(id: string, end: ConversationEnd, options?: WriteOptions): Promise<void> {
    const checked = checkEnd(end);
    const events = checkEvents(options?.events);
    const patch: Record<string, unknown> = {
      state: checked.state,
      closeReason: checked.closeReason,
      endedAt: checked.endedAt,
    };
    if (checked.recording !== undefined) patch.recording = checked.recording;
    return this.write(id, async (client) => {
      const result = await client.query(
        'UPDATE conversations SET state = $2, body = body || $3::jsonb WHERE id = $1',
        [id, checked.state, JSON.stringify(patch)],
      );
      if (result.rowCount === 0) throw new StoreNotFoundError(`conversation ${id} not found`);
      await this.insertEvents(client, events);
    });
  }

  async setRecording(id: string, recording: string | null, options?: WriteOptions): Promise<void> {
    const events = checkEvents(options?.events);
    return this.write(id, async (client) => {
      const result = await client.query('UPDATE conversations SET body = body || $2::jsonb WHERE id = $1', [
        id,
        JSON.stringify({ recording }),
      ]);
      if (result.rowCount === 0) throw new StoreNotFoundError(`conversation ${id} not found`);
      await this.insertEvents(client, events);
    });
  }

  async setTranscription(id: string, state: TranscriptionState, options?: WriteOptions): Promise<void> {
    const checked = checkTranscriptionState(state);
    const events = checkEvents(options?.events);
    return this.write(id, async (client) => {
      const result = await client.query('UPDATE conversations SET body = body || $2::jsonb WHERE id = $1', [
        id,
        JSON.stringify({ transcription: checked }),
      ]);
      if (result.rowCount === 0) throw new StoreNotFoundError(`conversation ${id} not found`);
      await this.insertEvents(client, events);
    });
  }

  async storeTranscriptVersion(
    conversationId: string,
    version: Exclude<TranscriptVersion, 'live'>,
    segments: TranscriptSegment[],
    state: TranscriptionState,
    options?: WriteOptions,
  ): Promise<boolean> {
    const checked = checkTranscriptVersion(conversationId, version, segments);
    const checkedState = checkTranscriptionState(state);
    const events = checkEvents(options?.events);
    let stored = false;
    await this.write(conversationId, async (client) => {
      stored = false;
      // the row lock serialises two workers finishing the same conversation: the second sees the first's version
      const current = await client.query('SELECT body FROM conversations WHERE id = $1 FOR UPDATE', [
        conversationId,
      ]);
      const summary = current.rows[0]?.body as ConversationSummary | undefined;
      if (summary === undefined) throw new StoreNotFoundError(`conversation ${conversationId} not found`);
      const existing = await client.query(
        'SELECT 1 FROM transcript_versions WHERE conversation_id = $1 AND version = $2',
        [conversationId, version],
      );
      if (existing.rowCount !== 0) return;
      // the transcript being replaced stays readable under its own version
      await client.query(
        `INSERT INTO transcript_versions (conversation_id, version, body)
         SELECT $1, $2, coalesce(json_agg(body ORDER BY start_offset, channel, id), '[]'::json)
         FROM segments WHERE conversation_id = $1
         ON CONFLICT (conversation_id, version) DO NOTHING`,
        [conversationId, summary.transcription?.version ?? 'live'],
      );
      await client.query(
        'INSERT INTO transcript_versions (conversation_id, version, body) VALUES ($1, $2, $3)',
        [conversationId, version, JSON.stringify(checked)],
      );
      await client.query('DELETE FROM segments WHERE conversation_id = $1', [conversationId]);
      if (checked.length > 0)
        await client.query(
          `INSERT INTO segments (conversation_id, id, start_offset, channel, text, body)
           SELECT $1, s->>'id', (s->>'offset')::float8, (s->>'channel')::int, s->>'text', s::json
           FROM jsonb_array_elements($2::jsonb) AS s`,
          [conversationId, JSON.stringify(checked)],
        );
      await client.query('UPDATE conversations SET body = body || $2::jsonb WHERE id = $1', [
        conversationId,
        JSON.stringify({ transcription: checkedState }),
      ]);
      await this.insertEvents(client, events);
      stored = true;
    });
    return stored;
  }

  async getTranscriptVersion(
    conversationId: string,
    version: TranscriptVersion,
  ): Promise<TranscriptSegment[] | null> {
    const [row] = await this.query(
      'SELECT body FROM transcript_versions WHERE conversation_id = $1 AND version = $2',
      [conversationId, version],
    );
    if (row !== undefined) return row.body as TranscriptSegment[];
    const detail = await this.getConversation(conversationId);
    if (detail === null || (detail.transcription?.version ?? 'live') !== version) return null;
    return detail.transcript;
  }

  async appendSegment(
    conversationId: string,
    segment: TranscriptSegment,
    options?: WriteOptions,
  ): Promise<void> {
    const checked = checkSegment(conversationId, segment);
    const events = checkEvents(options?.events);
    return this.writeStatement(
      conversationId,
      `INSERT INTO segments (conversation_id, id, start_offset, channel, text, body) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (conversation_id, id) DO UPDATE SET start_offset = excluded.start_offset,
         channel = excluded.channel, text = excluded.text, body = excluded.body`,
      [conversationId, checked.id, checked.offset, checked.channel, checked.text, JSON.stringify(checked)],
      events,
    );
  }

  /**
   * The hot writes (conversation upsert, final segment) and their logged events as ONE statement: a data-modifying
   * CTE is atomic like a transaction but costs one round trip instead of four or five. A foreign-key failure (no
   * such conversation) fails the whole statement, so no event is enqueued for a write that did not happen.
   */
  private writeStatement(
    key: string,
    sql: string,
    params: unknown[],
    events: ConversationEvent[],
  ): Promise<void> {
    if (events.some((event) => !isLogged(event)))
      return this.write(key, async (client) => {
        await client.query(sql, params);
        await this.insertEvents(client, events);
      });
    this.partialGroups.delete(key); // later partials must queue behind this write
    const next = params.length;
    const statement =
      events.length === 0
        ? sql
        : `WITH written AS (${sql} RETURNING 1),
           logged AS (
             INSERT INTO event_log (event_id, conversation_id, type, body)
             SELECT event_id, conversation_id, type, body
             FROM unnest($${next + 1}::text[], $${next + 2}::text[], $${next + 3}::text[], $${next + 4}::json[])
               WITH ORDINALITY AS e (event_id, conversation_id, type, body, n)
             ORDER BY n
             ON CONFLICT (event_id) DO NOTHING RETURNING event_id, seq, body
           )
           INSERT INTO outbox (event_id, log_seq, body) SELECT event_id, seq, body FROM logged ORDER BY seq
           ON CONFLICT (event_id) DO NOTHING`;
    const values =
      events.length === 0
        ? params
        : [
            ...params,
            events.map((event) => event.eventId),
            events.map((event) => event.conversationId),
            events.map((event) => event.type),
            events.map((event) => JSON.stringify(event)),
          ];
    return this.queueWrite(key, async () => {
      try {
        await this.pool.query(statement, values);
      } catch (error) {
        if ((error as { code?: unknown }).code === '23503')
          throw new StoreNotFoundError(`conversation ${key} not found`);
        throw error;
      }
    });
  }

  async appendAssist(conversationId: string, result: AssistResult, options?: WriteOptions): Promise<void> {
    if (result === null || typeof result !== 'object')
      throw new StoreInputError('assist result must be an object');
    const events = checkEvents(options?.events);
    const id = randomUUID(); // fixed before the first attempt: a retried write is not stored twice
    const at = new Date().toISOString();
    return this.write(conversationId, async (client) => {
      await client.query(
        `INSERT INTO assist_results (conversation_id, id, at, body) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
        [conversationId, id, at, JSON.stringify(result)],
      );
      await insertAssistFacts(client, conversationId, result);
      await this.insertEvents(client, events);
    });
  }

  async enqueueEvents(events: ConversationEvent[]): Promise<void> {
    const checked = checkEvents(events);
    if (checked.length === 0) return;
    const key = checked[0]!.conversationId;
    if (checked.every((event) => !isLogged(event))) {
      // Partials (several per second per call) are outbox-only rows. Per conversation, partials arriving while
      // earlier writes are in flight join one group (a single queued write), and the groups of many conversations
      // share one multi-row INSERT — so neither waits a round trip per partial, and order per conversation holds.
      const waiting = this.partialGroups.get(key);
      if (waiting !== undefined && !waiting.started) {
        waiting.events.push(...checked);
        return waiting.done;
      }
      const group: PartialGroup = { events: [...checked], started: false, done: Promise.resolve() };
      group.done = this.queueWrite(key, () => {
        group.started = true;
        return this.insertPartials(group.events);
      });
      this.partialGroups.set(key, group);
      void group.done
        .finally(() => {
          if (this.partialGroups.get(key) === group) this.partialGroups.delete(key);
        })
        .catch(() => undefined);
      return group.done;
    }
    return this.write(key, (client) => this.insertEvents(client, checked));
  }

  private readonly partialGroups = new Map<string, PartialGroup>();

  private queueWrite(key: string, operation: () => Promise<void>): Promise<void> {
    if (this.closed) return Promise.reject(new StoreUnavailableError('store is closed'));
    void this.init().catch(() => undefined);
    return this.queue.run(key, async () => {
      await this.init();
      await operation();
    });
  }

  /** partial rows waiting for the next INSERT; one INSERT in flight at a time, so batches grow with latency */
  private partialBatch: {
    rows: ConversationEvent[];
    settle: (error?: unknown) => void;
    done: Promise<void>;
  } | null = null;
  private partialFlushing = false;

  private insertPartials(events: ConversationEvent[]): Promise<void> {
    if (this.partialBatch === null) {
      let settle!: (error?: unknown) => void;
      const done = new Promise<void>((resolve, reject) => {
        settle = (error) => (error === undefined ? resolve() : reject(error));
      });
      this.partialBatch = { rows: [], settle, done };
      if (!this.partialFlushing) setImmediate(() => void this.flushPartials());
    }
    this.partialBatch.rows.push(...events);
    return this.partialBatch.done;
  }

  private async flushPartials(): Promise<void> {
    const batch = this.partialBatch;
    if (batch === null || this.partialFlushing) return;
    this.partialBatch = null;
    this.partialFlushing = true;
    try {
      await this.pool.query(
        `INSERT INTO outbox (event_id, body)
         SELECT event_id, body FROM unnest($1::text[], $2::json[]) WITH ORDINALITY AS t (event_id, body, n)
         ORDER BY n ON CONFLICT (event_id) DO NOTHING`,
        [batch.rows.map((event) => event.eventId), batch.rows.map((event) => JSON.stringify(event))],
      );
      batch.settle();
    } catch (error) {
      batch.settle(error);
    } finally {
      this.partialFlushing = false;
      if (this.partialBatch !== null) void this.flushPartials();
    }
  }

  private async insertEvents(client: pg.PoolClient, events: ConversationEvent[]): Promise<void> {
    for (const event of events) {
      const body = JSON.stringify(event);
      if (isLogged(event))
        // one round trip: log it, and put it in the outbox only if it was not logged before (retried write)
        await client.query(
          `WITH logged AS (
             INSERT INTO event_log (event_id, conversation_id, type, body) VALUES ($1, $2, $3, $4)
             ON CONFLICT (event_id) DO NOTHING RETURNING seq
           )
           INSERT INTO outbox (event_id, log_seq, body) SELECT $1, seq, $4 FROM logged
           ON CONFLICT (event_id) DO NOTHING`,
          [event.eventId, event.conversationId, event.type, body],
        );
      else
        await client.query(
          'INSERT INTO outbox (event_id, body) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING',
          [event.eventId, body],
        );
    }
  }

  // ---- reads --------------------------------------------------------------------------------------------------

  /** Reads fail fast (no queueing): the caller answers 503 rather than hanging. */
  private async query(sql: string, params: unknown[] = []): Promise<Row[]> {
    if (this.closed) throw new StoreUnavailableError('store is closed');
    if (!this.ready) {
      void this.init().catch(() => undefined);
      throw new StoreUnavailableError(
        `PostgreSQL not reachable yet: ${describe(this.lastError) ?? 'starting'}`,
      );
    }
    try {
      return (await this.pool.query(sql, params)).rows as Row[];
    } catch (error) {
      if (isTransientPostgresError(error)) {
        this.noteError(error);
        throw new StoreUnavailableError(`PostgreSQL unavailable: ${describe(error)}`, { cause: error });
      }
      throw error;
    }
  }

  async getConversation(id: string): Promise<ConversationDetail | null> {
    const [row] = await this.query('SELECT body FROM conversations WHERE id = $1', [id]);
    if (row === undefined) return null;
    const segments = await this.query(
      'SELECT body FROM segments WHERE conversation_id = $1 ORDER BY start_offset, channel, id',
      [id],
    );
    const assist = await this.query(
      'SELECT at, body FROM assist_results WHERE conversation_id = $1 ORDER BY seq',
      [id],
    );
    return {
      ...(row.body as ConversationSummary),
      transcript: segments.map((segment) => segment.body as TranscriptSegment),
      assist: assist.map((entry) => ({
        at: (entry.at as Date).toISOString(),
        result: entry.body as AssistResult,
      })),
    };
  }

  async findByGenesysConversationId(genesysConversationId: string): Promise<ConversationSummary[]> {
    const rows = await this.query(
      `SELECT body FROM conversations WHERE body->>'conversationId' = $1 ORDER BY started_at DESC LIMIT 20`,
      [genesysConversationId],
    );
    return rows.map((row) => row.body as ConversationSummary);
  }

  async listConversations(query?: ConversationQuery): Promise<ConversationPage> {
    const q = normalizeQuery(query);
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    if (q.state !== undefined) where.push(`c.state = ${param(q.state)}`);
    if (q.from !== undefined) where.push(`c.started_at >= ${param(q.from)}`);
    if (q.to !== undefined) where.push(`c.started_at < ${param(q.to)}`);
    if (q.ani !== undefined) where.push(`c.ani = ${param(q.ani)}`);
    for (const term of q.terms)
      where.push(
        `EXISTS (SELECT 1 FROM segments s WHERE s.conversation_id = c.id
                 AND s.text_search @@ to_tsquery('simple', ${param(`${term}:*`)}))`,
      );
    if (q.cursor !== null)
      where.push(`(c.started_at, c.id) < (${param(q.cursor.startedAt)}::timestamptz, ${param(q.cursor.id)})`);
    const rows = await this.query(
      `SELECT c.body FROM conversations c ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY c.started_at DESC, c.id DESC LIMIT ${param(q.limit + 1)}`,
      params,
    );
    const items = rows.slice(0, q.limit).map((row) => row.body as ConversationSummary);
    const last = items[items.length - 1];
    const nextCursor =
      rows.length > q.limit && last !== undefined
        ? encodeCursor({ startedAt: last.startedAt, id: last.id })
        : null;
    return { items, nextCursor };
  }

  async listEvents(conversationId: string, query?: EventQuery): Promise<StoredEvent[]> {
    const limit = eventLimit(query);
    const rows = await this.query(
      'SELECT seq, body FROM event_log WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [conversationId, query?.after ?? 0, limit],
    );
    return rows.map((row) => ({ seq: Number(row.seq), event: row.body as ConversationEvent }));
  }

  // ---- call analytics ---------------------------------------------------------------------------------------

  async saveCallMetrics(conversationId: string, metrics: CallMetrics, options?: WriteOptions): Promise<void> {
    const checked = checkMetrics(metrics);
    const events = checkEvents(options?.events);
    return this.write(conversationId, async (client) => {
      await saveCallMetricsRow(client, conversationId, checked);
      await this.insertEvents(client, events);
    });
  }

  async getCallMetrics(conversationId: string): Promise<CallMetrics | null> {
    return readCallMetrics((sql, params) => this.query(sql, params), conversationId);
  }

  async listCallAnalytics(query?: CallAnalyticsListQuery): Promise<CallAnalyticsPage> {
    const q = normalizeAnalyticsQuery(query);
    const page = normalizeAnalyticsPage(query);
    return listCallAnalyticsRows((sql, params) => this.query(sql, params), q, page);
  }

  async callDashboard(query?: CallAnalyticsQuery): Promise<CallDashboard> {
    const q = normalizeAnalyticsQuery(query);
    return callDashboardOf((sql, params) => this.query(sql, params), q);
  }

  // ---- audit log (append-only) --------------------------------------------------------------------------------

  async appendAudit(entries: AuditEntry[]): Promise<void> {
    const checked = entries.map(checkAuditEntry);
    if (checked.length === 0) return;
    const column = <K extends keyof AuditEntry>(key: K) => checked.map((e) => e[key]);
    return this.write('audit', async (client) => {
      await client.query(
        `INSERT INTO audit_log (id, at, subject, role, auth_method, action, conversation_id, address, route)
         SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[],
                              $7::text[], $8::text[], $9::text[])
         ON CONFLICT (id) DO NOTHING`,
        [
          column('id'),
          column('at'),
          column('subject'),
          column('role'),
          column('authMethod'),
          column('action'),
          column('conversationId'),
          column('address'),
          column('route'),
        ],
      );
    });
  }

  async listAudit(query?: AuditQuery): Promise<AuditPage> {
    const q = normalizeAuditQuery(query);
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    if (q.conversationId !== undefined) where.push(`conversation_id = ${param(q.conversationId)}`);
    if (q.subject !== undefined) where.push(`subject = ${param(q.subject)}`);
    if (q.action !== undefined) where.push(`action = ${param(q.action)}`);
    if (q.from !== undefined) where.push(`at >= ${param(q.from)}`);
    if (q.to !== undefined) where.push(`at < ${param(q.to)}`);
    if (q.cursor !== null)
      where.push(`(at, id) < (${param(q.cursor.at)}::timestamptz, ${param(q.cursor.id)})`);
    const rows = await this.query(
      `SELECT * FROM audit_log ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY at DESC, id DESC LIMIT ${param(q.limit + 1)}`,
      params,
    );
    return auditPage(
      rows.map((row) => ({
        id: String(row.id),
        at: (row.at as Date).toISOString(),
        subject: String(row.subject),
        role: String(row.role),
        authMethod: String(row.auth_method),
        action: String(row.action),
        conversationId: row.conversation_id === null ? null : String(row.conversation_id),
        address: String(row.address),
        route: String(row.route),
      })),
      q.limit,
    );
  }

  // ---- outbox -------------------------------------------------------------------------------------------------

  async claimOutbox(batch: number, leaseMs: number): Promise<OutboxEntry[]> {
    if (!Number.isInteger(batch) || batch < 1) throw new StoreInputError('batch must be a positive integer');
    if (!Number.isFinite(leaseMs) || leaseMs < 1) throw new StoreInputError('leaseMs must be positive');
    // SKIP LOCKED: a concurrent claimer passes over rows this statement holds; once it commits, available_at is in
    // the future, so nobody else sees them until the lease runs out.
    const rows = await this.query(
      `WITH claimable AS (
         SELECT id FROM outbox WHERE available_at <= now()
         ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
       )
       UPDATE outbox o SET available_at = clock_timestamp() + $2 * interval '1 millisecond', attempts = o.attempts + 1
       FROM claimable WHERE o.id = claimable.id
       RETURNING o.id, o.log_seq, o.body, o.attempts, o.last_error`,
      [Math.min(batch, 1000), Math.round(leaseMs)],
    );
    return rows
      .map((row): OutboxEntry => ({
        id: String(row.id),
        seq: row.log_seq === null ? null : Number(row.log_seq),
        event: row.body as ConversationEvent,
        attempts: Number(row.attempts),
        lastError: row.last_error === null ? null : String(row.last_error),
      }))
      .sort((a, b) => Number(a.id) - Number(b.id));
  }

  async ackOutbox(ids: string[]): Promise<void> {
    const numeric = ids.filter((id) => /^\d{1,18}$/.test(id));
    if (numeric.length === 0) return;
    await this.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [numeric]);
  }

  async failOutbox(ids: string[], error: string, retryInMs: number): Promise<void> {
    const numeric = ids.filter((id) => /^\d{1,18}$/.test(id));
    if (numeric.length === 0) return;
    await this.query(
      `UPDATE outbox SET available_at = clock_timestamp() + $2 * interval '1 millisecond', last_error = $3
       WHERE id = ANY($1::bigint[])`,
      [numeric, Math.max(0, Math.round(retryInMs)), String(error).slice(0, 2000)],
    );
  }

  async outboxDepth(): Promise<number> {
    const [row] = await this.query('SELECT count(*)::int AS n FROM outbox');
    return Number(row?.n ?? 0);
  }

  // ---- lifecycle ----------------------------------------------------------------------------------------------

  async health(): Promise<StoreHealth> {
    const report = (detail: string | null): StoreHealth => ({
      status: detail === null ? 'ok' : 'degraded',
      backend: 'postgres',
      detail,
      pendingWrites: this.queue.pending,
    });
    if (this.closed) return report('closed');
    if (!this.ready) return report(`PostgreSQL not reachable: ${describe(this.lastError) ?? 'starting'}`);
    try {
      await this.pool.query('SELECT 1');
    } catch (error) {
      this.noteError(error);
      return report(`PostgreSQL not reachable: ${describe(error)}`);
    }
    if (this.queue.lastError !== null) return report(`writes retrying: ${describe(this.queue.lastError)}`);
    return report(null);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.ready) await this.queue.drain(2_000);
    this.closed = true;
    this.queue.close();
    this.wakeStarter?.();
    await this.queue.drain(1_000);
    await this.pool.end().catch(() => undefined);
  }
}
