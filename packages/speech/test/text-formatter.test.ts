import { describe, expect, it } from 'vitest';
import type { RecognitionResult, RecognizedWord } from '../src/engine.js';
import { formatRecognition, formatText } from '../src/text/text-formatter.js';

/** spoken-form words (as pocketsphinx writes them) → display text of a final */
const TEXT_TABLE: [spoken: string, written: string][] = [
  // cardinals and ordinals: below ten stay words (AP style), the rest become digits
  ['i have two options', 'I have two options.'],
  ['one of them is broken', 'One of them is broken.'],
  ['it took twelve months', 'It took 12 months.'],
  ['about forty nine of them', 'About 49 of them.'],
  ['a hundred and five', '105.'],
  ['twelve thousand five hundred', '12,500.'],
  ['one million two hundred thousand', '1,200,000.'],
  ['the twenty first caller', 'The 21st caller.'],
  ['the third time', 'The third time.'],
  ['on the fifteenth', 'On the 15th.'],
  ['twenty-one days', '21 days.'],
  // money
  ["it's forty nine dollars", "It's $49."],
  ['forty nine dollars and fifty cents', '$49.50.'],
  ['five dollars fifty', '$5.50.'],
  ['a hundred dollars', '$100.'],
  ['a dollar fifty', '$1.50.'],
  ['it is a dollar', 'It is $1.'],
  ['two thousand five hundred dollars', '$2,500.'],
  ['fifty cents', '$0.50.'],
  ['it costs nine ninety nine', 'It costs $9.99.'],
  ['that is forty nine ninety nine a month', 'That is $49.99 a month.'],
  ['nine ninety nine dollars', '$9.99.'],
  // percentages
  ['twenty percent off', '20% off.'],
  ['two point five percent', '2.5%.'],
  ['one hundred percent', '100%.'],
  // dates and years
  ['march third twenty twenty four', 'March 3, 2024.'],
  ['on march twenty first', 'On March 21.'],
  ['since march twenty twenty four', 'Since March 2024.'],
  ['july the fourth', 'July 4.'],
  ['it was in nineteen ninety nine', 'It was in 1999.'],
  ['back in twenty oh five', 'Back in 2005.'],
  ['in the nineteen nineties', 'In the 1990s.'],
  ['may i help you', 'May I help you?'],
  ['we can march on', 'We can march on.'],
  ['it renews in may', 'It renews in May.'],
  // times
  ['the meeting is at three thirty p m', 'The meeting is at 3:30 PM.'],
  ['call me at three p.m.', 'Call me at 3 PM.'],
  ['open from nine a m', 'Open from 9 AM.'],
  ['ten oh five a.m.', '10:05 AM.'],
  ['by three thirty', 'By 3:30.'],
  ["at three o'clock", "At 3 o'clock."],
  // digit sequences: phone, account, card, zip
  ['my phone number is five five five one two three four', 'My phone number is 555-1234.'],
  ['my account number is four seven two nine one eight three', 'My account number is 4729183.'],
  ['five five five one two three four five six seven', '555-123-4567.'],
  ['one eight hundred five five five one two one two', '1-800-555-1212.'],
  ['call five five five twelve thirty four', 'Call 555-1234.'],
  ['my zip is nine oh two one oh', 'My zip is 90210.'],
  ['account number double five one two three', 'Account number 55123.'],
  ['triple seven two', '7772.'],
  [
    'my card is four one one one one one one one one one one one one one one one',
    'My card is 4111111111111111.',
  ],
  ['two three times', 'Two three times.'],
  ['oh oh oh', 'Oh oh oh.'],
  ['my pin is zero zero zero zero', 'My pin is 0000.'],
  ['oh i see', 'Oh I see.'],
  // truecasing and punctuation
  ['what is your account number', 'What is your account number?'],
  ['okay what is your account number', 'Okay, what is your account number?'],
  ['hello how are you', 'Hello, how are you?'],
  ['can you hear me', 'Can you hear me?'],
  ['is there anything else', 'Is there anything else?'],
  ['what time is it', 'What time is it?'],
  ["what's your name", "What's your name?"],
  ['how much is the upgrade', 'How much is the upgrade?'],
  ['how can i help you today', 'How can I help you today?'],
  ['when i called yesterday they said so', 'When I called yesterday they said so.'],
  ['what i want is a refund', 'What I want is a refund.'],
  ['which is why i called', 'Which is why I called.'],
  ['will do', 'Will do.'],
  ["i'm calling about my visa card", "I'm calling about my Visa card."],
  ['i paid with paypal on monday', 'I paid with PayPal on Monday.'],
  ['my american express card', 'My American Express card.'],
  ['the refund takes three to five business days', 'The refund takes three to five business days.'],
];

