/**
 * Rolling extractive summary: picks the customer's key sentences (issue, need) and the agent's action sentences
 * from the transcript so far. Deterministic — same transcript, same summary.
 */
import type { Role } from '@hookscribe/conversations';
import { contentWords, normalizeSpace, sentences } from '../text/tokens.js';
import { INTENTS, matchesAnyIntent, rankIntents, type Intent } from './intents.js';

export interface SummaryTurn {
  role: Role;
  text: string;
}

export interface RollingSummary {
  issue: string;
  customerNeed: string;
  actions: string[];
  text: string;
  /** the main call reason, when one was recognised */
  intent: Intent | null;
  /** the customer sentence that best states the problem, as spoken */
  keySentence: string;
}

const NEED_PHRASE =
  /\b(i (?:want|need|would like|'d like|wanna|am trying|'m trying|was hoping)|i'd like|i'm trying|can you|could you|can i|how (?:do|can) i|is it possible|i'm looking to|i am looking to|please)\b/i;
const ACTION_PHRASE =
  /\b(i've|i have|i'll|i will|we've|we have|we'll|we will|i'm going to|i am going to|i'm|i am|let me|i can)\s+(?:just\s+|now\s+|also\s+|gone ahead and\s+|go ahead and\s+)?(sen[dt]|updat\w*|process\w*|appl(?:y|ied)|cancel\w*|refund\w*|issu\w*|reset\w*|chang\w*|arrang\w*|escalat\w*|book\w*|credit\w*|waiv\w*|add\w*|remov\w*|set up|raised?|logg?\w*|email\w*|transferr?\w*|block\w*|froze|freez\w*|order\w*|open\w*|offer\w*|put\w*|mark\w*|reduc\w*|schedul\w*|confirm\w*)\b/i;
const MAX_ACTIONS = 8;
const MAX_SENTENCE = 200;

function clip(sentence: string): string {
  const s = normalizeSpace(sentence);
  return s.length <= MAX_SENTENCE ? s : `${s.slice(0, MAX_SENTENCE - 1).trimEnd()}…`;
}

/** How much a customer sentence says about the problem: intent words weigh most, content words add detail. */
function keySentenceScore(sentence: string): number {
  const intentHits = INTENTS.filter((i) => i.pattern.test(sentence)).length;
  const detail = Math.min(contentWords(sentence).length, 8);
  return intentHits * 5 + detail + (/\b(my|i was|i've been|i have been)\b/i.test(sentence) ? 1 : 0);
}

function best(candidates: string[], score: (s: string) => number): string {
  let top = '';
  let topScore = -Infinity;
  for (const c of candidates) {
    const s = score(c);
    if (s > topScore) {
      top = c;
      topScore = s;
    }
  }
  return top;
}

export function summarize(turns: readonly SummaryTurn[]): RollingSummary {
  const customerTurns = turns.filter((t) => t.role === 'customer').map((t) => t.text);
  const customerSentences = customerTurns.flatMap(sentences).filter((s) => contentWords(s).length > 0);
  const agentSentences = turns.filter((t) => t.role === 'agent').flatMap((t) => sentences(t.text));

  const intent = rankIntents(customerTurns)[0]?.intent ?? null;
  const keySentence = best(customerSentences, keySentenceScore);
  const needCandidates = customerSentences.filter((s) => NEED_PHRASE.test(s));
  const need =
    best(needCandidates, (s) => keySentenceScore(s) + (matchesAnyIntent(s) ? 3 : 0)) || keySentence;

  const actions: string[] = [];
  for (const s of agentSentences) {
    if (!ACTION_PHRASE.test(s)) continue;
    const a = clip(s);
    if (!actions.includes(a)) actions.push(a);
  }
  const recentActions = actions.slice(-MAX_ACTIONS);

  const issue = intent ? `${capitalise(intent.label)}: ${clip(keySentence)}` : clip(keySentence);
  const customerNeed = clip(need);
  const parts: string[] = [];
  if (intent) parts.push(`Customer is calling about ${intent.label}.`);
  else if (issue) parts.push(`Customer says: "${issue}"`);
  if (customerNeed) parts.push(`They need: "${customerNeed}"`);
  if (recentActions.length > 0) parts.push(`Agent actions so far: ${recentActions.join(' ')}`);
  if (parts.length === 0 && turns.length > 0) parts.push('Not enough conversation yet to summarise.');
  return {
    issue,
    customerNeed,
    actions: recentActions,
    text: parts.join(' '),
    intent,
    keySentence: clip(keySentence),
  };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
