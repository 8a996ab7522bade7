/** Input checks for the call-analytics part of the ConversationStore port, shared by every adapter. */
import type { CallAnalyticsQuery } from '../analytics/call-analytics.js';
import type { CallMetrics } from '../analytics/call-metrics.js';
import { StoreInputError } from './store-errors.js';
import { decodeCursor, normalizeTime, type PageCursor } from './store-input.js';

/** Export pages may be larger than conversation-list pages: a CSV of a day's calls is read in a few queries. */
export const MAX_ANALYTICS_PAGE_SIZE = 1000;

export interface CallAnalyticsListQuery extends CallAnalyticsQuery {
  cursor?: string;
  /** default 200, capped at MAX_ANALYTICS_PAGE_SIZE */
  limit?: number;
}

export interface NormalizedAnalyticsQuery {
  from: string | undefined;
  to: string | undefined;
  dnis: string | undefined;
  endpoint: CallAnalyticsQuery['endpoint'] | undefined;
}

export function normalizeAnalyticsQuery(query: CallAnalyticsQuery | undefined): NormalizedAnalyticsQuery {
  const q = query ?? {};
  if (q.endpoint !== undefined && q.endpoint !== 'monitor' && q.endpoint !== 'transcription')
    throw new StoreInputError(`endpoint must be monitor or transcription, not ${String(q.endpoint)}`);
  return {
    from: q.from === undefined ? undefined : normalizeTime(q.from, 'from'),
    to: q.to === undefined ? undefined : normalizeTime(q.to, 'to'),
    dnis: q.dnis === undefined || q.dnis === '' ? undefined : q.dnis,
    endpoint: q.endpoint,
  };
}

export function normalizeAnalyticsPage(query: CallAnalyticsListQuery | undefined): {
  cursor: PageCursor | null;
  limit: number;
} {
  const limit = query?.limit;
  if (limit !== undefined && (!Number.isFinite(limit) || limit < 1))
    throw new StoreInputError('limit must be a positive number');
  return {
    cursor: decodeCursor(query?.cursor),
    limit: limit === undefined ? 200 : Math.min(Math.floor(limit), MAX_ANALYTICS_PAGE_SIZE),
  };
}

export function checkMetrics(metrics: CallMetrics): CallMetrics {
  if (metrics === null || typeof metrics !== 'object') throw new StoreInputError('metrics must be an object');
  if (metrics.status !== 'live' && metrics.status !== 'final')
    throw new StoreInputError('metrics.status must be live or final');
  const numbers = [metrics.durationSeconds, metrics.talkSeconds?.customer, metrics.talkSeconds?.agent];
  if (!numbers.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0))
    throw new StoreInputError('metrics.durationSeconds and metrics.talkSeconds must be non-negative numbers');
  return metrics;
}
