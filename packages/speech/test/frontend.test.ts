import { describe, expect, it } from 'vitest';
import { BandNoise } from '../src/frontend/band-noise.js';
import { muLawDecode, muLawEncode } from '../src/frontend/mulaw.js';
import { PhoneFrontEnd, phoneTo16k } from '../src/frontend/phone-front-end.js';
import { Upsampler2x } from '../src/frontend/upsampler.js';

/** power of `x` at `freq` Hz (Goertzel), normalised per sample */
function powerAt(x: ArrayLike<number>, freq: number, rate: number): number {
  const w = (2 * Math.PI * freq) / rate;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < x.length; i++) {
    const s0 = x[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - coeff * s1 * s2) / (x.length * x.length);
}

function sine(freq: number, rate: number, samples: number, amplitude = 10000): Int16Array {
  return Int16Array.from({ length: samples }, (_, n) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * freq * n) / rate)),
  );
}

function upsampleWhole(x: Int16Array, chunk = x.length): Float32Array {
  const up = new Upsampler2x(true);
  const parts: Float32Array[] = [];
  for (let i = 0; i < x.length; i += chunk) parts.push(up.process(x.subarray(i, i + chunk)));
  parts.push(up.finish());
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

describe('mu-law codec', () => {
  it('decodes every code to a value that encodes back to the same code (except the two zeros)', () => {
    const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const back = muLawEncode(muLawDecode(codes));
    for (let i = 0; i < 256; i++) {
      if (i === 0x7f)
        expect(back[i]).toBe(0xff); // -0 and +0 decode to 0, which encodes as +0
      else expect(back[i]).toBe(i);
    }
  });

  it('round-trips linear PCM within the G.711 quantisation step', () => {
    const pcm = Int16Array.from({ length: 2000 }, (_, i) =>
      Math.round(30000 * Math.sin(i / 7) * Math.cos(i / 131)),
    );
    const back = muLawDecode(muLawEncode(pcm));
    for (let i = 0; i < pcm.length; i++) {
      const step = Math.max(8, Math.abs(pcm[i]!) / 16); // 4-bit mantissa: relative error ≤ 1/32, abs ≥ a few units
      expect(Math.abs(back[i]! - pcm[i]!)).toBeLessThanOrEqual(step);
    }
  });

  it('clips out-of-range samples instead of wrapping', () => {
    const back = muLawDecode(muLawEncode(Int16Array.of(32767, -32768)));
    expect(back[0]).toBeGreaterThan(30000);
    expect(back[1]).toBeLessThan(-30000);
  });
});

describe('8 → 16 kHz upsampler', () => {
  it('is exactly twice the input length and time-aligned with the input', () => {
    const x = sine(1000, 8000, 800);
    const y = upsampleWhole(x);
    expect(y.length).toBe(1600);
    // away from the edges, even output samples reproduce the input samples
    for (let n = 100; n < 700; n++) expect(Math.abs(y[2 * n]! - x[n]!)).toBeLessThan(150);
  });

  it('passes the phone band flat and removes the image above 4 kHz', () => {
    for (const f of [300, 1000, 3000, 3400]) {
      const y = upsampleWhole(sine(f, 8000, 8000)).subarray(400, 15600);
      const tone = powerAt(y, f, 16000);
      const gainDb = 10 * Math.log10(tone / ((10000 * 10000) / 4));
      expect(Math.abs(gainDb)).toBeLessThan(0.5);
      // zero insertion mirrors a tone at f to 8000 − f; the low-pass must bury it
      const imageDb = 10 * Math.log10(powerAt(y, 8000 - f, 16000) / tone);
      expect(imageDb).toBeLessThan(-60);
    }
  });

  it('gives the same output whatever the chunking', () => {
    const x = sine(700, 8000, 4000);
    const whole = upsampleWhole(x);
    const chunked = upsampleWhole(x, 160);
    const odd = upsampleWhole(x, 37);
    expect(Array.from(chunked)).toEqual(Array.from(whole));
    expect(Array.from(odd)).toEqual(Array.from(whole));
  });
});

describe('band fill noise', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = new BandNoise(20, 7).next(4000);
    const b = new BandNoise(20, 7).next(4000);
    const c = new BandNoise(20, 8).next(4000);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    const reset = new BandNoise(20, 7);
    reset.next(1000);
    reset.reset();
    expect(Array.from(reset.next(4000))).toEqual(Array.from(a));
  });

  it('has the requested level and lies above 4 kHz', () => {
    const x = new BandNoise(20, 1).next(32000).subarray(400);
    const rms = Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
    expect(rms).toBeGreaterThan(16);
    expect(rms).toBeLessThan(24);
    let low = 0;
    let high = 0;
    for (let f = 100; f < 3500; f += 100) low += powerAt(x, f, 16000);
    for (let f = 4500; f < 7900; f += 100) high += powerAt(x, f, 16000);
    expect(10 * Math.log10(low / high)).toBeLessThan(-40);
  });
});

describe('phone front end', () => {
  it('turns 8 kHz into aligned 16 kHz, identically for any chunking and run', () => {
    const x = sine(440, 8000, 8000, 3000);
    const whole = phoneTo16k(x, { bandNoiseRms: 12, seed: 3 });
    expect(whole.length).toBe(16000);
    expect(Array.from(phoneTo16k(x, { bandNoiseRms: 12, seed: 3 }))).toEqual(Array.from(whole));
    const fe = new PhoneFrontEnd({ bandNoiseRms: 12, seed: 3 });
    const parts: number[] = [];
    for (let i = 0; i < x.length; i += 1600) parts.push(...fe.process(x.subarray(i, i + 1600)));
    parts.push(...fe.finish());
    expect(parts).toEqual(Array.from(whole));
    // the next utterance starts from the same noise state
    const again: number[] = [...fe.process(x), ...fe.finish()];
    expect(again).toEqual(Array.from(whole));
  });

  it('adds no band fill when its level is 0 (naive upsampling)', () => {
    const silence = phoneTo16k(new Int16Array(800), { bandNoiseRms: 0, seed: 1 });
    expect(silence.every((v) => v === 0)).toBe(true);
    const filled = phoneTo16k(new Int16Array(800), { bandNoiseRms: 12, seed: 1 });
    expect(filled.some((v) => v !== 0)).toBe(true);
  });
});
