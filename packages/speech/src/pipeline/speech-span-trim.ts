import type { RecognitionResult, RecognizedWord } from '../engine.js';

/** Where a segmented utterance's speech was heard, and how far outside it a final's words may lie. */
export interface SpeechSpanTrim {
  /** first and last speech frame of the utterance (stream samples) */
  speechStart: number;
  speechEnd: number;
  /** a word whose middle lies further than this after the speech end is dropped */
  afterSamples: number;
  /**
   * a leading word whose middle lies further than this before the speech start is dropped when its confidence is
   * below `beforeMaxConfidence` (real first words sit there too: the VAD often hears a soft onset late)
   */
  beforeSamples: number;
  beforeMaxConfidence: number;
}

/**
 * The words of a segmented utterance that the VAD heard: an utterance is decoded with padding around its speech
 * (the engine needs the onset and the tail), and in that padding a decoder finds words in whatever is there, such
 * as the music a prompt runs into ("…followed by the pound key" + "and") or comes out of. After the speech, words
 * beyond the margin go; before it, only doubtful ones, since a soft onset is often heard 150–250 ms late: as early
 * as music words sit. Null when no word is left.
 *
 * Word middles increase along an utterance, so what goes is a run at the front and one at the end; the
 * recogniser's own words (`raw`, when a phrase hint rewrote them) are cut to what the kept words stand for.
 */
export function trimToSpeech(result: RecognitionResult, trim: SpeechSpanTrim): RecognitionResult | null {
  const middle = (w: RecognizedWord) => w.startSample + w.durationSamples / 2;
  let to = result.words.length;
  while (to > 0 && middle(result.words[to - 1]!) > trim.speechEnd + trim.afterSamples) to--;
  let from = 0;
  while (
    from < to &&
    middle(result.words[from]!) < trim.speechStart - trim.beforeSamples &&
    result.words[from]!.confidence < trim.beforeMaxConfidence
  ) {
    from++;
  }
  if (from === 0 && to === result.words.length) return result;
  if (from === to) return null;
  const words = result.words.slice(from, to);
  const trimmed: RecognitionResult = {
    ...result,
    words,
    text: words.map((w) => w.text).join(' '),
    confidence: words.reduce((s, w) => s + w.confidence, 0) / words.length,
  };
  if (result.raw) {
    const sources = result.raw.sources.slice(from, to);
    const rawFrom = sources[0]!.from;
    const rawWords = result.raw.words.slice(rawFrom, sources[sources.length - 1]!.to);
    trimmed.raw = {
      text: rawWords.map((w) => w.text).join(' '),
      words: rawWords,
      sources: sources.map((r) => ({ from: r.from - rawFrom, to: r.to - rawFrom })),
    };
  }
  return trimmed;
}
