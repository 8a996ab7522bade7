/**
 * SqliteConversationStore: the default store, one file in the data dir (WAL, synchronous=NORMAL), FTS5 text search.
 * `:memory:` gives a throw-away store for tests. Writes go through a WriteQueue so a full disk (SQLITE_FULL) or a busy
 * file (SQLITE_BUSY) keeps the writes in memory and retries them, instead of losing them; health says degraded.
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
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
import { SqliteTranscriptionJobQueue } from '../jobs/sqlite-transcription-job-queue.js';
import {
  auditPage,
  checkAuditEntry,
  normalizeAuditQuery,
  type AuditEntry,
  type AuditPage,
  type AuditQuery,
} from './audit-log.js';
import { SQLITE_MIGRATIONS } from './sqlite-migrations.js';
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
} from './sqlite-call-analytics.js';
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

export interface SqliteConversationStoreOptions {
  /** database file, or ':memory:' */
  path: string;
  /** bound on writes held in memory while the disk refuses them (default 10000) */
  maxPendingWrites?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** cap on the database size (SQLite max_page_count); writes beyond it fail like a full disk. Default: none */
  maxDatabaseBytes?: number;
  /** for tests: the clock used for outbox leases (ms since epoch) */
  now?: () => number;
}

type Row = Record<string, unknown>;

const TRANSIENT_CODES = new Set([
  'SQLITE_FULL',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
]);

function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Transient SQLite failures worth retrying: the disk may free up, a lock may be released. */
export function isTransientSqliteError(error: unknown): boolean {
  const code = sqliteCode(error);
  if (code === undefined) return false;
  return TRANSIENT_CODES.has(code) || [...TRANSIENT_CODES].some((prefix) => code.startsWith(`${prefix}_`));
}

function explain(error: unknown): string {
  const code = sqliteCode(error) ?? '';
  if (code.startsWith('SQLITE_FULL')) return `disk full: ${describe(error)}`;
  return describe(error) ?? 'unknown SQLite error';
}

export class SqliteConversationStore implements ConversationStore {
  private readonly db: Database.Database;
  private readonly queue: WriteQueue;
  private readonly now: () => number;
  private closed = false;

  constructor(options: SqliteConversationStoreOptions) {
    this.now = options.now ?? Date.now;
    try {
      this.db = new Database(options.path);
    } catch (error) {
      throw new StoreUnavailableError(`cannot open SQLite database ${options.path}: ${describe(error)}`, {
        cause: error,
      });
    }
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
    if (options.maxDatabaseBytes !== undefined) this.setMaxDatabaseBytes(options.maxDatabaseBytes);
    this.queue = new WriteQueue({
      maxPending: options.maxPendingWrites ?? 10_000,
      isRetryable: isTransientSqliteError,
      initialBackoffMs: options.initialBackoffMs ?? 200,
      maxBackoffMs: options.maxBackoffMs ?? 5_000,
    });
  }

  /** Post-call transcription jobs in this database (the single-box default job queue). */
  transcriptionJobs(options: { maxAttempts?: number } = {}): SqliteTranscriptionJobQueue {
    return new SqliteTranscriptionJobQueue(this.db, { now: this.now, ...options });
  }

  /** Schema is applied in the constructor (synchronous); nothing else to wait for. */
  init(): Promise<void> {
    return Promise.resolve();
  }

  /** Cap the database size (null = no cap beyond SQLite's own limit); never shrinks below the current size. */
  setMaxDatabaseBytes(bytes: number | null): void {
    const pageSize = Number(this.db.pragma('page_size', { simple: true }));
    const pages = bytes === null ? 4_294_967_294 : Math.max(1, Math.floor(bytes / pageSize));
    this.db.pragma(`max_page_count = ${pages}`);
  }

  /** Applied migration versions, oldest first (for tests and diagnostics). */
  appliedMigrations(): number[] {
    return (this.db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as Row[]).map(
      (row) => Number(row.version),
    );
  }

