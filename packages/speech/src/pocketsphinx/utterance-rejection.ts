import type { RecognizedWord } from '../engine.js';

/**
 * When a decoded utterance is not worth a final: the decoder always finds *some* word sequence, also in music,
 * tones or noise the segmenter let through. Such utterances are mostly hesitation-like words ("um", "oh", "mm")
 * or words the lattice itself doubts (low posteriors).
 */
export interface UtteranceRejection {
  /**
   * whole utterances whose mean word posterior is below this are dropped. Low on purpose: a channel's first short
   * utterance can be right at 0.11 ("ten of clubs", testdata), music through the energy VAD came out at 0.01–0.6
   */
  minConfidence: number;
  /** drop utterances made only of hesitations and interjections (no content for a transcript) */
  hesitationsOnly: boolean;
}

export const DEFAULT_UTTERANCE_REJECTION: UtteranceRejection = { minConfidence: 0.05, hesitationsOnly: true };

/** words the model's dictionary holds that carry no content on their own */
const HESITATIONS = new Set([
  'ah',
  'aah',
  'aw',
  'eh',
  'er',
  'ha',
  'hm',
  'hmm',
  'huh',
  'mhm',
  'mm',
  'mmm',
  'oh',
  'ooh',
  'oo',
  'uh',
  'uhm',
  'um',
  'umm',
]);

export function isHesitation(word: string): boolean {
  return HESITATIONS.has(word);
}

/** True when the utterance's final should be dropped (or sent empty, when partials of it were shown). */
export function rejectsUtterance(words: RecognizedWord[], rules: UtteranceRejection): boolean {
  if (words.length === 0) return true;
  const confidence = words.reduce((s, w) => s + w.confidence, 0) / words.length;
  if (confidence < rules.minConfidence) return true;
  return rules.hesitationsOnly && words.every((w) => isHesitation(w.text));
}
