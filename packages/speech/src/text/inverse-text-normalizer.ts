/**
 * Inverse text normalisation, en-US: spoken-form words → written form ("forty nine dollars" → "$49", "march third
 * twenty twenty four" → "March 3, 2024", "five five five one two three four" → "555-1234"). Works on the lower-case
 * words alone and returns written tokens, each naming the contiguous source words it stands for, so callers can
 * carry timings across. Style: AP-like — numbers below ten stay words unless they are part of an amount, a time, a
 * date or a digit sequence ("one of them", "two options", but "12 months", "$5", "3:30 PM").
 */
import {
  DIGIT_WORDS,
  formatCardinal,
  numberWord,
  ordinalSuffix,
  parseNumber,
  parsePair,
  parseSmallNumber,
  type ParsedNumber,
} from './number-words.js';

/** A written token standing for source words [from, to). `text` null: the source word, unchanged. */
export interface WrittenToken {
  from: number;
  to: number;
  text: string | null;
}

const DOLLARS = new Set(['dollar', 'dollars', 'bucks']);
const CENTS = new Set(['cent', 'cents']);
const PERCENT = new Set(['percent']);
/** words before a bare "nine ninety nine" that make it a price */
const PRICE_CUES = new Set([
  'cost',
  'costs',
  'price',
  'priced',
  'pay',
  'paying',
  'paid',
  'charge',
  'charged',
  'charges',
  'fee',
  'owe',
  'owed',
  'total',
  'balance',
  'refund',
  'spend',
  'spent',
  'only',
]);
const PER_PERIOD = new Set(['month', 'year', 'week', 'day']);
const TIME_CUES = new Set(['at', 'by', 'until', 'till', 'around', 'before', 'after', 'from']);
export const MONTHS: Record<string, string> = {
  january: 'January',
  february: 'February',
  march: 'March',
  april: 'April',
  may: 'May',
  june: 'June',
  july: 'July',
  august: 'August',
  september: 'September',
  october: 'October',
  november: 'November',
  december: 'December',
};

type Matcher = (keys: readonly string[], at: number) => WrittenToken[] | null;

const one = (from: number, to: number, text: string): WrittenToken[] => [{ from, to, text }];

/** "2.5": a number, "point", then digits spoken one by one */
function parseDecimal(keys: readonly string[], at: number): { text: string; end: number } | null {
  const whole = parseNumber(keys, at);
  if (!whole || whole.ordinal) return null;
  if (keys[whole.end] !== 'point') return { text: String(whole.value), end: whole.end };
  let digits = '';
  let end = whole.end + 1;
  while (end < keys.length && Object.hasOwn(DIGIT_WORDS, keys[end]!)) digits += DIGIT_WORDS[keys[end++]!];
  if (digits === '') return { text: String(whole.value), end: whole.end };
  return { text: `${whole.value}.${digits}`, end };
}

const cents = (value: number): string => String(value).padStart(2, '0');
const dollars = (value: number): string => value.toLocaleString('en-US');

/** "$49", "$49.99", "$0.50", "$1,250", and "nine ninety nine" → "$9.99" where it is clearly a price */
const money: Matcher = (keys, at) => {
  // "a dollar (fifty)": "a" is one only before the currency word
  const amount =
    keys[at] === 'a' && DOLLARS.has(keys[at + 1] ?? '')
      ? { value: 1, end: at + 1, ordinal: false, count: 1 }
      : parseNumber(keys, at);
  if (amount && !amount.ordinal) {
    if (DOLLARS.has(keys[amount.end] ?? '')) {
      let end = amount.end + 1;
      let written = `$${dollars(amount.value)}`;
      const andAt = keys[end] === 'and' ? end + 1 : end;
      const change = parseSmallNumber(keys, andAt);
      if (change && (CENTS.has(keys[change.end] ?? '') || (change.value >= 10 && andAt === end))) {
        written += `.${cents(change.value)}`;
        end = CENTS.has(keys[change.end] ?? '') ? change.end + 1 : change.end;
      }
      return one(at, end, written);
    }
    if (CENTS.has(keys[amount.end] ?? '') && amount.value < 100)
      return one(at, amount.end + 1, `$0.${cents(amount.value)}`);
  }
  const pair = parsePair(keys, at);
  if (!pair || pair.high === 0 || pair.low < 10) return null;
  const written = `$${pair.high}.${cents(pair.low)}`;
  if (DOLLARS.has(keys[pair.end] ?? '')) return one(at, pair.end + 1, written);
  const cued = [keys[at - 1], keys[at - 2]].some((key) => PRICE_CUES.has(key ?? ''));
  const perPeriod =
    (keys[pair.end] === 'a' || keys[pair.end] === 'per') && PER_PERIOD.has(keys[pair.end + 1] ?? '');
  return cued || perPeriod ? one(at, pair.end, written) : null;
};

