/**
 * The call-analytics part of SqliteConversationStore: metrics rows, assist facts and the dashboard's aggregates.
 * Runs inside the adapter's transactions and reads (the adapter passes its database handle).
 */
import type Database from 'better-sqlite3';
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

export function saveCallMetricsRow(
  db: Database.Database,
  conversationId: string,
  metrics: CallMetrics,
): void {
  const row = db.prepare('SELECT body FROM conversations WHERE id = ?').get(conversationId) as
    Row | undefined;
  if (row === undefined) throw new StoreNotFoundError(`conversation ${conversationId} not found`);
  const summary = JSON.parse(String(row.body)) as ConversationSummary;
  db.prepare(
    `INSERT INTO call_analytics (conversation_id, started_at, state, endpoint, dnis, duration_seconds,
       customer_talk_seconds, agent_talk_seconds, body, customer_sentiment, intent)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,
       (SELECT value FROM assist_facts WHERE conversation_id = ? AND kind = 'sentiment' AND key = 'customer'),
       (SELECT value FROM assist_facts WHERE conversation_id = ? AND kind = 'intent' AND key = 'intent'))
     ON CONFLICT (conversation_id) DO UPDATE SET started_at = excluded.started_at, state = excluded.state,
       endpoint = excluded.endpoint, dnis = excluded.dnis, duration_seconds = excluded.duration_seconds,
       customer_talk_seconds = excluded.customer_talk_seconds, agent_talk_seconds = excluded.agent_talk_seconds,
       body = excluded.body, customer_sentiment = excluded.customer_sentiment, intent = excluded.intent`,
  ).run(
    conversationId,
    summary.startedAt,
    summary.state,
    summary.endpoint,
    summary.dnis ?? '',
    metrics.durationSeconds,
    metrics.talkSeconds.customer,
    metrics.talkSeconds.agent,
    JSON.stringify(metrics),
    conversationId,
    conversationId,
  );
}

export function insertAssistFacts(db: Database.Database, conversationId: string, result: AssistResult): void {
  const upsert = db.prepare(
    `INSERT INTO assist_facts (conversation_id, kind, key, value, started_at, endpoint, dnis)
     SELECT id, ?, ?, ?, started_at, json_extract(body, '$.endpoint'), coalesce(json_extract(body, '$.dnis'), '')
     FROM conversations WHERE id = ?
     ON CONFLICT (conversation_id, kind, key) DO UPDATE SET value = excluded.value`,
  );
  const facts = assistFactsOf(result);
  for (const fact of facts) upsert.run(fact.kind, fact.key, fact.value, conversationId);
  const latest = (kind: string) => facts.find((fact) => fact.kind === kind)?.value ?? null;
  if (latest('sentiment') !== null || latest('intent') !== null)
    db.prepare(
      `UPDATE call_analytics SET customer_sentiment = coalesce(?, customer_sentiment), intent = coalesce(?, intent)
       WHERE conversation_id = ?`,
    ).run(latest('sentiment'), latest('intent'), conversationId);
}

export function readCallMetrics(db: Database.Database, conversationId: string): CallMetrics | null {
  const row = db.prepare('SELECT body FROM call_analytics WHERE conversation_id = ?').get(conversationId) as
    Row | undefined;
  return row === undefined ? null : (JSON.parse(String(row.body)) as CallMetrics);
}

function whereOf(q: NormalizedAnalyticsQuery, alias = 'a'): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  // always bounded below: without any condition SQLite scans the table (row bodies and all) instead of the
  // covering index on started_at; '' sorts before every ISO time
  where.push(`${alias}.started_at >= ?`);
  params.push(q.from ?? '');
  if (q.to !== undefined) {
    where.push(`${alias}.started_at < ?`);
    params.push(q.to);
  }
  if (q.dnis !== undefined) {
    where.push(`${alias}.dnis = ?`);
    params.push(q.dnis);
  }
  if (q.endpoint !== undefined) {
    where.push(`${alias}.endpoint = ?`);
    params.push(q.endpoint);
  }
  return { sql: where.length > 0 ? `WHERE ${where.join(' AND ')}` : '', params };
}

export function listCallAnalyticsRows(
  db: Database.Database,
  q: NormalizedAnalyticsQuery,
  page: { cursor: PageCursor | null; limit: number },
): CallAnalyticsPage {
  const { sql, params } = whereOf(q);
  const clauses = sql === '' ? [] : [sql.slice('WHERE '.length)];
  if (page.cursor !== null) {
    clauses.push('(a.started_at < ? OR (a.started_at = ? AND a.conversation_id < ?))');
    params.push(page.cursor.startedAt, page.cursor.startedAt, page.cursor.id);
  }
  const rows = db
    .prepare(
      `SELECT c.body AS conversation, a.body AS metrics FROM call_analytics a
       JOIN conversations c ON c.id = a.conversation_id
       ${clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : ''}
       ORDER BY a.started_at DESC, a.conversation_id DESC LIMIT ?`,
    )
    .all(...params, page.limit + 1) as Row[];
  const items = rows.slice(0, page.limit).map((row) => ({
    conversation: JSON.parse(String(row.conversation)) as ConversationSummary,
    metrics: JSON.parse(String(row.metrics)) as CallMetrics,
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

export function callDashboardOf(db: Database.Database, q: NormalizedAnalyticsQuery): CallDashboard {
  const { sql, params } = whereOf(q);
  const totals = db
    .prepare(
      `SELECT count(*) AS calls,
         sum(CASE WHEN a.state <> 'active' THEN 1 ELSE 0 END) AS ended,
         sum(CASE WHEN a.state <> 'active' THEN a.duration_seconds ELSE 0 END) AS handle,
         sum(a.agent_talk_seconds) AS agent, sum(a.customer_talk_seconds) AS customer
       FROM call_analytics a ${sql}`,
    )
    .get(...params) as Row;
  const hours = db
    .prepare(
      `SELECT substr(a.started_at, 1, 13) AS hour, count(*) AS calls FROM call_analytics a ${sql}
       GROUP BY hour ORDER BY hour`,
    )
    .all(...params) as Row[];
  // sentiment and intent from the covering index; alerts (several per call) through the facts table
  const perCall = db
    .prepare(
      `SELECT 'sentiment' AS kind, a.customer_sentiment AS value, count(*) AS n FROM call_analytics a ${sql}
       GROUP BY a.customer_sentiment`,
    )
    .all(...params) as Row[];
  const intents = db
    .prepare(
      `SELECT 'intent' AS kind, a.intent AS value, count(*) AS n FROM call_analytics a ${sql} GROUP BY a.intent`,
    )
    .all(...params) as Row[];
  const alertFilter = whereOf(q, 'f');
  const alerts = db
    .prepare(
      `SELECT 'alert' AS kind, f.value AS value, count(*) AS n FROM assist_facts f
       WHERE f.kind = 'alert' ${alertFilter.sql.replace(/^WHERE/, 'AND')} GROUP BY f.value`,
    )
    .all(...alertFilter.params) as Row[];
  const facts = [...perCall, ...intents, ...alerts].filter((row) => row.value !== null);
  return dashboardFromAggregates(
    {
      calls: Number(totals.calls ?? 0),
      ended: Number(totals.ended ?? 0),
      handle: Number(totals.handle ?? 0),
      agent: Number(totals.agent ?? 0),
      customer: Number(totals.customer ?? 0),
    },
    hours.map((row) => ({ hour: `${String(row.hour)}:00:00.000Z`, calls: Number(row.calls) })),
    facts.map((row) => ({ kind: String(row.kind), value: String(row.value), count: Number(row.n) })),
  );
}