describe('text after recognition: spoken words → display text (en-US)', () => {
  it.each(TEXT_TABLE)('%s → %s', (spoken, written) => {
    expect(formatText(spoken)).toBe(written);
  });

  it.each(TEXT_TABLE)('is idempotent on its own output: %s', (spoken) => {
    const once = formatText(spoken);
    expect(formatText(once)).toBe(once);
  });

  it('gives partials no closing punctuation (their sentence is not over)', () => {
    expect(formatText('it costs forty nine dollars', { final: false })).toBe('It costs $49');
    expect(formatText('can you hear', { final: false })).toBe('Can you hear');
  });
});

/** words at 8 kHz: each [text, start s, duration s, confidence] */
function result(
  words: [string, number, number, number][],
  overrides: Partial<RecognitionResult> = {},
): RecognitionResult {
  const recognised: RecognizedWord[] = words.map(([text, start, duration, confidence]) => ({
    text,
    startSample: Math.round(start * 8000),
    durationSamples: Math.round(duration * 8000),
    confidence,
  }));
  const first = recognised[0]!;
  const last = recognised[recognised.length - 1]!;
  return {
    utteranceId: 'u1',
    isFinal: true,
    text: words.map(([text]) => text).join(' '),
    words: recognised,
    startSample: first.startSample,
    durationSamples: last.startSample + last.durationSamples - first.startSample,
    confidence: 0.8,
    language: 'en-US',
    engine: 'scripted',
    ...overrides,
  };
}

/** expected written tokens: [text, start s, duration s, confidence, source words [from, to)] */
const TOKEN_TABLE: {
  name: string;
  words: [string, number, number, number][];
  tokens: [string, number, number, number, [number, number]][];
}[] = [
  {
    name: 'money spans its three words, with the lowest confidence',
    words: [
      ['that', 1.0, 0.2, 0.9],
      ['is', 1.2, 0.1, 0.95],
      ['forty', 1.4, 0.3, 0.8],
      ['nine', 1.7, 0.3, 0.6],
      ['dollars', 2.0, 0.4, 0.7],
    ],
    tokens: [
      ['That', 1.0, 0.2, 0.9, [0, 1]],
      ['is', 1.2, 0.1, 0.95, [1, 2]],
      ['$49.', 1.4, 1.0, 0.6, [2, 5]],
    ],
  },
  {
    name: 'a time becomes two tokens, the clock and the meridiem',
    words: [
      ['at', 0.5, 0.1, 0.9],
      ['three', 0.6, 0.3, 0.9],
      ['thirty', 0.9, 0.3, 0.8],
      ['p', 1.2, 0.1, 0.7],
      ['m', 1.3, 0.2, 0.75],
    ],
    tokens: [
      ['At', 0.5, 0.1, 0.9, [0, 1]],
      ['3:30', 0.6, 0.6, 0.8, [1, 3]],
      ['PM.', 1.2, 0.3, 0.7, [3, 5]],
    ],
  },
  {
    name: 'a date: month, day with its comma, year',
    words: [
      ['march', 2.0, 0.3, 0.9],
      ['third', 2.3, 0.3, 0.85],
      ['twenty', 2.6, 0.3, 0.8],
      ['twenty', 2.9, 0.3, 0.8],
      ['four', 3.2, 0.3, 0.7],
    ],
    tokens: [
      ['March', 2.0, 0.3, 0.9, [0, 1]],
      ['3,', 2.3, 0.3, 0.85, [1, 2]],
      ['2024.', 2.6, 0.9, 0.7, [2, 5]],
    ],
  },
  {
    name: 'a digit sequence is one token over all its digits',
    words: [
      ['five', 4.0, 0.2, 0.9],
      ['five', 4.2, 0.2, 0.9],
      ['five', 4.4, 0.2, 0.9],
      ['one', 4.7, 0.2, 0.5],
      ['two', 4.9, 0.2, 0.9],
      ['three', 5.1, 0.2, 0.9],
      ['four', 5.3, 0.3, 0.9],
    ],
    tokens: [['5551234.', 4.0, 1.6, 0.5, [0, 7]]],
  },
];

