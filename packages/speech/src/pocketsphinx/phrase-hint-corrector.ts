/**
 * Phrase hints for the embedded engine, after decoding: pooled decoders cannot take per-call vocabulary without
 * leaking it to other calls or losing determinism, so a call's finals are corrected instead. Every window of
 * recognised words is pronounced, and where its phones are within a small normalised edit distance of a hint
 * phrase's phones, the window is replaced by the hint's words. Pure in (final, hints, pronunciations): the same
 * final with the same hints always gives the same result, and a stream without hints is never touched.
 */
import type { RecognitionResult, RecognizedWord } from '../engine.js';
import type { Pronounce } from './pronouncer.js';

/**
 * Most phone edits per phone a window may need to become a hint (tuned on the synthetic dev set only,
 * docs/benchmarks/stt.md "Phrase hints").
 */
export const DEFAULT_HINT_DISTANCE = 0.3;
/** hints shorter than this many phones are too easy to match by chance ("in", "a") and are not used */
export const MIN_HINT_PHONES = 4;

interface PronouncedHint {
  words: string[];
  phones: string[];
  /** phones per word, for sharing a window's time among the hint's words */
  wordPhones: number[];
}

interface Candidate {
  from: number;
  to: number;
  hint: number;
  distance: number;
}

export interface HintCorrectorOptions {
  pronounce: Pronounce;
  /** the call's phrases, cleaned (callPhraseHints) */
  phrases: readonly string[];
  /** default DEFAULT_HINT_DISTANCE */
  maxDistance?: number;
}

/** One call's (one stream's) correction: its own hints, pronounced once. */
export class PhraseHintCorrector {
  private readonly hints: Promise<PronouncedHint[]>;
  private readonly maxDistance: number;

  constructor(private readonly options: HintCorrectorOptions) {
    this.maxDistance = options.maxDistance ?? DEFAULT_HINT_DISTANCE;
    this.hints = pronounceHints(options.phrases, options.pronounce);
  }

  /** The hints that can be used (pronounced, long enough), for tests and logs. */
  async usableHints(): Promise<string[]> {
    return (await this.hints).map((h) => h.words.join(' '));
  }

  /** `result` with near matches of the hints replaced; `result` itself when nothing matched. */
  async correct(result: RecognitionResult): Promise<RecognitionResult> {
    const hints = await this.hints;
    if (hints.length === 0 || result.words.length === 0) return result;
    const phones = await Promise.all(result.words.map((w) => this.options.pronounce(w.text)));
    const chosen = chooseReplacements(findCandidates(phones, hints, this.maxDistance));
    if (chosen.length === 0) return result;
    return replaceWindows(result, chosen, hints);
  }
}

async function pronounceHints(phrases: readonly string[], pronounce: Pronounce): Promise<PronouncedHint[]> {
  const hints: PronouncedHint[] = [];
  // one after another: a call's hints may be many words new to the dictionary, each a t2p process
  for (const phrase of phrases) {
    const words = phrase.split(' ').filter(Boolean);
    const phones: string[] = [];
    const wordPhones: number[] = [];
    let unknown = false;
    for (const word of words) {
      const p = await pronounce(word);
      if (!p) {
        unknown = true;
        break;
      }
      phones.push(...p);
      wordPhones.push(p.length);
    }
    if (!unknown && phones.length >= MIN_HINT_PHONES) hints.push({ words, phones, wordPhones });
  }
  return hints;
}

/** Every (window, hint) pair within the distance. Windows span 1 … hint words + 2 recognised words. */
export function findCandidates(
  wordPhones: readonly (readonly string[] | null)[],
  hints: readonly PronouncedHint[],
  maxDistance: number,
): Candidate[] {
  const candidates: Candidate[] = [];
  hints.forEach((hint, index) => {
    const target = hint.phones;
    for (let from = 0; from < wordPhones.length; from++) {
      const window: string[] = [];
      for (let to = from + 1; to <= Math.min(wordPhones.length, from + hint.words.length + 2); to++) {
        const phones = wordPhones[to - 1];
        if (!phones) break; // a word without a pronunciation ends the windows through it
        window.push(...phones);
        const longest = Math.max(window.length, target.length);
        // the length difference alone is a lower bound of the distance
        if (Math.abs(window.length - target.length) / longest > maxDistance) {
          if (window.length > target.length) break;
          continue;
        }
        const distance = editDistance(window, target) / longest;
        if (distance <= maxDistance) candidates.push({ from, to, hint: index, distance });
      }
    }
  });
  return candidates;
}

/**
 * Non-overlapping replacements, best first: smallest distance, then the longer window, then the earlier one, then
 * the earlier hint. A deterministic order, so ties always resolve the same way.
 */
export function chooseReplacements(candidates: Candidate[]): Candidate[] {
  const ordered = [...candidates].sort(
    (a, b) =>
      a.distance - b.distance || b.to - b.from - (a.to - a.from) || a.from - b.from || a.hint - b.hint,
  );
  const taken: Candidate[] = [];
  for (const c of ordered) {
    if (taken.some((t) => c.from < t.to && t.from < c.to)) continue;
    taken.push(c);
  }
  return taken.sort((a, b) => a.from - b.from);
}

/** Levenshtein distance over phones (unit costs). */
export function editDistance(a: readonly string[], b: readonly string[]): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The result with each chosen window replaced by its hint's words: the window's time span shared among them by
 * phone count (distinct, ascending offsets, as Genesys wants tokens), the window's lowest confidence, and `raw`
 * keeping the recogniser's words with the range each new word stands for, as the text stage does.
 */
function replaceWindows(
  result: RecognitionResult,
  chosen: readonly Candidate[],
  hints: readonly PronouncedHint[],
): RecognitionResult {
  const words: RecognizedWord[] = [];
  const sources: { from: number; to: number }[] = [];
  let at = 0;
  for (const c of chosen) {
    for (; at < c.from; at++) {
      words.push(result.words[at]!);
      sources.push({ from: at, to: at + 1 });
    }
    const span = result.words.slice(c.from, c.to);
    for (const word of spreadOver(span, hints[c.hint]!)) {
      words.push(word);
      sources.push({ from: c.from, to: c.to });
    }
    at = c.to;
  }
  for (; at < result.words.length; at++) {
    words.push(result.words[at]!);
    sources.push({ from: at, to: at + 1 });
  }
  const text = words.map((w) => w.text).join(' ');
  if (text === result.text) return result;
  return {
    ...result,
    text,
    words,
    confidence: words.reduce((s, w) => s + w.confidence, 0) / words.length,
    raw: { text: result.text, words: result.words, sources },
  };
}

function spreadOver(span: readonly RecognizedWord[], hint: PronouncedHint): RecognizedWord[] {
  const start = span[0]!.startSample;
  const last = span[span.length - 1]!;
  const length = Math.max(hint.words.length, last.startSample + last.durationSamples - start);
  const confidence = Math.min(...span.map((w) => w.confidence));
  // each hint word's share by its phones; rounded cut points, at least one sample each
  const weights = hint.wordPhones;
  const total = weights.reduce((a, b) => a + b, 0);
  const cuts = [0];
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i]!;
    const cut = i === weights.length - 1 ? length : Math.round((acc / total) * length);
    cuts.push(Math.min(length - (weights.length - 1 - i), Math.max(cuts[i]! + 1, cut)));
  }
  return hint.words.map((text, i) => ({
    text,
    startSample: start + cuts[i]!,
    durationSamples: cuts[i + 1]! - cuts[i]!,
    confidence,
  }));
}
