// Word error rate: (substitutions + deletions + insertions) / reference words, on normalised text.

export function normalise(text) {
  return text
    .toLowerCase()
    .replace(/<\/?s>|<sil>|\[[a-z]+\]/g, ' ')
    .replace(/\(\d+\)/g, '')
    .replace(/[^a-z0-9' ]+/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

/** edit distance between word arrays */
export function wordErrors(ref, hyp) {
  let prev = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const cur = [i];
    for (let j = 1; j <= hyp.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[hyp.length];
}

/** accumulates errors over many utterances */
export class WerCounter {
  errors = 0;
  words = 0;
  add(refText, hypText) {
    const ref = normalise(refText);
    this.errors += wordErrors(ref, normalise(hypText));
    this.words += ref.length;
  }
  get wer() {
    return this.words === 0 ? 0 : this.errors / this.words;
  }
}
