/**
 * ConversationStore: the durable record of every call (conversation row, final transcript segments, assist results,
 * event log) plus the transactional outbox that feeds the EventBus.
 *
 * Adapters: SqliteConversationStore (default; `:memory:` doubles as the in-memory fake), PostgresConversationStore,
 * CosmosConversationStore. All pass test/store-contract.ts.
 *
 * Transcript policy: only FINAL segments are stored (appendSegment rejects partials with a StoreInputError).
 * Partial results are published as `partial_transcript` events; if they go through the outbox they are delivered
 * at-least-once like any other event but are dropped from the event log once acknowledged.
 */
import type {
  AssistResult,
  ConversationEvent,
  ConversationSummary,
  TranscriptionState,
  TranscriptSegment,
  TranscriptVersion,
} from '../events.js';
import type { CallAnalyticsPage, CallAnalyticsQuery, CallDashboard } from '../analytics/call-analytics.js';
import type { CallMetrics } from '../analytics/call-metrics.js';
import type { CallAnalyticsListQuery } from './call-analytics-input.js';
import type { AuditLog } from './audit-log.js';

export type ConversationState = ConversationSummary['state'];

/** A stored assist result, in the order it was appended. */
export interface StoredAssistResult {
  /** ISO-8601 time it was stored */
  at: string;
  result: AssistResult;
}

export interface ConversationDetail extends ConversationSummary {
  /** final segments ordered by offset, then channel */
  transcript: TranscriptSegment[];
  assist: StoredAssistResult[];
}

export interface ConversationEnd {
  state: 'ended' | 'failed';
  closeReason: string | null;
  /** ISO-8601 */
  endedAt: string;
  /** recording reference (URI); omitted = keep whatever is stored */
  recording?: string | null;
}

export interface ConversationQuery {
  state?: ConversationState;
  /** ISO-8601, inclusive lower bound on startedAt */
  from?: string;
  /** ISO-8601, exclusive upper bound on startedAt */
  to?: string;
  /** full-text search over final transcript text (words, AND-ed) */
  text?: string;
  /** exact match on the caller's ANI */
  ani?: string;
  /** opaque cursor from a previous page's nextCursor */
  cursor?: string;
  /** page size; default 50, capped at MAX_PAGE_SIZE */
  limit?: number;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** Newest first (startedAt desc, id desc). nextCursor is null on the last page. */
export interface ConversationPage {
  items: ConversationSummary[];
  nextCursor: string | null;
}

/** An event in a conversation's log; seq is store-wide and increases with each event of one conversation. */
export interface StoredEvent {
  seq: number;
  event: ConversationEvent;
}

export interface EventQuery {
  /** return only events with seq > after (for Last-Event-ID resume) */
  after?: number;
  /** default 1000, capped at 5000 */
  limit?: number;
}

/** One claimed outbox entry. `id` is what ackOutbox/failOutbox take. */
export interface OutboxEntry {
  id: string;
  /** the event's seq in the conversation event log; null for partial_transcript (not logged) */
  seq: number | null;
  event: ConversationEvent;
  /** delivery attempts including this one (1 on first claim) */
  attempts: number;
  lastError: string | null;
}

/** Options carried by every write: events enqueued in the SAME transaction as the write. */
export interface WriteOptions {
  events?: ConversationEvent[];
}

export interface StoreHealth {
  /** ok: reads and writes succeed; degraded: writes are queued/retrying or the backend is unreachable */
  status: 'ok' | 'degraded';
  backend: 'sqlite' | 'postgres' | 'cosmos';
  /** last error in plain words when degraded */
  detail: string | null;
  /** writes accepted but not yet committed (queued for retry) */
  pendingWrites: number;
}

/** The audit log (appendAudit, listAudit) lives in audit-log.ts. */
export interface ConversationStore extends AuditLog {
  /**
   * Connect and apply migrations. Never needs to be awaited before writes (they queue). Network adapters retry
   * with back-off while the backend is unreachable (health: degraded) and resolve once ready; rejects only on
   * permanent errors (bad configuration, failed migration) or close().
   */
  init(): Promise<void>;

