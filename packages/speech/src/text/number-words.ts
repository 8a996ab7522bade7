/**
 * English number words, and parsers over a list of lower-case recogniser words. Each parser reads from a position
 * and says where it stopped (exclusive), so the caller knows which source words a number covers.
 */

const UNITS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
};
const TEENS: Record<string, number> = {
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
};
const TENS: Record<string, number> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const SCALES: Record<string, number> = { thousand: 1e3, million: 1e6, billion: 1e9 };

const ORDINAL_UNITS: Record<string, number> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  sixth: 6,
  seventh: 7,
  eighth: 8,
  ninth: 9,
};
const ORDINAL_TEENS: Record<string, number> = {
  tenth: 10,
  eleventh: 11,
  twelfth: 12,
  thirteenth: 13,
  fourteenth: 14,
  fifteenth: 15,
  sixteenth: 16,
  seventeenth: 17,
  eighteenth: 18,
  nineteenth: 19,
};
const ORDINAL_TENS: Record<string, number> = {
  twentieth: 20,
  thirtieth: 30,
  fortieth: 40,
  fiftieth: 50,
  sixtieth: 60,
  seventieth: 70,
  eightieth: 80,
  ninetieth: 90,
};
const ORDINAL_SCALES: Record<string, number> = { hundredth: 100, thousandth: 1e3, millionth: 1e6 };

/** digits spoken one by one: "oh" and "o" only count as zero inside a digit sequence */
export const DIGIT_WORDS: Record<string, string> = {
  zero: '0',
  oh: '0',
  o: '0',
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
};

type Kind = 'unit' | 'teen' | 'tens' | 'tensUnit' | 'hundred' | 'scale';

interface NumberWord {
  kind: Kind;
  value: number;
  ordinal: boolean;
}

const has = (table: Record<string, number>, key: string): boolean => Object.hasOwn(table, key);

/** one word of a number ("twenty-one" and "twenty-first", as the CMU dictionary spells them, are one word) */
export function numberWord(key: string): NumberWord | null {
  if (has(UNITS, key)) return { kind: 'unit', value: UNITS[key]!, ordinal: false };
  if (has(TEENS, key)) return { kind: 'teen', value: TEENS[key]!, ordinal: false };
  if (has(TENS, key)) return { kind: 'tens', value: TENS[key]!, ordinal: false };
  if (key === 'hundred') return { kind: 'hundred', value: 100, ordinal: false };
  if (has(SCALES, key)) return { kind: 'scale', value: SCALES[key]!, ordinal: false };
  if (has(ORDINAL_UNITS, key)) return { kind: 'unit', value: ORDINAL_UNITS[key]!, ordinal: true };
  if (has(ORDINAL_TEENS, key)) return { kind: 'teen', value: ORDINAL_TEENS[key]!, ordinal: true };
  if (has(ORDINAL_TENS, key)) return { kind: 'tens', value: ORDINAL_TENS[key]!, ordinal: true };
  if (key === 'hundredth') return { kind: 'hundred', value: 100, ordinal: true };
  if (has(ORDINAL_SCALES, key)) return { kind: 'scale', value: ORDINAL_SCALES[key]!, ordinal: true };
  const hyphen = /^([a-z]+)-([a-z]+)$/.exec(key);
  if (hyphen && has(TENS, hyphen[1]!)) {
    const unit = numberWord(hyphen[2]!);
    if (unit?.kind === 'unit')
      return { kind: 'tensUnit', value: TENS[hyphen[1]!]! + unit.value, ordinal: unit.ordinal };
  }
  return null;
}

export interface ParsedNumber {
  value: number;
  /** index after the last word used */
  end: number;
  ordinal: boolean;
  /** words used */
  count: number;
}

/** which kinds may follow which inside one number ("twenty five hundred", never "twenty thirty" or "five six") */
const NEXT: Record<Kind | 'start', readonly Kind[]> = {
  start: ['unit', 'teen', 'tens', 'tensUnit'],
  unit: ['hundred', 'scale'],
  teen: ['hundred', 'scale'],
  tens: ['unit', 'hundred', 'scale'],
  tensUnit: ['hundred', 'scale'],
  hundred: ['unit', 'teen', 'tens', 'tensUnit', 'scale'],
  scale: ['unit', 'teen', 'tens', 'tensUnit'],
};

