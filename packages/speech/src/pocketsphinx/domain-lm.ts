import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from '../frontend/band-noise.js';

/**
 * The contact-centre language model: a trigram model counted from committed text (models/contact-centre/corpus.txt,
 * written for it: IVR prompts, agent phrases, customer intents) plus the deployment's vocabulary phrases, built at
 * start (milliseconds) and interpolated with the generic en-US model inside each decoder.
 */

export const CONTACT_CENTRE_CORPUS_PATH = fileURLToPath(
  new URL('../../models/contact-centre/corpus.txt', import.meta.url),
);

/** Fills for the corpus placeholders; each template line is expanded `EXPANSIONS` times with seeded choices. */
const DIGIT = ['zero', 'oh', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const SMALL = [
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'twelve',
  'fifteen',
];
const TENS = ['twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const MONTHS = [
  ...['january', 'february', 'march', 'april', 'may', 'june'],
  ...['july', 'august', 'september', 'october', 'november', 'december'],
];
const ORDINALS = [
  ...['first', 'second', 'third', 'fourth', 'fifth', 'eighth', 'tenth', 'twelfth', 'fifteenth'],
  ...['twentieth', 'twenty first', 'twenty second', 'twenty eighth', 'thirtieth'],
];
const NAMES = [
  ...[
    'sarah',
    'james',
    'maria',
    'david',
    'emma',
    'michael',
    'lisa',
    'john',
    'anna',
    'robert',
    'laura',
    'daniel',
  ],
];
const EXPANSIONS = 3;

function placeholderFills(random: () => number): Record<string, () => string> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const cardinal = () => {
    const r = random();
    if (r < 0.4) return pick(SMALL);
    if (r < 0.8) return `${pick(TENS)}${random() < 0.5 ? '' : ` ${pick(SMALL.slice(0, 9))}`}`;
    return `${pick(SMALL.slice(0, 9))} hundred${random() < 0.5 ? '' : ` and ${pick(TENS)}`}`;
  };
  return {
    digits: () => Array.from({ length: 3 + Math.floor(random() * 6) }, () => pick(DIGIT)).join(' '),
    number: cardinal,
    amount: () => `${cardinal()} dollars${random() < 0.4 ? ` and ${pick(TENS)} cents` : ''}`,
    day: () => pick(DAYS),
    month: () => pick(MONTHS),
    ordinal: () => pick(ORDINALS),
    date: () =>
      random() < 0.5 ? `${pick(MONTHS)} ${pick(ORDINALS)}` : `the ${pick(ORDINALS)} of ${pick(MONTHS)}`,
    time: () =>
      `${pick(SMALL.slice(0, 9))} ${random() < 0.5 ? 'thirty' : random() < 0.5 ? "o'clock" : 'a m'}`,
    name: () => pick(NAMES),
  };
}

/** Corpus text → sentences: comments dropped, lower-cased, placeholders expanded deterministically. */
export function expandCorpus(text: string, seed = 0x1c0ffee): string[] {
  const fills = placeholderFills(mulberry32(seed));
  const sentences: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim().toLowerCase();
    if (line === '' || line.startsWith('#')) continue;
    if (!line.includes('{')) {
      sentences.push(line);
      continue;
    }
    for (let i = 0; i < EXPANSIONS; i++) {
      sentences.push(line.replace(/\{(\w+)\}/g, (_, name: string) => fills[name]?.() ?? name));
    }
  }
  return sentences.map((s) => s.split(/\s+/).filter(Boolean).join(' ')).filter(Boolean);
}

/**
 * ARPA trigram model with absolute discounting (D = 0.5) and back-off weights that make each context's
 * distribution sum to one. Unigrams keep a little mass for <unk>. Deterministic: n-grams are written sorted.
 */
