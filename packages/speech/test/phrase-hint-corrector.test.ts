/**
 * The embedded engine's phrase hints: a phonetic post-correction of a call's finals (phrase-hint-corrector.ts), with
 * a table of pronunciations so each case says exactly which phones it compares; then the real dictionary and t2p.
 */
import { describe, expect, it } from 'vitest';
import type { RecognitionResult } from '../src/engine.js';
import { defaultPocketsphinxConfig } from '../src/pocketsphinx/config.js';
import {
  editDistance,
  PhraseHintCorrector,
  DEFAULT_HINT_DISTANCE,
} from '../src/pocketsphinx/phrase-hint-corrector.js';
import { DictionaryPronouncer, pronunciationKey } from '../src/pocketsphinx/pronouncer.js';
import { formatRecognition } from '../src/text/text-formatter.js';

const PHONES: Record<string, string> = {
  // recognised words
  the: 'DH AH',
  mr: 'M IH S T ER',
  john: 'JH AA N',
  guess: 'G EH S',
  would: 'W UH D',
  con: 'K AA N',
  toe: 'T OW',
  so: 'S OW',
  plan: 'P L AE N',
  premium: 'P R IY M IY AH M',
  plus: 'P L AH S',
  please: 'P L IY Z',
  hold: 'HH OW L D',
  dashboard: 'D AE SH B AO R D',
  // hint words
  dashwood: 'D AE SH W UH D',
  contoso: 'K AH N T OW S OW',
  fabrikam: 'F AE B R IH K AE M',
  it: 'IH T',
};
const pronounce = (word: string) => {
  const phones = PHONES[pronunciationKey(word)];
  return Promise.resolve(phones ? phones.split(' ') : null);
};

/** a final of `text`, each word 0.3 s from 1 s on, confidence 0.9 except where given */
function final(text: string, confidences: Record<number, number> = {}): RecognitionResult {
  const words = text.split(' ').map((w, i) => ({
    text: w,
    startSample: 8000 + i * 2400,
    durationSamples: 2400,
    confidence: confidences[i] ?? 0.9,
  }));
  return {
    utteranceId: 'u1',
    isFinal: true,
    text,
    words,
    startSample: 8000,
    durationSamples: words.length * 2400,
    confidence: 0.9,
    language: 'en-US',
    engine: 'pocketsphinx',
  };
}

const correct = (phrases: string[], text: string, maxDistance = DEFAULT_HINT_DISTANCE) =>
  new PhraseHintCorrector({ pronounce, phrases, maxDistance }).correct(final(text));

