/**
 * Per-turn sentiment: AFINN lexicon scoring (the `sentiment` package) with a contact-centre vocabulary and a wider
 * negation window than the library default ("not very happy", "don't really like").
 */
import { createRequire } from 'node:module';
import Sentiment from 'sentiment';

const require = createRequire(import.meta.url);
const afinn = require('sentiment/languages/en/labels.json') as Record<string, number>;
const negators = require('sentiment/languages/en/negators.json') as Record<string, number>;

/** Words AFINN scores for general prose that mean little (or something else) on a service call. */
const CONTACT_CENTRE_LABELS: Record<string, number> = {
  like: 0, // "I'd like to…" is a request, not praise
  want: 0,
  please: 0,
  help: 0, // "can you help me" is neutral
  charged: -1, // AFINN means "accused"; on a call it means billed
  overcharged: -2,
  late: -1,
  sorted: 2,
  fixed: 2,
  unhappy: -2,
  annoyed: -2,
  rubbish: -2,
  nightmare: -3,
  joke: -1, // "this is a joke"
  no: 0, // "no, that's all" — answers, not feelings
  yes: 0,
  fine: 0, // "fine." is usually grudging on a call
};

const EXTRA_NEGATORS = new Set([
  'never',
  'no',
  'nothing',
  'hardly',
  'without',
  'neither',
  'nor',
  'aint',
  "ain't",
]);
const NEGATION_WINDOW = 3;
const LANGUAGE_CODE = 'hookscribe-en';

function isNegator(token: string | undefined): boolean {
  return token !== undefined && (negators[token] === 1 || EXTRA_NEGATORS.has(token));
}

const analyzer = new Sentiment();
analyzer.registerLanguage(LANGUAGE_CODE, {
  labels: { ...afinn, ...CONTACT_CENTRE_LABELS },
  scoringStrategy: {
    apply(tokens, cursor, tokenScore) {
      for (let i = cursor - 1; i >= Math.max(0, cursor - NEGATION_WINDOW); i--) {
        if (isNegator(tokens[i])) return -tokenScore;
      }
      return tokenScore;
    },
  },
});

export type SentimentLabel = 'negative' | 'neutral' | 'positive';

export interface TurnSentiment {
  /** -1 … 1 (tanh of the summed AFINN score / 4) */
  score: number;
  label: SentimentLabel;
  /** lexicon words that contributed, for explanations and tests */
  words: string[];
}

/** |score| below this is neutral: a single mild word (AFINN ±1) does not flip a turn. */
export const NEUTRAL_BAND = 0.2;

export function scoreTurn(text: string): TurnSentiment {
  const result = analyzer.analyze(text.replace(/[’‘]/g, "'"), { language: LANGUAGE_CODE });
  const score = Math.round(Math.tanh(result.score / 4) * 1000) / 1000;
  const label: SentimentLabel =
    score <= -NEUTRAL_BAND ? 'negative' : score >= NEUTRAL_BAND ? 'positive' : 'neutral';
  return { score, label, words: result.words };
}
