/**
 * Conversation events: the versioned JSON schema published on the EventBus, stored in the outbox, served on the live
 * API and consumed by the assist worker. Names keep the seed's: session_started, partial_transcript,
 * transcript_available, recording_available, session_ended; assist adds assist_update, call analytics call_metrics;
 * secure pause and retention add stream_paused, stream_resumed, recording_redacted, data_deleted.
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
  /** on legal hold: exempt from the retention sweep and from erasure (present only while held) */
  legalHold?: boolean;
  /** the stored recording had spans silenced after the call (PCI); present once it was done */
  recordingRedaction?: RecordingRedaction;
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

/** A span of the stored recording that was silenced or toned over (seconds on the stream timeline). */
export interface RedactedAudioSpan {
  start: number;
  end: number;
  /** why it was silenced: words the transcript redaction masked */
  reason: 'redaction';
}

/** What the post-call audio redaction did to a recording (reported on the conversation and in the sidecar). */
export interface RecordingRedaction {
  /** ISO-8601 */
  at: string;
  method: 'silence' | 'tone';
  /** seconds added before and after each masked word */
  marginSeconds: number;
  spans: RedactedAudioSpan[];
}

/** What a retention sweep, a deletion request or an erasure removed (never any of the removed data itself). */
export interface DataDeletion {
  /** 'conversation': everything of it is gone; otherwise only that kind of data */
  scope: 'conversation' | 'recording' | 'transcripts' | 'assist';
  /** retention: the sweep; request: DELETE /api/conversations/:id; erasure: a data-subject request by ANI */
  reason: 'retention' | 'request' | 'erasure';
}

/** The stream stopped (AudioHook `paused`): server-initiated (a secure pause among them) or by the client. */
export interface StreamPause {
  /** seconds on the stream timeline where the pause began */
  offset: number;
  initiator: 'server' | 'client';
  /** a secure pause requested through the API (card capture): the audio never reaches hookscribe */
  secure: boolean;
}

/**
 * A command, not a fact: ask whichever instance holds the call's WebSocket to pause or resume its stream (secure
 * pause, scaled out). Internal: never stored, never sent to webhooks or live-API clients.
 */
export interface SecurePauseRequest {
  action: 'pause' | 'resume';
}

/** Event types that carry commands between instances; consumers outside hookscribe never see them. */
export const INTERNAL_EVENT_TYPES: ReadonlySet<string> = new Set(['secure_pause_requested']);

/** The stream flows again (AudioHook `resumed`). */
export interface StreamResume {
  /** seconds on the stream timeline where the pause began */
  offset: number;
  /** seconds of audio not sent during the pause */
  discarded: number;
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
  | EventBase<'stream_paused', StreamPause>
  | EventBase<'stream_resumed', StreamResume>
  | EventBase<'recording_redacted', RecordingRedaction>
  | EventBase<'data_deleted', DataDeletion>
  | EventBase<'secure_pause_requested', SecurePauseRequest>
  /** post-call transcription stored a new transcript version; `segments` is all of it */
  | EventBase<
      'transcript_replaced',
      { version: Exclude<TranscriptVersion, 'live'>; reason: string | null; segments: TranscriptSegment[] }
    >
  | EventBase<'call_metrics', CallMetrics>;

export type ConversationEventType = ConversationEvent['type'];
