/**
 * The recording holds exactly the audio received, so the stream timeline's paused and discarded spans are not in
 * it: after a pause, recording time runs behind stream time (which transcripts, words and metrics use). These map
 * one onto the other with the call's gaps (CallMetrics.timeline.gaps).
 */
import type { StreamGap } from '../api/types.js';

const ordered = (gaps: readonly StreamGap[]) => [...gaps].sort((a, b) => a.start - b.start);

/** Stream position of a playback position. */
export function streamTimeOf(recordingSeconds: number, gaps: readonly StreamGap[]): number {
  let stream = recordingSeconds;
  for (const gap of ordered(gaps)) {
    if (gap.start > stream) break;
    stream += gap.duration;
  }
  return stream;
}

/** Playback position of a stream position; a position inside a gap maps to where the audio resumes. */
export function recordingTimeOf(streamSeconds: number, gaps: readonly StreamGap[]): number {
  let removed = 0;
  for (const gap of ordered(gaps)) {
    if (gap.start >= streamSeconds) break;
    removed += Math.min(gap.duration, streamSeconds - gap.start);
  }
  return Math.max(0, streamSeconds - removed);
}
