/**
 * Conversation events: the versioned JSON schema published on the EventBus, stored in the outbox, served on the live
 * API and consumed by the assist worker. Names keep the seed's: session_started, partial_transcript,
 * transcript_available, recording_available, session_ended; assist adds assist_update, call analytics call_metrics.
 * Bump `schemaVersion` on any incompatible change and document it in docs/events.md.
 */

import type { CallMetrics } from './analytics/call-metrics.js';

export const EVENT_SCHEMA_VERSION = 1 as const;

export type Role = 'customer' | 'agent';

export interface TranscriptWord {
  text: string;
  /** seconds on the stream timeline */
  offset: number;
  duration: number;
  confidence: number;
  /** the word was replaced by a redaction marker */
  redacted?: boolean;
}

export interface TranscriptSegment {
  /** utterance id (UUID), stable from partial to final */
  id: string;
  channel: number;
  role: Role;
  text: string;
  words: TranscriptWord[];
  /** seconds on the stream timeline */
  offset: number;
  duration: number;
  confidence: number;
  isFinal: boolean;
  language: string;
  engine: string;
}

export interface ConversationSummary {
  /** hookscribe conversation id = AudioHook session id */
  id: string;
  conversationId: string;
  organizationId: string;
  correlationId: string;
  endpoint: 'monitor' | 'transcription';
  ani: string;
  aniName: string;
  dnis: string;
  participantId: string;
  media: { format: string; channels: string[]; rate: number } | null;
  language: string | null;
  startedAt: string;
  endedAt: string | null;
  state: 'active' | 'ended' | 'failed';
  closeReason: string | null;
  recording: string | null;
  /** how the call is transcribed (absent: stored before transcript states existed, or transcription is off) */
  transcription?: TranscriptionState;
}

/**
 * Which stored transcript `transcript` is: 'live' (as the call ran), 'recovered' (from the recording, replacing a
 * missing or incomplete live one), 'accurate' (the slower second pass, HOOKSCRIBE_STT_POSTCALL=all).
 */
export type TranscriptVersion = 'live' | 'recovered' | 'accurate';

export interface TranscriptionState {
  /**
   * live: decoded as the call ran and complete so far; pending: the live transcript is missing or incomplete and a
   * post-call job waits; working: being transcribed from the recording; done: `version` came from the recording;
   * failed: post-call transcription gave up (reason says why)
   */
  status: 'live' | 'pending' | 'working' | 'done' | 'failed';
  /** why the live transcript is missing or incomplete; null when it is complete */
  reason: string | null;
  /** the version `transcript` holds */
  version: TranscriptVersion;
  /** ISO-8601 */
  updatedAt: string;
}

export interface AssistResult {
  summary?: {
    issue: string;
    customerNeed: string;
    actions: string[];
    text: string;
    /** id of the call reason recognised so far (e.g. `billing`), when there is one */
    intent?: string;
  };
  sentiment?: {
    segmentId: string;
    role: Role;
    score: number;
    label: 'negative' | 'neutral' | 'positive';
    trend: number;
  };
  suggestions?: { id: string; title: string; excerpt: string; source: string; score: number }[];
  alerts?: {
    id: string;
    rule: string;
    severity: 'info' | 'warning' | 'critical';
    text: string;
    segmentId: string;
  }[];
  finalSummary?: { text: string; nextSteps: string[] };
  mode: 'local' | 'llm';
}

interface EventBase<T extends string, D> {
  schemaVersion: typeof EVENT_SCHEMA_VERSION;
  /** unique event id (UUID) — consumers dedupe on it (delivery is at-least-once) */
  eventId: string;
  type: T;
  /** hookscribe conversation id */
  conversationId: string;
  /** ISO-8601 wall-clock time the event was produced */
  time: string;
  data: D;
}

export type ConversationEvent =
  | EventBase<'session_started', ConversationSummary>
  | EventBase<'partial_transcript', TranscriptSegment>
  | EventBase<'transcript_available', TranscriptSegment>
  | EventBase<'recording_available', { uri: string; bytes: number; durationSeconds: number }>
  | EventBase<'session_ended', ConversationSummary>
  | EventBase<'assist_update', AssistResult>
  /** post-call transcription stored a new transcript version; `segments` is all of it */
  | EventBase<
      'transcript_replaced',
      { version: Exclude<TranscriptVersion, 'live'>; reason: string | null; segments: TranscriptSegment[] }
    >
  | EventBase<'call_metrics', CallMetrics>;

export type ConversationEventType = ConversationEvent['type'];
