// Non-speech test material as it arrives from a phone line (8 kHz, G.711 mu-law encoded and decoded): music on
// hold (Debian asterisk-moh-opsound-wav: real hold music), music-like sox synthesis, call-progress tones, DTMF
// and line noise. Nothing in it should ever produce a transcript. Used by the non-speech tests and bench:stt.
//
//   const { nonSpeechClips } = await import('packages/speech/devset/non-speech.mjs');
//   nonSpeechClips({ seconds: 8 }) → [{ name, kind: 'music' | 'tone' | 'noise', pcm: Int16Array (8 kHz) }]
//
// Deterministic: sox runs with -R (seeded dither and noise). Needs sox and asterisk-moh-opsound-wav.
/* global Buffer */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const MOH_DIR = '/usr/share/asterisk/moh';
export const MOH_FILES = [
  'macroform-cold_day',
  'macroform-robot_dity',
  'macroform-the_simplicity',
  'manolo_camp-morning_coffee',
  'reno_project-system',
];

/** sox effect chains (after `-n`) per synthesised clip; `seconds` is the clip length */
const SYNTH = {
  // US ring-back: 440 + 480 Hz, 2 s on, 4 s off
  'ring-back': (s) => [
    'synth',
    '2',
    'sine',
    '440',
    'sine',
    '480',
    'remix',
    '-',
    'pad',
    '0',
    '4',
    'repeat',
    `${Math.ceil(s / 6)}`,
  ],
  // US busy: 480 + 620 Hz, 0.5 s on, 0.5 s off
  busy: (s) => [
    'synth',
    '0.5',
    'sine',
    '480',
    'sine',
    '620',
    'remix',
    '-',
    'pad',
    '0',
    '0.5',
    'repeat',
    `${s}`,
  ],
  // special information tone (913.8, 1370.6, 1776.7 Hz, 330 ms each) then 2 s silence
  'special-information-tone': (s) => [
    ...[
      'synth',
      '0.33',
      'sine',
      '913.8',
      'synth',
      '0.33',
      'sine',
      '1370.6',
      'synth',
      '0.33',
      'sine',
      '1776.7',
    ],
    ...['pad', '0', '2', 'repeat', `${Math.ceil(s / 3)}`],
  ],
  'test-tone-1khz': (s) => ['synth', `${s}`, 'sine', '1000', 'vol', '0.5'],
  // a rising sweep, as a fax/modem answer or test sweep
  sweep: (s) => ['synth', `${s}`, 'sine', '300-3300', 'vol', '0.5'],
  'white-noise': (s) => ['synth', `${s}`, 'whitenoise', 'vol', '0.05'],
  'pink-noise': (s) => ['synth', `${s}`, 'pinknoise', 'vol', '0.1'],
  'brown-noise-hum': (s) => ['synth', `${s}`, 'brownnoise', 'sine', '60', 'remix', '-', 'vol', '0.2'],
  // music-like: plucked arpeggio over a sustained chord, and a square-wave melody (cheap hold-music keyboards)
  'synth-arpeggio': (s) => [
    ...['synth', '0.25', 'pluck', 'C4', 'synth', '0.25', 'pluck', 'E4', 'synth', '0.25', 'pluck', 'G4'],
    ...['synth', '0.25', 'pluck', 'C5', 'repeat', `${Math.ceil(s)}`, 'vol', '0.6'],
  ],
  'synth-chords': (s) => [
    ...['synth', `${s}`, 'pluck', 'A3', 'pluck', 'C4', 'pluck', 'E4', 'tremolo', '3', '40', 'vol', '0.5'],
  ],
  'synth-melody': (s) => [
    ...['synth', '0.3', 'square', 'E4', 'synth', '0.3', 'square', 'G4', 'synth', '0.3', 'square', 'A4'],
    ...['synth', '0.3', 'square', 'D4', 'repeat', `${Math.ceil(s / 1.2)}`, 'vol', '0.15'],
  ],
};

