#!/usr/bin/env node
// Fits the phone-channel adaptation for pocketsphinx (-mllr file) and writes it.
//
//   node packages/speech/devset/generate.mjs train          # training audio (voices/texts disjoint from dev)
//   npx tsc -b packages/speech                              # front end from dist/
//   node packages/speech/scripts/fit-mllr.mjs [--rms 12] [--variance] [--out packages/speech/models/phone-channel.mllr]
//
// For every training utterance the same audio exists twice: wideband 16 kHz, and through the phone channel (8 kHz
// G.711) + the server's front end (upsampler + band fill with `--rms`). Both are turned into the decoder's features
// (sphinxbase MFCC with the model's feat.params, per-utterance CMN, 1s_c_d_dd deltas), frame-aligned. Per feature
// stream (cepstra, deltas, delta-deltas — the model's -svspec 0-12/13-25/26-38) a least-squares affine map
// y_phone ≈ A·x_wide + b is fitted. pocketsphinx applies it to the Gaussian means (μ' = Aμ + b), moving the wideband
// model onto phone-channel features. With --variance the variances are scaled by the per-dimension ratio of phone to
// wideband feature variance (h), else h = 1.
/* global console, process */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cepstra, readWav } from './pocketsphinx-native.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { phoneTo16k } = await import(join(here, '../dist/frontend/phone-front-end.js'));

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const rms = Number(opt('--rms', '12'));
const withVariance = argv.includes('--variance');
const out = resolve(opt('--out', join(here, '../models/phone-channel.mllr')));
const trainDir = resolve(opt('--train', join(here, '../devset/out/train')));
const ridge = Number(opt('--ridge', '1e-3'));

const NCEP = 13;
const STREAMS = 3;

/** sum of raw phone-channel cepstra → the decoder's initial CMN estimate (-cmninit) for phone streams */
const phoneCepSum = new Float64Array(13);
let phoneCepFrames = 0;
/** same for the wideband audio → -cmninit for 16 kHz streams */
const wideCepSum = new Float64Array(13);
let wideCepFrames = 0;

/** 1s_c_d_dd features after per-utterance CMN; frames 3..T-4 (full delta context) */
function features(pcm16k, isPhone = false) {
  const { frames, data } = cepstra(pcm16k);
  const sum = isPhone ? phoneCepSum : wideCepSum;
  for (let t = 0; t < frames; t++) for (let k = 0; k < 13; k++) sum[k] += data[t * 13 + k];
  if (isPhone) phoneCepFrames += frames;
  else wideCepFrames += frames;
  const mean = new Float64Array(NCEP);
  for (let t = 0; t < frames; t++) for (let k = 0; k < NCEP; k++) mean[k] += data[t * NCEP + k] / frames;
  const c = (t, k) => data[t * NCEP + k] - mean[k];
  const rows = [];
  for (let t = 3; t < frames - 3; t++) {
    const v = new Float64Array(NCEP * STREAMS);
    for (let k = 0; k < NCEP; k++) {
      v[k] = c(t, k);
      v[NCEP + k] = c(t + 2, k) - c(t - 2, k);
      v[2 * NCEP + k] = c(t + 3, k) - c(t - 1, k) - (c(t + 1, k) - c(t - 3, k));
    }
    rows.push(v);
  }
  return rows;
}

function solve(M, B) {
  // Gauss-Jordan with partial pivoting: M (n×n) X = B (n×m)
  const n = M.length;
  const a = M.map((row, i) => [...row, ...B[i]]);
  for (let col = 0; col < n; col++) {
    let p = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[p][col])) p = r;
    [a[col], a[p]] = [a[p], a[col]];
    const d = a[col][col];
    for (let j = col; j < a[col].length; j++) a[col][j] /= d;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r][col];
      if (f !== 0) for (let j = col; j < a[r].length; j++) a[r][j] -= f * a[col][j];
    }
  }
  return a.map((row) => row.slice(n));
}

