/**
 * Pause spans of a call on the stream timeline, from its stream_paused / stream_resumed events: shown in the lanes
 * (live and past calls) and on the recording, which holds no audio for them (the WAV is only what was received), so
 * playback positions and word offsets are converted through them.
 */
import type { ConversationEvent } from '../api/types.js';

export interface PauseSpan {
  /** seconds on the stream timeline */
  start: number;
  /** null while the pause lasts */
  end: number | null;
  secure: boolean;
}

/** Apply one event to the spans (other event types leave them as they are). */
export function applyPauseEvent(spans: readonly PauseSpan[], event: ConversationEvent): PauseSpan[] {
  if (event.type === 'stream_paused') {
    // already known (the event log and the live stream can both carry it) or a pause is still open
    if (spans.some((span) => span.end === null || span.start === event.data.offset)) return [...spans];
    return [...spans, { start: event.data.offset, end: null, secure: event.data.secure }];
  }
  if (event.type === 'stream_resumed') {
    const end = event.data.offset + event.data.discarded;
    if (spans.some((span) => span.start === event.data.offset && span.end === end)) return [...spans];
    const open = spans.findIndex((span) => span.end === null);
    if (open < 0) return [...spans, { start: event.data.offset, end, secure: false }];
    return spans.map((span, index) => (index === open ? { ...span, start: event.data.offset, end } : span));
  }
  return [...spans];
}

export function pauseSpansOf(events: readonly ConversationEvent[]): PauseSpan[] {
  return events.reduce<PauseSpan[]>(applyPauseEvent, []);
}

/** Recording (file) seconds → stream seconds: every closed pause before the position is added back. */
export function streamTimeOf(fileSeconds: number, spans: readonly PauseSpan[]): number {
  let stream = fileSeconds;
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    if (span.end === null || span.start > stream) break;
    stream += span.end - span.start;
  }
  return stream;
}

/** Stream seconds → recording seconds (a position inside a pause maps to where the recording resumes). */
export function fileTimeOf(streamSeconds: number, spans: readonly PauseSpan[]): number {
  let missing = 0;
  for (const span of spans) {
    if (span.end === null || span.start >= streamSeconds) continue;
    missing += Math.min(span.end, streamSeconds) - span.start;
  }
  return streamSeconds - missing;
}

/** Where each closed pause sits in the recording (file seconds) and how much audio it lacks there. */
export function recordingGaps(
  spans: readonly PauseSpan[],
): { at: number; seconds: number; secure: boolean }[] {
  return spans
    .filter((span): span is PauseSpan & { end: number } => span.end !== null)
    .map((span) => ({
      at: fileTimeOf(span.start, spans),
      seconds: span.end - span.start,
      secure: span.secure,
    }));
}
