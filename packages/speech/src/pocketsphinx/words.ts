import type { RecognizedWord } from '../engine.js';
import type { DecodedSegment } from './decoder-protocol.js';

/** <s>, </s>, <sil>, [NOISE], ++BREATH++ … are not words. */
export function isFiller(word: string): boolean {
  return /^<.*>$/.test(word) || /^\[.*\]$/.test(word) || /^\+\+.*\+\+$/.test(word) || word === '';
}

/** `word(2)` → `word` (alternative pronunciation marker) */
export function baseWord(word: string): string {
  return word.replace(/\(\d+\)$/, '');
}

/** pocketsphinx frames are 10 ms */
export const FRAMES_PER_SECOND = 100;

/**
 * Decoder segments → words on the caller's timeline: frame f of an utterance that started at `utteranceStart`
 * (samples at `sampleRate`) begins at utteranceStart + f·sampleRate/100.
 */
export function segmentsToWords(
  segments: DecodedSegment[],
  utteranceStart: number,
  sampleRate: number,
): RecognizedWord[] {
  const perFrame = sampleRate / FRAMES_PER_SECOND;
  const words: RecognizedWord[] = [];
  for (const seg of segments) {
    if (isFiller(seg.word)) continue;
    words.push({
      text: baseWord(seg.word),
      startSample: utteranceStart + seg.startFrame * perFrame,
      durationSamples: (seg.endFrame - seg.startFrame + 1) * perFrame,
      confidence: Number.isFinite(seg.posterior) ? Math.min(1, Math.max(0, seg.posterior)) : 0,
    });
  }
  return words;
}
