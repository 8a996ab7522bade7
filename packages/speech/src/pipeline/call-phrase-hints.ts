/**
 * Per-call phrase hints from `open.parameters.customConfig.sttPhrases`: words and phrases the call is likely to
 * contain (a product, a customer's name), e.g. `{"sttPhrases": ["Contoso", "premium plus plan"]}`. A single string
 * is taken as one phrase. The protocol has no error for customConfig, so bad input never fails the call: what is
 * wrong is dropped and reported in `problems` for the caller's warn log.
 */

export const PHRASE_HINTS_KEY = 'sttPhrases';
/** at most this many phrases per call; later ones are dropped */
export const MAX_CALL_PHRASES = 100;
/** at most this many characters per phrase (after cleaning); longer ones are dropped */
export const MAX_PHRASE_LENGTH = 100;

export interface CallPhraseHints {
  /** cleaned phrases, in the order given, without duplicates (case-insensitive) */
  phrases: string[];
  /** why something was dropped, one line each; empty when all was taken */
  problems: string[];
}

// control and format characters (NUL, newlines, zero-width, bidi overrides) have no place in a hint
const CONTROL = /[\p{Cc}\p{Cf}]+/gu;

/** One phrase cleaned: control characters become spaces, whitespace is collapsed. */
export function cleanPhrase(value: string): string {
  return value.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
}

export function callPhraseHints(customConfig: Record<string, unknown> | null | undefined): CallPhraseHints {
  const value = customConfig?.[PHRASE_HINTS_KEY];
  if (value === undefined || value === null) return { phrases: [], problems: [] };
  const items: unknown[] = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
  if (items.length === 0 && !Array.isArray(value)) {
    return {
      phrases: [],
      problems: [`${PHRASE_HINTS_KEY} must be a string or an array of strings, got ${typeof value}`],
    };
  }
  const phrases: string[] = [];
  const seen = new Set<string>();
  const problems: string[] = [];
  let overCap = 0;
  items.forEach((item, index) => {
    if (typeof item !== 'string') {
      problems.push(
        `${PHRASE_HINTS_KEY}[${index}] is not a string (${item === null ? 'null' : typeof item})`,
      );
      return;
    }
    const phrase = cleanPhrase(item);
    if (phrase === '') {
      problems.push(`${PHRASE_HINTS_KEY}[${index}] is empty`);
      return;
    }
    if (phrase.length > MAX_PHRASE_LENGTH) {
      problems.push(`${PHRASE_HINTS_KEY}[${index}] is longer than ${MAX_PHRASE_LENGTH} characters`);
      return;
    }
    const key = phrase.toLowerCase();
    if (seen.has(key)) return; // a repeat adds nothing
    if (phrases.length >= MAX_CALL_PHRASES) {
      overCap++;
      return;
    }
    seen.add(key);
    phrases.push(phrase);
  });
  if (overCap > 0) {
    problems.push(`${PHRASE_HINTS_KEY}: more than ${MAX_CALL_PHRASES} phrases, ${overCap} dropped`);
  }
  return { phrases, problems };
}

/** Deployment vocabulary then a call's phrases, each phrase once (case-insensitive), for an engine's phrase list. */
export function mergePhrases(vocabulary: readonly string[], call: readonly string[] = []): string[] {
  const seen = new Set<string>();
  return [...vocabulary, ...call].filter((phrase) => {
    const key = phrase.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