describe('text after recognition: tokens and timings', () => {
  it.each(TOKEN_TABLE)('$name', ({ words, tokens }) => {
    const input = result(words);
    const out = formatRecognition(input);
    expect(
      out.words.map((w) => [w.text, w.startSample / 8000, w.durationSamples / 8000, w.confidence]),
    ).toEqual(tokens.map(([text, start, duration, confidence]) => [text, start, duration, confidence]));
    // the text is the tokens, so Genesys's transcript and tokens agree, and the UI highlights what it shows
    expect(out.text).toBe(out.words.map((w) => w.text).join(' '));
    expect(out.raw?.text).toBe(input.text);
    expect(out.raw?.words).toBe(input.words);
    expect(out.raw?.sources.map(({ from, to }) => [from, to])).toEqual(tokens.map((t) => t[4]));
    // the utterance keeps its span and everything else
    expect(out.startSample).toBe(input.startSample);
    expect(out.durationSamples).toBe(input.durationSamples);
    expect(out.utteranceId).toBe(input.utteranceId);
  });

  it('does not modify its input', () => {
    const input = result([
      ['forty', 1, 0.3, 0.8],
      ['nine', 1.3, 0.3, 0.8],
    ]);
    const copy = structuredClone(input);
    formatRecognition(input);
    expect(input).toEqual(copy);
  });

  it('formats the text of an engine without word timings and leaves the words empty', () => {
    const out = formatRecognition({ ...result([['x', 0, 1, 0.9]]), text: 'forty nine dollars', words: [] });
    expect(out.text).toBe('$49.');
    expect(out.words).toEqual([]);
    expect(out.raw?.text).toBe('forty nine dollars');
  });

  it('passes other languages through untouched (the rules are en-US)', () => {
    for (const language of ['de-DE', 'en-GB', 'es-US']) {
      const input = result([['forty', 1, 0.3, 0.8]], { language });
      expect(formatRecognition(input)).toBe(input);
    }
  });

  it('returns the same object when nothing changes', () => {
    const input = result([['Hello.', 1, 0.3, 0.8]]);
    expect(formatRecognition(input)).toBe(input);
  });
});

describe('text after recognition: any word salad', () => {
  // number words, cues and ordinary words in random order (seeded): the stage must never throw, and its tokens must
  // always cover the source words in order, one range each
  const VOCABULARY = (
    'zero oh o one two three four five six seven eight nine ten eleven twelve fifteen nineteen twenty thirty ' +
    'ninety twenty-one first third twenty-first hundred thousand million a and point double triple dollars ' +
    'cents percent per cent a m p m am pm o’clock at costs month march may june the of is what can you i my ' +
    'card number phone nineties'
  ).split(' ');
  let seed = 0x2545f491;
  const random = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };

  it('keeps every token mapped to its source words, in order, on 2,000 random utterances', () => {
    for (let n = 0; n < 2000; n++) {
      const length = 1 + Math.floor(random() * 14);
      const words = Array.from({ length }, (_, i): [string, number, number, number] => [
        VOCABULARY[Math.floor(random() * VOCABULARY.length)]!,
        i * 0.3,
        0.25,
        0.5 + random() / 2,
      ]);
      const input = result(words);
      const out = formatRecognition(input);
      expect(out.text).toBe(out.words.map((w) => w.text).join(' '));
      expect(out.words.every((w) => w.text.length > 0 && !/\s/.test(w.text))).toBe(true);
      const sources = out.raw?.sources ?? input.words.map((_, i) => ({ from: i, to: i + 1 }));
      expect(sources[0]!.from).toBe(0);
      expect(sources[sources.length - 1]!.to).toBe(length);
      sources.forEach((source, i) => {
        expect(source.to).toBeGreaterThan(source.from);
        if (i > 0) expect(source.from).toBe(sources[i - 1]!.to);
        const word = out.words[i]!;
        expect(word.startSample).toBe(input.words[source.from]!.startSample);
        const last = input.words[source.to - 1]!;
        expect(word.startSample + word.durationSamples).toBe(last.startSample + last.durationSamples);
      });
      expect(formatText(out.text)).toBe(out.text);
    }
  });
});
