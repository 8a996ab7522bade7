// Issue 12: the engine alone with only the phone front end's band-fill noise seed changed (the audio untouched), and
// with no band noise over shifts of the audio: how much of a WER figure is the noise realisation.
//   node packages/speech/scripts/noise-seed-spread.mjs [dev|testdata]      (needs npx tsc -b packages/speech)
/* global console, process */
import { evaluateEngine } from './pipeline-eval.mjs';
import { loadSet } from './evaluate.mjs';
const items = loadSet(process.argv[2] ?? 'testdata', 1);
const pct = (x) => `${(100 * x).toFixed(1)}%`;
const line = [];
for (const seed of [0x5eed, 1, 2, 3, 4, 5])
  line.push(pct((await evaluateEngine(items, { frontEnd: { bandNoiseRms: 12, seed } })).wer));
console.log('seeds, no shift:', line.join(' '));
const l2 = [];
for (const k of [0, 40, 80, 120, 160, 200]) {
  const t = items.map((it) => ({ ...it, phone: () => it.phone().subarray(k) }));
  l2.push(pct((await evaluateEngine(t, { frontEnd: { bandNoiseRms: 0, seed: 1 } })).wer));
}
console.log('no band noise, shifts 0..200:', l2.join(' '));
