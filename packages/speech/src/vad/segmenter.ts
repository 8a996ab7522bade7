/**
 * Utterance boundaries from per-frame speech probabilities, for engines that do not endpoint themselves.
 * Pure and synchronous: the caller classifies frames (VoiceActivityDetector) and passes probability + position.
 *
 * - An utterance starts after `minSpeechMs` of consecutive speech frames; its start is back-dated to the first of
 *   them minus `paddingMs` (never before the previous boundary).
 * - It ends after `trailingSilenceMs` of non-speech (default 200 ms), at the last speech frame's end plus padding.
 * - Hysteresis: a frame is speech above `threshold`, and inside an utterance it stays speech down to `negThreshold`
 *   (default threshold − 0.3: measured best for the energy VAD in noise, docs/speech.md; Silero prefers − 0.15).
 * - `maxUtteranceMs` splits run-on speech so engine buffers and single results stay bounded.
 */

export interface SegmenterOptions {
  trailingSilenceMs?: number;
  minSpeechMs?: number;
  paddingMs?: number;
  threshold?: number;
  negThreshold?: number;
  maxUtteranceMs?: number;
  sampleRate?: number;
}

export type SegmentEndReason = 'silence' | 'max-length' | 'forced' | 'gap';

export type SegmenterEvent =
  | { type: 'start'; sample: number }
  | {
      type: 'end';
      sample: number;
      reason: SegmentEndReason;
      /** the utterance's start (its 'start' event's sample) */
      start: number;
      /** start of the utterance's first speech frame (after the padding) */
      speechStart: number;
      /**
       * end of the utterance's last frame at or above the start threshold (before the hangover and padding);
       * `sample` when not ended by silence
       */
      speechEnd: number;
    };

export const DEFAULT_TRAILING_SILENCE_MS = 200;

export class Segmenter {
  readonly trailingSilenceSamples: number;
  private readonly minSpeechSamples: number;
  private readonly paddingSamples: number;
  private readonly threshold: number;
  private readonly negThreshold: number;
  private readonly maxUtteranceSamples: number;

  private inUtterance = false;
  private utteranceStart = 0;
  /** first speech frame of the utterance in progress */
  private speechStart = 0;
  private candidateStart = -1;
  private lastSpeechEnd = 0;
  /**
   * end of the last frame at or above `threshold`: the speech span's end. Frames down to `negThreshold` only keep
   * the utterance open; Silero stays there for 0.1–0.2 s into the music a prompt runs into
   */
  private lastConfidentEnd = 0;
  /** earliest sample a new utterance may start at (end of the previous one, or a gap) */
  private boundary = 0;
  /** position after the last frame seen */
  private position = 0;

  constructor(options: SegmenterOptions = {}) {
    const perMs = (options.sampleRate ?? 8000) / 1000;
    this.trailingSilenceSamples = Math.round(
      (options.trailingSilenceMs ?? DEFAULT_TRAILING_SILENCE_MS) * perMs,
    );
    this.minSpeechSamples = Math.round((options.minSpeechMs ?? 90) * perMs);
    this.paddingSamples = Math.round((options.paddingMs ?? 100) * perMs);
    this.threshold = options.threshold ?? 0.5;
    this.negThreshold = options.negThreshold ?? Math.max(0.01, this.threshold - 0.3);
    this.maxUtteranceSamples = Math.round((options.maxUtteranceMs ?? 30_000) * perMs);
  }

  /** how far before the current frame an utterance's start can lie: what a caller must keep to feed all of it */
  get lookBackSamples(): number {
    return this.paddingSamples + this.minSpeechSamples;
  }

  get speaking(): boolean {
    return this.inUtterance;
  }

  /** start of the utterance in progress, or of the pending speech candidate, or null */
  get pendingStart(): number | null {
    if (this.inUtterance) return this.utteranceStart;
    if (this.candidateStart >= 0) return Math.max(this.boundary, this.candidateStart - this.paddingSamples);
    return null;
  }

  /** Classify one frame `[start, start + length)`. A jump forward (pause/discard) ends the utterance at the gap. */
  push(start: number, length: number, probability: number): SegmenterEvent[] {
    const events: SegmenterEvent[] = [];
    if (start > this.position) {
      const ended = this.forceEnd(this.position, 'gap');
      if (ended) events.push(ended);
      this.candidateStart = -1;
      this.boundary = start;
    }
    const end = start + length;
    this.position = end;
    if (this.inUtterance) {
      if (probability >= this.negThreshold) this.lastSpeechEnd = end;
      if (probability >= this.threshold) this.lastConfidentEnd = end;
      if (end - this.lastSpeechEnd >= this.trailingSilenceSamples) {
        events.push(this.endAt(Math.min(end, this.lastSpeechEnd + this.paddingSamples), 'silence'));
      } else if (end - this.utteranceStart >= this.maxUtteranceSamples) {
        events.push(this.endAt(end, 'max-length'));
      }
      return events;
    }
    if (probability >= this.threshold) {
      if (this.candidateStart < 0) this.candidateStart = start;
      if (end - this.candidateStart >= this.minSpeechSamples) {
        this.inUtterance = true;
        this.utteranceStart = Math.max(this.boundary, this.candidateStart - this.paddingSamples);
        this.speechStart = this.candidateStart;
        this.lastSpeechEnd = end;
        this.lastConfidentEnd = end;
        this.candidateStart = -1;
        events.push({ type: 'start', sample: this.utteranceStart });
      }
    } else {
      this.candidateStart = -1;
    }
    return events;
  }

  /** End the utterance in progress now (pause, language update, close). Null when silent: nothing to split. */
  forceEnd(atSample: number = this.position, reason: SegmentEndReason = 'forced'): SegmenterEvent | null {
    this.candidateStart = -1;
    if (!this.inUtterance) return null;
    return this.endAt(Math.max(this.utteranceStart, atSample), reason);
  }

  private endAt(sample: number, reason: SegmentEndReason): SegmenterEvent {
    this.inUtterance = false;
    this.boundary = sample;
    // ended by length or from outside, the speech may go on to the end
    const speechEnd = reason === 'silence' ? this.lastConfidentEnd : sample;
    return {
      type: 'end',
      sample,
      reason,
      start: this.utteranceStart,
      speechStart: this.speechStart,
      speechEnd,
    };
  }
}
