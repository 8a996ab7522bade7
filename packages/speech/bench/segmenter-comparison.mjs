#!/usr/bin/env node
/* global process, console */
// Compares the two voice-activity detectors behind the Segmenter (energy/ZCR vs Silero) on synthetic phone audio:
// espeak-ng sentences through 8 kHz mu-law, joined by known pauses, clean and in noise, plus noise-only and silence.
// Usage: npx tsc -b packages/speech && node packages/speech/bench/segmenter-comparison.mjs [--json out.json]
// Needs espeak-ng and sox. Bounded: ~2.5 min of audio per detector.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWav, EnergyVad, Segmenter, SileroVad } from '../dist/index.js';
import { espeakToWav } from '../devset/espeak.mjs';

const RATE = 8000;
const tmp = mkdtempSync(join(tmpdir(), 'segcmp-'));
const SENTENCES = [
  'thank you for calling customer support',
  'can I have your account number please',
  'I would like to change my delivery address',
  'the payment was taken twice this month',
  'let me check that for you one moment',
  'is there anything else I can help with',
  'my internet connection keeps dropping',
  'I can offer you a refund or a replacement',
];
const VOICES = [
  ['en-us', 170],
  ['en-gb', 150],
  ['en-us+f3', 190],
  ['en-gb-scotland', 140],
];
const PAUSES_MS = [120, 300, 600, 1500, 250, 900, 400];

function synth(text, voice, speed) {
  const raw = join(tmp, 'raw.wav');
  const ulaw = join(tmp, 'ulaw.wav');
  const out = join(tmp, 'pcm.wav');
  espeakToWav(text, voice, speed, raw, tmp);
  execFileSync('sox', ['-R', raw, '-r', String(RATE), '-e', 'mu-law', ulaw]); // -R: seeded dither, same audio every run
  execFileSync('sox', [ulaw, '-e', 'signed-integer', '-b', '16', out]);
  return decodeWav(readFileSync(out)).pcm;
}

/** [first, last) sample above a small amplitude: the sentence's true extent */
function extent(pcm) {
  let first = pcm.findIndex((s) => Math.abs(s) > 200);
  let last = pcm.length - 1;
  while (last > 0 && Math.abs(pcm[last]) <= 200) last--;
  return [Math.max(0, first), last + 1];
}

function noise(kind, seconds, seed = 1) {
  const out = join(tmp, 'noise.wav');
  const n = seconds * RATE;
  if (kind === 'white' || kind === 'pink' || kind === 'brown') {
    execFileSync('sox', [
      '-R',
      '-n',
      '-r',
      String(RATE),
      '-b',
      '16',
      '-e',
      'signed-integer',
      out,
      'synth',
      String(seconds),
      `${kind}noise`,
      'vol',
      '0.03',
    ]);
    return decodeWav(readFileSync(out)).pcm;
  }
  const pcm = new Int16Array(n);
  let state = seed;
  for (let i = 0; i < n; i++) {
    if (kind === 'hum')
      pcm[i] = Math.round(
        600 * Math.sin((2 * Math.PI * 50 * i) / RATE) + 300 * Math.sin((2 * Math.PI * 150 * i) / RATE),
      );
    if (kind === 'clicks') {
      state = (state * 1103515245 + 12345) >>> 0;
      pcm[i] = i % 2400 < 24 ? ((state >>> 16) % 16000) - 8000 : 0;
    }
  }
  return pcm;
}

function mix(speech, background) {
  const out = new Int16Array(speech.length);
  for (let i = 0; i < speech.length; i++)
    out[i] = Math.max(-32768, Math.min(32767, speech[i] + background[i % background.length]));
  return out;
}

// ------------------------------------------------------------------ corpus
const calls = [];
for (const [v, [voice, speed]] of VOICES.entries()) {
  const parts = [];
  const truth = [];
  let at = 0;
  for (let i = 0; i < 5; i++) {
    const pcm = synth(SENTENCES[(v * 3 + i) % SENTENCES.length], voice, speed);
    const [a, b] = extent(pcm);
    const clip = pcm.subarray(a, b);
    const pause = Math.round((PAUSES_MS[(v + i) % PAUSES_MS.length] * RATE) / 1000);
    parts.push(new Int16Array(i === 0 ? RATE / 2 : pause), clip);
    at += i === 0 ? RATE / 2 : pause;
    truth.push([at, at + clip.length]);
    at += clip.length;
  }
  parts.push(new Int16Array(RATE));
  const pcm = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    pcm.set(p, o);
    o += p.length;
  }
  calls.push({ name: `${voice}@${speed}`, pcm, truth });
}
const white = noise('white', 10);
const pink = noise('pink', 10);
const conditions = [
  ['clean', (p) => p],
  ['white noise', (p) => mix(p, white)],
  ['pink noise', (p) => mix(p, pink)],
];
const noiseOnly = [
  ['digital silence', new Int16Array(30 * RATE)],
  ['white noise', noise('white', 30)],
  ['pink noise', noise('pink', 30)],
  ['brown noise', noise('brown', 30)],
  ['mains hum', noise('hum', 30)],
  ['clicks', noise('clicks', 30)],
];

