/** Input checks and normalisation shared by every ConversationStore adapter, so all answer bad input the same way. */
import type {
  ConversationEvent,
  ConversationSummary,
  TranscriptionState,
  TranscriptSegment,
  TranscriptVersion,
} from '../events.js';
import { EVENT_SCHEMA_VERSION } from '../events.js';
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type ConversationEnd,
  type ConversationQuery,
  type EventQuery,
} from './conversation-store.js';
import { StoreInputError } from './store-errors.js';

const STATES = new Set(['active', 'ended', 'failed']);

/** ISO-8601 in UTC with milliseconds, so lexical order = time order. */
export function normalizeTime(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new StoreInputError(`${field} must be an ISO-8601 time`);
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw new StoreInputError(`${field} is not a valid time: ${value}`);
  return time.toISOString();
}

function requireId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 200)
    throw new StoreInputError(`${field} must be a non-empty string of at most 200 characters`);
  return value;
}

export function checkConversation(conversation: ConversationSummary): ConversationSummary {
  if (conversation === null || typeof conversation !== 'object')
    throw new StoreInputError('conversation must be an object');
  requireId(conversation.id, 'conversation.id');
  if (!STATES.has(conversation.state))
    throw new StoreInputError(
      `conversation.state must be active, ended or failed, not ${String(conversation.state)}`,
    );
  return {
    ...conversation,
    ani: conversation.ani ?? '',
    startedAt: normalizeTime(conversation.startedAt, 'conversation.startedAt'),
    endedAt:
      conversation.endedAt == null ? null : normalizeTime(conversation.endedAt, 'conversation.endedAt'),
    closeReason: conversation.closeReason ?? null,
    recording: conversation.recording ?? null,
  };
}

export function checkEnd(end: ConversationEnd): ConversationEnd {
  if (end === null || typeof end !== 'object') throw new StoreInputError('end must be an object');
  if (end.state !== 'ended' && end.state !== 'failed')
    throw new StoreInputError(`end.state must be ended or failed, not ${String(end.state)}`);
  return { ...end, endedAt: normalizeTime(end.endedAt, 'end.endedAt'), closeReason: end.closeReason ?? null };
}

export function checkSegment(conversationId: string, segment: TranscriptSegment): TranscriptSegment {
  requireId(conversationId, 'conversationId');
  if (segment === null || typeof segment !== 'object') throw new StoreInputError('segment must be an object');
  requireId(segment.id, 'segment.id');
  if (segment.isFinal !== true)
    throw new StoreInputError(
      'only final segments are stored; publish partials as partial_transcript events',
    );
  if (typeof segment.text !== 'string') throw new StoreInputError('segment.text must be a string');
  if (!Number.isFinite(segment.offset) || !Number.isFinite(segment.duration))
    throw new StoreInputError('segment.offset and segment.duration must be finite numbers');
  if (!Array.isArray(segment.words)) throw new StoreInputError('segment.words must be an array');
  return segment;
}

const TRANSCRIPTION_STATUSES = new Set(['live', 'pending', 'working', 'done', 'failed']);
const TRANSCRIPT_VERSIONS = new Set(['live', 'recovered', 'accurate']);

export function checkTranscriptionState(state: TranscriptionState): TranscriptionState {
  if (state === null || typeof state !== 'object')
    throw new StoreInputError('transcription state must be an object');
  if (!TRANSCRIPTION_STATUSES.has(state.status))
    throw new StoreInputError(`transcription.status must be live, pending, working, done or failed`);
  if (!TRANSCRIPT_VERSIONS.has(state.version))
    throw new StoreInputError(`transcription.version must be live, recovered or accurate`);
  return {
    status: state.status,
    reason: typeof state.reason === 'string' ? state.reason.slice(0, 500) : null,
    version: state.version,
    updatedAt: normalizeTime(state.updatedAt, 'transcription.updatedAt'),
  };
}

/** A post-call version: never 'live' (live segments come through appendSegment), final segments only. */
export function checkTranscriptVersion(
  conversationId: string,
  version: TranscriptVersion,
  segments: TranscriptSegment[],
): TranscriptSegment[] {
  if (version === 'live' || !TRANSCRIPT_VERSIONS.has(version))
    throw new StoreInputError('a stored transcript version must be recovered or accurate');
  if (!Array.isArray(segments)) throw new StoreInputError('segments must be an array');
  const checked = segments.map((segment) => checkSegment(conversationId, segment));
  if (new Set(checked.map((s) => s.id)).size !== checked.length)
    throw new StoreInputError('segment ids of a transcript version must be unique');
  return checked;
}

export function checkEvents(events: ConversationEvent[] | undefined): ConversationEvent[] {
  if (events === undefined) return [];
  if (!Array.isArray(events)) throw new StoreInputError('events must be an array');
  for (const event of events) {
    if (event === null || typeof event !== 'object') throw new StoreInputError('event must be an object');
    requireId(event.eventId, 'event.eventId');
    requireId(event.conversationId, 'event.conversationId');
    if (typeof event.type !== 'string' || event.type.length === 0)
      throw new StoreInputError('event.type must be a string');
    if (event.schemaVersion !== EVENT_SCHEMA_VERSION)
      throw new StoreInputError(`event.schemaVersion must be ${EVENT_SCHEMA_VERSION}`);
  }
  return events;
}

/**
 * partial_transcript events, and live call_metrics (superseded every few seconds; the latest are stored with the
 * call, the final ones are logged), are delivered through the outbox but not kept in the event log.
 */
export function isLogged(event: ConversationEvent): boolean {
  if (event.type === 'call_metrics') return event.data.status !== 'live';
  return event.type !== 'partial_transcript';
}

export function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isFinite(limit) || limit < 1) throw new StoreInputError('limit must be a positive number');
  return Math.min(Math.floor(limit), MAX_PAGE_SIZE);
}

export function eventLimit(query: EventQuery | undefined): number {
  const limit = query?.limit;
  if (limit === undefined) return 1000;
  if (!Number.isFinite(limit) || limit < 1) throw new StoreInputError('limit must be a positive number');
  return Math.min(Math.floor(limit), 5000);
}

export interface PageCursor {
  startedAt: string;
  id: string;
}

export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.startedAt, cursor.id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): PageCursor | null {
  if (cursor === undefined || cursor === '') return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'string')
      return { startedAt: normalizeTime(value[0], 'cursor'), id: value[1] };
  } catch {
    // fall through to the clear error below
  }
  throw new StoreInputError('cursor is not one this store issued');
}

/** Search terms: letters/digits runs, lower-cased; each must prefix-match a word somewhere in the transcript. */
export function searchTerms(text: string | undefined): string[] {
  if (text === undefined) return [];
  const terms = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(terms)].slice(0, 10);
}

export interface NormalizedQuery {
  state: ConversationQuery['state'] | undefined;
  from: string | undefined;
  to: string | undefined;
  ani: string | undefined;
  terms: string[];
  cursor: PageCursor | null;
  limit: number;
}

export function normalizeQuery(query: ConversationQuery | undefined): NormalizedQuery {
  const q = query ?? {};
  if (q.state !== undefined && !STATES.has(q.state))
    throw new StoreInputError(`state must be active, ended or failed, not ${String(q.state)}`);
  return {
    state: q.state,
    from: q.from === undefined ? undefined : normalizeTime(q.from, 'from'),
    to: q.to === undefined ? undefined : normalizeTime(q.to, 'to'),
    ani: q.ani === undefined || q.ani === '' ? undefined : q.ani,
    terms: searchTerms(q.text),
    cursor: decodeCursor(q.cursor),
    limit: pageSize(q.limit),
  };
}