const manifest = readFileSync(join(trainDir, 'manifest.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
const pairs = [];
for (const m of manifest) {
  const wide = features(readWav(join(trainDir, 'wide', `${m.id}.wav`)).pcm);
  const phone = features(
    phoneTo16k(readWav(join(trainDir, 'phone', `${m.id}.wav`)).pcm, { bandNoiseRms: rms, seed: 0x5eed }),
    true,
  );
  const n = Math.min(wide.length, phone.length);
  for (let t = 0; t < n; t++) pairs.push([wide[t], phone[t]]);
}

const lines = ['1', String(STREAMS)];
const report = [];
for (let s = 0; s < STREAMS; s++) {
  const off = s * NCEP;
  const dim = NCEP + 1;
  const XtX = Array.from({ length: dim }, () => new Float64Array(dim));
  const XtY = Array.from({ length: dim }, () => new Float64Array(NCEP));
  const sx = new Float64Array(NCEP);
  const sxx = new Float64Array(NCEP);
  const sy = new Float64Array(NCEP);
  const syy = new Float64Array(NCEP);
  for (const [x, y] of pairs) {
    const xv = [...x.subarray(off, off + NCEP), 1];
    for (let i = 0; i < dim; i++) {
      for (let j = 0; j < dim; j++) XtX[i][j] += xv[i] * xv[j];
      for (let k = 0; k < NCEP; k++) XtY[i][k] += xv[i] * y[off + k];
    }
    for (let k = 0; k < NCEP; k++) {
      sx[k] += x[off + k];
      sxx[k] += x[off + k] ** 2;
      sy[k] += y[off + k];
      syy[k] += y[off + k] ** 2;
    }
  }
  for (let i = 0; i < NCEP; i++) XtX[i][i] += ridge * pairs.length;
  const W = solve(
    XtX.map((r) => [...r]),
    XtY.map((r) => [...r]),
  ); // dim × NCEP: y = W' [x;1]
  const A = Array.from({ length: NCEP }, (_, k) => Array.from({ length: NCEP }, (_, l) => W[l][k]));
  const b = Array.from({ length: NCEP }, (_, k) => W[NCEP][k]);
  const n = pairs.length;
  const h = Array.from({ length: NCEP }, (_, k) => {
    if (!withVariance) return 1;
    const vx = sxx[k] / n - (sx[k] / n) ** 2;
    const vy = syy[k] / n - (sy[k] / n) ** 2;
    return Math.min(4, Math.max(0.25, vy / vx));
  });
  // residual error before/after, for the report
  let before = 0;
  let after = 0;
  for (const [x, y] of pairs) {
    for (let k = 0; k < NCEP; k++) {
      let pred = b[k];
      for (let l = 0; l < NCEP; l++) pred += A[k][l] * x[off + l];
      before += (y[off + k] - x[off + k]) ** 2;
      after += (y[off + k] - pred) ** 2;
    }
  }
  report.push(`stream ${s}: mean squared mismatch ${(before / n).toFixed(2)} → ${(after / n).toFixed(2)}`);
  lines.push(String(NCEP));
  for (const row of A) lines.push(row.map((v) => v.toFixed(6)).join(' '));
  lines.push(b.map((v) => v.toFixed(6)).join(' '));
  lines.push(h.map((v) => v.toFixed(6)).join(' '));
}
writeFileSync(out, lines.join('\n') + '\n');
const cmninit = Array.from(phoneCepSum, (v) => (v / phoneCepFrames).toFixed(2)).join(',');
// pocketsphinx lets the model's feat.params override -cmninit; phone decoders get their own copy (-featparams)
const featParamsOut = out.replace(/\.mllr$/, '') + '.feat.params';
const modelParams = readFileSync('/usr/share/pocketsphinx/model/en-us/en-us/feat.params', 'utf8');
writeFileSync(featParamsOut, modelParams.replace(/^-cmninit .*$/m, `-cmninit ${cmninit}`));
const wideCmninit = Array.from(wideCepSum, (v) => (v / wideCepFrames).toFixed(2)).join(',');
const wideParamsOut = join(dirname(out), 'wideband.feat.params');
writeFileSync(wideParamsOut, modelParams.replace(/^-cmninit .*$/m, `-cmninit ${wideCmninit}`));
console.log(`wrote ${wideParamsOut} (16 kHz cepstral mean as -cmninit: ${wideCmninit})`);
console.log(`wrote ${featParamsOut} (phone-channel cepstral mean as -cmninit: ${cmninit})`);
console.log(`fitted on ${pairs.length} frame pairs (${manifest.length} utterances), band fill rms ${rms}`);
for (const r of report) console.log(`  ${r}`);
console.log(`wrote ${out}`);
