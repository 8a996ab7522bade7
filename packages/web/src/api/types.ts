/**
 * The API's wire types. Type-only re-export of the event schema (packages/conversations/src/events.ts, no runtime
 * code), so the UI and the server cannot drift apart; plus the REST shapes of the conversation API (docs/api.md).
 */
export type {
  AssistResult,
  ConversationEvent,
  ConversationSummary,
  Role,
  TranscriptSegment,
  TranscriptWord,
} from '../../../conversations/src/events.js';
export type { CallMetrics, StreamGap } from '../../../conversations/src/analytics/call-metrics.js';
export type { CallDashboard } from '../../../conversations/src/analytics/call-analytics.js';
import type {
  AssistResult,
  ConversationSummary,
  TranscriptSegment,
} from '../../../conversations/src/events.js';

export interface ConversationDetail extends ConversationSummary {
  transcript: TranscriptSegment[];
  assist: { at: string; result: AssistResult }[];
}

export interface ConversationPage {
  items: ConversationSummary[];
  nextCursor: string | null;
}

export interface ConversationFilter {
  state?: 'active' | 'ended' | 'failed';
  q?: string;
  ani?: string;
  /** ISO-8601 */
  from?: string;
  /** ISO-8601 */
  to?: string;
  cursor?: string;
  limit?: number;
}

/** Dashboard and CSV filters (GET /api/analytics/…) */
export interface AnalyticsFilter {
  /** ISO-8601 */
  from?: string;
  /** ISO-8601 */
  to?: string;
  /** queue: the dialled number */
  dnis?: string;
  endpoint?: 'monitor' | 'transcription';
}

export type TranscriptFormat = 'text' | 'json' | 'srt' | 'vtt';

/** One audit log entry (GET /api/audit). */
export interface AuditEntry {
  id: string;
  at: string;
  subject: string;
  role: string;
  authMethod: string;
  action: string;
  conversationId: string | null;
  address: string;
  route: string;
}

export interface AuditPage {
  items: AuditEntry[];
  nextCursor: string | null;
}

export interface AuditFilter {
  conversationId?: string;
  subject?: string;
  action?: string;
  /** ISO-8601 */
  from?: string;
  /** ISO-8601 */
  to?: string;
  cursor?: string;
  limit?: number;
}