  private migrate(): void {
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
    );
    const apply = this.db.transaction(() => {
      const done = new Set(this.appliedMigrations());
      for (const migration of SQLITE_MIGRATIONS) {
        if (done.has(migration.version)) continue;
        this.db.exec(migration.sql);
        this.db
          .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
          .run(migration.version, migration.name, new Date().toISOString());
      }
    });
    apply.immediate();
  }

  // ---- writes -------------------------------------------------------------------------------------------------

  async upsertConversation(conversation: ConversationSummary, options?: WriteOptions): Promise<void> {
    const row = checkConversation(conversation);
    const events = checkEvents(options?.events);
    return this.write(row.id, () => {
      this.db
        .prepare(
          `INSERT INTO conversations (id, started_at, state, ani, body) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at, state = excluded.state,
             ani = excluded.ani, body = excluded.body`,
        )
        .run(row.id, row.startedAt, row.state, row.ani, JSON.stringify(row));
      this.insertEvents(events);
    });
  }

  async endConversation(id: string, end: ConversationEnd, options?: WriteOptions): Promise<void> {
    const checked = checkEnd(end);
    const events = checkEvents(options?.events);
    return this.write(id, () => {
      const current = this.readSummary(id);
      if (current === null) throw new StoreNotFoundError(`conversation ${id} not found`);
      const updated: ConversationSummary = {
        ...current,
        state: checked.state,
        closeReason: checked.closeReason,
        endedAt: checked.endedAt,
        recording: checked.recording === undefined ? current.recording : checked.recording,
      };
      this.db
        .prepare('UPDATE conversations SET state = ?, body = ? WHERE id = ?')
        .run(updated.state, JSON.stringify(updated), id);
      this.insertEvents(events);
    });
  }

  async setRecording(id: string, recording: string | null, options?: WriteOptions): Promise<void> {
    const events = checkEvents(options?.events);
    return this.write(id, () => {
      const current = this.readSummary(id);
      if (current === null) throw new StoreNotFoundError(`conversation ${id} not found`);
      this.db
        .prepare('UPDATE conversations SET body = ? WHERE id = ?')
        .run(JSON.stringify({ ...current, recording }), id);
      this.insertEvents(events);
    });
  }

  async appendSegment(
    conversationId: string,
    segment: TranscriptSegment,
    options?: WriteOptions,
  ): Promise<void> {
    const checked = checkSegment(conversationId, segment);
    const events = checkEvents(options?.events);
    return this.write(conversationId, () => {
      this.requireConversation(conversationId);
      this.db
        .prepare(
          `INSERT INTO segments (conversation_id, id, start_offset, channel, text, body) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (conversation_id, id) DO UPDATE SET start_offset = excluded.start_offset,
             channel = excluded.channel, text = excluded.text, body = excluded.body`,
        )
        .run(
          conversationId,
          checked.id,
          checked.offset,
          checked.channel,
          checked.text,
          JSON.stringify(checked),
        );
      this.insertEvents(events);
    });
  }

  async appendAssist(conversationId: string, result: AssistResult, options?: WriteOptions): Promise<void> {
    if (result === null || typeof result !== 'object')
      throw new StoreInputError('assist result must be an object');
    const events = checkEvents(options?.events);
    // id fixed now so a retried write cannot store the result twice
    const id = randomUUID();
    const at = new Date(this.now()).toISOString();
    return this.write(conversationId, () => {
      this.requireConversation(conversationId);
      this.db
        .prepare('INSERT OR IGNORE INTO assist_results (conversation_id, id, at, body) VALUES (?, ?, ?, ?)')
        .run(conversationId, id, at, JSON.stringify(result));
      insertAssistFacts(this.db, conversationId, result);
      this.insertEvents(events);
    });
  }

  async setTranscription(id: string, state: TranscriptionState, options?: WriteOptions): Promise<void> {
    const checked = checkTranscriptionState(state);
    const events = checkEvents(options?.events);
    return this.write(id, () => {
      const current = this.readSummary(id);
      if (current === null) throw new StoreNotFoundError(`conversation ${id} not found`);
      this.db
        .prepare('UPDATE conversations SET body = ? WHERE id = ?')
        .run(JSON.stringify({ ...current, transcription: checked }), id);
      this.insertEvents(events);
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
    const storedAt = new Date(this.now()).toISOString();
    return this.writeReturning(conversationId, () => {
      const current = this.readSummary(conversationId);
      if (current === null) throw new StoreNotFoundError(`conversation ${conversationId} not found`);
      const hasVersion = this.db.prepare(
        'SELECT 1 FROM transcript_versions WHERE conversation_id = ? AND version = ?',
      );
      if (hasVersion.get(conversationId, version) !== undefined) return false;
      const addVersion = this.db.prepare(
        'INSERT INTO transcript_versions (conversation_id, version, stored_at, body) VALUES (?, ?, ?, ?)',
      );
      // the transcript being replaced stays readable under its own version
      const replaced = current.transcription?.version ?? 'live';
      if (hasVersion.get(conversationId, replaced) === undefined)
        addVersion.run(conversationId, replaced, storedAt, JSON.stringify(this.readSegments(conversationId)));
      addVersion.run(conversationId, version, storedAt, JSON.stringify(checked));
      this.db.prepare('DELETE FROM segments WHERE conversation_id = ?').run(conversationId);
      const insert = this.db.prepare(
        'INSERT INTO segments (conversation_id, id, start_offset, channel, text, body) VALUES (?, ?, ?, ?, ?, ?)',
      );
      for (const segment of checked)
        insert.run(
          conversationId,
          segment.id,
          segment.offset,
          segment.channel,
          segment.text,
          JSON.stringify(segment),
        );
      this.db
        .prepare('UPDATE conversations SET body = ? WHERE id = ?')
        .run(JSON.stringify({ ...current, transcription: checkedState }), conversationId);
      this.insertEvents(events);
      return true;
    });
  }

  async getTranscriptVersion(
    conversationId: string,
    version: TranscriptVersion,
  ): Promise<TranscriptSegment[] | null> {
    return this.read(() => {
      const row = this.db
        .prepare('SELECT body FROM transcript_versions WHERE conversation_id = ? AND version = ?')
        .get(conversationId, version) as Row | undefined;
      if (row !== undefined) return JSON.parse(String(row.body)) as TranscriptSegment[];
      const summary = this.readSummary(conversationId);
      if (summary === null || (summary.transcription?.version ?? 'live') !== version) return null;
      return this.readSegments(conversationId);
    });
  }

  async enqueueEvents(events: ConversationEvent[]): Promise<void> {
    const checked = checkEvents(events);
    if (checked.length === 0) return Promise.resolve();
    return this.write(checked[0]!.conversationId, () => this.insertEvents(checked));
  }

  private write(key: string, body: () => void): Promise<void> {
    return this.writeReturning(key, body);
  }

  private writeReturning<T>(key: string, body: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new StoreUnavailableError('store is closed'));
    const transaction = this.db.transaction(body);
    return this.queue.run(key, () => {
      try {
        return transaction.immediate();
      } catch (error) {
        if (isTransientSqliteError(error)) throw Object.assign(error as Error, { message: explain(error) });
        throw error;
      }
    });
  }

  private requireConversation(id: string): void {
    if (this.db.prepare('SELECT 1 FROM conversations WHERE id = ?').get(id) === undefined)
      throw new StoreNotFoundError(`conversation ${id} not found`);
  }

  private insertEvents(events: ConversationEvent[]): void {
    if (events.length === 0) return;
    const log = this.db.prepare(
      'INSERT OR IGNORE INTO event_log (event_id, conversation_id, type, body) VALUES (?, ?, ?, ?)',
    );
    const outbox = this.db.prepare(
      'INSERT OR IGNORE INTO outbox (event_id, log_seq, body, available_at) VALUES (?, ?, ?, ?)',
    );
    const now = this.now();
    for (const event of events) {
      const body = JSON.stringify(event);
      let logSeq: number | null = null;
      if (isLogged(event)) {
        const result = log.run(event.eventId, event.conversationId, event.type, body);
        if (result.changes === 0) continue; // already logged = already enqueued once
        logSeq = Number(result.lastInsertRowid);
      }
      outbox.run(event.eventId, logSeq, body, now);
    }
  }

  // ---- reads --------------------------------------------------------------------------------------------------

  private readSummary(id: string): ConversationSummary | null {
    const row = this.db.prepare('SELECT body FROM conversations WHERE id = ?').get(id) as Row | undefined;
    return row === undefined ? null : (JSON.parse(String(row.body)) as ConversationSummary);
  }

  private readSegments(id: string): TranscriptSegment[] {
    return (
      this.db
        .prepare('SELECT body FROM segments WHERE conversation_id = ? ORDER BY start_offset, channel, seq')
        .all(id) as Row[]
    ).map((row) => JSON.parse(String(row.body)) as TranscriptSegment);
  }

  async getConversation(id: string): Promise<ConversationDetail | null> {
    return this.read(() => {
      const summary = this.readSummary(id);
      if (summary === null) return null;
      const transcript = this.readSegments(id);
      const assist = (
        this.db
          .prepare('SELECT at, body FROM assist_results WHERE conversation_id = ? ORDER BY seq')
          .all(id) as Row[]
      ).map((row) => ({ at: String(row.at), result: JSON.parse(String(row.body)) as AssistResult }));
      return { ...summary, transcript, assist };
    });
  }

  async findByGenesysConversationId(genesysConversationId: string): Promise<ConversationSummary[]> {
    return this.read(() =>
      (
        this.db
          .prepare(
            `SELECT body FROM conversations WHERE json_extract(body, '$.conversationId') = ?
             ORDER BY started_at DESC LIMIT 20`,
          )
          .all(genesysConversationId) as Row[]
      ).map((row) => JSON.parse(String(row.body)) as ConversationSummary),
    );
  }

  async listConversations(query?: ConversationQuery): Promise<ConversationPage> {
    const q = normalizeQuery(query);
    return this.read(() => {
      const where: string[] = [];
      const params: unknown[] = [];
      if (q.state !== undefined) {
        where.push('c.state = ?');
        params.push(q.state);
      }
      if (q.from !== undefined) {
        where.push('c.started_at >= ?');
        params.push(q.from);
      }
      if (q.to !== undefined) {
        where.push('c.started_at < ?');
        params.push(q.to);
      }
      if (q.ani !== undefined) {
        where.push('c.ani = ?');
        params.push(q.ani);
      }
      for (const term of q.terms) {
        where.push(
          `c.id IN (SELECT s.conversation_id FROM segments_fts f JOIN segments s ON s.seq = f.rowid
                    WHERE segments_fts MATCH ?)`,
        );
        params.push(`"${term}"*`);
      }
      if (q.cursor !== null) {
        where.push('(c.started_at < ? OR (c.started_at = ? AND c.id < ?))');
        params.push(q.cursor.startedAt, q.cursor.startedAt, q.cursor.id);
      }
      const sql = `SELECT c.body FROM conversations c ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
                   ORDER BY c.started_at DESC, c.id DESC LIMIT ?`;
      const rows = this.db.prepare(sql).all(...params, q.limit + 1) as Row[];
      const items = rows.slice(0, q.limit).map((row) => JSON.parse(String(row.body)) as ConversationSummary);
      const last = items[items.length - 1];
      const nextCursor =
        rows.length > q.limit && last !== undefined
          ? encodeCursor({ startedAt: last.startedAt, id: last.id })
          : null;
      return { items, nextCursor };
    });
  }

  async listEvents(conversationId: string, query?: EventQuery): Promise<StoredEvent[]> {
    const limit = eventLimit(query);
    const after = query?.after ?? 0;
    return this.read(() =>
      (
        this.db
          .prepare(
            'SELECT seq, body FROM event_log WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?',
          )
          .all(conversationId, after, limit) as Row[]
      ).map((row) => ({ seq: Number(row.seq), event: JSON.parse(String(row.body)) as ConversationEvent })),
    );
  }

  // ---- call analytics ---------------------------------------------------------------------------------------

  async saveCallMetrics(conversationId: string, metrics: CallMetrics, options?: WriteOptions): Promise<void> {
    const checked = checkMetrics(metrics);
    const events = checkEvents(options?.events);
    return this.write(conversationId, () => {
      saveCallMetricsRow(this.db, conversationId, checked);
      this.insertEvents(events);
    });
  }

  async getCallMetrics(conversationId: string): Promise<CallMetrics | null> {
    return this.read(() => readCallMetrics(this.db, conversationId));
  }

  async listCallAnalytics(query?: CallAnalyticsListQuery): Promise<CallAnalyticsPage> {
    const q = normalizeAnalyticsQuery(query);
    const page = normalizeAnalyticsPage(query);
    return this.read(() => listCallAnalyticsRows(this.db, q, page));
  }

  async callDashboard(query?: CallAnalyticsQuery): Promise<CallDashboard> {
    const q = normalizeAnalyticsQuery(query);
    return this.read(() => callDashboardOf(this.db, q));
  }

  // ---- audit log (append-only) --------------------------------------------------------------------------------

  async appendAudit(entries: AuditEntry[]): Promise<void> {
    const checked = entries.map(checkAuditEntry);
    if (checked.length === 0) return;
    return this.write('audit', () => {
      const insert = this.db.prepare(
        `INSERT OR IGNORE INTO audit_log (id, at, subject, role, auth_method, action, conversation_id, address, route)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const e of checked)
        insert.run(
          e.id,
          e.at,
          e.subject,
          e.role,
          e.authMethod,
          e.action,
          e.conversationId,
          e.address,
          e.route,
        );
    });
  }

  async listAudit(query?: AuditQuery): Promise<AuditPage> {
    const q = normalizeAuditQuery(query);
    return this.read(() => {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, value: unknown) => {
        where.push(sql);
        params.push(value);
      };
      if (q.conversationId !== undefined) add('conversation_id = ?', q.conversationId);
      if (q.subject !== undefined) add('subject = ?', q.subject);
      if (q.action !== undefined) add('action = ?', q.action);
      if (q.from !== undefined) add('at >= ?', q.from);
      if (q.to !== undefined) add('at < ?', q.to);
      if (q.cursor !== null) {
        where.push('(at < ? OR (at = ? AND id < ?))');
        params.push(q.cursor.at, q.cursor.at, q.cursor.id);
      }
      const rows = this.db
        .prepare(
          `SELECT * FROM audit_log ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
           ORDER BY at DESC, id DESC LIMIT ?`,
        )
        .all(...params, q.limit + 1) as Row[];
      return auditPage(rows.map(auditEntryOfRow), q.limit);
    });
  }

  // ---- outbox -------------------------------------------------------------------------------------------------

  async claimOutbox(batch: number, leaseMs: number): Promise<OutboxEntry[]> {
    if (!Number.isInteger(batch) || batch < 1) throw new StoreInputError('batch must be a positive integer');
    if (!Number.isFinite(leaseMs) || leaseMs < 1) throw new StoreInputError('leaseMs must be positive');
    return this.read(() => {
      // BEGIN IMMEDIATE: another process on the same file waits rather than claiming the same rows
      const claim = this.db.transaction(() => {
        const now = this.now();
        const rows = this.db
          .prepare(
            'SELECT id, log_seq, body, attempts, last_error FROM outbox WHERE available_at <= ? ORDER BY id LIMIT ?',
          )
          .all(now, Math.min(batch, 1000)) as Row[];
        const lease = this.db.prepare(
          'UPDATE outbox SET available_at = ?, attempts = attempts + 1 WHERE id = ?',
        );
        for (const row of rows) lease.run(now + leaseMs, row.id);
        return rows.map((row): OutboxEntry => ({
          id: String(row.id),
          seq: row.log_seq === null ? null : Number(row.log_seq),
          event: JSON.parse(String(row.body)) as ConversationEvent,
          attempts: Number(row.attempts) + 1,
          lastError: row.last_error === null ? null : String(row.last_error),
        }));
      });
      return claim.immediate();
    });
  }

  async ackOutbox(ids: string[]): Promise<void> {
    return this.read(() => {
      const remove = this.db.prepare('DELETE FROM outbox WHERE id = ?');
      this.db.transaction(() => {
        for (const id of ids) remove.run(Number(id));
      })();
    });
  }

  async failOutbox(ids: string[], error: string, retryInMs: number): Promise<void> {
    return this.read(() => {
      const available = this.now() + Math.max(0, retryInMs);
      const release = this.db.prepare('UPDATE outbox SET available_at = ?, last_error = ? WHERE id = ?');
      this.db.transaction(() => {
        for (const id of ids) release.run(available, String(error).slice(0, 2000), Number(id));
      })();
    });
  }

  async outboxDepth(): Promise<number> {
    return this.read(() => Number((this.db.prepare('SELECT count(*) AS n FROM outbox').get() as Row).n));
  }

  // ---- lifecycle ----------------------------------------------------------------------------------------------

  health(): Promise<StoreHealth> {
    const error = this.queue.lastError;
    return Promise.resolve({
      status: error === null && !this.closed ? 'ok' : 'degraded',
      backend: 'sqlite',
      detail: this.closed ? 'closed' : error === null ? null : explain(error),
      pendingWrites: this.queue.pending,
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue.drain(2_000);
    this.closed = true;
    this.queue.close();
    await this.queue.drain(1_000);
    this.db.close();
  }

  /** Runs a read (or an outbox operation) now, mapping SQLite failures to StoreUnavailableError. */
  private read<T>(body: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new StoreUnavailableError('store is closed'));
    try {
      return Promise.resolve(body());
    } catch (error) {
      if (error instanceof StoreInputError || error instanceof StoreNotFoundError)
        return Promise.reject(error);
      if (sqliteCode(error) !== undefined)
        return Promise.reject(new StoreUnavailableError(`SQLite: ${explain(error)}`, { cause: error }));
      return Promise.reject(error);
    }
  }
}

function auditEntryOfRow(row: Row): AuditEntry {
  return {
    id: String(row.id),
    at: row.at instanceof Date ? row.at.toISOString() : String(row.at),
    subject: String(row.subject),
    role: String(row.role),
    authMethod: String(row.auth_method),
    action: String(row.action),
    conversationId: row.conversation_id === null ? null : String(row.conversation_id),
    address: String(row.address),
    route: String(row.route),
  };
}
