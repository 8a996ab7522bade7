/**
 * The call-analytics part of CosmosConversationStore, as two documents in the conversation's partition:
 *  - `analytics`: the metrics with the filter keys and a copy of the conversation summary (for exports);
 *  - `facts`: the assist facts the dashboard counts, merged on every assist write.
 * Cosmos DB cannot group across partitions in one query the adapter can rely on, so the dashboard reads the
 * filtered documents and aggregates them with dashboardOf (the same arithmetic the SQL adapters use).
 */
import type { JSONObject, OperationInput } from '@azure/cosmos';
import { assistFactsOf, type AssistFact } from '../analytics/call-analytics.js';
import type { CallMetrics } from '../analytics/call-metrics.js';
import type { AssistResult, ConversationSummary } from '../events.js';

export const ANALYTICS_DOC_ID = 'analytics';
export const FACTS_DOC_ID = 'facts';

export interface AnalyticsDoc {
  id: typeof ANALYTICS_DOC_ID;
  conversationId: string;
  type: 'analytics';
  startedAt: string;
  state: ConversationSummary['state'];
  endpoint: ConversationSummary['endpoint'];
  dnis: string;
  summary: ConversationSummary;
  metrics: CallMetrics;
}

/** Carries the filter keys too, so the dashboard queries facts with the same filter as the analytics rows. */
export interface FactsDoc {
  id: typeof FACTS_DOC_ID;
  conversationId: string;
  type: 'facts';
  startedAt: string;
  endpoint: ConversationSummary['endpoint'];
  dnis: string;
  facts: AssistFact[];
}

export function analyticsUpsert(summary: ConversationSummary, metrics: CallMetrics): OperationInput {
  const doc: AnalyticsDoc = {
    id: ANALYTICS_DOC_ID,
    conversationId: summary.id,
    type: 'analytics',
    startedAt: summary.startedAt,
    state: summary.state,
    endpoint: summary.endpoint,
    dnis: summary.dnis ?? '',
    summary,
    metrics,
  };
  return { operationType: 'Upsert', resourceBody: doc as unknown as JSONObject };
}

/** The facts document with this result's facts merged in; null when the result carries none. */
export function factsUpsert(
  summary: ConversationSummary,
  current: FactsDoc | null,
  result: AssistResult,
): OperationInput | null {
  const incoming = assistFactsOf(result);
  if (incoming.length === 0) return null;
  const merged = new Map<string, AssistFact>();
  for (const fact of [...(current?.facts ?? []), ...incoming])
    merged.set(`${fact.kind}\u0000${fact.key}`, fact);
  const doc: FactsDoc = {
    id: FACTS_DOC_ID,
    conversationId: summary.id,
    type: 'facts',
    startedAt: summary.startedAt,
    endpoint: summary.endpoint,
    dnis: summary.dnis ?? '',
    facts: [...merged.values()],
  };
  return {
    operationType: 'Upsert',
    resourceBody: doc as unknown as JSONObject,
  };
}
