import { Upsampler2x } from './upsampler.js';

/** mulberry32: tiny deterministic PRNG, so the same audio always gets the same band fill. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Gaussian noise confined to 4–8 kHz at 16 kHz: white noise at 8 kHz, interpolated (so it occupies 0–4 kHz), then
 * mirrored to the upper band by multiplying with (−1)^n. It fills the band the phone channel left empty, where the
 * wideband model expects some energy, without touching the speech band. `rms` is in 16-bit sample units.
 */
export class BandNoise {
  private random: () => number;
  private readonly upsampler = new Upsampler2x(false);
  private parity = 0;
  private spare: number | undefined;

  constructor(
    private readonly rms: number,
    private readonly seed: number,
  ) {
    this.random = mulberry32(seed);
  }

  reset(): void {
    this.random = mulberry32(this.seed);
    this.upsampler.reset();
    this.parity = 0;
    this.spare = undefined;
  }

  private gaussian(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const u = Math.max(this.random(), 1e-12);
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Next `count16k` samples (count16k must be even). */
  next(count16k: number): Float32Array {
    const white = new Float64Array(count16k / 2);
    for (let i = 0; i < white.length; i++) white[i] = this.gaussian() * this.rms;
    const low = this.upsampler.process(white);
    for (let i = 0; i < low.length; i++) {
      if (this.parity === 1) low[i] = -low[i]!;
      this.parity ^= 1;
    }
    return low;
  }
}
