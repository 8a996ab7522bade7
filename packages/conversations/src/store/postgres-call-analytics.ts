/**
 * The call-analytics part of PostgresConversationStore: metrics rows (filter keys copied from the conversation in
 * the same statement), assist facts and the dashboard's aggregates (index-only scans over call_analytics).
 */
import type pg from 'pg';
import {
  assistFactsOf,
  dashboardFromAggregates,
  type CallAnalyticsPage,
  type CallDashboard,
} from '../analytics/call-analytics.js';
import type { CallMetrics } from '../analytics/call-metrics.js';
import type { AssistResult, ConversationSummary } from '../events.js';
import type { NormalizedAnalyticsQuery } from './call-analytics-input.js';
import { StoreNotFoundError } from './store-errors.js';
import { encodeCursor, type PageCursor } from './store-input.js';

type Row = Record<string, unknown>;
type Query = (sql: string, params?: unknown[]) => Promise<Row[]>;

export async function saveCallMetricsRow(
  client: pg.PoolClient,
  conversationId: string,
  metrics: CallMetrics,
): Promise<void> {
  const result = await client.query(
    `INSERT INTO call_analytics (conversation_id, started_at, state, endpoint, dnis, duration_seconds,
       customer_talk_seconds, agent_talk_seconds, body, customer_sentiment, intent)
     SELECT c.id, c.started_at, c.state, c.body->>'endpoint', coalesce(c.body->>'dnis', ''), $2, $3, $4, $5,
       (SELECT value FROM assist_facts WHERE conversation_id = $1 AND kind = 'sentiment' AND key = 'customer'),
       (SELECT value FROM assist_facts WHERE conversation_id = $1 AND kind = 'intent' AND key = 'intent')
     FROM conversations c WHERE c.id = $1
     ON CONFLICT (conversation_id) DO UPDATE SET started_at = excluded.started_at, state = excluded.state,
       endpoint = excluded.endpoint, dnis = excluded.dnis, duration_seconds = excluded.duration_seconds,
       customer_talk_seconds = excluded.customer_talk_seconds, agent_talk_seconds = excluded.agent_talk_seconds,
       body = excluded.body, customer_sentiment = excluded.customer_sentiment, intent = excluded.intent`,
    [
      conversationId,
      metrics.durationSeconds,
      metrics.talkSeconds.customer,
      metrics.talkSeconds.agent,
      JSON.stringify(metrics),
    ],
  );
  if (result.rowCount === 0) throw new StoreNotFoundError(`conversation ${conversationId} not found`);
}

export async function insertAssistFacts(
  client: pg.PoolClient,
  conversationId: string,
  result: AssistResult,
): Promise<void> {
  const facts = assistFactsOf(result);
  if (facts.length === 0) return;
  await client.query(
    `INSERT INTO assist_facts (conversation_id, kind, key, value, started_at, endpoint, dnis)
     SELECT c.id, f.kind, f.key, f.value, c.started_at, c.body->>'endpoint', coalesce(c.body->>'dnis', '')
     FROM unnest($2::text[], $3::text[], $4::text[]) AS f (kind, key, value) JOIN conversations c ON c.id = $1
     ON CONFLICT (conversation_id, kind, key) DO UPDATE SET value = excluded.value`,
    [conversationId, facts.map((f) => f.kind), facts.map((f) => f.key), facts.map((f) => f.value)],
  );
  const latest = (kind: string) => facts.find((fact) => fact.kind === kind)?.value ?? null;
  if (latest('sentiment') !== null || latest('intent') !== null)
    await client.query(
      `UPDATE call_analytics SET customer_sentiment = coalesce($2, customer_sentiment), intent = coalesce($3, intent)
       WHERE conversation_id = $1`,
      [conversationId, latest('sentiment'), latest('intent')],
    );
}

export async function readCallMetrics(query: Query, conversationId: string): Promise<CallMetrics | null> {
  const [row] = await query('SELECT body FROM call_analytics WHERE conversation_id = $1', [conversationId]);
  return row === undefined ? null : (row.body as CallMetrics);
}

