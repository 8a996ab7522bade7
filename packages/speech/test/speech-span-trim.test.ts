import { describe, expect, it } from 'vitest';
import type { RecognitionResult, RecognizedWord } from '../src/engine.js';
import { trimToSpeech, type SpeechSpanTrim } from '../src/pipeline/speech-span-trim.js';

const word = (
  text: string,
  startSample: number,
  durationSamples: number,
  confidence = 0.8,
): RecognizedWord => ({
  text,
  startSample,
  durationSamples,
  confidence,
});

function final(words: RecognizedWord[], raw?: RecognitionResult['raw']): RecognitionResult {
  return {
    utteranceId: 'u1',
    isFinal: true,
    text: words.map((w) => w.text).join(' '),
    words,
    startSample: 0,
    durationSamples: 8000,
    confidence: 0.8,
    language: 'en-US',
    engine: 'test',
    ...(raw ? { raw } : {}),
  };
}

/** speech heard from sample 1000 to `speechEnd`; words after it beyond `after`, doubtful ones 400 before its start */
const span = (speechEnd: number, after: number): SpeechSpanTrim => ({
  speechStart: 1000,
  speechEnd,
  afterSamples: after,
  beforeSamples: 400,
  beforeMaxConfidence: 0.25,
});
const trimAfterSpeech = (result: RecognitionResult, speechEnd: number, after: number) =>
  trimToSpeech(result, span(speechEnd, after));

describe('trimToSpeech: words in the padding around the speech the VAD heard', () => {
  const words = [word('pound', 1000, 1600, 0.9), word('key', 2600, 1200, 0.9), word('and', 4400, 400, 1)];

  it.each([
    // speech end, margin → kept text (middles: pound 1800, key 3200, and 4600)
    [5000, 400, 'pound key and'],
    [4200, 400, 'pound key and'],
    [4000, 400, 'pound key'],
    [3000, 400, 'pound key'],
    [2500, 400, 'pound'],
  ])('speech ending at %i, margin %i: %s', (speechEnd, margin, text) => {
    const trimmed = trimAfterSpeech(final(words), speechEnd, margin);
    expect(trimmed?.text).toBe(text);
    expect(trimmed?.words.map((w) => w.text).join(' ')).toBe(text);
  });

  it('returns the same result when nothing is cut, and null when nothing is left', () => {
    const result = final(words);
    expect(trimAfterSpeech(result, 8000, 400)).toBe(result);
    expect(trimAfterSpeech(result, 0, 400)).toBeNull();
  });

  it('recomputes the confidence from the words kept', () => {
    expect(trimAfterSpeech(final(words), 4000, 0)?.confidence).toBeCloseTo(0.9);
  });

  it.each([
    // leading word's middle and confidence → kept text; the speech was first heard at 1000, margin 400
    [600, 0.1, 'the pound key'],
    [700, 0.1, 'the pound key'],
    [500, 0.3, 'the pound key'],
    [500, 0.25, 'the pound key'],
    [500, 0.1, 'pound key'],
  ])('a leading word centred at %i with confidence %f: %s', (middle, confidence, text) => {
    const leading = word('the', middle - 100, 200, confidence);
    const result = final([leading, word('pound', 1000, 1600, 0.9), word('key', 2600, 1200, 0.9)]);
    expect(trimToSpeech(result, span(5000, 400))?.text).toBe(text);
  });

  /** a final whose words a phrase hint rewrote: `sources[i]` = [from, to) of `rawWords` behind `words[i]` */
  const hintedFinal = (words: RecognizedWord[], rawWords: RecognizedWord[], sources: [number, number][]) =>
    final(words, {
      text: rawWords.map((w) => w.text).join(' '),
      words: rawWords,
      sources: sources.map(([from, to]) => ({ from, to })),
    });

  it('cuts the recogniser’s own words to what the kept words stand for', () => {
    // a phrase hint joined "pound key" from "pound" + "kee"; the decoder's "and" sits in the music
    const rawWords = [word('pound', 1000, 1600), word('kee', 2600, 1200), word('and', 4400, 400)];
    const hinted = [word('pound key', 1000, 2800), word('and', 4400, 400)];
    const result = hintedFinal(hinted, rawWords, [
      [0, 2],
      [2, 3],
    ]);
    const trimmed = trimAfterSpeech(result, 4000, 0)!;
    expect(trimmed.text).toBe('pound key');
    expect(trimmed.raw).toEqual({
      text: 'pound kee',
      words: rawWords.slice(0, 2),
      sources: [{ from: 0, to: 2 }],
    });
  });

  it('cuts a doubtful leading word from the recogniser’s own words too, renumbering the sources', () => {
    const rawWords = [word('a', 100, 200, 0.1), word('pound', 1000, 1600), word('kee', 2600, 1200)];
    const hinted = [word('a', 100, 200, 0.1), word('pound key', 1000, 2800)];
    const result = hintedFinal(hinted, rawWords, [
      [0, 1],
      [1, 3],
    ]);
    const trimmed = trimToSpeech(result, span(5000, 400))!;
    expect(trimmed.text).toBe('pound key');
    expect(trimmed.raw).toEqual({
      text: 'pound kee',
      words: rawWords.slice(1),
      sources: [{ from: 0, to: 2 }],
    });
  });
});
