/**
 * Truecasing and sentence punctuation for en-US finals, from small tables rather than a model: the sentence start,
 * "I" and its contractions, days, months, and a short list of names and brands a contact centre hears. Words not in
 * the tables are left as the recogniser wrote them.
 */

/** always written this way */
const PROPER_NOUNS: Record<string, string> = Object.fromEntries(
  [
    'Monday',
    'Tuesday',
    'Wednesday',
    'Thursday',
    'Friday',
    'Saturday',
    'Sunday',
    'January',
    'February',
    'April',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
    'Christmas',
    'Thanksgiving',
    'English',
    'Spanish',
    'French',
    'American',
    'Visa',
    'Mastercard',
    'Amex',
    'PayPal',
    'Venmo',
    'Zelle',
    'Apple',
    'iPhone',
    'iPad',
    'Android',
    'Google',
    'Gmail',
    'Amazon',
    'Microsoft',
    'Outlook',
    'Netflix',
    'Verizon',
    'Comcast',
    'FedEx',
    'Genesys',
    'Bluetooth',
    'Wi-Fi',
    'OK',
  ].map((name) => [name.toLowerCase(), name]),
);

/** "may" and "march" are not months without a cue ("in May", "of March"); the date rules capitalise them next to a
 * day or a year */
const MONTH_CUES = new Set(['in', 'of', 'since', 'until', 'till', 'early', 'late', 'mid', 'last', 'next']);
const CUED_MONTHS: Record<string, string> = { may: 'May', march: 'March' };

/** two-word names: [first, second] → written */
const PROPER_PAIRS: Record<string, [string, string]> = {
  'american express': ['American', 'Express'],
  'new york': ['New', 'York'],
  'los angeles': ['Los', 'Angeles'],
  'san francisco': ['San', 'Francisco'],
};

const I_FORMS = new Set(['i', "i'm", "i'll", "i've", "i'd"]);

/** Casing of the untouched words (`written[i] === null` keeps its word): "i" → "I", names from the tables. */
export function truecase(words: string[], keys: readonly string[]): string[] {
  const out = [...words];
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    const pair = PROPER_PAIRS[`${key} ${keys[index + 1] ?? ''}`];
    if (pair) {
      out[index] = pair[0];
      out[index + 1] = pair[1];
      index++;
    } else if (I_FORMS.has(key)) out[index] = capitalise(out[index]!);
    else if (Object.hasOwn(PROPER_NOUNS, key)) out[index] = PROPER_NOUNS[key]!;
    else if (Object.hasOwn(CUED_MONTHS, key) && MONTH_CUES.has(keys[index - 1] ?? ''))
      out[index] = CUED_MONTHS[key]!;
  }
  return out;
}

export function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** words that open an utterance without being its grammar: skipped when deciding whether it is a question */
const OPENERS = new Set([
  'okay',
  'ok',
  'so',
  'and',
  'but',
  'well',
  'um',
  'uh',
  'hi',
  'hello',
  'hey',
  'alright',
  'yes',
  'yeah',
  'no',
  'sorry',
  'now',
  'then',
]);
/** openers that read with a comma after them ("Okay, what is your account number?") */
const COMMA_OPENERS = new Set(['okay', 'ok', 'alright', 'yes', 'yeah', 'hello']);
/** a wh-word opens a question when an auxiliary follows within two words ("what is", "what time is it", "how
 * can I"); otherwise it opens a clause ("when I called they said", "what I want is") */
const WH_WORDS = new Set(['what', 'when', 'where', 'who', 'why', 'how', 'which']);
/** contracted forms are questions on their own ("what's your name", "how's it going") */
const WH_CONTRACTIONS = new Set(["what's", "where's", "who's", "how's", "when's", "why's"]);
const AUXILIARIES = new Set([
  'is',
  'are',
  'was',
  'were',
  'am',
  'do',
  'does',
  'did',
  'can',
  'could',
  'will',
  'would',
  'shall',
  'should',
  'may',
  'might',
  'have',
  'has',
  'had',
  "isn't",
  "aren't",
  "wasn't",
  "don't",
  "doesn't",
  "didn't",
  "can't",
  "couldn't",
  "won't",
  "wouldn't",
  "shouldn't",
  "haven't",
  "hasn't",
]);
/** "can you", "is there", "do we": an auxiliary followed by its subject opens a question */
const SUBJECTS = new Set([
  'i',
  'you',
  'he',
  'she',
  'it',
  'we',
  'they',
  'there',
  'this',
  'that',
  'my',
  'your',
  'his',
  'her',
  'our',
  'their',
  'the',
  'a',
  'an',
  'someone',
  'somebody',
  'anyone',
  'anybody',
  'anything',
]);

/** "what is …", "can you …", "okay so is there …" */
export function isQuestion(keys: readonly string[]): boolean {
  let at = 0;
  while (at < keys.length - 1 && OPENERS.has(keys[at]!)) at++;
  const first = keys[at] ?? '';
  if (WH_CONTRACTIONS.has(first)) return true;
  if (WH_WORDS.has(first)) {
    // "how much/many/long …" asks; "which is why …" continues a sentence
    if (first === 'how' && ['much', 'many', 'long', 'soon', 'often', 'far'].includes(keys[at + 1] ?? ''))
      return true;
    if (first === 'which' && AUXILIARIES.has(keys[at + 1] ?? '')) return false;
    return AUXILIARIES.has(keys[at + 1] ?? '') || AUXILIARIES.has(keys[at + 2] ?? '');
  }
  return AUXILIARIES.has(first) && SUBJECTS.has(keys[at + 1] ?? '');
}

/**
 * Sentence start, an opener's comma, and a final "." or "?" (finals only: a partial's sentence is not over). An
 * utterance that already ends in punctuation (a display-form engine, a second pass) keeps its own.
 */
export function punctuate(words: string[], keys: readonly string[], final: boolean): string[] {
  if (words.length === 0) return words;
  const out = [...words];
  out[0] = capitalise(out[0]!);
  if (out.length > 1 && COMMA_OPENERS.has(keys[0]!) && !/[,.?!]$/.test(out[0]!)) out[0] += ',';
  const last = out.length - 1;
  if (final && !/[.?!]$/.test(out[last]!)) out[last] += isQuestion(keys) ? '?' : '.';
  return out;
}
