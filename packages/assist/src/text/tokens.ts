/** Tokenising and sentence splitting for English contact-centre transcripts. */

const STOP_WORDS = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between both ' +
    'but by can could did do does doing down during each few for from further had has have having he her here hers ' +
    'herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on ' +
    'once only or other our ours ourselves out over own same she should so some such than that the their theirs them ' +
    'themselves then there these they this those through to too under until up very was we were what when where which ' +
    'while who whom why will with would you your yours yourself yourselves yes yeah okay ok um uh hmm oh well hi hello ' +
    'please thanks thank sure right just like get got im ive id ill youre thats dont cant wont its also really one'
  ).split(' '),
);

/** Lower-case word tokens (apostrophes kept inside words: "don't", "I've"). */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu) ?? [];
}

/** Word tokens without stop words, apostrophes removed — what search and scoring look at. */
export function contentWords(text: string): string[] {
  return words(text)
    .map((w) => w.replace(/['’]/g, ''))
    .filter((w) => w.length > 1 && !STOP_WORDS.has(w));
}

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word.toLowerCase().replace(/['’]/g, ''));
}

/** Split an utterance into sentences on terminal punctuation; text without punctuation is one sentence. */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+/u)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Collapse whitespace and trim — for display strings built from transcripts. */
export function normalizeSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
