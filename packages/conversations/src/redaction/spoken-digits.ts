/**
 * Reads the digits a transcript token stands for, whether the engine wrote them as numerals ("4111", "555-1234",
 * "(555)") or as spoken words ("four", "oh", "double one"). Tokens that are neither give null.
 */

const DIGIT_WORDS: Record<string, string> = {
  zero: '0',
  oh: '0',
  o: '0',
  nought: '0',
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

const REPEATS: Record<string, number> = { double: 2, triple: 3 };

/** Words that may sit inside a spoken number without ending it ("four one, uh, one one"; "five five five dash"). */
const FILLERS = new Set(['uh', 'um', 'er', 'dash', 'hyphen', '-']);

/** digits for each token: a digit string, '' for a filler/repeat word inside a number, or null (not a number) */
export function tokenDigits(tokens: string[]): (string | null)[] {
  const cleaned = tokens.map((token) =>
    token
      .toLowerCase()
      .replace(/^[^\p{L}\p{N}-]+|[^\p{L}\p{N}]+$/gu, '')
      .trim(),
  );
  const result: (string | null)[] = cleaned.map((token) => {
    if (/^\(?\+?\d[\d\-.)(]*$/.test(token)) return token.replace(/\D/g, '');
    if (token in DIGIT_WORDS) return DIGIT_WORDS[token]!;
    if (FILLERS.has(token) || token === '') return '';
    return null;
  });
  // "double one" → "11": the repeat word carries the extra copies, so it counts as part of the number
  for (let index = 0; index < cleaned.length - 1; index++) {
    const repeat = REPEATS[cleaned[index]!];
    const next = cleaned[index + 1]!;
    if (repeat !== undefined && next in DIGIT_WORDS) {
      result[index] = DIGIT_WORDS[next]!.repeat(repeat - 1);
      result[index + 1] = DIGIT_WORDS[next]!;
      index++;
    }
  }
  // a bare filler or blank (punctuation) is only part of a number when digits are on both sides: mark others null
  return result.map((digits, index) => {
    if (digits !== '') return digits;
    const before = result
      .slice(0, index)
      .reverse()
      .find((value) => value !== '');
    const after = result.slice(index + 1).find((value) => value !== '');
    return before != null && after != null ? '' : null;
  });
}

/** [start, end] inclusive token ranges of consecutive number tokens, trimmed of fillers at the edges */
export function numberRuns(digits: (string | null)[]): { start: number; end: number }[] {
  const runs: { start: number; end: number }[] = [];
  let start = -1;
  for (let index = 0; index <= digits.length; index++) {
    const inRun = index < digits.length && digits[index] !== null;
    if (inRun && start < 0) start = index;
    if (!inRun && start >= 0) {
      let first = start;
      let last = index - 1;
      while (first <= last && digits[first] === '') first++;
      while (last >= first && digits[last] === '') last--;
      if (first <= last) runs.push({ start: first, end: last });
      start = -1;
    }
  }
  return runs;
}