export function buildArpa(sentences: string[], discount = 0.5): string {
  const counts = [new Map<string, number>(), new Map<string, number>(), new Map<string, number>()];
  for (const sentence of sentences) {
    const words = ['<s>', ...sentence.split(' '), '</s>'];
    for (let n = 1; n <= 3; n++) {
      for (let i = 0; i + n <= words.length; i++) {
        const gram = words.slice(i, i + n).join(' ');
        if (n === 1 && gram === '<s>') continue;
        counts[n - 1]!.set(gram, (counts[n - 1]!.get(gram) ?? 0) + 1);
      }
    }
  }
  // context counts and seen followers per context
  const contexts = [new Map<string, { total: number; grams: string[] }>(), new Map()] as Map<
    string,
    { total: number; grams: string[] }
  >[];
  for (let n = 2; n <= 3; n++) {
    for (const [gram, c] of counts[n - 1]!) {
      const context = gram.slice(0, gram.lastIndexOf(' '));
      const entry = contexts[n - 2]!.get(context) ?? { total: 0, grams: [] };
      entry.total += c;
      entry.grams.push(gram);
      contexts[n - 2]!.set(context, entry);
    }
  }
  const unigramTotal = [...counts[0]!.values()].reduce((a, b) => a + b, 0);
  const unkMass = 0.01;
  const prob = [new Map<string, number>(), new Map<string, number>(), new Map<string, number>()];
  for (const [w, c] of counts[0]!) prob[0]!.set(w, ((1 - unkMass) * c) / unigramTotal);
  prob[0]!.set('<s>', 0);
  for (let n = 2; n <= 3; n++) {
    for (const [gram, c] of counts[n - 1]!) {
      const context = gram.slice(0, gram.lastIndexOf(' '));
      prob[n - 1]!.set(gram, (c - discount) / contexts[n - 2]!.get(context)!.total);
    }
  }
  /** P of `gram` through back-off, for the back-off weight denominators */
  const lowerProb = (gram: string): number => {
    const words = gram.split(' ');
    if (words.length === 1) return prob[0]!.get(gram) ?? unkMass;
    const direct = prob[words.length - 1]!.get(gram);
    if (direct !== undefined) return direct;
    const context = words.slice(0, -1).join(' ');
    return (backoff[words.length - 2]!.get(context) ?? 1) * lowerProb(words.slice(1).join(' '));
  };
  const backoff = [new Map<string, number>(), new Map<string, number>()];
  for (let n = 2; n <= 3; n++) {
    for (const [context, { grams }] of contexts[n - 2]!) {
      let seen = 0;
      let seenLower = 0;
      for (const gram of grams) {
        seen += prob[n - 1]!.get(gram)!;
        seenLower += lowerProb(gram.slice(gram.indexOf(' ') + 1));
      }
      backoff[n - 2]!.set(context, (1 - seen) / Math.max(1e-9, 1 - seenLower));
    }
  }
  const log10 = (p: number) => (p <= 0 ? -99 : Math.log10(p)).toFixed(6);
  const lines = ['\\data\\'];
  const unigrams = [...prob[0]!.keys(), '<unk>'].sort();
  lines.push(`ngram 1=${unigrams.length}`, `ngram 2=${prob[1]!.size}`, `ngram 3=${prob[2]!.size}`, '');
  lines.push('\\1-grams:');
  for (const w of unigrams) {
    const p = w === '<unk>' ? unkMass : prob[0]!.get(w)!;
    const bo = backoff[0]!.get(w);
    lines.push(`${log10(p)} ${w}${bo === undefined ? '' : ` ${log10(bo)}`}`);
  }
  lines.push('', '\\2-grams:');
  for (const gram of [...prob[1]!.keys()].sort()) {
    const bo = backoff[1]!.get(gram);
    lines.push(`${log10(prob[1]!.get(gram)!)} ${gram}${bo === undefined ? '' : ` ${log10(bo)}`}`);
  }
  lines.push('', '\\3-grams:');
  for (const gram of [...prob[2]!.keys()].sort()) lines.push(`${log10(prob[2]!.get(gram)!)} ${gram}`);
  lines.push('', '\\end\\', '');
  return lines.join('\n');
}

