#!/usr/bin/env node
/* global console, process */
/**
 * The accurate second pass (HOOKSCRIBE_STT_POSTCALL=all) against the live decoder configuration: WER and the bare
 * decoder's CPU per audio second on pocketsphinx-testdata (real speech through the phone channel) and on the dev set
 * (every Nth utterance; generate it first with `node packages/speech/devset/generate.mjs dev`).
 *
 *   npm run bench:stt-accurate -- [--every 10] [--skip-dev]
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const speech = join(root, 'packages/speech');
const { evaluate, loadSet } = await import(join(speech, 'scripts/evaluate.mjs'));
const { defaultPocketsphinxConfig, TUNED_DECODER } = await import(
  join(speech, 'dist/pocketsphinx/config.js')
);
const { ACCURATE_DECODER } = await import(join(root, 'packages/server/dist/postcall/post-call-engines.js'));

const argv = process.argv.slice(2);
const every = Number(argv.includes('--every') ? argv[argv.indexOf('--every') + 1] : '10');
const withDev = !argv.includes('--skip-dev') && existsSync(join(speech, 'devset/out/dev/manifest.jsonl'));
const defaults = defaultPocketsphinxConfig();
const flags = (tuning) => Object.entries(tuning).flatMap(([k, v]) => [`-${k}`, String(v)]);
const base = {
  input: 'phone',
  rms: defaults.frontEnd.bandNoiseRms,
  mllr: defaults.mllr,
  featparams: defaults.featParams,
};
const configs = [
  { name: 'live (engine default)', ...base, args: flags(TUNED_DECODER) },
  { name: 'accurate second pass', ...base, args: flags(ACCURATE_DECODER) },
];
const sets = [['testdata', loadSet('testdata', 1)], ...(withDev ? [['dev', loadSet('dev', every)]] : [])];
const pct = (x) => `${(100 * x).toFixed(1)}%`;
console.log(
  `load average before: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log('| configuration | set | WER | words | CPU s per audio s |');
console.log('| --- | --- | --- | --- | --- |');
for (const [set, items] of sets) {
  for (const config of configs) {
    const r = evaluate(config, items);
    console.log(
      `| ${config.name} | ${set} | ${pct(r.wer)} | ${r.words} | ${r.cpuPerAudioSecond.toFixed(3)} |`,
    );
  }
}
console.log(
  `load average after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(`accurate flags: ${flags(ACCURATE_DECODER).join(' ')}`);
