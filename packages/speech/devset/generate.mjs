#!/usr/bin/env node
// Renders speech for the STT dev set ("dev") or for fitting the phone-channel MLLR ("train"), reproducibly.
//
//   node packages/speech/devset/generate.mjs dev   [outDir=packages/speech/devset/out/dev]
//   node packages/speech/devset/generate.mjs train [outDir=packages/speech/devset/out/train]
//
// Each utterance: TTS (flite or espeak-ng) → 16 kHz, 0.3 s padding, peak-normalised, plus a deterministic room-noise
// floor → wide/<id>.wav (the wideband reference); then the phone channel exactly as AudioHook delivers it: sox to
// 8 kHz, G.711 mu-law encode + decode → phone/<id>.wav. manifest.jsonl lists id, voice, speed, text
// (one JSON object per line; not .json so repository-wide formatters leave the generated folder alone).
// Dev and train are disjoint in voices and texts: dev uses sentences.txt and DEV_VOICES, train uses random word
// sequences from the CMU dictionary and TRAIN_VOICES. Needs flite, espeak-ng, sox.
/* global console, process, Buffer */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { espeakToWav } from './espeak.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const mode = process.argv[2];
if (mode !== 'dev' && mode !== 'train') {
  console.error('usage: generate.mjs dev|train [outDir]');
  process.exit(2);
}
const outDir = resolve(process.argv[3] ?? join(here, 'out', mode));

/** [engine, voice, words per minute] */
const DEV_VOICES = [
  ['flite', 'slt', 1.0],
  ['flite', 'rms', 0.9],
  ['flite', 'kal16', 1.1],
  ['espeak', 'en-us', 150],
  ['espeak', 'en-us+f2', 170],
  ['espeak', 'en-gb+m3', 140],
  ['espeak', 'en-us+m4', 185],
  ['espeak', 'en-gb-x-rp+f4', 160],
];
const TRAIN_VOICES = [
  ['flite', 'awb', 1.0],
  ['espeak', 'en-029', 160],
  ['espeak', 'en-gb-scotland+f3', 150],
  ['espeak', 'en-us-nyc+m7', 170],
  ['espeak', 'en+f5', 145],
  ['espeak', 'en-gb-x-gbclan+m2', 175],
  ['espeak', 'en-us+f1', 165],
  ['espeak', 'en-us+m1', 155],
];

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function trainTexts(count) {
  const dict = readFileSync('/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((w) => /^[a-z]{3,9}$/.test(w));
  const devWords = new Set(readFileSync(join(here, 'sentences.txt'), 'utf8').split(/\s+/));
  const pool = dict.filter((w) => !devWords.has(w));
  const random = mulberry32(20261124);
  return Array.from({ length: count }, () =>
    Array.from({ length: 8 + Math.floor(random() * 6) }, () => pool[Math.floor(random() * pool.length)]).join(
      ' ',
    ),
  );
}

function muLawEncodeSample(sample) {
  let s = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > 32635) s = 32635;
  s += 0x84;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}
function muLawDecodeSample(byte) {
  const u = ~byte & 0xff;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 7)) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
}

function wav(pcm, rate) {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + pcm.length * 2, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(pcm.length * 2, 40);
  return Buffer.concat([header, Buffer.from(pcm.buffer, pcm.byteOffset, pcm.length * 2)]);
}

const readRaw = (file) => {
  const b = readFileSync(file);
  return new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
};

const tmp = mkdtempSync(join(tmpdir(), 'devset-'));
const texts =
  mode === 'dev' ? readFileSync(join(here, 'sentences.txt'), 'utf8').trim().split('\n') : trainTexts(64);
const voices = mode === 'dev' ? DEV_VOICES : TRAIN_VOICES;
rmSync(outDir, { recursive: true, force: true });
mkdirSync(join(outDir, 'wide'), { recursive: true });
mkdirSync(join(outDir, 'phone'), { recursive: true });
const manifest = [];
texts.forEach((text, i) => {
  const [engine, voice, speed] = voices[i % voices.length];
  const id = `${mode}-${String(i + 1).padStart(3, '0')}`;
  const tts = join(tmp, 'tts.wav');
  if (engine === 'flite') {
    execFileSync('flite', ['-voice', voice, '--setf', `duration_stretch=${speed}`, '-t', text, '-o', tts]);
  } else {
    espeakToWav(text, voice, speed, tts, tmp);
  }
  // wideband reference: 16 kHz, padded, normalised to -3 dBFS peak
  execFileSync('sox', [
    '-R', // repeatable: sox seeds its dither with a fixed value
    tts,
    '-r',
    '16000',
    '-c',
    '1',
    '-b',
    '16',
    '-e',
    'signed-integer',
    '-t',
    'raw',
    join(tmp, 'w.raw'),
    'pad',
    '0.3',
    '0.3',
    'norm',
    '-3',
  ]);
  const wide = readRaw(join(tmp, 'w.raw'));
  const random = mulberry32(i + (mode === 'dev' ? 1 : 100001));
  for (let n = 0; n < wide.length; n++) {
    // room/line noise floor (~ -70 dBFS): real calls are never digitally silent
    wide[n] = Math.max(
      -32768,
      Math.min(32767, wide[n] + Math.round((random() + random() + random() - 1.5) * 20)),
    );
  }
  writeFileSync(join(outDir, 'wide', `${id}.wav`), wav(wide, 16000));
  writeFileSync(join(tmp, 'w16.raw'), Buffer.from(wide.buffer));
  // phone channel: sox's band-limiting resampler to 8 kHz, then G.711 mu-law there and back
  execFileSync('sox', [
    '-R', // repeatable: sox seeds its dither with a fixed value
    '-r',
    '16000',
    '-c',
    '1',
    '-b',
    '16',
    '-e',
    'signed-integer',
    '-t',
    'raw',
    join(tmp, 'w16.raw'),
    '-r',
    '8000',
    '-t',
    'raw',
    join(tmp, 'p.raw'),
  ]);
  const narrow = readRaw(join(tmp, 'p.raw'));
  const phone = new Int16Array(narrow.length);
  for (let n = 0; n < narrow.length; n++) phone[n] = muLawDecodeSample(muLawEncodeSample(narrow[n]));
  writeFileSync(join(outDir, 'phone', `${id}.wav`), wav(phone, 8000));
  manifest.push({ id, engine, voice, speed, text, seconds: +(phone.length / 8000).toFixed(2) });
});
rmSync(tmp, { recursive: true, force: true });
writeFileSync(join(outDir, 'manifest.jsonl'), manifest.map((m) => JSON.stringify(m)).join('\n') + '\n');
const total = manifest.reduce((s, m) => s + m.seconds, 0);
console.log(`${mode}: ${manifest.length} utterances, ${total.toFixed(1)} s → ${outDir}`);