/** Words of a pocketsphinx dictionary (alternative pronunciations `word(2)` folded). */
export function dictionaryWords(dictPath: string): Set<string> {
  const words = new Set<string>();
  for (const line of readFileSync(dictPath, 'utf8').split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) words.add(line.slice(0, space).replace(/\(\d+\)$/, ''));
  }
  return words;
}

/** flite's phone names → the CMU phone set of the en-us model */
const FLITE_TO_CMU: Record<string, string> = { ax: 'AH', axr: 'ER' };

/**
 * Pronunciation from flite's letter-to-sound rules (`t2p`, Debian package flite), in the model's phone set.
 * Throws a clear error when t2p is missing or gives nothing.
 */
export function letterToSound(word: string): string {
  let out: string;
  try {
    out = execFileSync('t2p', [word], { encoding: 'utf8', timeout: 10_000 });
  } catch (err) {
    throw new Error(
      `no pronunciation for "${word}": flite's t2p failed (install the Debian package flite) (${(err as Error).message})`,
    );
  }
  const phones = out
    .trim()
    .split(/\s+/)
    .filter((p) => p !== 'pau' && p !== '')
    .map((p) => p.replace(/\d$/, ''))
    .map((p) => FLITE_TO_CMU[p] ?? p.toUpperCase());
  if (phones.length === 0) throw new Error(`no pronunciation for "${word}" from t2p`);
  return phones.join(' ');
}

/** A word pocketsphinx can hold: lower-case letters, digits, apostrophes, hyphens, dots. */
const WORD = /^[a-z0-9][a-z0-9'.-]*$/;

/** Reads a vocabulary file: one word or phrase per line, `#` comments; returns normalised phrases. */
export function readVocabulary(path: string): string[] {
  if (!existsSync(path)) throw new Error(`vocabulary file ${path} not found`);
  const phrases: string[] = [];
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.replace(/#.*/, '').trim().toLowerCase();
    if (line === '') continue;
    const words = line.split(/\s+/);
    const bad = words.find((w) => !WORD.test(w));
    if (bad) throw new Error(`vocabulary file ${path}: "${bad}" is not a word (letters, digits, ' - .)`);
    phrases.push(words.join(' '));
  }
  return phrases;
}

export interface DomainModel {
  /** ARPA file of the contact-centre model (+ vocabulary phrases) */
  lmPath: string;
  /** [word, phones] for words the dictionary lacks (vocabulary words, pronounced by t2p) */
  extraWords: [string, string][];
}

/**
 * Builds the domain model from the corpus and `vocabulary` phrases (each phrase also counted as a sentence, a few
 * times so it stands out). The ARPA file is cached under the OS temp dir by content hash, so restarts reuse it.
 */
export function prepareDomainModel(options: {
  /** null: a model of the vocabulary phrases alone */
  corpusPath: string | null;
  vocabulary: string[];
  dict: string;
}): DomainModel {
  const sentences = options.corpusPath ? expandCorpus(readFileSync(options.corpusPath, 'utf8')) : [];
  for (const phrase of options.vocabulary) for (let i = 0; i < 3; i++) sentences.push(phrase);
  const arpa = buildArpa(sentences);
  const known = dictionaryWords(options.dict);
  const missing = [...new Set(options.vocabulary.flatMap((p) => p.split(' ')))].filter((w) => !known.has(w));
  const extraWords = missing.sort().map((w): [string, string] => [w, letterToSound(w)]);
  const dir = join(tmpdir(), 'hookscribe-lm');
  mkdirSync(dir, { recursive: true });
  const lmPath = join(dir, `${createHash('sha256').update(arpa).digest('hex').slice(0, 16)}.arpa`);
  if (!existsSync(lmPath)) {
    const partial = `${lmPath}.${process.pid}.tmp`;
    writeFileSync(partial, arpa);
    renameSync(partial, lmPath);
  }
  return { lmPath, extraWords };
}
