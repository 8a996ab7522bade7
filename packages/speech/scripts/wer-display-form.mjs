#!/usr/bin/env node
/* global console, process */
// Scoring hook for transcripts that went through the text stage (docs/speech.md, "Text after recognition").
// References are lower-case spoken words ("forty nine dollars") while the product shows display form ("$49."), so
// the standard scorer (wer.mjs) would count every written number as errors. `displayFormWords` puts either side in
// the same written form first — spoken words are formatted, display text is left as it is (the stage is idempotent)
// — then applies the standard normalisation. Score both sides with it, or score the raw engine words with wer.mjs.
//
//   node packages/speech/scripts/wer-display-form.mjs REF.txt HYP.txt     # one utterance per line, same order
//
// Needs `npx tsc -b packages/speech` (uses the text stage from dist/).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalise, wordErrors } from './wer.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { formatText } = await import(join(here, '../dist/text/text-formatter.js'));

const DIGITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/**
 * Words of `text` in display form, normalised like wer.mjs, with every number then split into its digits and every
 * remaining digit word written as a digit: "forty nine dollars" and "$49." both → ["4", "9"]. Splitting keeps one
 * misrecognised digit one error, as in the spoken form, instead of a whole wrong "4729183" token.
 */
export function displayFormWords(text) {
  const words = normalise(text);
  if (words.length === 0) return [];
  return normalise(formatText(words.join(' '))).flatMap((word) =>
    /^\d+$/.test(word) ? [...word] : DIGITS.includes(word) ? [String(DIGITS.indexOf(word))] : [word],
  );
}

/** accumulates errors like wer.mjs's WerCounter, on display-form words */
export class DisplayFormWerCounter {
  errors = 0;
  words = 0;
  add(refText, hypText) {
    const ref = displayFormWords(refText);
    this.errors += wordErrors(ref, displayFormWords(hypText));
    this.words += ref.length;
  }
  get wer() {
    return this.words === 0 ? 0 : this.errors / this.words;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [refFile, hypFile] = process.argv.slice(2);
  if (!refFile || !hypFile) {
    console.error('usage: wer-display-form.mjs REF.txt HYP.txt');
    process.exit(2);
  }
  const lines = (file) => readFileSync(file, 'utf8').split('\n');
  const refs = lines(refFile);
  const hyps = lines(hypFile);
  const counter = new DisplayFormWerCounter();
  refs.forEach((ref, i) => ref.trim() && counter.add(ref, hyps[i] ?? ''));
  console.log(`WER ${(100 * counter.wer).toFixed(1)}% over ${counter.words} reference words (display form)`);
}