/** "20%", "2.5%" */
const percent: Matcher = (keys, at) => {
  const amount = parseDecimal(keys, at);
  if (!amount) return null;
  if (PERCENT.has(keys[amount.end] ?? '')) return one(at, amount.end + 1, `${amount.text}%`);
  if (keys[amount.end] === 'per' && keys[amount.end + 1] === 'cent')
    return one(at, amount.end + 2, `${amount.text}%`);
  return null;
};

/** "a m", "am", "a.m." → [AM, words used] */
function meridiem(keys: readonly string[], at: number): { text: string; end: number } | null {
  const key = keys[at];
  if (key === 'am' || key === 'a.m.') return { text: 'AM', end: at + 1 };
  if (key === 'pm' || key === 'p.m.') return { text: 'PM', end: at + 1 };
  if ((key === 'a' || key === 'p') && keys[at + 1] === 'm')
    return { text: key === 'a' ? 'AM' : 'PM', end: at + 2 };
  return null;
}

/** "3:30 PM", "3 PM", "10:05 AM"; "at three thirty" → "at 3:30"; "three o'clock" → "3 o'clock" */
const time: Matcher = (keys, at) => {
  const hour = parseSmallNumber(keys, at);
  if (!hour || hour.value < 1 || hour.value > 12) return null;
  let minutes: string | null = null;
  let end = hour.end;
  if (keys[end] === 'oh' || keys[end] === 'o') {
    const unit = numberWord(keys[end + 1] ?? '');
    if (unit?.kind === 'unit' && !unit.ordinal) {
      minutes = cents(unit.value);
      end += 2;
    }
  } else {
    const minute = parseSmallNumber(keys, end);
    if (minute && minute.value >= 10 && minute.value <= 59) {
      minutes = String(minute.value);
      end = minute.end;
    }
  }
  const clock = minutes === null ? String(hour.value) : `${hour.value}:${minutes}`;
  const suffix = meridiem(keys, end);
  if (suffix)
    return [
      { from: at, to: end, text: clock },
      { from: end, to: suffix.end, text: suffix.text },
    ];
  if (keys[end] === "o'clock" && minutes === null) return one(at, end, clock);
  if (minutes !== null && TIME_CUES.has(keys[at - 1] ?? '')) return one(at, end, clock);
  return null;
};

/** a year: "twenty twenty four", "nineteen ninety nine", "twenty oh five", "two thousand and five" */
function parseYear(keys: readonly string[], at: number, anyCentury: boolean): ParsedNumber | null {
  const pair = parsePair(keys, at);
  if (pair && pair.high >= 10 && (anyCentury || pair.high === 19 || pair.high === 20)) {
    return { value: pair.high * 100 + pair.low, end: pair.end, ordinal: false, count: pair.end - at };
  }
  const whole = parseNumber(keys, at);
  if (whole && !whole.ordinal && whole.value >= 1000 && whole.value <= 2099) return whole;
  return null;
}

/** "March 3, 2024", "March 3", "March 2024", "March 21st" stays "March 21" (AP style) */
const date: Matcher = (keys, at) => {
  const month = MONTHS[keys[at] ?? ''];
  if (!month) return null;
  const tokens: WrittenToken[] = [{ from: at, to: at + 1, text: month }];
  const dayAt = keys[at + 1] === 'the' ? at + 2 : at + 1;
  const day = parseNumber(keys, dayAt);
  const year = day && day.value >= 1 && day.value <= 31 ? parseYear(keys, day.end, true) : null;
  if (day && day.value >= 1 && day.value <= 31 && (day.ordinal || year || !parseYear(keys, dayAt, false))) {
    tokens.push({ from: at + 1, to: day.end, text: year ? `${day.value},` : String(day.value) });
    if (year) tokens.push({ from: day.end, to: year.end, text: String(year.value) });
    return tokens;
  }
  const onlyYear = parseYear(keys, at + 1, false);
  if (onlyYear) {
    tokens.push({ from: at + 1, to: onlyYear.end, text: String(onlyYear.value) });
    return tokens;
  }
  return null;
};

/** "eight hundred" belongs to a digit run after a digit, or at its start when three single digits follow */
function hundredsInRun(keys: readonly string[], at: number, singles: number): boolean {
  if (singles >= 1) return true;
  return [2, 3, 4].every((ahead) => Object.hasOwn(DIGIT_WORDS, keys[at + ahead] ?? ''));
}

/** words before a seven-digit run that make it a local phone number rather than an account or order number */
const PHONE_CUES = new Set(['phone', 'telephone', 'cell', 'mobile', 'call', 'reach', 'fax']);

