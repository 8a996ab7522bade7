import type { ConversationEvent, ConversationSummary, TranscriptSegment } from '@hookscribe/conversations';

/** the schema version under test (a literal: importing the value would load every store and SDK into each test) */
const EVENT_SCHEMA_VERSION = 1 as const;

let n = 0;
const base = (conversationId: string) => ({
  schemaVersion: EVENT_SCHEMA_VERSION,
  eventId: `evt-${++n}`,
  conversationId,
  time: '2026-01-01T00:00:00.000Z',
});

export function summaryOf(id: string): ConversationSummary {
  return {
    id,
    conversationId: id,
    organizationId: 'org',
    correlationId: 'corr',
    endpoint: 'transcription',
    ani: '',
    aniName: '',
    dnis: '',
    participantId: 'p',
    media: null,
    language: 'en-US',
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: null,
    state: 'active',
    closeReason: null,
    recording: null,
  };
}

export const started = (id: string): ConversationEvent => ({
  ...base(id),
  type: 'session_started',
  data: summaryOf(id),
});
export const ended = (id: string): ConversationEvent => ({
  ...base(id),
  type: 'session_ended',
  data: { ...summaryOf(id), state: 'ended' },
});
export const final = (id: string, segment: TranscriptSegment): ConversationEvent => ({
  ...base(id),
  type: 'transcript_available',
  data: segment,
});
export const partial = (id: string, segment: TranscriptSegment): ConversationEvent => ({
  ...base(id),
  type: 'partial_transcript',
  data: { ...segment, isFinal: false },
});

export function segment(
  id: string,
  role: 'customer' | 'agent',
  text: string,
  offset: number,
  language = 'en-US',
): TranscriptSegment {
  return {
    id,
    channel: role === 'customer' ? 0 : 1,
    role,
    text,
    words: [],
    offset,
    duration: 2,
    confidence: 0.9,
    isFinal: true,
    language,
    engine: 'test',
  };
}
