import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A word's phones (CMU set, no stress), or null when it cannot be pronounced. */
export type Pronounce = (word: string) => Promise<string[] | null>;

/** flite's phone names → the CMU phone set of the en-us model */
const FLITE_TO_CMU: Record<string, string> = { ax: 'AH', axr: 'ER' };

/**
 * The spelling a dictionary or t2p can take: lower case, accents dropped ("José" → "jose"), letters, digits and
 * apostrophes only. '' when nothing is left (a word in another script).
 */
export function pronunciationKey(word: string): string {
  return word
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9']/g, '')
    .replace(/^'+|'+$/g, '');
}

/** Phones from flite's letter-to-sound rules (`t2p`, async: it runs per call, beside live calls). */
async function letterToSoundAsync(key: string): Promise<string[] | null> {
  try {
    const { stdout } = await run('t2p', [key], { encoding: 'utf8', timeout: 10_000 });
    const phones = stdout
      .trim()
      .split(/\s+/)
      .filter((p) => p !== 'pau' && p !== '')
      .map((p) => p.replace(/\d$/, ''))
      .map((p) => FLITE_TO_CMU[p] ?? p.toUpperCase());
    return phones.length > 0 ? phones : null;
  } catch {
    return null;
  }
}

/**
 * Pronunciations for the phrase-hint correction: the decoders' dictionary (first pronunciation of a word) plus the
 * vocabulary's added words, else flite's t2p. The dictionary is read on first use, only once a call brings hints;
 * pronunciations depend on the word alone, so one cache serves every call.
 */
export class DictionaryPronouncer {
  private dictionary: Promise<Map<string, string>> | null = null;
  private readonly spoken = new Map<string, Promise<string[] | null>>();

  constructor(
    private readonly dictPath: string,
    /** [word, phones] the decoders got beside the dictionary (vocabulary words) */
    private readonly extraWords: readonly [string, string][] = [],
  ) {}

  readonly pronounce: Pronounce = (word) => {
    const key = pronunciationKey(word);
    if (key === '') return Promise.resolve(null);
    let phones = this.spoken.get(key);
    if (!phones) {
      phones = this.lookUp(key);
      this.spoken.set(key, phones);
    }
    return phones;
  };

  private async lookUp(key: string): Promise<string[] | null> {
    const known = (await this.load()).get(key);
    return known ? known.split(' ') : letterToSoundAsync(key);
  }

  private load(): Promise<Map<string, string>> {
    this.dictionary ??= readFile(this.dictPath, 'utf8').then(
      (text) => {
        const map = new Map<string, string>();
        for (const line of text.split('\n')) {
          const space = line.indexOf(' ');
          // `word(2)` lines are alternatives: the first pronunciation stands for the word
          if (space <= 0 || line[space - 1] === ')') continue;
          const word = line.slice(0, space);
          if (!map.has(word)) map.set(word, line.slice(space + 1).trim());
        }
        for (const [word, phones] of this.extraWords) if (!map.has(word)) map.set(word, phones);
        return map;
      },
      // without the dictionary every word goes to t2p
      () => new Map<string, string>(),
    );
    return this.dictionary;
  }
}
