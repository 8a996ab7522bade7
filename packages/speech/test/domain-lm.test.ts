import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DEBIAN_MODEL_DIR, defaultPocketsphinxConfig } from '../src/pocketsphinx/config.js';
import {
  CONTACT_CENTRE_CORPUS_PATH,
  buildArpa,
  dictionaryWords,
  expandCorpus,
  letterToSound,
  prepareDomainModel,
  readVocabulary,
} from '../src/pocketsphinx/domain-lm.js';
import { PocketsphinxEngine } from '../src/pocketsphinx/engine.js';
import { espeakSpeech } from './support/espeak-speech.js';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });

const DICT = `${DEBIAN_MODEL_DIR}/cmudict-en-us.dict`;

/** ARPA text → { 'n-gram' → [log10 p, log10 backoff] } */
function parseArpa(arpa: string): Map<string, [number, number]> {
  const grams = new Map<string, [number, number]>();
  for (const line of arpa.split('\n')) {
    const fields = line.split(' ');
    if (!/^-?\d/.test(line) || line.startsWith('ngram')) continue;
    const last = Number(fields[fields.length - 1]);
    const hasBackoff = fields.length > 2 && !Number.isNaN(last) && /^-?\d/.test(fields[fields.length - 1]!);
    const words = fields.slice(1, hasBackoff ? -1 : undefined).join(' ');
    grams.set(words, [Number(fields[0]), hasBackoff ? last : 0]);
  }
  return grams;
}

describe('contact-centre language model', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('expands the corpus placeholders deterministically, into dictionary words only', () => {
    const text = readFileSync(CONTACT_CENTRE_CORPUS_PATH, 'utf8');
    const sentences = expandCorpus(text);
    expect(expandCorpus(text)).toEqual(sentences);
    expect(sentences.some((s) => s.includes('{'))).toBe(false);
    expect(sentences.length).toBeGreaterThan(300);
    const known = dictionaryWords(DICT);
    expect([...new Set(sentences.flatMap((s) => s.split(' ')))].filter((w) => !known.has(w))).toEqual([]);
  });

  it('builds a back-off trigram model whose distributions sum to one', () => {
    const sentences = ['press one for billing', 'press two for support', 'please hold', 'press one'];
    const grams = parseArpa(buildArpa(sentences));
    const vocabulary = [...grams.keys()].filter((g) => !g.includes(' ') && g !== '<s>');
    const p = (words: string[]): number => {
      const direct = grams.get(words.join(' '));
      if (direct) return 10 ** direct[0];
      const context = grams.get(words.slice(0, -1).join(' '));
      return 10 ** (context?.[1] ?? 0) * p(words.slice(1));
    };
    for (const context of [[], ['press'], ['<s>', 'press'], ['one', 'for'], ['please']]) {
      const sum = vocabulary.reduce((s, w) => s + p([...context, w]), 0);
      expect(sum).toBeCloseTo(1, 4);
    }
    expect(p(['press', 'one'])).toBeGreaterThan(p(['press', 'hold']));
  });

  it('pronounces new vocabulary words with flite letter-to-sound rules, in the model phone set', () => {
    expect(letterToSound('genesys')).toBe('JH EH N AH S IH S');
    const dir = mkdtempSync(join(tmpdir(), 'vocabulary-'));
    dirs.push(dir);
    const file = join(dir, 'vocabulary.txt');
    writeFileSync(file, '# products\nGenesys Cloud\nhookscribe\n\nfibre broadband  # ours\n');
    expect(readVocabulary(file)).toEqual(['genesys cloud', 'hookscribe', 'fibre broadband']);
    writeFileSync(file, 'fine\nnot/fine\n');
    expect(() => readVocabulary(file)).toThrow(/"not\/fine" is not a word/);
    const model = prepareDomainModel({
      corpusPath: null,
      vocabulary: ['genesys cloud', 'hookscribe'],
      dict: DICT,
    });
    expect(model.extraWords.map(([w]) => w)).toEqual(['genesys', 'hookscribe']);
    expect(readFileSync(model.lmPath, 'utf8')).toMatch(/ genesys cloud/);
  });

  it('recognises a vocabulary word the dictionary lacks', async () => {
    const audio = espeakSpeech('i would like to cancel my zendesk account').phone;
    const recognise = async (vocabulary: string[]) => {
      const engine = new PocketsphinxEngine({
        vocabulary,
        pool: { ...defaultPocketsphinxConfig().pool, maxDecoders: 1, warmDecoders: 1 },
      });
      try {
        const stream = engine.openStream({ language: 'en-US', sampleRate: 8000, partials: false });
        const texts: string[] = [];
        const consumed = (async () => {
          for await (const r of stream.results()) texts.push(r.text);
        })();
        stream.write(audio, 0);
        await stream.close();
        await consumed;
        return texts.join(' ');
      } finally {
        await engine.stop();
      }
    };
    expect(await recognise([])).not.toMatch(/zendesk/);
    expect(await recognise(['zendesk', 'my zendesk account'])).toMatch(/zendesk/);
  });
});