  /** Insert or replace the conversation row (id = AudioHook session id). Probes must not be passed here. */
  upsertConversation(conversation: ConversationSummary, options?: WriteOptions): Promise<void>;
  /** Mark ended/failed. Rejects with StoreNotFoundError if the conversation does not exist. */
  endConversation(id: string, end: ConversationEnd, options?: WriteOptions): Promise<void>;
  /** Set the recording reference (e.g. after upload moved it). */
  setRecording(id: string, recording: string | null, options?: WriteOptions): Promise<void>;
  /** Append a FINAL segment; idempotent by segment id (same id again = replaced, not duplicated). */
  appendSegment(conversationId: string, segment: TranscriptSegment, options?: WriteOptions): Promise<void>;
  appendAssist(conversationId: string, result: AssistResult, options?: WriteOptions): Promise<void>;
  /** Set the conversation's transcription state (summary.transcription). StoreNotFoundError if absent. */
  setTranscription(id: string, state: TranscriptionState, options?: WriteOptions): Promise<void>;
  /**
   * Store a transcript made after the call (post-call transcription) as `version`; from then on `transcript`, search
   * and analytics use it, and the one it replaces stays readable through getTranscriptVersion. Atomic with its
   * events and `state`. Exactly once per version: resolves false, writing nothing, when `version` is already stored
   * (another worker finished the same job first). Not for 'live' (live segments come through appendSegment).
   */
  storeTranscriptVersion(
    conversationId: string,
    version: Exclude<TranscriptVersion, 'live'>,
    segments: TranscriptSegment[],
    state: TranscriptionState,
    options?: WriteOptions,
  ): Promise<boolean>;
  /** The segments of one stored version (the live one included once replaced); null if never stored. */
  getTranscriptVersion(
    conversationId: string,
    version: TranscriptVersion,
  ): Promise<TranscriptSegment[] | null>;
  /** Enqueue events with no other write (e.g. partial_transcript). */
  enqueueEvents(events: ConversationEvent[]): Promise<void>;

  getConversation(id: string): Promise<ConversationDetail | null>;
  /**
   * The sessions of one Genesys conversation (several when it had several AudioHook sessions: participants,
   * reconnects), newest first, at most 20. The embedded view inside Genesys Cloud addresses calls this way.
   */
  findByGenesysConversationId(genesysConversationId: string): Promise<ConversationSummary[]>;
  listConversations(query?: ConversationQuery): Promise<ConversationPage>;
  /** The conversation's event log, oldest first (partials excluded once delivered). */
  listEvents(conversationId: string, query?: EventQuery): Promise<StoredEvent[]>;

  /**
   * Outbox, at-least-once. claimOutbox leases up to `batch` undelivered entries (oldest first) whose lease is free or
   * expired, for `leaseMs`; concurrent claimers (other server instances) never receive the same entry while its
   * lease runs (PostgreSQL: FOR UPDATE SKIP LOCKED). An entry not acked before its lease expires is claimed again.
   */
  claimOutbox(batch: number, leaseMs: number): Promise<OutboxEntry[]>;
  /** Delivered: never claimed again. Unknown ids are ignored. */
  ackOutbox(ids: string[]): Promise<void>;
  /** Delivery failed: release the lease so the entry becomes claimable again after retryInMs. */
  failOutbox(ids: string[], error: string, retryInMs: number): Promise<void>;
  /** Undelivered entries. */
  outboxDepth(): Promise<number>;

  // ---- call analytics (src/analytics; contract: test/store-contract-analytics.ts) ----------------------------

  /**
   * Store (replace) the call's metrics. The analytics row takes its filter keys (startedAt, state, endpoint, DNIS)
   * from the stored conversation as it is now, so save after endConversation to record the ended state. Rejects
   * with StoreNotFoundError if the conversation does not exist.
   */
  saveCallMetrics(conversationId: string, metrics: CallMetrics, options?: WriteOptions): Promise<void>;
  getCallMetrics(conversationId: string): Promise<CallMetrics | null>;
  /** Calls that have metrics, newest first (startedAt desc, id desc), for exports. */
  listCallAnalytics(query?: CallAnalyticsListQuery): Promise<CallAnalyticsPage>;
  /** Dashboard over the calls with metrics matching the filter (appendAssist keeps the assist facts it counts). */
  callDashboard(query?: CallAnalyticsQuery): Promise<CallDashboard>;

  health(): Promise<StoreHealth>;
  /** Flushes queued writes where possible (bounded wait), then releases connections. */
  close(): Promise<void>;
}
