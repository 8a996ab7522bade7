/**
 * A conversation's transcript as a file: plain text (one line per utterance, with time and speaker), JSON (the
 * conversation, its segments and metrics as stored), SubRip or WebVTT captions. Pure; the API serves them.
 */
import type { CallMetrics } from '../analytics/call-metrics.js';
import type { ConversationDetail } from '../store/conversation-store.js';
import { SPEAKER_LABELS, captionTime, srtOf, webVttOf } from './caption-cues.js';

export const TRANSCRIPT_FORMATS = ['text', 'json', 'srt', 'vtt'] as const;
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

export interface TranscriptFile {
  contentType: string;
  extension: string;
  body: string;
}

function plainText(conversation: ConversationDetail): string {
  const header = [
    `Conversation ${conversation.conversationId} (hookscribe ${conversation.id})`,
    `Started ${conversation.startedAt}${conversation.endedAt ? `, ended ${conversation.endedAt}` : ''}`,
    `From ${conversation.ani || 'unknown'} to ${conversation.dnis || 'unknown'}, ${conversation.endpoint} endpoint`,
    '',
  ];
  const lines = [...conversation.transcript]
    .sort((a, b) => a.offset - b.offset || a.channel - b.channel)
    .map(
      (segment) =>
        `[${captionTime(segment.offset, '.').slice(0, 8)}] ${SPEAKER_LABELS[segment.role] ?? `Channel ${segment.channel}`}: ${segment.text}`,
    );
  return `${[...header, ...lines].join('\n')}\n`;
}

export function transcriptFileOf(
  conversation: ConversationDetail,
  metrics: CallMetrics | null,
  format: TranscriptFormat,
): TranscriptFile {
  switch (format) {
    case 'text':
      return { contentType: 'text/plain; charset=utf-8', extension: 'txt', body: plainText(conversation) };
    case 'json':
      return {
        contentType: 'application/json; charset=utf-8',
        extension: 'json',
        body: `${JSON.stringify({ ...conversation, metrics }, null, 2)}\n`,
      };
    case 'srt':
      return {
        contentType: 'application/x-subrip; charset=utf-8',
        extension: 'srt',
        body: srtOf(conversation.transcript),
      };
    case 'vtt':
      return {
        contentType: 'text/vtt; charset=utf-8',
        extension: 'vtt',
        body: webVttOf(conversation.transcript),
      };
  }
}