describe('PhraseHintCorrector', () => {
  it.each([
    // [hints, recognised, expected, why]
    [['Contoso'], 'con toe so', 'Contoso', 'three words one phone edit (of 7) from the hint'],
    [
      ['premium plus plan'],
      'premium plus plan please',
      'premium plus plan please',
      'already right: unchanged',
    ],
    [['Contoso'], 'please hold', 'please hold', 'nothing near the hint'],
    [['Fabrikam'], 'con toe so', 'con toe so', 'an unrelated hint'],
    [['it'], 'the plan', 'the plan', 'a hint under 4 phones is not used'],
    [['Dashwood'], 'mr john dashboard', 'mr john dashboard', 'dashboard is 3 edits of 7 phones away'],
    [['Zyxwq'], 'con toe so', 'con toe so', 'a hint without a pronunciation is skipped'],
  ])('%j on "%s" → "%s" (%s)', async (hints, recognised, expected) => {
    expect((await correct(hints, recognised)).text).toBe(expected);
  });

  it('replaces a near match once the distance allows it, and keeps the hint as written', async () => {
    // guess would = G EH S W UH D; Dashwood = D AE SH W UH D: 3 substitutions of 6 phones
    expect((await correct(['Dashwood'], 'mr john guess would', 0.25)).text).toBe('mr john guess would');
    expect((await correct(['Dashwood'], 'mr john guess would', 0.5)).text).toBe('mr john Dashwood');
  });

  it('spans the replaced window: times, lowest confidence, ascending distinct offsets, raw words kept', async () => {
    const input = final('please con toe so', { 2: 0.4 });
    const out = await new PhraseHintCorrector({ pronounce, phrases: ['Contoso'] }).correct(input);
    expect(out.words).toEqual([
      input.words[0],
      { text: 'Contoso', startSample: 10_400, durationSamples: 7200, confidence: 0.4 },
    ]);
    expect(out.raw).toEqual({
      text: 'please con toe so',
      words: input.words,
      sources: [
        { from: 0, to: 1 },
        { from: 1, to: 4 },
      ],
    });
    expect(out.confidence).toBeCloseTo((0.9 + 0.4) / 2, 10);
  });

  it('splits one window among several hint words by their phones, offsets strictly ascending', async () => {
    const out = await new PhraseHintCorrector({ pronounce, phrases: ['Contoso plan'] }).correct(
      final('con toe so plan'),
    );
    // 'Contoso plan' equals the words' phones with their spelling changed: one window over all four words
    expect(out.text).toBe('Contoso plan');
    const [a, b] = out.words;
    expect(a!.startSample).toBe(8000);
    expect(b!.startSample).toBeGreaterThan(a!.startSample);
    expect(a!.startSample + a!.durationSamples).toBe(b!.startSample);
    expect(b!.startSample + b!.durationSamples).toBe(8000 + 4 * 2400);
    // 7 phones for Contoso, 4 for plan: the time shared in that proportion
    expect(a!.durationSamples).toBe(Math.round((7 / 11) * 4 * 2400));
  });

  it('picks the closest of competing hints, and is deterministic', async () => {
    const corrector = new PhraseHintCorrector({
      pronounce,
      phrases: ['Fabrikam', 'Contoso'],
      maxDistance: 0.6,
    });
    const first = await corrector.correct(final('con toe so'));
    for (let i = 0; i < 3; i++) expect(await corrector.correct(final('con toe so'))).toEqual(first);
    expect(first.text).toBe('Contoso');
  });

  it('leaves a result without words alone', async () => {
    const empty = { ...final('x'), text: '', words: [] };
    expect(await new PhraseHintCorrector({ pronounce, phrases: ['Contoso'] }).correct(empty)).toBe(empty);
  });

  it('the text stage keeps the recogniser words in raw after a correction', async () => {
    const corrected = await new PhraseHintCorrector({ pronounce, phrases: ['Contoso'] }).correct(
      final('please call con toe so'),
    );
    const formatted = formatRecognition(corrected);
    expect(formatted.text).toBe('Please call Contoso.');
    expect(formatted.raw?.text).toBe('please call con toe so');
    expect(formatted.raw?.sources).toEqual([
      { from: 0, to: 1 },
      { from: 1, to: 2 },
      { from: 2, to: 5 },
    ]);
  });

  it('edit distance counts phone insertions, deletions and substitutions', () => {
    expect(editDistance(['K', 'AE', 'N'], ['K', 'AE', 'N'])).toBe(0);
    expect(editDistance(['G', 'EH', 'S', 'W', 'UH', 'D'], ['D', 'AE', 'SH', 'W', 'UH', 'D'])).toBe(3);
    expect(editDistance([], ['A', 'B'])).toBe(2);
  });
});

describe('DictionaryPronouncer (the decoders dictionary, t2p for new words)', () => {
  const pronouncer = new DictionaryPronouncer(defaultPocketsphinxConfig().dict, [
    ['hookscribe', 'HH UH K S K R AY B'],
  ]);

  it('reads words from the dictionary, the vocabulary words, and t2p for the rest', async () => {
    expect(await pronouncer.pronounce('Amiable')).toEqual(['EY', 'M', 'IY', 'AH', 'B', 'AH', 'L']);
    expect(await pronouncer.pronounce('hookscribe')).toEqual(['HH', 'UH', 'K', 'S', 'K', 'R', 'AY', 'B']);
    expect(await pronouncer.pronounce('Contoso')).toEqual(['K', 'AH', 'N', 'T', 'OW', 'S', 'OW']);
    expect(await pronouncer.pronounce('José')).toEqual(await pronouncer.pronounce('jose'));
    expect(await pronouncer.pronounce('日本')).toBeNull();
  });
});
