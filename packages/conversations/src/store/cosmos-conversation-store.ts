/**
 * CosmosConversationStore: Azure Cosmos DB (NoSQL API) through the official @azure/cosmos SDK. One container,
 * partitioned by /conversationId: the conversation, its segments, assist results, event log entries and outbox
 * entries are documents in the conversation's partition, so a write and the events it causes commit together in one
 * transactional batch. Outbox claims are optimistic: a claim replaces the entry with If-Match on its _etag, so two
 * instances never both win the same entry (the Cosmos counterpart of FOR UPDATE SKIP LOCKED).
 *
 * NOT run against Azure or the Cosmos emulator (neither is reachable here): tested at the SDK boundary with a fake
 * container that evaluates the adapter's queries (test/store-cosmos.test.ts).
 *
 * Event seq: Cosmos has no sequences; seq = milliseconds × 1000 + a per-process counter, strictly increasing within
 * an instance (one instance writes a given conversation), roughly time-ordered across instances.
 */
import { randomUUID } from 'node:crypto';
import type { Container, CosmosClient, JSONObject, OperationInput, SqlParameter } from '@azure/cosmos';
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
import {
  auditPage,
  checkAuditEntry,
  normalizeAuditQuery,
  type AuditEntry,
  type AuditPage,
  type AuditQuery,
} from './audit-log.js';
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
import {
  dashboardOf,
  type CallAnalyticsPage,
  type CallAnalyticsQuery,
  type CallDashboard,
} from '../analytics/call-analytics.js';
import type { CallMetrics } from '../analytics/call-metrics.js';
import {
  checkMetrics,
  normalizeAnalyticsPage,
  normalizeAnalyticsQuery,
  type CallAnalyticsListQuery,
  type NormalizedAnalyticsQuery,
} from './call-analytics-input.js';
import {
  ANALYTICS_DOC_ID,
  FACTS_DOC_ID,
  analyticsUpsert,
  factsUpsert,
  type AnalyticsDoc,
  type FactsDoc,
} from './cosmos-call-analytics.js';

/** The part of the SDK's Container this adapter uses (a real Container satisfies it). */
export type CosmosContainerLike = Pick<Container, 'items' | 'item' | 'read'>;

export type CosmosConversationStoreOptions = (
  { container: CosmosContainerLike } | { client: CosmosClient; databaseId: string; containerId: string }
) & {
  maxPendingWrites?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  now?: () => number;
};

interface Doc {
  id: string;
  conversationId: string;
  type:
    | 'conversation'
    | 'segment'
    | 'assist'
    | 'event'
    | 'outbox'
    | 'transcript-version'
    | 'audit'
    | 'analytics'
    | 'facts';
  _etag?: string;
  [field: string]: unknown;
}

const TRANSIENT_STATUS = new Set([408, 429, 449, 500, 502, 503, 504]);

function statusOf(error: unknown): number | undefined {
  const value = error as { code?: unknown; statusCode?: unknown } | null;
  if (typeof value?.statusCode === 'number') return value.statusCode;
  return typeof value?.code === 'number' ? value.code : undefined;
}

export function isTransientCosmosError(error: unknown): boolean {
  const status = statusOf(error);
  if (status !== undefined) return TRANSIENT_STATUS.has(status);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN)$/.test(code);
}

/** Documents are plain JSON; the SDK's JSONObject type wants an index signature our interfaces do not declare. */
function json(value: object): JSONObject {
  return value as JSONObject;
}

function words(text: string): string[] {
  return [...new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])];
}

export class CosmosConversationStore implements ConversationStore {
  private container: CosmosContainerLike | null;
  private readonly options: CosmosConversationStoreOptions;
  private readonly queue: WriteQueue;
  private readonly now: () => number;
  private lastSeq = 0;
  private lastError: unknown = null;
  private closed = false;
  private starting: Promise<void> | null = null;

  constructor(options: CosmosConversationStoreOptions) {
    this.options = options;
    this.container = 'container' in options ? options.container : null;
    this.now = options.now ?? Date.now;
    this.queue = new WriteQueue({
      maxPending: options.maxPendingWrites ?? 10_000,
      isRetryable: isTransientCosmosError,
      initialBackoffMs: options.initialBackoffMs ?? 200,
      maxBackoffMs: options.maxBackoffMs ?? 5_000,
      onStatus: (error) => (this.lastError = error),
    });
  }

