// In-process pocketsphinx + sphinxbase front end through koffi, for the offline scripts (MLLR fitting, decoder
// tuning). The server never uses this file: its decoders live in worker threads (src/pocketsphinx/).
/* global process */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const koffi = require('koffi');
const sb = koffi.load('libsphinxbase.so.3');
const ps = koffi.load('libpocketsphinx.so.3');

const f = {
  ps_args: ps.func('void* ps_args()'),
  fe_get_args: sb.func('void* fe_get_args()'),
  cmd_ln_parse_r: sb.func('void* cmd_ln_parse_r(void*, void*, int, const char**, int)'),
  fe_init_auto_r: sb.func('void* fe_init_auto_r(void*)'),
  fe_process_utt: sb.func('int fe_process_utt(void*, const int16_t*, size_t, _Out_ void**, _Out_ int32_t*)'),
  ckd_free_2d: sb.func('void ckd_free_2d(void*)'),
  ps_init: ps.func('void* ps_init(void*)'),
  ps_free: ps.func('int ps_free(void*)'),
  ps_start_stream: ps.func('int ps_start_stream(void*)'),
  ps_start_utt: ps.func('int ps_start_utt(void*)'),
  ps_process_raw: ps.func('int ps_process_raw(void*, const int16_t*, size_t, int, int)'),
  ps_end_utt: ps.func('int ps_end_utt(void*)'),
  ps_get_hyp: ps.func('const char* ps_get_hyp(void*, _Out_ int32_t*)'),
  err_set_logfp: sb.func('void err_set_logfp(void*)'),
  cmn_live_get: sb.func('void cmn_live_get(void*, _Out_ float*)'),
  cmn_live_set: sb.func('void cmn_live_set(void*, const float*)'),
};
f.err_set_logfp(null); // sphinxbase logs to stderr by default

export const MODEL = '/usr/share/pocketsphinx/model/en-us';

/** pocketsphinx's front-end parameters for the en-us model (its feat.params) */
export function featParams(hmm = `${MODEL}/en-us`) {
  return readFileSync(`${hmm}/feat.params`, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((p) => p.length === 2);
}

let fe;
/** 13 MFCC per 10 ms frame (no CMN), exactly as the decoder's front end computes them. */
export function cepstra(pcm16k) {
  if (!fe) {
    const feArgs = new Set(['-lowerf', '-upperf', '-nfilt', '-transform', '-lifter']);
    const argv = ['-samprate', '16000', '-remove_silence', 'no', '-dither', 'no'];
    for (const [k, v] of featParams()) if (feArgs.has(k)) argv.push(k, v);
    const cfg = f.cmd_ln_parse_r(null, f.fe_get_args(), argv.length, argv, 0);
    fe = f.fe_init_auto_r(cfg);
    if (!fe) throw new Error('fe_init_auto_r failed');
  }
  const block = [null];
  const nframes = [0];
  if (f.fe_process_utt(fe, pcm16k, pcm16k.length, block, nframes) < 0)
    throw new Error('fe_process_utt failed');
  const rows = koffi.decode(block[0], 'void*');
  const data = Float32Array.from(koffi.decode(rows, 'float', nframes[0] * 13));
  f.ckd_free_2d(block[0]);
  return { frames: nframes[0], data };
}

export function createDecoder(args) {
  const argv = ['-logfn', '/dev/null', '-remove_silence', 'no', ...args];
  const cfg = f.cmd_ln_parse_r(null, f.ps_args(), argv.length, argv, 1);
  if (!cfg) throw new Error(`bad arguments ${argv.join(' ')}`);
  const d = f.ps_init(cfg);
  if (!d) throw new Error(`ps_init failed: ${argv.join(' ')}`);
  return d;
}

export function freeDecoder(d) {
  f.ps_free(d);
}

/** Decodes one utterance fed in 20 ms chunks (as live), returns the hypothesis text. */
/** CPU milliseconds the last decode() spent finishing the utterance (ps_end_utt: final search, lattice) */
export let lastEndOfUtteranceMs = 0;

/** the decoder's live CMN state (cmn_t*), as the engine's worker reaches it (src/pocketsphinx/decoder-worker.ts) */
function cmnOf(d) {
  const feat = koffi.decode(koffi.decode(d, 16, 'void*'), 32, 'void*');
  return koffi.decode(feat, 88, 'void*');
}

/** the live CMN mean a decoder starts from (-cmninit) */
export function initialCmn(d) {
  const mean = new Float32Array(13);
  f.cmn_live_get(cmnOf(d), mean);
  return mean;
}

/** the CMN mean the last decode() ended with (a channel's estimate for its next utterance) */
export let lastCmn = null;

/**
 * `chunk` 0: one call with full_utt (batch CMN over the whole utterance). `cmn`: the channel's CMN estimate to
 * start from, as the engine does per stream (null: whatever the decoder holds from before).
 */
export function decode(d, pcm16k, chunk = 320, cmn = null) {
  f.ps_start_stream(d);
  if (cmn) f.cmn_live_set(cmnOf(d), cmn);
  f.ps_start_utt(d);
  if (chunk === 0) f.ps_process_raw(d, pcm16k, pcm16k.length, 0, 1);
  for (let i = 0; chunk > 0 && i < pcm16k.length; i += chunk) {
    const part = pcm16k.subarray(i, Math.min(pcm16k.length, i + chunk));
    f.ps_process_raw(d, part, part.length, 0, 0);
  }
  const before = process.cpuUsage();
  f.ps_end_utt(d);
  const hyp = (f.ps_get_hyp(d, [0]) ?? '').replace(/\(\d+\)/g, '');
  lastCmn = new Float32Array(13);
  f.cmn_live_get(cmnOf(d), lastCmn);
  const spent = process.cpuUsage(before);
  lastEndOfUtteranceMs = (spent.user + spent.system) / 1000;
  return hyp;
}

export function readWav(file) {
  const b = readFileSync(file);
  let off = 12;
  let rate = 0;
  while (off < b.length) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    if (id === 'fmt ') rate = b.readUInt32LE(off + 12);
    if (id === 'data') {
      const bytes = b.subarray(off + 8, off + 8 + size);
      return {
        rate,
        pcm: new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)),
      };
    }
    off += 8 + size + (size & 1);
  }
  throw new Error(`${file}: no data chunk`);
}
