import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildWavHeader, mulawEncode } from '@hookscribe/audiohook';
import { decodeWav } from '../../src/wav-encoding.js';

/** Committed 8 kHz mu-law-passed speech (test/fixtures/generate.sh). */
export function loadFixture(name: 'hello' | 'account' | 'two-sentences'): Int16Array {
  const url = new URL(`../fixtures/${name}.wav`, import.meta.url);
  const { pcm, sampleRate } = decodeWav(readFileSync(fileURLToPath(url)));
  if (sampleRate !== 8000) throw new Error(`fixture ${name} is ${sampleRate} Hz`);
  return pcm;
}

export function silence(samples: number): Int16Array {
  return new Int16Array(samples);
}

/** Deterministic white noise (xorshift) at a given RMS in dBFS. */
export function noise(samples: number, dbfs: number, seed = 1): Int16Array {
  const out = new Int16Array(samples);
  const amplitude = 32768 * 10 ** (dbfs / 20) * Math.sqrt(3);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < samples; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out[i] = Math.round((state / 0xffffffff - 0.5) * 2 * amplitude);
  }
  return out;
}

export function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A stereo 8 kHz µ-law WAV as the call recorder writes it (the shorter channel padded with silence). */
export function stereoRecordingWav(external: Int16Array, internal: Int16Array): Uint8Array {
  const length = Math.max(external.length, internal.length);
  const a = mulawEncode(concat(external, silence(length - external.length)));
  const b = mulawEncode(concat(internal, silence(length - internal.length)));
  const data = new Uint8Array(length * 2);
  for (let i = 0; i < length; i++) {
    data[2 * i] = a[i]!;
    data[2 * i + 1] = b[i]!;
  }
  const header = buildWavHeader({ format: 'PCMU', channels: 2, sampleRate: 8000 }, data.length);
  const wav = new Uint8Array(header.length + data.length);
  wav.set(header);
  wav.set(data, header.length);
  return wav;
}
