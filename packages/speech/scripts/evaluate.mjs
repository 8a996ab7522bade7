#!/usr/bin/env node
// Decoder tuning harness: WER and CPU of pocketsphinx configurations on (a subsample of) the dev set, in-process.
//
//   node packages/speech/scripts/evaluate.mjs [--every N] [--set dev|testdata] CONFIG_JSON...
//   CONFIG_JSON: {"name":"…","input":"phone"|"wide","rms":12,"mllr":"path"|null,"featparams":"path"|null,
//                 "args":["-beam","1e-60",…]}
//
// Needs `npx tsc -b packages/speech` (uses the front end from dist/) and the dev set
// (node packages/speech/devset/generate.mjs dev).
/* global console, process */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as native from './pocketsphinx-native.mjs';
const { MODEL, createDecoder, decode, freeDecoder, readWav } = native;
import { WerCounter } from './wer.mjs';
import { asteriskPrompts, asteriskSplit } from '../devset/asterisk-prompts.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { phoneTo16k } = await import(join(here, '../dist/frontend/phone-front-end.js'));

export function loadSet(set, every = 1) {
  if (set === 'dev') {
    const dir = join(here, '../devset/out/dev');
    const manifest = readFileSync(join(dir, 'manifest.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    return manifest
      .filter((_, i) => i % every === 0)
      .map((m) => ({
        id: m.id,
        text: m.text,
        voice: `${m.engine} ${m.voice}`,
        wide: () => readWav(join(dir, 'wide', `${m.id}.wav`)).pcm,
        phone: () => readWav(join(dir, 'phone', `${m.id}.wav`)).pcm,
      }));
  }
  if (set === 'asterisk-dev' || set === 'asterisk-heldout') {
    // real 8 kHz telephone prompts in one voice (devset/asterisk-prompts.mjs); no wideband original exists
    return asteriskPrompts()
      .filter((p) => asteriskSplit(p.name) === set)
      .filter((_, i) => i % every === 0)
      .map((p) => ({
        id: p.name,
        text: p.text,
        voice: 'asterisk allison',
        wide: () => {
          throw new Error(`${set} has no wideband original`);
        },
        phone: () => phoneChannel(p.file),
      }));
  }
  // pocketsphinx-testdata (independent check): read speech, 16 kHz; phone version made like the dev set
  const base = '/usr/share/pocketsphinx/test/data';
  const items = [];
  for (const line of readFileSync(`${base}/librivox/transcription`, 'utf8').trim().split('\n')) {
    const m = /^(.*)\((.*)\)\s*$/.exec(line);
    items.push({ id: m[2], text: m[1], file: `${base}/librivox/${m[2]}.wav` });
  }
  for (const line of readFileSync(`${base}/cards/cards.transcription`, 'utf8').trim().split('\n')) {
    const m = /^(.*)\((.*)\)\s*$/.exec(line);
    items.push({ id: `cards-${m[2]}`, text: m[1], file: `${base}/cards/${m[2]}.wav` });
  }
  return items
    .filter((_, i) => i % every === 0)
    .map((it) => ({
      id: it.id,
      text: it.text,
      voice: it.id.startsWith('cards-') ? 'testdata cards' : 'testdata librivox',
      wide: () => readWav(it.file).pcm,
      phone: () => phoneChannel(it.file),
    }));
}

/** the dev set's phone channel (sox to 8 kHz, G.711 mu-law round trip) applied to a 16 kHz (or 8 kHz) file */
function phoneChannel(file) {
  const raw = execFileSync('sox', ['-R', file, '-r', '8000', '-e', 'u-law', '-t', 'raw', '-'], {
    maxBuffer: 1 << 26,
  });
  const out = new Int16Array(raw.length);
  for (let n = 0; n < raw.length; n++) {
    const u = ~raw[n] & 0xff;
    const mag = ((((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 7)) - 0x84;
    out[n] = u & 0x80 ? -mag : mag;
  }
  return out;
}

export function configArgs(config) {
  const args = [
    '-hmm',
    `${MODEL}/en-us`,
    '-lm',
    `${MODEL}/en-us.lm.bin`,
    '-dict',
    `${MODEL}/cmudict-en-us.dict`,
  ];
  if (config.mllr) args.push('-mllr', config.mllr);
  if (config.featparams) args.push('-featparams', config.featparams);
  return [...args, ...(config.args ?? [])];
}

export function evaluate(config, items) {
  const decoder = createDecoder(configArgs(config));
  const counter = new WerCounter();
  let audioSeconds = 0;
  let cpu = 0;
  const hyps = [];
  const endOfUtteranceMs = [];
  const byVoice = {};
  // as the engine: CMN state per channel. Each voice is one "call" whose utterances follow each other in set
  // order; its first utterance starts from -cmninit, so results never depend on the previous voice.
  const start = native.initialCmn(decoder);
  const cmnByVoice = new Map();
  for (const item of items) {
    const pcm =
      config.input === 'wide'
        ? item.wide()
        : phoneTo16k(item.phone(), { bandNoiseRms: config.rms ?? 0, seed: 0x5eed });
    const t0 = process.cpuUsage();
    const voice = item.voice ?? 'testdata';
    // sharedCmn: the old behaviour, the decoder's CMN carried from whatever it decoded last
    const hyp = decode(decoder, pcm, 320, config.sharedCmn ? null : (cmnByVoice.get(voice) ?? start));
    cmnByVoice.set(voice, native.lastCmn);
    endOfUtteranceMs.push(native.lastEndOfUtteranceMs);
    const dt = process.cpuUsage(t0);
    cpu += (dt.user + dt.system) / 1e6;
    audioSeconds += pcm.length / 16000;
    counter.add(item.text, hyp);
    (byVoice[voice] ??= new WerCounter()).add(item.text, hyp);
    hyps.push({ id: item.id, hyp });
  }
  freeDecoder(decoder);
  return {
    name: config.name,
    wer: counter.wer,
    words: counter.words,
    audioSeconds,
    cpuPerAudioSecond: cpu / audioSeconds,
    endOfUtteranceMs,
    byVoice: Object.fromEntries(Object.entries(byVoice).map(([v, c]) => [v, { wer: c.wer, words: c.words }])),
    hyps,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  let every = 3;
  let set = 'dev';
  let verbose = false;
  const configs = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--every') every = Number(argv[++i]);
    else if (argv[i] === '--set') set = argv[++i];
    else if (argv[i] === '-v') verbose = true;
    else configs.push(JSON.parse(argv[i]));
  }
  const items = loadSet(set, every);
  for (const config of configs) {
    const r = evaluate(config, items);
    console.log(
      `${r.name.padEnd(28)} WER ${(100 * r.wer).toFixed(1).padStart(5)}%  (${r.words} words, ${r.audioSeconds.toFixed(0)} s)  CPU ${r.cpuPerAudioSecond.toFixed(3)} s/s`,
    );
    if (verbose) {
      for (const [v, c] of Object.entries(r.byVoice))
        console.log(`    ${v.padEnd(24)} ${(100 * c.wer).toFixed(1)}% of ${c.words}`);
      for (const h of r.hyps) console.log('   ', h.id, h.hyp);
    }
  }
}
