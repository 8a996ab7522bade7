/**
 * Caption cues from final segments: one cue per stretch of a segment that fits two 42-character lines, cut at word
 * boundaries with the words' own timings, labelled with the speaker's role. SRT and WebVTT render the same cues.
 */
import type { Role, TranscriptSegment } from '../events.js';

export interface CaptionCue {
  /** seconds on the stream timeline */
  start: number;
  end: number;
  speaker: string;
  text: string;
}

/** Broadcast caption practice: two lines of at most 42 characters. */
export const CAPTION_MAX_CHARACTERS = 84;

export const SPEAKER_LABELS: Record<Role, string> = { customer: 'Customer', agent: 'Agent' };

export function captionCuesOf(segments: readonly TranscriptSegment[]): CaptionCue[] {
  const cues: CaptionCue[] = [];
  const ordered = [...segments]
    .filter((s) => s.isFinal)
    .sort((a, b) => a.offset - b.offset || a.channel - b.channel);
  for (const segment of ordered) {
    const speaker = SPEAKER_LABELS[segment.role] ?? `Channel ${segment.channel}`;
    const segmentEnd = segment.offset + segment.duration;
    if (segment.words.length === 0) {
      if (segment.text.trim() !== '')
        cues.push({ start: segment.offset, end: segmentEnd, speaker, text: segment.text.trim() });
      continue;
    }
    let words: typeof segment.words = [];
    const flush = (last: boolean) => {
      if (words.length === 0) return;
      const lastWord = words[words.length - 1]!;
      cues.push({
        start: words[0]!.offset,
        end: last
          ? Math.max(segmentEnd, lastWord.offset + lastWord.duration)
          : lastWord.offset + lastWord.duration,
        speaker,
        text: words.map((w) => w.text).join(' '),
      });
      words = [];
    };
    for (const word of segment.words) {
      const length = [...words, word].map((w) => w.text).join(' ').length;
      if (words.length > 0 && length > CAPTION_MAX_CHARACTERS) flush(false);
      words.push(word);
    }
    flush(true);
  }
  return cues;
}

/** `HH:MM:SS<separator>mmm` */
export function captionTime(seconds: number, separator: ',' | '.'): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}${separator}${pad(ms % 1000, 3)}`;
}

/** SubRip: numbered cues, comma before milliseconds, the speaker as a "Customer:" prefix (SRT has no voice tag). */
export function srtOf(segments: readonly TranscriptSegment[]): string {
  return captionCuesOf(segments)
    .map(
      (cue, index) =>
        `${index + 1}\n${captionTime(cue.start, ',')} --> ${captionTime(cue.end, ',')}\n${cue.speaker}: ${cue.text}\n`,
    )
    .join('\n');
}

const escapeVtt = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** WebVTT: the speaker as a voice span (`<v Customer>`), which players show and style per speaker. */
export function webVttOf(segments: readonly TranscriptSegment[]): string {
  const cues = captionCuesOf(segments).map(
    (cue) =>
      `${captionTime(cue.start, '.')} --> ${captionTime(cue.end, '.')}\n<v ${escapeVtt(cue.speaker)}>${escapeVtt(cue.text)}</v>\n`,
  );
  return ['WEBVTT\n', ...cues].join('\n');
}