  /** Creates the database and container (with the composite index listing needs) when given a client. */
  init(): Promise<void> {
    this.starting ??= (async () => {
      if (this.container !== null || !('client' in this.options)) return;
      const { client, databaseId, containerId } = this.options;
      const { database } = await client.databases.createIfNotExists({ id: databaseId });
      const { container } = await database.containers.createIfNotExists({
        id: containerId,
        partitionKey: { paths: ['/conversationId'] },
        indexingPolicy: {
          compositeIndexes: [
            [
              { path: '/startedAt', order: 'descending' },
              { path: '/id', order: 'descending' },
            ],
            [
              { path: '/at', order: 'descending' },
              { path: '/id', order: 'descending' },
            ],
            [
              { path: '/startedAt', order: 'descending' },
              { path: '/conversationId', order: 'descending' },
            ],
          ],
        },
      });
      this.container = container;
    })();
    return this.starting;
  }

  private async ready(): Promise<CosmosContainerLike> {
    if (this.closed) throw new StoreUnavailableError('store is closed');
    await this.init();
    return this.container!;
  }

  private nextSeq(): number {
    this.lastSeq = Math.max(this.lastSeq + 1, this.now() * 1000);
    return this.lastSeq;
  }

  // ---- writes -------------------------------------------------------------------------------------------------

  private write(
    key: string,
    build: (container: CosmosContainerLike) => Promise<OperationInput[]>,
  ): Promise<void> {
    if (this.closed) return Promise.reject(new StoreUnavailableError('store is closed'));
    return this.queue.run(key, async () => {
      const container = await this.ready();
      const operations = await build(container);
      if (operations.length === 0) return;
      const response = await container.items.batch(operations, key);
      const failed = (response.result ?? []).find(
        (result) => result.statusCode >= 400 && result.statusCode !== 424,
      );
      const batchStatus = (response as { statusCode?: number }).statusCode ?? 200;
      if (failed !== undefined || batchStatus >= 400) {
        const statusCode = failed?.statusCode ?? batchStatus;
        throw Object.assign(new Error(`Cosmos batch failed with status ${statusCode}`), { statusCode });
      }
    });
  }

  private async readDoc(container: CosmosContainerLike, id: string, partition: string): Promise<Doc | null> {
    try {
      const { resource } = await container.item(id, partition).read<Doc>();
      return resource ?? null;
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw error;
    }
  }

  private async requireConversation(container: CosmosContainerLike, id: string): Promise<Doc> {
    const doc = await this.readDoc(container, id, id);
    if (doc === null) throw new StoreNotFoundError(`conversation ${id} not found`);
    return doc;
  }

  /** Create operations for events not yet logged (event ids make enqueueing idempotent). */
  private async eventOperations(
    container: CosmosContainerLike,
    events: ConversationEvent[],
  ): Promise<OperationInput[]> {
    const operations: OperationInput[] = [];
    for (const event of events) {
      if (await this.readDoc(container, `outbox:${event.eventId}`, event.conversationId)) continue;
      if (isLogged(event) && (await this.readDoc(container, `event:${event.eventId}`, event.conversationId)))
        continue;
      const seq = this.nextSeq();
      if (isLogged(event))
        operations.push({
          operationType: 'Create',
          resourceBody: json({
            id: `event:${event.eventId}`,
            conversationId: event.conversationId,
            type: 'event',
            seq,
            event,
          }),
        });
      operations.push({
        operationType: 'Create',
        resourceBody: json({
          id: `outbox:${event.eventId}`,
          conversationId: event.conversationId,
          type: 'outbox',
          seq,
          logSeq: isLogged(event) ? seq : null,
          availableAt: this.now(),
          attempts: 0,
          lastError: null,
          event,
        }),
      });
    }
    return operations;
  }

  /** Events must live in the written conversation's partition to share its transaction. */
  private checkPartition(key: string, events: ConversationEvent[]): void {
    const stray = events.find((event) => event.conversationId !== key);
    if (stray !== undefined)
      throw new StoreInputError(`event ${stray.eventId} belongs to ${stray.conversationId}, not ${key}`);
  }

