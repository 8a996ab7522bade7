#!/usr/bin/env node
/* global console, process */
/**
 * The accurate second pass (HOOKSCRIBE_STT_POSTCALL=all) against the live decoder configuration: WER and the bare
 * decoder's CPU per audio second on pocketsphinx-testdata (real speech through the phone channel) and on the dev set
 * (every Nth utterance; generate it first with `node packages/speech/devset/generate.mjs dev`).
 *
 * "+ per-channel MLLR" is the accurate pass with speaker adaptation: one voice of a set stands for one call channel
 * (one speaker); its utterances are decoded with the accurate configuration, that transcript and the audio go
 * through fitSpeakerTransform (sphinxtrain bw + mllr_solve), and the voice is decoded again with the speaker's
 * transform. A voice with too little speech keeps its first-pass words. CPU counts both decodes and the tools.
 *
 * Two levels: the bare decoder with the generic LM (as bench:stt compares configurations) and the product's engine
 * (PocketsphinxEngine: worker threads, contact-centre LM), each voice one stream.
 *
 * Sets (`--sets`, default testdata,dev): also asterisk-dev and asterisk-heldout, the real 8 kHz telephone prompts
 * in one voice (packages/speech/devset/asterisk-prompts.mjs), where a channel has minutes of one real speaker.
 *
 *   npm run bench:stt-accurate -- [--every 1] [--sets testdata,dev,asterisk-dev,asterisk-heldout] [--skip-dev]
 *                                 [--min-speech 20] [--bare-only | --engine-only]
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const speech = join(root, 'packages/speech');
const { evaluate, loadSet } = await import(join(speech, 'scripts/evaluate.mjs'));
const { defaultPocketsphinxConfig, TUNED_DECODER, withFixedWarp } = await import(
  join(speech, 'dist/pocketsphinx/config.js')
);
const { ACCURATE_DECODER } = await import(join(root, 'packages/server/dist/postcall/post-call-engines.js'));
const { evaluateEngine } = await import(join(speech, 'scripts/pipeline-eval.mjs'));
const { fitSpeakerTransform, DEFAULT_SPEAKER_ADAPTATION, SpeakerAdaptationSkipped } = await import(
  join(speech, 'dist/pocketsphinx/speaker-adaptation.js')
);
const { channelWarp } = await import(join(speech, 'dist/pocketsphinx/speaker-pitch.js'));

const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
// the per-voice fit needs each voice's utterances: a subsample leaves a voice too little speech to adapt
const every = Number(opt('--every', '1'));
const minSpeechSeconds = Number(opt('--min-speech', String(DEFAULT_SPEAKER_ADAPTATION.minSpeechSeconds)));
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
/**
 * The accurate pass with per-channel MLLR: each voice decoded (`decode(items, mllr)` → WER counts, hypotheses, CPU
 * seconds), adapted on its own first-pass words, decoded again with its transform. CPU: both decodes and the tools.
 */
async function adapted(decode, items, warpPolicy) {
  const byVoice = new Map();
  for (const item of items) byVoice.set(item.voice, [...(byVoice.get(item.voice) ?? []), item]);
  let errors = 0;
  let words = 0;
  let cpu = 0;
  let audio = 0;
  const notes = [];
  for (const [voice, list] of byVoice) {
    const first = await decode(list, null);
    let result = first;
    // as SpeakerAdaptedPass: a voice the live decode warps is fitted and re-decoded with that warp
    const voicePcm = list.map((item) => item.phone());
    const all = new Int16Array(voicePcm.reduce((n, pcm) => n + pcm.length, 0));
    voicePcm.reduce((at, pcm) => (all.set(pcm, at), at + pcm.length), 0);
    const warp = warpPolicy ? channelWarp(all, warpPolicy) : null;
    const children0 = childCpu();
    const t0 = process.cpuUsage();
    try {
      const transform = await fitSpeakerTransform(
        list.map((item, i) => ({ pcm8k: item.phone(), words: first.hyps[i].hyp, confidence: 1 })),
        {
          ...DEFAULT_SPEAKER_ADAPTATION,
          minSpeechSeconds,
          hmm: defaults.hmm,
          dict: defaults.dict,
          channelMllr: defaults.mllr,
          frontEnd: defaults.frontEnd,
          warp,
        },
      );
      const dt = process.cpuUsage(t0);
      cpu += (dt.user + dt.system) / 1e6 + childCpu() - children0;
      result = await decode(list, transform.path, warp);
      cpu += result.cpuSeconds;
      await transform.dispose();
      notes.push(`${voice} ${pct(first.wer)} → ${pct(result.wer)}`);
    } catch (err) {
      if (!(err instanceof SpeakerAdaptationSkipped)) throw err;
      notes.push(`${voice} ${pct(first.wer)} (skipped: ${err.message})`);
    }
    cpu += first.cpuSeconds;
    audio += first.audioSeconds;
    errors += result.wer * result.words;
    words += result.words;
  }
  return { wer: errors / words, words, cpuPerAudioSecond: cpu / audio, notes };
}