function whereOf(q: NormalizedAnalyticsQuery, params: unknown[], alias = 'a'): string[] {
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const where: string[] = [];
  if (q.from !== undefined) where.push(`${alias}.started_at >= ${param(q.from)}`);
  if (q.to !== undefined) where.push(`${alias}.started_at < ${param(q.to)}`);
  if (q.dnis !== undefined) where.push(`${alias}.dnis = ${param(q.dnis)}`);
  if (q.endpoint !== undefined) where.push(`${alias}.endpoint = ${param(q.endpoint)}`);
  return where;
}

const whereSql = (where: string[]) => (where.length > 0 ? `WHERE ${where.join(' AND ')}` : '');

export async function listCallAnalyticsRows(
  query: Query,
  q: NormalizedAnalyticsQuery,
  page: { cursor: PageCursor | null; limit: number },
): Promise<CallAnalyticsPage> {
  const params: unknown[] = [];
  const where = whereOf(q, params);
  if (page.cursor !== null) {
    params.push(page.cursor.startedAt, page.cursor.id);
    where.push(`(a.started_at, a.conversation_id) < ($${params.length - 1}::timestamptz, $${params.length})`);
  }
  params.push(page.limit + 1);
  const rows = await query(
    `SELECT c.body AS conversation, a.body AS metrics FROM call_analytics a
     JOIN conversations c ON c.id = a.conversation_id ${whereSql(where)}
     ORDER BY a.started_at DESC, a.conversation_id DESC LIMIT $${params.length}`,
    params,
  );
  const items = rows.slice(0, page.limit).map((row) => ({
    conversation: row.conversation as ConversationSummary,
    metrics: row.metrics as CallMetrics,
  }));
  const last = items[items.length - 1];
  return {
    items,
    nextCursor:
      rows.length > page.limit && last !== undefined
        ? encodeCursor({ startedAt: last.conversation.startedAt, id: last.conversation.id })
        : null,
  };
}

export async function callDashboardOf(query: Query, q: NormalizedAnalyticsQuery): Promise<CallDashboard> {
  const params: unknown[] = [];
  const where = whereSql(whereOf(q, params));
  const [totals] = await query(
    `SELECT count(*)::int AS calls,
       count(*) FILTER (WHERE a.state <> 'active')::int AS ended,
       coalesce(sum(a.duration_seconds) FILTER (WHERE a.state <> 'active'), 0) AS handle,
       coalesce(sum(a.agent_talk_seconds), 0) AS agent, coalesce(sum(a.customer_talk_seconds), 0) AS customer
     FROM call_analytics a ${where}`,
    params,
  );
  const hours = await query(
    `SELECT to_char(date_trunc('hour', a.started_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24') AS hour,
       count(*)::int AS calls
     FROM call_analytics a ${where} GROUP BY 1 ORDER BY 1`,
    params,
  );
  // sentiment and intent from the covering index; alerts (several per call) through the facts table
  const perCall = await query(
    `SELECT 'sentiment' AS kind, a.customer_sentiment AS value, count(*)::int AS n FROM call_analytics a ${where}
     GROUP BY a.customer_sentiment`,
    params,
  );
  const intents = await query(
    `SELECT 'intent' AS kind, a.intent AS value, count(*)::int AS n FROM call_analytics a ${where} GROUP BY a.intent`,
    params,
  );
  const alertParams: unknown[] = [];
  const alertWhere = ["f.kind = 'alert'", ...whereOf(q, alertParams, 'f')].join(' AND ');
  const alerts = await query(
    `SELECT 'alert' AS kind, f.value, count(*)::int AS n FROM assist_facts f WHERE ${alertWhere} GROUP BY f.value`,
    alertParams,
  );
  const facts = [...perCall, ...intents, ...alerts].filter((row) => row.value !== null);
  return dashboardFromAggregates(
    {
      calls: Number(totals?.calls ?? 0),
      ended: Number(totals?.ended ?? 0),
      handle: Number(totals?.handle ?? 0),
      agent: Number(totals?.agent ?? 0),
      customer: Number(totals?.customer ?? 0),
    },
    hours.map((row) => ({ hour: `${String(row.hour)}:00:00.000Z`, calls: Number(row.calls) })),
    facts.map((row) => ({ kind: String(row.kind), value: String(row.value), count: Number(row.n) })),
  );
}
