/** Calls with their metrics as CSV (RFC 4180 via csv-stringify): one row per call, one column per metric. */
import { stringify } from 'csv-stringify/sync';
import type { CallAnalyticsRow } from '../analytics/call-analytics.js';

const COLUMNS: { header: string; value: (row: CallAnalyticsRow) => string | number | null }[] = [
  { header: 'id', value: (r) => r.conversation.id },
  { header: 'genesys_conversation_id', value: (r) => r.conversation.conversationId },
  { header: 'started_at', value: (r) => r.conversation.startedAt },
  { header: 'ended_at', value: (r) => r.conversation.endedAt },
  { header: 'state', value: (r) => r.conversation.state },
  { header: 'endpoint', value: (r) => r.conversation.endpoint },
  { header: 'ani', value: (r) => r.conversation.ani },
  { header: 'dnis', value: (r) => r.conversation.dnis },
  { header: 'language', value: (r) => r.conversation.language },
  { header: 'metrics_status', value: (r) => r.metrics.status },
  { header: 'duration_s', value: (r) => r.metrics.durationSeconds },
  { header: 'customer_talk_s', value: (r) => r.metrics.talkSeconds.customer },
  { header: 'agent_talk_s', value: (r) => r.metrics.talkSeconds.agent },
  { header: 'agent_talk_share', value: (r) => r.metrics.agentTalkShare },
  { header: 'silence_s', value: (r) => r.metrics.silenceSeconds },
  { header: 'overtalk_s', value: (r) => r.metrics.overtalkSeconds },
  { header: 'customer_interruptions', value: (r) => r.metrics.interruptions.customer },
  { header: 'agent_interruptions', value: (r) => r.metrics.interruptions.agent },
  { header: 'customer_longest_monologue_s', value: (r) => r.metrics.longestMonologueSeconds.customer },
  { header: 'agent_longest_monologue_s', value: (r) => r.metrics.longestMonologueSeconds.agent },
  { header: 'paused_s', value: (r) => r.metrics.pausedSeconds },
  { header: 'discarded_s', value: (r) => r.metrics.discardedSeconds },
  { header: 'customer_wpm', value: (r) => r.metrics.wordsPerMinute.customer },
  { header: 'agent_wpm', value: (r) => r.metrics.wordsPerMinute.agent },
  { header: 'time_to_first_agent_word_s', value: (r) => r.metrics.timeToFirstAgentWordSeconds },
];

/** A value a spreadsheet would run as a formula (=, +, -, @) is prefixed with ' (OWASP CSV injection). */
function inert(value: string | number | null): string | number {
  if (value === null) return '';
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(value)) return `'${value}`;
  return value;
}

export function callsCsvHeader(): string {
  return stringify([COLUMNS.map((c) => c.header)]);
}

/** Rows only (no header), so a long export can be streamed page by page. */
export function callsCsvRows(rows: readonly CallAnalyticsRow[]): string {
  return rows.length === 0 ? '' : stringify(rows.map((row) => COLUMNS.map((c) => inert(c.value(row)))));
}