/**
 * A cardinal or ordinal number: "zero", "forty nine", "a hundred and five", "two thousand twenty four",
 * "twenty first". Greedy; stops before a word that cannot continue the number.
 */
export function parseNumber(keys: readonly string[], from: number): ParsedNumber | null {
  if (keys[from] === 'zero') return { value: 0, end: from + 1, ordinal: false, count: 1 };
  let total = 0;
  let group = 0;
  let last: Kind | 'start' = 'start';
  let lastScale = Infinity;
  let at = from;
  let end = from;
  let ordinal = false;
  if (keys[at] === 'a') {
    const next = numberWord(keys[at + 1] ?? '');
    if (next?.kind !== 'hundred' && next?.kind !== 'scale') return null;
    group = 1;
    last = 'unit';
    at++;
  }
  while (at < keys.length && !ordinal) {
    let key = keys[at]!;
    let skipped = 0;
    // "a hundred and five": "and" only inside a number, right after a hundred or a scale
    if (key === 'and' && (last === 'hundred' || last === 'scale')) {
      const after = numberWord(keys[at + 1] ?? '');
      if (!after || !['unit', 'teen', 'tens', 'tensUnit'].includes(after.kind)) break;
      skipped = 1;
      key = keys[at + 1]!;
    }
    const word = numberWord(key);
    if (!word || !NEXT[last].includes(word.kind)) break;
    if (word.kind === 'hundred') {
      if (group === 0 || group >= 100) break;
      group *= 100;
    } else if (word.kind === 'scale') {
      if (word.value >= lastScale || group === 0) break;
      total += group * word.value;
      group = 0;
      lastScale = word.value;
    } else {
      group += word.value;
    }
    last = word.kind;
    ordinal = word.ordinal;
    at += 1 + skipped;
    end = at;
  }
  if (end === from || (keys[from] === 'a' && end === from + 1)) return null;
  return { value: total + group, end, ordinal, count: end - from };
}

/** 1..99 in one or two words, cardinal only: the parts of "nine ninety nine", "three thirty", "nineteen ninety" */
export function parseSmallNumber(keys: readonly string[], from: number): ParsedNumber | null {
  const first = numberWord(keys[from] ?? '');
  if (!first || first.ordinal || first.kind === 'hundred' || first.kind === 'scale') return null;
  if (first.kind === 'tens') {
    const unit = numberWord(keys[from + 1] ?? '');
    if (unit?.kind === 'unit' && !unit.ordinal)
      return { value: first.value + unit.value, end: from + 2, ordinal: false, count: 2 };
  }
  return { value: first.value, end: from + 1, ordinal: false, count: 1 };
}

/** the two-digit second half of a paired number: "ninety nine", "twenty", "oh five" (→ 5, written 05) */
export function parsePairHalf(keys: readonly string[], from: number): ParsedNumber | null {
  if (keys[from] === 'oh' || keys[from] === 'o') {
    const unit = numberWord(keys[from + 1] ?? '');
    if (unit?.kind === 'unit' && !unit.ordinal)
      return { value: unit.value, end: from + 2, ordinal: false, count: 2 };
    return null;
  }
  const half = parseSmallNumber(keys, from);
  return half && half.value >= 10 ? half : null;
}

/** "nineteen ninety nine" → [19, 99], "nine ninety nine" → [9, 99], "twenty oh five" → [20, 5] */
export function parsePair(
  keys: readonly string[],
  from: number,
): { high: number; low: number; end: number } | null {
  const high = parseSmallNumber(keys, from);
  if (!high) return null;
  const low = parsePairHalf(keys, high.end);
  if (!low) return null;
  return { high: high.value, low: low.value, end: low.end };
}

export function ordinalSuffix(value: number): string {
  const lastTwo = value % 100;
  if (lastTwo >= 11 && lastTwo <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][value % 10] ?? 'th';
}

/** thousands separators from five digits up (years and "1500" read better without) */
export function formatCardinal(value: number): string {
  return value >= 10_000 ? value.toLocaleString('en-US') : String(value);
}
