/**
 * Which word is being spoken at a playback position: the player highlights it. Words carry offsets on the stream
 * timeline, which is the recording's timeline (the recording starts at stream position 0).
 */
import type { TranscriptSegment } from '../api/types.js';

export interface WordRef {
  segmentId: string;
  index: number;
}

/** Flattened, time-sorted words of a transcript, for repeated look-ups during playback. */
export interface WordTimeline {
  starts: number[];
  ends: number[];
  refs: WordRef[];
}

export function buildWordTimeline(segments: readonly TranscriptSegment[]): WordTimeline {
  const entries: { start: number; end: number; ref: WordRef }[] = [];
  for (const segment of segments) {
    segment.words.forEach((word, index) => {
      entries.push({
        start: word.offset,
        end: word.offset + word.duration,
        ref: { segmentId: segment.id, index },
      });
    });
  }
  entries.sort((a, b) => a.start - b.start);
  return {
    starts: entries.map((e) => e.start),
    ends: entries.map((e) => e.end),
    refs: entries.map((e) => e.ref),
  };
}

/**
 * The word whose span [offset, offset + duration) contains `time`, or null between words. When both sides speak
 * at once, the word that started last wins (it is the one the listener just heard begin).
 */
export function wordAtTime(timeline: WordTimeline, time: number): WordRef | null {
  // binary search: last word starting at or before `time`
  let lo = 0;
  let hi = timeline.starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (timeline.starts[mid]! <= time) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  // overlapping speech: walk back to the latest-starting word that still covers `time`
  for (let i = found; i >= 0 && i > found - 8; i--) {
    if (time < timeline.ends[i]!) return timeline.refs[i]!;
  }
  return null;
}
