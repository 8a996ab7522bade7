/**
 * Text after recognition: turns a recogniser's spoken-form result ("my card is four one one one …", "it's forty
 * nine dollars") into display form ("My card is 4111….", "It's $49.") — inverse text normalisation, truecasing and
 * sentence punctuation — for en-US results of engines that do not do it themselves
 * (`EngineCapabilities.displayText`). Every written token spans its source words: it starts at the first one's
 * start, ends at the last one's end, and takes the lowest of their confidences (a "$49" is no surer than its least
 * sure word). `raw` keeps the recogniser's words and which of them each written token stands for.
 */
import type { RecognitionResult, RecognizedWord } from '../engine.js';
import { inverseNormalize, type WrittenToken } from './inverse-text-normalizer.js';
import { punctuate, truecase } from './truecasing.js';

/** the rules are US English; other languages pass through untouched */
export function hasTextFormatRules(language: string): boolean {
  return language.toLowerCase() === 'en-us';
}

/** Display form of a result (partials get no closing punctuation); the input is not modified. */
export function formatRecognition(result: RecognitionResult): RecognitionResult {
  if (!hasTextFormatRules(result.language)) return result;
  const timed = result.words.length > 0;
  const spoken = timed ? result.words.map((word) => word.text) : result.text.split(/\s+/).filter(Boolean);
  if (spoken.length === 0) return result;
  const tokens = inverseNormalize(spoken.map((word) => word.toLowerCase()));
  const written = formatTokens(tokens, spoken, result.isFinal);
  const text = written.join(' ');
  if (text === result.text) return result;
  return {
    ...result,
    text,
    words: timed ? tokens.map((token, index) => spanWord(result.words, token, written[index]!)) : [],
    raw: rawOf(result, timed ? tokens.map(({ from, to }) => ({ from, to })) : []),
  };
}

/**
 * `raw` of a rewritten result: the recogniser's words. A result an earlier stage already rewrote (the embedded
 * engine's phrase hints) keeps its `raw`, each new range mapped through the earlier one.
 */
function rawOf(
  result: RecognitionResult,
  sources: { from: number; to: number }[],
): NonNullable<RecognitionResult['raw']> {
  const earlier = result.raw;
  if (!earlier) return { text: result.text, words: result.words, sources };
  const through = (index: number) => earlier.sources[index] ?? { from: index, to: index + 1 };
  return {
    text: earlier.text,
    words: earlier.words,
    sources: sources.map(({ from, to }) => ({ from: through(from).from, to: through(to - 1).to })),
  };
}

/** The same rules on plain text (scoring, tests): spoken words in, display text out. */
export function formatText(text: string, options: { final?: boolean } = {}): string {
  const spoken = text.split(/\s+/).filter(Boolean);
  const tokens = inverseNormalize(spoken.map((word) => word.toLowerCase()));
  return formatTokens(tokens, spoken, options.final ?? true).join(' ');
}

function formatTokens(tokens: WrittenToken[], spoken: string[], final: boolean): string[] {
  const texts = tokens.map((token) => token.text ?? spoken[token.from]!);
  const keys = texts.map((text) => text.toLowerCase());
  return punctuate(truecase(texts, keys), keys, final);
}

function spanWord(words: readonly RecognizedWord[], token: WrittenToken, text: string): RecognizedWord {
  const first = words[token.from]!;
  const last = words[token.to - 1]!;
  let confidence = first.confidence;
  for (let index = token.from + 1; index < token.to; index++)
    confidence = Math.min(confidence, words[index]!.confidence);
  return {
    text,
    startSample: first.startSample,
    durationSamples: Math.max(0, last.startSample + last.durationSamples - first.startSample),
    confidence,
  };
}