const PHONE_SHAPES: Record<number, (d: string) => string> = {
  10: (d) => `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`,
  11: (d) => (d[0] === '1' ? `1-${d.slice(1, 4)}-${d.slice(4, 7)}-${d.slice(7)}` : d),
};

/**
 * Digits spoken one by one (phone, account, card, zip): "oh" as zero, "double five" → 55, two-digit groups and
 * hundreds allowed ("five five five twelve thirty four", "one eight hundred …"). Needs three single digits, so "two three times" stays words.
 * Ten and eleven digits get phone dashes, seven only after a phone cue ("my phone number is …"); every other run
 * stays one unbroken token (cards, accounts, zips).
 */
const digitSequence: Matcher = (keys, at) => {
  let digits = '';
  let singles = 0;
  let ohs = 0;
  let end = at;
  while (end < keys.length) {
    const key = keys[end]!;
    const repeat = key === 'double' ? 2 : key === 'triple' ? 3 : 0;
    const repeated = repeat ? keys[end + 1] : undefined;
    if (repeated !== undefined && Object.hasOwn(DIGIT_WORDS, repeated)) {
      digits += DIGIT_WORDS[repeated]!.repeat(repeat);
      singles += repeat;
      end += 2;
    } else if (
      keys[end + 1] === 'hundred' &&
      /^[1-9]$/.test(DIGIT_WORDS[key] ?? '') &&
      hundredsInRun(keys, end, singles)
    ) {
      // "(one) eight hundred …": an area code said as a number inside a digit run
      digits += `${DIGIT_WORDS[key]}00`;
      end += 2;
    } else if (Object.hasOwn(DIGIT_WORDS, key)) {
      if (key === 'oh' || key === 'o') ohs++;
      digits += DIGIT_WORDS[key];
      singles++;
      end++;
    } else {
      // a two-digit group only continues a run already under way ("five five five twelve thirty four")
      const group = singles >= 1 ? parseSmallNumber(keys, end) : null;
      if (!group || group.value < 10) break;
      digits += String(group.value);
      end = group.end;
    }
  }
  // "oh oh oh" is an exclamation, not 000
  if (singles < 3 || ohs === singles || digits.length < 3) return null;
  const phoneCue = keys.slice(Math.max(0, at - 4), at).some((key) => PHONE_CUES.has(key));
  if (digits.length === 7 && phoneCue) return one(at, end, `${digits.slice(0, 3)}-${digits.slice(3)}`);
  return one(at, end, PHONE_SHAPES[digits.length]?.(digits) ?? digits);
};

const DECADES: Record<string, number> = {
  tens: 10,
  twenties: 20,
  thirties: 30,
  forties: 40,
  fifties: 50,
  sixties: 60,
  seventies: 70,
  eighties: 80,
  nineties: 90,
};

/** "nineteen nineties" → "1990s", "twenty tens" → "2010s" */
const decade: Matcher = (keys, at) => {
  const century = keys[at] === 'nineteen' ? 1900 : keys[at] === 'twenty' ? 2000 : 0;
  const tens = DECADES[keys[at + 1] ?? ''];
  return century && tens !== undefined ? one(at, at + 2, `${century + tens}s`) : null;
};

/** "1999", "2024" said as pairs, outside a date */
const year: Matcher = (keys, at) => {
  const pair = parsePair(keys, at);
  if (!pair || (pair.high !== 19 && pair.high !== 20)) return null;
  return one(at, pair.end, String(pair.high * 100 + pair.low));
};

/** "49", "2.5", "21st", "12,500"; single words below ten ("one", "third") stay words */
const number: Matcher = (keys, at) => {
  const parsed = parseNumber(keys, at);
  if (!parsed) return null;
  if (parsed.ordinal) {
    if (parsed.value < 10) return null;
    return one(at, parsed.end, `${parsed.value}${ordinalSuffix(parsed.value)}`);
  }
  const decimal = parseDecimal(keys, at);
  if (decimal && decimal.end > parsed.end) return one(at, decimal.end, decimal.text);
  if (parsed.value < 10 && parsed.count === 1) return null;
  return one(at, parsed.end, formatCardinal(parsed.value));
};

const MATCHERS: readonly Matcher[] = [money, percent, time, date, digitSequence, decade, year, number];

/** Written tokens covering every source word in order (unchanged words as `text: null`). */
export function inverseNormalize(keys: readonly string[]): WrittenToken[] {
  const tokens: WrittenToken[] = [];
  let at = 0;
  while (at < keys.length) {
    let matched: WrittenToken[] | null = null;
    for (const matcher of MATCHERS) {
      matched = matcher(keys, at);
      if (matched) break;
    }
    if (matched) {
      tokens.push(...matched);
      at = matched[matched.length - 1]!.to;
    } else {
      tokens.push({ from: at, to: at + 1, text: null });
      at++;
    }
  }
  return tokens;
}