  async upsertConversation(conversation: ConversationSummary, options?: WriteOptions): Promise<void> {
    const row = checkConversation(conversation);
    const events = checkEvents(options?.events);
    this.checkPartition(row.id, events);
    return this.write(row.id, async (container) => [
      {
        operationType: 'Upsert',
        resourceBody: json({
          id: row.id,
          conversationId: row.id,
          type: 'conversation',
          startedAt: row.startedAt,
          state: row.state,
          ani: row.ani,
          summary: row,
        }),
      },
      ...(await this.eventOperations(container, events)),
    ]);
  }

  private updateSummary(
    id: string,
    change: (summary: ConversationSummary) => ConversationSummary,
    events: ConversationEvent[],
  ): Promise<void> {
    this.checkPartition(id, events);
    return this.write(id, async (container) => {
      const doc = await this.requireConversation(container, id);
      const summary = change(doc.summary as ConversationSummary);
      return [
        {
          operationType: 'Replace',
          id,
          ...(doc._etag ? { ifMatch: doc._etag } : {}),
          resourceBody: json({ ...doc, state: summary.state, summary: summary }),
        },
        ...(await this.eventOperations(container, events)),
      ];
    });
  }

  async endConversation(id: string, end: ConversationEnd, options?: WriteOptions): Promise<void> {
    const checked = checkEnd(end);
    return this.updateSummary(
      id,
      (summary) => ({
        ...summary,
        state: checked.state,
        closeReason: checked.closeReason,
        endedAt: checked.endedAt,
        recording: checked.recording === undefined ? summary.recording : checked.recording,
      }),
      checkEvents(options?.events),
    );
  }

  async setRecording(id: string, recording: string | null, options?: WriteOptions): Promise<void> {
    return this.updateSummary(id, (summary) => ({ ...summary, recording }), checkEvents(options?.events));
  }

  async appendSegment(
    conversationId: string,
    segment: TranscriptSegment,
    options?: WriteOptions,
  ): Promise<void> {
    const checked = checkSegment(conversationId, segment);
    const events = checkEvents(options?.events);
    this.checkPartition(conversationId, events);
    return this.write(conversationId, async (container) => {
      await this.requireConversation(container, conversationId);
      return [
        {
          operationType: 'Upsert',
          resourceBody: json({
            id: `segment:${checked.id}`,
            conversationId,
            type: 'segment',
            offset: checked.offset,
            channel: checked.channel,
            words: words(checked.text),
            segment: checked,
          }),
        },
        ...(await this.eventOperations(container, events)),
      ];
    });
  }

  async setTranscription(id: string, state: TranscriptionState, options?: WriteOptions): Promise<void> {
    const checked = checkTranscriptionState(state);
    return this.updateSummary(
      id,
      (summary) => ({ ...summary, transcription: checked }),
      checkEvents(options?.events),
    );
  }

