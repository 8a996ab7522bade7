/**
 * Finds PII in a list of transcript tokens (words as an ASR writes them): card numbers (13–19 digits passing Luhn,
 * as numerals or spoken digits), US-SSN-like numbers (9 digits, valid area/group/serial), phone numbers (10–15
 * digits), e-mail addresses (written "a@b.com" or spoken "john dot smith at example dot com").
 * Returns inclusive token ranges so callers can replace words and keep their timing.
 */
import { passesLuhn } from './luhn.js';
import { numberRuns, tokenDigits } from './spoken-digits.js';

export type RedactionKind = 'card' | 'ssn' | 'email' | 'phone';

export interface PiiSpan {
  kind: RedactionKind;
  start: number;
  end: number;
}

export interface DetectOptions {
  kinds: ReadonlySet<RedactionKind>;
  /**
   * The text may still grow (a partial result): a card number may be only half spoken, so any run of 8+ digits is
   * treated as a possible card rather than waiting for a Luhn-valid whole.
   */
  incomplete?: boolean;
}

const TOP_LEVEL_DOMAINS = new Set([
  'com',
  'org',
  'net',
  'edu',
  'gov',
  'io',
  'co',
  'uk',
  'de',
  'fr',
  'info',
  'biz',
  'us',
]);

function isValidSsn(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false;
  const area = digits.slice(0, 3);
  return (
    area !== '000' &&
    area !== '666' &&
    area[0] !== '9' &&
    digits.slice(3, 5) !== '00' &&
    digits.slice(5) !== '0000'
  );
}

function findNumbers(tokens: string[], options: DetectOptions): PiiSpan[] {
  const digits = tokenDigits(tokens);
  const spans: PiiSpan[] = [];
  for (const run of numberRuns(digits)) {
    const runDigits = digits.slice(run.start, run.end + 1).join('');
    let claimed = false;
    if (options.kinds.has('card')) {
      // a 13–19 digit run is a card if it passes Luhn. A longer run (card then expiry or CVV, or a prefix) is
      // searched for the longest Luhn-valid stretch that starts or ends with the run; middles are not tried, since
      // some window of any long digit string passes Luhn by chance.
      let best: PiiSpan | null = null;
      if (runDigits.length >= 13 && runDigits.length <= 19) {
        if (passesLuhn(runDigits)) best = { kind: 'card', ...run };
      } else if (runDigits.length > 19) {
        for (let start = run.start; start <= run.end; start++) {
          let stretch = '';
          for (let end = start; end <= run.end; end++) {
            stretch += digits[end]!;
            if (stretch.length > 19) break;
            const edgeAligned = start === run.start || end === run.end;
            if (
              edgeAligned &&
              stretch.length >= 13 &&
              passesLuhn(stretch) &&
              (best === null || end - start > best.end - best.start)
            )
              best = { kind: 'card', start, end };
          }
        }
      }
      if (best === null && options.incomplete && runDigits.length >= 8) best = { kind: 'card', ...run };
      if (best !== null) {
        spans.push(best);
        claimed = true;
      }
    }
    if (claimed) continue;
    if (options.kinds.has('ssn') && isValidSsn(runDigits)) spans.push({ kind: 'ssn', ...run });
    else if (options.kinds.has('phone') && runDigits.length >= 10 && runDigits.length <= 15)
      spans.push({ kind: 'phone', ...run });
  }
  return spans;
}

function findEmails(tokens: string[]): PiiSpan[] {
  const words = tokens.map((token) => token.toLowerCase().replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''));
  const spans: PiiSpan[] = [];
  words.forEach((word, index) => {
    if (/^[^\s@]+@[^\s@]+\.[\p{L}]{2,}$/u.test(word)) spans.push({ kind: 'email', start: index, end: index });
  });
  // spoken: <local> at <label> (dot <label>)+ ending in a known top-level domain; local = <word> (dot <word>)*
  for (let at = 1; at + 3 < words.length; at++) {
    if (words[at] !== 'at') continue;
    let end = at + 1;
    while (end + 2 < words.length && words[end + 1] === 'dot') end += 2;
    while (end > at + 1 && !TOP_LEVEL_DOMAINS.has(words[end]!)) end -= 2;
    if (end <= at + 1) continue;
    let start = at - 1;
    while (start >= 2 && (words[start - 1] === 'dot' || words[start - 1] === 'underscore')) start -= 2;
    spans.push({ kind: 'email', start, end });
  }
  return spans;
}

/** Non-overlapping spans in token order (earlier and longer spans win). */
export function detectPii(tokens: string[], options: DetectOptions): PiiSpan[] {
  const found = [
    ...(options.kinds.has('email') ? findEmails(tokens) : []),
    ...(options.kinds.has('card') || options.kinds.has('ssn') || options.kinds.has('phone')
      ? findNumbers(tokens, options)
      : []),
  ].sort((a, b) => a.start - b.start || b.end - a.end);
  const spans: PiiSpan[] = [];
  for (const span of found) {
    const previous = spans[spans.length - 1];
    if (previous !== undefined && span.start <= previous.end) continue;
    spans.push(span);
  }
  return spans;
}