/** DTMF digits: 100 ms tone, 100 ms gap */
const DTMF = {
  1: [697, 1209],
  2: [697, 1336],
  3: [697, 1477],
  4: [770, 1209],
  5: [770, 1336],
  6: [770, 1477],
  7: [852, 1209],
  8: [852, 1336],
  9: [852, 1477],
  '*': [941, 1209],
  0: [941, 1336],
  '#': [941, 1477],
};

function dtmfChain(digits) {
  const chain = [];
  for (const d of digits) {
    const [low, high] = DTMF[d];
    chain.push([
      '-n',
      '-t',
      'raw',
      '-r',
      '8000',
      '-e',
      'signed',
      '-b',
      '16',
      '-c',
      '1',
      '-',
      'synth',
      '0.1',
      'sine',
      `${low}`,
      'sine',
      `${high}`,
      'remix',
      '-',
      'vol',
      '0.5',
      'pad',
      '0',
      '0.1',
    ]);
  }
  return chain;
}

/** the phone channel: mono 8 kHz, G.711 mu-law round trip (as AudioHook delivers it) */
function phoneChannel(soxInput, dir, name, trimArgs = []) {
  const ulaw = join(dir, `${name}.ul`);
  execFileSync('sox', [
    '-R',
    ...soxInput,
    '-r',
    '8000',
    '-c',
    '1',
    '-e',
    'u-law',
    '-t',
    'raw',
    ulaw,
    ...trimArgs,
  ]);
  return muLawDecode(readFileSync(ulaw));
}

function muLawDecode(bytes) {
  const out = new Int16Array(bytes.length);
  for (let n = 0; n < bytes.length; n++) {
    const u = ~bytes[n] & 0xff;
    const mag = ((((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 7)) - 0x84;
    out[n] = u & 0x80 ? -mag : mag;
  }
  return out;
}

/**
 * All clips, each `seconds` long (hold music: from 20 s into each track). `only`: names to include.
 * Throws when asterisk-moh-opsound-wav is missing (scripts/install-system-deps.sh installs it).
 */
export function nonSpeechClips({ seconds = 10, only = null } = {}) {
  const want = (name) => !only || only.includes(name);
  const dir = mkdtempSync(join(tmpdir(), 'non-speech-'));
  try {
    const clips = [];
    for (const track of MOH_FILES) {
      const name = `hold-music ${track}`;
      if (!want(name)) continue;
      const file = join(MOH_DIR, `${track}.wav`);
      if (!existsSync(file)) throw new Error(`${file} missing: install asterisk-moh-opsound-wav`);
      clips.push({
        name,
        kind: 'music',
        pcm: phoneChannel([file], dir, track, ['trim', '20', `${seconds}`]),
      });
    }
    for (const [name, chain] of Object.entries(SYNTH)) {
      if (!want(name)) continue;
      const kind = name.startsWith('synth') ? 'music' : name.includes('noise') ? 'noise' : 'tone';
      const input = ['-n', '-r', '8000', '-c', '1', '-t', 'wav', join(dir, `${name}.wav`), ...chain(seconds)];
      execFileSync('sox', ['-R', ...input]);
      clips.push({
        name,
        kind,
        pcm: phoneChannel([join(dir, `${name}.wav`)], dir, name, ['trim', '0', `${seconds}`]),
      });
    }
    if (want('dtmf')) {
      const digits = '4111111111111111#0123456789*'.slice(0, Math.max(1, Math.floor(seconds * 5)));
      const parts = dtmfChain(digits).map((args) => execFileSync('sox', ['-R', ...args]));
      const raw = join(dir, 'dtmf.raw');
      writeFileSync(raw, Buffer.concat(parts));
      const input = ['-t', 'raw', '-r', '8000', '-e', 'signed', '-b', '16', '-c', '1', raw];
      clips.push({ name: 'dtmf', kind: 'tone', pcm: phoneChannel(input, dir, 'dtmf') });
    }
    return clips;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