  /**
   * A batch holds at most 100 operations, so a transcript cannot swap its segment documents atomically. The commit
   * is one batch instead: the new version as one document (Create: 409 when another worker stored it first), the
   * summary naming it, and the events. getConversation reads the version document from then on; the segment
   * documents that search reads are swapped behind it, idempotently, and may lag the commit for a moment.
   */
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
    this.checkPartition(conversationId, events);
    const storedAt = new Date(this.now()).toISOString();
    let stored = false;
    const commit = this.write(conversationId, async (container) => {
      stored = false;
      const doc = await this.requireConversation(container, conversationId);
      if (await this.readDoc(container, `transcript:${version}`, conversationId)) return [];
      const summary = doc.summary as ConversationSummary;
      const replaced = summary.transcription?.version ?? 'live';
      const operations: OperationInput[] = [];
      if (!(await this.readDoc(container, `transcript:${replaced}`, conversationId)))
        operations.push(
          this.versionDoc(
            conversationId,
            replaced,
            await this.currentSegments(conversationId, summary),
            storedAt,
          ),
        );
      operations.push(this.versionDoc(conversationId, version, checked, storedAt), {
        operationType: 'Replace',
        id: conversationId,
        ...(doc._etag ? { ifMatch: doc._etag } : {}),
        resourceBody: json({ ...doc, summary: { ...summary, transcription: checkedState } }),
      });
      operations.push(...(await this.eventOperations(container, events)));
      stored = true;
      return operations;
    });
    try {
      await commit;
    } catch (error) {
      if (statusOf(error) === 409) return false; // another worker committed this version first
      throw error;
    }
    if (stored) await this.swapSegmentDocuments(conversationId, checked);
    return stored;
  }

  async getTranscriptVersion(
    conversationId: string,
    version: TranscriptVersion,
  ): Promise<TranscriptSegment[] | null> {
    const container = await this.ready();
    const doc = await this.readDoc(container, `transcript:${version}`, conversationId);
    if (doc !== null) return doc.segments as TranscriptSegment[];
    const conversation = await this.readDoc(container, conversationId, conversationId);
    if (conversation === null) return null;
    const summary = conversation.summary as ConversationSummary;
    if ((summary.transcription?.version ?? 'live') !== version) return null;
    return this.currentSegments(conversationId, summary);
  }

  private versionDoc(
    conversationId: string,
    version: TranscriptVersion,
    segments: TranscriptSegment[],
    storedAt: string,
  ): OperationInput {
    return {
      operationType: 'Create',
      resourceBody: json({
        id: `transcript:${version}`,
        conversationId,
        type: 'transcript-version',
        version,
        storedAt,
        segments,
      }),
    };
  }

  private async segmentDocuments(conversationId: string): Promise<Doc[]> {
    return this.query<Doc>(
      "SELECT * FROM c WHERE c.conversationId = @id AND c.type = 'segment'",
      [{ name: '@id', value: conversationId }],
      conversationId,
    );
  }

  /** The segments `transcript` holds: the version document once a post-call version is stored. */
  private async currentSegments(
    conversationId: string,
    summary: ConversationSummary,
  ): Promise<TranscriptSegment[]> {
    const version = summary.transcription?.version ?? 'live';
    if (version !== 'live') {
      const doc = await this.readDoc(await this.ready(), `transcript:${version}`, conversationId);
      if (doc !== null) return doc.segments as TranscriptSegment[];
    }
    return (await this.segmentDocuments(conversationId))
      .map((part) => part.segment as TranscriptSegment)
      .sort((a, b) => a.offset - b.offset || a.channel - b.channel);
  }

  /** Makes the segment documents match `segments`, 100 operations per batch; safe to repeat. */
  private async swapSegmentDocuments(conversationId: string, segments: TranscriptSegment[]): Promise<void> {
    const wanted = new Map(segments.map((segment) => [`segment:${segment.id}`, segment]));
    const present = await this.segmentDocuments(conversationId);
    const operations: OperationInput[] = [
      ...present
        .filter((doc) => !wanted.has(doc.id))
        .map((doc): OperationInput => ({ operationType: 'Delete', id: doc.id })),
      ...[...wanted.values()].map((segment): OperationInput => ({
        operationType: 'Upsert',
        resourceBody: json({
          id: `segment:${segment.id}`,
          conversationId,
          type: 'segment',
          offset: segment.offset,
          channel: segment.channel,
          words: words(segment.text),
          segment,
        }),
      })),
    ];
    for (let i = 0; i < operations.length; i += 100) {
      const chunk = operations.slice(i, i + 100);
      await this.write(conversationId, () => Promise.resolve(chunk));
    }
  }

  async appendAssist(conversationId: string, result: AssistResult, options?: WriteOptions): Promise<void> {
    if (result === null || typeof result !== 'object')
      throw new StoreInputError('assist result must be an object');
    const events = checkEvents(options?.events);
    this.checkPartition(conversationId, events);
    const id = `assist:${randomUUID()}`; // fixed before the first attempt: Upsert makes a retry harmless
    const at = new Date(this.now()).toISOString();
    const seq = this.nextSeq();
    return this.write(conversationId, async (container) => {
      const conversation = await this.requireConversation(container, conversationId);
      const facts = factsUpsert(
        conversation.summary as ConversationSummary,
        (await this.readDoc(container, FACTS_DOC_ID, conversationId)) as FactsDoc | null,
        result,
      );
      return [
        {
          operationType: 'Upsert',
          resourceBody: json({ id, conversationId, type: 'assist', seq, at, result: result }),
        },
        ...(facts ? [facts] : []),
        ...(await this.eventOperations(container, events)),
      ];
    });
  }

  async enqueueEvents(events: ConversationEvent[]): Promise<void> {
    const checked = checkEvents(events);
    const byConversation = new Map<string, ConversationEvent[]>();
    for (const event of checked)
      byConversation.set(event.conversationId, [...(byConversation.get(event.conversationId) ?? []), event]);
    await Promise.all(
      [...byConversation].map(([key, group]) =>
        this.write(key, (container) => this.eventOperations(container, group)),
      ),
    );
  }

  // ---- reads --------------------------------------------------------------------------------------------------

  private async query<T>(query: string, parameters: SqlParameter[], partitionKey?: string): Promise<T[]> {
    const container = await this.ready();
    try {
      const { resources } = await container.items
        .query<T>({ query, parameters }, partitionKey === undefined ? {} : { partitionKey })
        .fetchAll();
      return resources;
    } catch (error) {
      if (isTransientCosmosError(error)) {
        this.lastError = error;
        throw new StoreUnavailableError(`Cosmos DB unavailable: ${describe(error)}`, { cause: error });
      }
      throw error;
    }
  }

  async getConversation(id: string): Promise<ConversationDetail | null> {
    const container = await this.ready();
    const doc = await this.readDoc(container, id, id);
    if (doc === null || doc.type !== 'conversation') return null;
    const parts = await this.query<Doc>(
      "SELECT * FROM c WHERE c.conversationId = @id AND (c.type = 'segment' OR c.type = 'assist')",
      [{ name: '@id', value: id }],
      id,
    );
    const summary = doc.summary as ConversationSummary;
    const segments =
      (summary.transcription?.version ?? 'live') !== 'live'
        ? await this.currentSegments(id, summary)
        : parts
            .filter((part) => part.type === 'segment')
            .map((part) => part.segment as TranscriptSegment)
            .sort((a, b) => a.offset - b.offset || a.channel - b.channel);
    const assist = parts
      .filter((part) => part.type === 'assist')
      .sort((a, b) => Number(a.seq) - Number(b.seq))
      .map((part) => ({ at: String(part.at), result: part.result as AssistResult }));
    return { ...summary, transcript: segments, assist };
  }

  async findByGenesysConversationId(genesysConversationId: string): Promise<ConversationSummary[]> {
    const docs = await this.query<Doc>(
      `SELECT TOP 20 * FROM c WHERE c.type = 'conversation' AND c.summary.conversationId = @gc
       ORDER BY c.startedAt DESC, c.id DESC`,
      [{ name: '@gc', value: genesysConversationId }],
    );
    return docs.map((doc) => doc.summary as ConversationSummary);
  }

  async listConversations(query?: ConversationQuery): Promise<ConversationPage> {
    const q = normalizeQuery(query);
    const where = ["c.type = 'conversation'"];
    const parameters: SqlParameter[] = [];
    const param = (value: SqlParameter['value']): string => {
      const name = `@p${parameters.length}`;
      parameters.push({ name, value });
      return name;
    };
    if (q.state !== undefined) where.push(`c.state = ${param(q.state)}`);
    if (q.from !== undefined) where.push(`c.startedAt >= ${param(q.from)}`);
    if (q.to !== undefined) where.push(`c.startedAt < ${param(q.to)}`);
    if (q.ani !== undefined) where.push(`c.ani = ${param(q.ani)}`);
    if (q.terms.length > 0) {
      // each term must prefix a word of some segment of the conversation: find the matching ids per term, intersect
      let ids = null as Set<string> | null;
      for (const term of q.terms) {
        const found: string[] = await this.query<string>(
          `SELECT DISTINCT VALUE c.conversationId FROM c WHERE c.type = 'segment'
           AND EXISTS(SELECT VALUE w FROM w IN c.words WHERE STARTSWITH(w, @term))`,
          [{ name: '@term', value: term }],
        );
        const previous: Set<string> | null = ids;
        ids = new Set(previous === null ? found : found.filter((id) => previous.has(id)));
      }
      if (ids === null || ids.size === 0) return { items: [], nextCursor: null };
      where.push(`ARRAY_CONTAINS(${param([...ids])}, c.id)`);
    }
    if (q.cursor !== null) {
      const started = param(q.cursor.startedAt);
      where.push(`(c.startedAt < ${started} OR (c.startedAt = ${started} AND c.id < ${param(q.cursor.id)}))`);
    }
    const docs = await this.query<Doc>(
      `SELECT TOP ${q.limit + 1} * FROM c WHERE ${where.join(' AND ')} ORDER BY c.startedAt DESC, c.id DESC`,
      parameters,
    );
    const items = docs.slice(0, q.limit).map((doc) => doc.summary as ConversationSummary);
    const last = items[items.length - 1];
    const nextCursor =
      docs.length > q.limit && last !== undefined
        ? encodeCursor({ startedAt: last.startedAt, id: last.id })
        : null;
    return { items, nextCursor };
  }

  async listEvents(conversationId: string, query?: EventQuery): Promise<StoredEvent[]> {
    const limit = eventLimit(query);
    const docs = await this.query<Doc>(
      `SELECT TOP ${limit} * FROM c WHERE c.conversationId = @id AND c.type = 'event' AND c.seq > @after ORDER BY c.seq`,
      [
        { name: '@id', value: conversationId },
        { name: '@after', value: query?.after ?? 0 },
      ],
      conversationId,
    );
    return docs.map((doc) => ({ seq: Number(doc.seq), event: doc.event as ConversationEvent }));
  }

  // ---- audit log (append-only) --------------------------------------------------------------------------------
  // Entries live in one partition per UTC day ("audit:2026-12-02"): no partition grows without bound, a day's entries
  // commit together, and listing is a cross-partition query ordered by the (at, id) composite index.

  async appendAudit(entries: AuditEntry[]): Promise<void> {
    const byDay = new Map<string, AuditEntry[]>();
    for (const entry of entries.map(checkAuditEntry)) {
      const partition = `audit:${entry.at.slice(0, 10)}`;
      byDay.set(partition, [...(byDay.get(partition) ?? []), entry]);
    }
    const writes: Promise<void>[] = [];
    for (const [partition, group] of byDay) {
      // a batch holds at most 100 operations; Upsert keeps a retried batch from failing on entries already stored
      for (let start = 0; start < group.length; start += 100) {
        const chunk = group.slice(start, start + 100);
        writes.push(
          this.write(partition, async () =>
            chunk.map((entry): OperationInput => ({
              operationType: 'Upsert',
              resourceBody: json({
                ...entry,
                id: `audit:${entry.id}`,
                entryId: entry.id,
                conversationId: partition,
                auditedConversationId: entry.conversationId,
                type: 'audit',
              }),
            })),
          ),
        );
      }
    }
    await Promise.all(writes);
  }

  async listAudit(query?: AuditQuery): Promise<AuditPage> {
    const q = normalizeAuditQuery(query);
    const where = ["c.type = 'audit'"];
    const parameters: SqlParameter[] = [];
    const param = (value: SqlParameter['value']): string => {
      const name = `@p${parameters.length}`;
      parameters.push({ name, value });
      return name;
    };
    if (q.conversationId !== undefined) where.push(`c.auditedConversationId = ${param(q.conversationId)}`);
    if (q.subject !== undefined) where.push(`c.subject = ${param(q.subject)}`);
    if (q.action !== undefined) where.push(`c.action = ${param(q.action)}`);
    if (q.from !== undefined) where.push(`c.at >= ${param(q.from)}`);
    if (q.to !== undefined) where.push(`c.at < ${param(q.to)}`);
    if (q.cursor !== null) {
      const at = param(q.cursor.at);
      where.push(`(c.at < ${at} OR (c.at = ${at} AND c.id < ${param(`audit:${q.cursor.id}`)}))`);
    }
    const docs = await this.query<Doc>(
      `SELECT TOP ${q.limit + 1} * FROM c WHERE ${where.join(' AND ')} ORDER BY c.at DESC, c.id DESC`,
      parameters,
    );
    return auditPage(
      docs.map((doc) => ({
        id: String(doc.entryId),
        at: String(doc.at),
        subject: String(doc.subject),
        role: String(doc.role),
        authMethod: String(doc.authMethod),
        action: String(doc.action),
        conversationId: doc.auditedConversationId === null ? null : String(doc.auditedConversationId),
        address: String(doc.address),
        route: String(doc.route),
      })),
      q.limit,
    );
  }

  // ---- call analytics ---------------------------------------------------------------------------------------

  async saveCallMetrics(conversationId: string, metrics: CallMetrics, options?: WriteOptions): Promise<void> {
    const checked = checkMetrics(metrics);
    const events = checkEvents(options?.events);
    this.checkPartition(conversationId, events);
    return this.write(conversationId, async (container) => {
      const doc = await this.requireConversation(container, conversationId);
      return [
        analyticsUpsert(doc.summary as ConversationSummary, checked),
        ...(await this.eventOperations(container, events)),
      ];
    });
  }

  async getCallMetrics(conversationId: string): Promise<CallMetrics | null> {
    const container = await this.ready();
    const doc = (await this.readDoc(container, ANALYTICS_DOC_ID, conversationId)) as AnalyticsDoc | null;
    return doc?.metrics ?? null;
  }

  private analyticsWhere(
    q: NormalizedAnalyticsQuery,
    parameters: SqlParameter[],
    type: 'analytics' | 'facts' = 'analytics',
  ): string[] {
    const param = (value: string): string => {
      const name = `@p${parameters.length}`;
      parameters.push({ name, value });
      return name;
    };
    const where = [`c.type = '${type}'`];
    if (q.from !== undefined) where.push(`c.startedAt >= ${param(q.from)}`);
    if (q.to !== undefined) where.push(`c.startedAt < ${param(q.to)}`);
    if (q.dnis !== undefined) where.push(`c.dnis = ${param(q.dnis)}`);
    if (q.endpoint !== undefined) where.push(`c.endpoint = ${param(q.endpoint)}`);
    return where;
  }

  async listCallAnalytics(query?: CallAnalyticsListQuery): Promise<CallAnalyticsPage> {
    const q = normalizeAnalyticsQuery(query);
    const page = normalizeAnalyticsPage(query);
    const parameters: SqlParameter[] = [];
    const where = this.analyticsWhere(q, parameters);
    if (page.cursor !== null) {
      parameters.push({ name: '@cs', value: page.cursor.startedAt }, { name: '@ci', value: page.cursor.id });
      where.push('(c.startedAt < @cs OR (c.startedAt = @cs AND c.conversationId < @ci))');
    }
    const docs = await this.query<AnalyticsDoc>(
      `SELECT TOP ${page.limit + 1} * FROM c WHERE ${where.join(' AND ')} ORDER BY c.startedAt DESC, c.conversationId DESC`,
      parameters,
    );
    const items = docs
      .slice(0, page.limit)
      .map((doc) => ({ conversation: doc.summary, metrics: doc.metrics }));
    const last = items[items.length - 1];
    return {
      items,
      nextCursor:
        docs.length > page.limit && last !== undefined
          ? encodeCursor({ startedAt: last.conversation.startedAt, id: last.conversation.id })
          : null,
    };
  }

  async callDashboard(query?: CallAnalyticsQuery): Promise<CallDashboard> {
    const q = normalizeAnalyticsQuery(query);
    const parameters: SqlParameter[] = [];
    const rows = await this.query<AnalyticsDoc>(
      `SELECT * FROM c WHERE ${this.analyticsWhere(q, parameters).join(' AND ')}`,
      parameters,
    );
    // as in the SQL adapters: sentiment and intent count for calls with metrics, alerts for every call in the filter
    const ids = new Set(rows.map((row) => row.conversationId));
    const factParameters: SqlParameter[] = [];
    const facts = (
      await this.query<FactsDoc>(
        `SELECT * FROM c WHERE ${this.analyticsWhere(q, factParameters, 'facts').join(' AND ')}`,
        factParameters,
      )
    ).flatMap((doc) => doc.facts.filter((fact) => fact.kind === 'alert' || ids.has(doc.conversationId)));
    return dashboardOf(
      rows.map((row) => ({ startedAt: row.startedAt, state: row.state, metrics: row.metrics })),
      facts,
    );
  }

  // ---- outbox -------------------------------------------------------------------------------------------------

  private static entryId(doc: Doc): string {
    return `${encodeURIComponent(doc.conversationId)}/${doc.id}`;
  }

  private static parseEntryId(id: string): { conversationId: string; docId: string } | null {
    const slash = id.indexOf('/');
    if (slash < 0 || !id.slice(slash + 1).startsWith('outbox:')) return null;
    return { conversationId: decodeURIComponent(id.slice(0, slash)), docId: id.slice(slash + 1) };
  }

  async claimOutbox(batch: number, leaseMs: number): Promise<OutboxEntry[]> {
    if (!Number.isInteger(batch) || batch < 1) throw new StoreInputError('batch must be a positive integer');
    if (!Number.isFinite(leaseMs) || leaseMs < 1) throw new StoreInputError('leaseMs must be positive');
    const container = await this.ready();
    const want = Math.min(batch, 1000);
    const claimed: OutboxEntry[] = [];
    // Optimistic: several instances may read the same candidates; the If-Match replace decides who gets each one.
    // A claimer that loses races reads again (the lost entries now carry a future availableAt and drop out).
    for (let round = 0; round < 5 && claimed.length < want; round++) {
      const now = this.now();
      const candidates = await this.query<Doc>(
        `SELECT TOP ${Math.min(want * 4, 1000)} * FROM c WHERE c.type = 'outbox' AND c.availableAt <= @now ORDER BY c.seq`,
        [{ name: '@now', value: now }],
      );
      let lostRace = false;
      for (const doc of candidates) {
        if (claimed.length >= want) break;
        const leased = { ...doc, availableAt: now + leaseMs, attempts: Number(doc.attempts) + 1 };
        try {
          await container
            .item(doc.id, doc.conversationId)
            .replace(leased, doc._etag ? { accessCondition: { type: 'IfMatch', condition: doc._etag } } : {});
        } catch (error) {
          const status = statusOf(error);
          if (status === 412 || status === 404) {
            lostRace = true; // another instance claimed or acked it first
            continue;
          }
          throw error;
        }
        claimed.push({
          id: CosmosConversationStore.entryId(doc),
          seq: doc.logSeq === null || doc.logSeq === undefined ? null : Number(doc.logSeq),
          event: doc.event as ConversationEvent,
          attempts: leased.attempts,
          lastError: (doc.lastError as string | null) ?? null,
        });
      }
      if (!lostRace) break;
    }
    return claimed;
  }

  async ackOutbox(ids: string[]): Promise<void> {
    const container = await this.ready();
    for (const id of ids) {
      const parsed = CosmosConversationStore.parseEntryId(id);
      if (parsed === null) continue;
      try {
        await container.item(parsed.docId, parsed.conversationId).delete();
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    }
  }

  async failOutbox(ids: string[], error: string, retryInMs: number): Promise<void> {
    const container = await this.ready();
    for (const id of ids) {
      const parsed = CosmosConversationStore.parseEntryId(id);
      if (parsed === null) continue;
      const doc = await this.readDoc(container, parsed.docId, parsed.conversationId);
      if (doc === null) continue;
      await container.item(doc.id, doc.conversationId).replace({
        ...doc,
        availableAt: this.now() + Math.max(0, retryInMs),
        lastError: String(error).slice(0, 2000),
      });
    }
  }

  async outboxDepth(): Promise<number> {
    const [count] = await this.query<number>("SELECT VALUE COUNT(1) FROM c WHERE c.type = 'outbox'", []);
    return Number(count ?? 0);
  }

  // ---- lifecycle ----------------------------------------------------------------------------------------------

  async health(): Promise<StoreHealth> {
    const report = (detail: string | null): StoreHealth => ({
      status: detail === null ? 'ok' : 'degraded',
      backend: 'cosmos',
      detail,
      pendingWrites: this.queue.pending,
    });
    if (this.closed) return report('closed');
    try {
      const container = await this.ready();
      await container.read();
    } catch (error) {
      return report(`Cosmos DB unreachable: ${describe(error)}`);
    }
    if (this.queue.lastError !== null) return report(`writes retrying: ${describe(this.queue.lastError)}`);
    return report(null);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue.drain(2_000);
    this.closed = true;
    this.queue.close();
    await this.queue.drain(1_000);
  }
}