/** the bare decoder (generic LM), as bench:stt measures configurations */
const bareDecode = (config) => async (items, mllr) => {
  const r = evaluate(mllr ? { ...config, mllr } : config, items);
  return { ...r, cpuSeconds: r.cpuPerAudioSecond * r.audioSeconds };
};

/**
 * the product's engine (worker threads, per-channel CMN, contact-centre LM), whole-process CPU; as in the product
 * (embeddedPostCallEngine), the speaker-adapted decode uses the fixed warp its transform was fitted with
 */
const engineDecode =
  (tuning) =>
  async (items, mllr, warp = null) => {
    const warped = warp === null ? tuning : withFixedWarp(tuning, warp);
    const r = await evaluateEngine(items, mllr ? { tuning: warped, mllr, speakerWarp: null } : { tuning });
    const audioSeconds = items.reduce((sum, item) => sum + item.phone().length / 8000, 0);
    return { ...r, audioSeconds, cpuSeconds: r.cpuPerAudioSecond * audioSeconds };
  };

/** CPU seconds of finished child processes (the sphinxtrain tools): cutime + cstime of /proc/self/stat, 100 Hz ticks */
function childCpu() {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

const setNames = opt('--sets', 'testdata,dev')
  .split(',')
  .filter((name) => name !== 'dev' || withDev);
// testdata is small and held out: always whole
const sets = setNames.map((name) => [name, loadSet(name, name === 'testdata' ? 1 : every)]);
const pct = (x) => `${(100 * x).toFixed(1)}%`;
console.log(
  `load average before: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const notes = [];
console.log('| configuration | set | WER | words | CPU s per audio s |');
console.log('| --- | --- | --- | --- | --- |');
const row = (name, set, r) =>
  console.log(`| ${name} | ${set} | ${pct(r.wer)} | ${r.words} | ${r.cpuPerAudioSecond.toFixed(3)} |`);
for (const [set, items] of sets) {
  if (!argv.includes('--engine-only')) {
    for (const config of configs) row(`bare decoder: ${config.name}`, set, evaluate(config, items));
    const r = await adapted(bareDecode(configs[1]), items);
    row('bare decoder: accurate + per-channel MLLR', set, r);
    notes.push(`bare decoder, ${set}: ${r.notes.join('; ')}`);
  }
  if (!argv.includes('--bare-only')) {
    for (const [name, tuning] of [
      ['live (engine default)', TUNED_DECODER],
      ['accurate second pass', ACCURATE_DECODER],
    ]) {
      const r = await engineDecode(tuning)(items, null);
      row(`engine: ${name}`, set, { ...r, cpuPerAudioSecond: r.cpuSeconds / r.audioSeconds });
    }
    const r = await adapted(engineDecode(ACCURATE_DECODER), items, defaults.speakerWarp);
    row('engine: accurate + per-channel MLLR', set, r);
    notes.push(`engine, ${set}: ${r.notes.join('; ')}`);
  }
}
for (const note of notes) console.log(`per voice, ${note}`);
console.log(
  `load average after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(`accurate flags: ${flags(ACCURATE_DECODER).join(' ')}`);
