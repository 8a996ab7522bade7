/**
 * The audit log port: who did what to which conversation, when, from where. Append-only: entries are added in
 * batches (the server's AuditRecorder queues them off the request path) and listed newest first; no method updates
 * one, and the SQLite and PostgreSQL schemas refuse UPDATE outright. Removing expired entries is the retention
 * sweep's business, not this port's.
 */
import { StoreInputError } from './store-errors.js';
import { decodeCursor, encodeCursor, normalizeTime } from './store-input.js';

export interface AuditEntry {
  /** unique id (UUID) fixed by the recorder, so a retried batch cannot store an entry twice */
  id: string;
  /** ISO-8601 time of the request */
  at: string;
  /** who: the token's label, the OIDC subject, … */
  subject: string;
  role: string;
  /** how the caller authenticated: token, session, jwt, anonymous */
  authMethod: string;
  /** list, read, play, export, delete, erase, hold, pause (packages/server/src/api/route-access.ts) */
  action: string;
  /** the conversation acted on; null for actions on many (list) */
  conversationId: string | null;
  /** the caller's address as the server sees it (the proxy's client address when trustProxy is configured) */
  address: string;
  /** the route pattern, e.g. GET /api/conversations/:id/recording */
  route: string;
}

export interface AuditQuery {
  conversationId?: string;
  subject?: string;
  action?: string;
  /** ISO-8601, inclusive lower bound on `at` */
  from?: string;
  /** ISO-8601, exclusive upper bound on `at` */
  to?: string;
  /** opaque cursor from a previous page's nextCursor */
  cursor?: string;
  /** default 50, capped at 200 */
  limit?: number;
}

/** Newest first (at desc, id desc); nextCursor is null on the last page. */
export interface AuditPage {
  items: AuditEntry[];
  nextCursor: string | null;
}

export interface AuditLog {
  /** Appends entries (idempotent by id); queued and retried like every other write while the backend is away. */
  appendAudit(entries: AuditEntry[]): Promise<void>;
  listAudit(query?: AuditQuery): Promise<AuditPage>;
}

const MAX_FIELD = 512;

function text(value: unknown, field: string, nullable = false): string | null {
  if (nullable && (value === null || value === undefined)) return null;
  if (typeof value !== 'string' || value.length === 0)
    throw new StoreInputError(`audit entry ${field} must be a non-empty string`);
  return value.slice(0, MAX_FIELD);
}

export function checkAuditEntry(entry: AuditEntry): AuditEntry {
  if (entry === null || typeof entry !== 'object') throw new StoreInputError('audit entry must be an object');
  return {
    id: text(entry.id, 'id')!,
    at: normalizeTime(entry.at, 'at'),
    subject: text(entry.subject, 'subject')!,
    role: text(entry.role, 'role')!,
    authMethod: text(entry.authMethod, 'authMethod')!,
    action: text(entry.action, 'action')!,
    conversationId: text(entry.conversationId, 'conversationId', true),
    address: text(entry.address, 'address')!,
    route: text(entry.route, 'route')!,
  };
}

export interface NormalizedAuditQuery {
  conversationId?: string;
  subject?: string;
  action?: string;
  from?: string;
  to?: string;
  cursor: { at: string; id: string } | null;
  limit: number;
}

export function normalizeAuditQuery(query: AuditQuery | undefined): NormalizedAuditQuery {
  const q = query ?? {};
  const limit = q.limit ?? 50;
  if (!Number.isFinite(limit) || limit < 1) throw new StoreInputError('limit must be a positive number');
  const cursor = decodeCursor(q.cursor);
  return {
    ...(q.conversationId ? { conversationId: q.conversationId } : {}),
    ...(q.subject ? { subject: q.subject } : {}),
    ...(q.action ? { action: q.action } : {}),
    ...(q.from ? { from: normalizeTime(q.from, 'from') } : {}),
    ...(q.to ? { to: normalizeTime(q.to, 'to') } : {}),
    cursor: cursor === null ? null : { at: cursor.startedAt, id: cursor.id },
    limit: Math.min(Math.floor(limit), 200),
  };
}

/** The page of `limit` entries out of `limit + 1` rows read, with the cursor to the next page. */
export function auditPage(rows: AuditEntry[], limit: number): AuditPage {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor:
      rows.length > limit && last !== undefined ? encodeCursor({ startedAt: last.at, id: last.id }) : null,
  };
}