// ------------------------------------------------------------------ evaluation
async function segment(vad, pcm) {
  vad.reset();
  const segmenter = new Segmenter({ trailingSilenceMs: 200, ...(SEGMENTER[vad.name] ?? {}) });
  const segments = [];
  let open = null;
  const n = vad.frameSamples;
  for (let at = 0; at + n <= pcm.length; at += n) {
    const p = await vad.probability(pcm.subarray(at, at + n));
    for (const e of segmenter.push(at, n, p)) {
      if (e.type === 'start') open = e.sample;
      else segments.push([open, e.sample]);
    }
  }
  const end = segmenter.forceEnd(pcm.length);
  if (end) segments.push([open, end.sample]);
  return segments;
}

/** ground truth spans closer than the trailing silence are one utterance for any 200 ms segmenter */
function expected(truth) {
  const merged = [];
  for (const [a, b] of truth) {
    const last = merged[merged.length - 1];
    if (last && a - last[1] < 0.25 * RATE) last[1] = b;
    else merged.push([a, b]);
  }
  return merged;
}

function score(segments, truth) {
  let within = 0;
  const errors = [];
  for (const [a, b] of truth) {
    let best = null;
    let overlap = 0;
    for (const s of segments) {
      const o = Math.min(b, s[1]) - Math.max(a, s[0]);
      if (o > overlap) {
        overlap = o;
        best = s;
      }
    }
    if (!best) continue;
    const e = Math.max(Math.abs(best[0] - a), Math.abs(best[1] - b)) / RATE;
    errors.push(e);
    if (e <= 0.5) within++;
  }
  errors.sort((x, y) => x - y);
  return { within, errors };
}

// per-detector knobs for experiments: SEGMENTER='{"silero":{"negThreshold":0.45}}' DETECTORS=energy
const SEGMENTER = JSON.parse(process.env.SEGMENTER ?? '{}');
const DETECTORS = (process.env.DETECTORS ?? 'energy,silero').split(',');
const results = {};
const makers = {
  energy: () => new EnergyVad(JSON.parse(process.env.ENERGY ?? '{}')),
  silero: () => SileroVad.load(),
};
for (const make of DETECTORS.map((d) => makers[d])) {
  const vad = await make();
  const r = { speech: {}, noise: {}, cpuSecondsPerAudioSecond: 0 };
  let cpu = 0;
  let audio = 0;
  for (const [condition, apply] of conditions) {
    let segs = 0;
    let exp = 0;
    let within = 0;
    const errors = [];
    for (const call of calls) {
      const pcm = apply(call.pcm);
      const t0 = process.cpuUsage();
      const segments = await segment(vad, pcm);
      const used = process.cpuUsage(t0);
      cpu += (used.user + used.system) / 1e6;
      audio += pcm.length / RATE;
      const truth = expected(call.truth);
      const s = score(segments, truth);
      segs += segments.length;
      exp += truth.length;
      within += s.within;
      errors.push(...s.errors);
    }
    errors.sort((x, y) => x - y);
    r.speech[condition] = {
      expectedUtterances: exp,
      detectedUtterances: segs,
      boundariesWithin500ms: `${within}/${exp}`,
      medianBoundaryErrorMs: Math.round(1000 * (errors[Math.floor(errors.length / 2)] ?? NaN)),
      worstBoundaryErrorMs: Math.round(1000 * (errors[errors.length - 1] ?? NaN)),
    };
  }
  for (const [name, pcm] of noiseOnly) {
    const segments = await segment(vad, pcm);
    r.noise[name] = {
      falseUtterances: segments.length,
      falseSeconds: +(segments.reduce((n, [a, b]) => n + b - a, 0) / RATE).toFixed(2),
    };
  }
  r.cpuSecondsPerAudioSecond = +(cpu / audio).toFixed(5);
  results[vad.name] = r;
  await vad.release();
}
rmSync(tmp, { recursive: true, force: true });
const json = JSON.stringify(results, null, 2);
console.log(json);
const out = process.argv.indexOf('--json');
if (out > 0) writeFileSync(process.argv[out + 1], json);
