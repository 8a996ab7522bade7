/**
 * What the store keeps for analytics beside a conversation, and the dashboard's query and answer. A call's
 * analytics row carries the filter keys (start, queue = DNIS, endpoint) with its metrics; assist facts are the
 * few things of an assist result the dashboard counts (closing customer sentiment, intent, alert rules).
 */
import type { AssistResult, ConversationSummary } from '../events.js';
import type { CallMetrics } from './call-metrics.js';

export interface CallAnalyticsQuery {
  /** ISO-8601, inclusive lower bound on startedAt */
  from?: string;
  /** ISO-8601, exclusive upper bound on startedAt */
  to?: string;
  /** queue: exact match on the dialled number */
  dnis?: string;
  endpoint?: ConversationSummary['endpoint'];
}

/** One call with its metrics, as the CSV export lists them (newest first). */
export interface CallAnalyticsRow {
  conversation: ConversationSummary;
  metrics: CallMetrics;
}

export interface CallAnalyticsPage {
  items: CallAnalyticsRow[];
  nextCursor: string | null;
}

export type SentimentLabel = 'negative' | 'neutral' | 'positive';

export interface CallDashboard {
  /** calls with metrics that match the filter */
  calls: number;
  /** per UTC hour of startedAt (`YYYY-MM-DDTHH:00:00.000Z`), oldest first; hours without calls omitted */
  callsPerHour: { hour: string; calls: number }[];
  /** mean stream duration of ended calls; null when none ended */
  averageHandleSeconds: number | null;
  /** total agent talk ÷ total talk of both roles; null without talk */
  agentTalkShare: number | null;
  /** calls by the customer's latest sentiment; calls without one are `unscored` */
  sentiment: Record<SentimentLabel | 'unscored', number>;
  /** alert rules by how many alerts they raised, most first (top 10) */
  topAlerts: { rule: string; count: number }[];
  /** intents by how many calls had them, most first (top 10) */
  topIntents: { intent: string; count: number }[];
}

export const DASHBOARD_TOP_N = 10;

/** A fact the dashboard counts: (kind, key) is unique per conversation, so a repeated snapshot replaces its fact. */
export interface AssistFact {
  kind: 'sentiment' | 'intent' | 'alert';
  key: string;
  value: string;
}

/**
 * Facts of one assist result. Assist results are cumulative snapshots (every alert so far), so alerts are keyed by
 * alert id; sentiment keeps only the customer's latest label, intent the latest one.
 */
export function assistFactsOf(result: AssistResult): AssistFact[] {
  const facts: AssistFact[] = [];
  if (result.sentiment?.role === 'customer')
    facts.push({ kind: 'sentiment', key: 'customer', value: result.sentiment.label });
  const intent = result.summary?.intent;
  if (typeof intent === 'string' && intent.length > 0)
    facts.push({ kind: 'intent', key: 'intent', value: intent });
  for (const alert of result.alerts ?? []) facts.push({ kind: 'alert', key: alert.id, value: alert.rule });
  return facts;
}

/** UTC hour bucket of an ISO-8601 time, as stored and answered. */
export function hourOf(startedAt: string): string {
  return `${startedAt.slice(0, 13)}:00:00.000Z`;
}

export interface DashboardTotals {
  calls: number;
  /** calls no longer active, and the sum of their durations */
  ended: number;
  handle: number;
  /** talk seconds summed over the calls */
  agent: number;
  customer: number;
}

/** Fact counts: alerts count alerts, sentiment and intent count calls (one fact per call). */
export interface FactCount {
  kind: string;
  value: string;
  count: number;
}

/** The dashboard from aggregates the database computed (every adapter ends here). */
export function dashboardFromAggregates(
  totals: DashboardTotals,
  callsPerHour: { hour: string; calls: number }[],
  facts: FactCount[],
): CallDashboard {
  const sentiment: CallDashboard['sentiment'] = { negative: 0, neutral: 0, positive: 0, unscored: 0 };
  for (const fact of facts)
    if (fact.kind === 'sentiment' && fact.value in sentiment)
      sentiment[fact.value as SentimentLabel] += fact.count;
  sentiment.unscored = Math.max(
    0,
    totals.calls - sentiment.negative - sentiment.neutral - sentiment.positive,
  );
  const top = (kind: string) =>
    facts
      .filter((fact) => fact.kind === kind)
      .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value))
      .slice(0, DASHBOARD_TOP_N);
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return {
    calls: totals.calls,
    callsPerHour,
    averageHandleSeconds: totals.ended > 0 ? round(totals.handle / totals.ended) : null,
    agentTalkShare:
      totals.agent + totals.customer > 0 ? round(totals.agent / (totals.agent + totals.customer)) : null,
    sentiment,
    topAlerts: top('alert').map((fact) => ({ rule: fact.value, count: fact.count })),
    topIntents: top('intent').map((fact) => ({ intent: fact.value, count: fact.count })),
  };
}

export interface DashboardInputRow {
  startedAt: string;
  state: ConversationSummary['state'];
  metrics: Pick<CallMetrics, 'durationSeconds' | 'talkSeconds'>;
}

/** The same aggregates in memory, for adapters whose database cannot group (Cosmos DB queries here). */
export function dashboardOf(rows: readonly DashboardInputRow[], facts: readonly AssistFact[]): CallDashboard {
  const totals: DashboardTotals = { calls: rows.length, ended: 0, handle: 0, agent: 0, customer: 0 };
  const perHour = new Map<string, number>();
  for (const row of rows) {
    const hour = hourOf(row.startedAt);
    perHour.set(hour, (perHour.get(hour) ?? 0) + 1);
    if (row.state !== 'active') {
      totals.ended++;
      totals.handle += row.metrics.durationSeconds;
    }
    totals.agent += row.metrics.talkSeconds.agent;
    totals.customer += row.metrics.talkSeconds.customer;
  }
  const counts = new Map<string, FactCount>();
  for (const fact of facts) {
    const key = `${fact.kind}\u0000${fact.value}`;
    const entry = counts.get(key) ?? { kind: fact.kind, value: fact.value, count: 0 };
    entry.count++;
    counts.set(key, entry);
  }
  return dashboardFromAggregates(
    totals,
    [...perHour].sort((a, b) => a[0].localeCompare(b[0])).map(([hour, calls]) => ({ hour, calls })),
    [...counts.values()],
  );
}
