/**
 * Maps what the call pipeline sees (CallInfo from the session hub, TranscriptEvents from the speech pipeline) onto
 * the stored conversation model. Pure.
 */
import type { ConversationSummary, TranscriptSegment } from '@hookscribe/conversations';
import type { TranscriptEvent } from '@hookscribe/speech';
import type { CallInfo } from '../session-events.js';

export function conversationSummaryOf(call: CallInfo): ConversationSummary {
  return {
    id: call.sessionId,
    conversationId: call.conversationId,
    organizationId: call.organizationId,
    correlationId: call.correlationId,
    endpoint: call.profile,
    ani: call.participant.ani,
    aniName: call.participant.aniName,
    dnis: call.participant.dnis,
    participantId: call.participant.id,
    media: call.media
      ? { format: call.media.format, channels: [...call.media.channels], rate: call.media.rate }
      : null,
    language: call.language,
    startedAt: call.openedAt,
    endedAt: null,
    state: 'active',
    closeReason: null,
    recording: null,
  };
}

export function transcriptSegmentOf(event: TranscriptEvent): TranscriptSegment {
  return {
    id: event.utteranceId,
    channel: event.channel,
    role: event.role,
    text: event.text,
    words: event.words.map((word) => ({
      text: word.text,
      offset: word.offsetSeconds,
      duration: word.durationSeconds,
      confidence: word.confidence,
    })),
    offset: event.offsetSeconds,
    duration: event.durationSeconds,
    confidence: event.confidence,
    isFinal: event.type === 'final',
    language: event.language,
    engine: event.engine,
  };
}
