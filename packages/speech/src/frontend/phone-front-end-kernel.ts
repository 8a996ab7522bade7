/**
 * The phone front end's DSP (filter design, 8 → 16 kHz upsampler, band fill, phone front end) in one
 * self-contained function. It runs in two places from the same code: here, through the modules beside it
 * (`upsampler.ts`, `band-noise.ts`, `phone-front-end.ts`), and inside the pocketsphinx decoder threads, which get
 * its source text (`phoneFrontEndKernel.toString()`): those are started from source (`eval`), so they cannot import
 * modules. Therefore nothing in the body may refer to anything outside it.
 */

export interface PhoneFrontEndOptions {
  /** RMS of the 4–8 kHz band fill in 16-bit units; 0 disables it (naive upsampling). */
  bandNoiseRms: number;
  /** seed of the band fill noise (same audio → same features → same transcript) */
  seed: number;
}

/** Streaming 8 → 16 kHz interpolator (see `Upsampler2x` in upsampler.ts). */
export interface Upsampler {
  reset(): void;
  process(input: ArrayLike<number>): Float32Array;
  finish(): Float32Array;
}

/** Gaussian noise in the 4–8 kHz band (see `BandNoise` in band-noise.ts). */
export interface BandNoiseSource {
  reset(): void;
  next(count16k: number): Float32Array;
}

/** Phone audio → wideband model input, per utterance (see `PhoneFrontEnd` in phone-front-end.ts). */
export interface PhoneFrontEndStream {
  readonly options: PhoneFrontEndOptions;
  process(pcm8k: Int16Array): Int16Array;
  finish(): Int16Array;
}

export interface PhoneFrontEndKernel {
  designLowpass(taps: number, cutoff: number, beta: number): Float64Array;
  mulberry32(seed: number): () => number;
  UPSAMPLER_DELAY_8K: number;
  DEFAULT_PHONE_FRONT_END: PhoneFrontEndOptions;
  Upsampler2x: new (alignOutput?: boolean) => Upsampler;
  BandNoise: new (rms: number, seed: number) => BandNoiseSource;
  PhoneFrontEnd: new (options?: PhoneFrontEndOptions) => PhoneFrontEndStream;
  phoneTo16k(pcm8k: Int16Array, options?: PhoneFrontEndOptions): Int16Array;
}

export function phoneFrontEndKernel(): PhoneFrontEndKernel {
  // ------------------------------------------------------------------ Kaiser-windowed sinc low-pass design
  function besselI0(x: number): number {
    let sum = 1;
    let term = 1;
    for (let k = 1; k < 50; k++) {
      term *= (x / (2 * k)) ** 2;
      sum += term;
      if (term < 1e-12 * sum) break;
    }
    return sum;
  }

  /**
   * The half-band filter behind the upsampler: pass 0–3.6 kHz, stop from 4 kHz (at 16 kHz), so the images of the
   * phone band folded above 4 kHz are removed.
   * @param taps odd length (linear phase, integer delay of (taps-1)/2)
   * @param cutoff normalised cutoff in cycles per sample (0..0.5)
   * @param beta Kaiser window shape (8 ≈ 80 dB stop band)
   */
  function designLowpass(taps: number, cutoff: number, beta: number): Float64Array {
    if (taps % 2 !== 1) throw new RangeError('low-pass length must be odd');
    const h = new Float64Array(taps);
    const mid = (taps - 1) / 2;
    const i0Beta = besselI0(beta);
    let sum = 0;
    for (let n = 0; n < taps; n++) {
      const t = n - mid;
      const sinc = t === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * t) / (Math.PI * t);
      const r = t / mid;
      const window = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
      h[n] = sinc * window;
      sum += h[n]!;
    }
    for (let n = 0; n < taps; n++) h[n] = h[n]! / sum;
    return h;
  }

  // ------------------------------------------------------------------ 8 → 16 kHz polyphase interpolator
  /** 193 taps: 0.4 kHz transition band, ~80 dB stop band; passes the phone band (≤ 3.6 kHz) flat. */
  const TAPS = 193;
  const CUTOFF = 3800 / 16000;
  const KAISER_BETA = 8;
  /** Input samples (at 8 kHz) by which the filter delays its output. */
  const UPSAMPLER_DELAY_8K = (TAPS - 1) / 4;

  let sharedPhases: { even: Float64Array; odd: Float64Array } | undefined;

  function phases(): { even: Float64Array; odd: Float64Array } {
    if (!sharedPhases) {
      const h = designLowpass(TAPS, CUTOFF, KAISER_BETA);
      const even = new Float64Array((TAPS + 1) / 2);
      const odd = new Float64Array((TAPS - 1) / 2);
      // gain 2 restores the power lost by inserting zeros
      for (let j = 0; j < TAPS; j++) {
        if (j % 2 === 0) even[j / 2] = 2 * h[j]!;
        else odd[(j - 1) / 2] = 2 * h[j]!;
      }
      sharedPhases = { even, odd };
    }
    return sharedPhases;
  }

  /**
   * Zero insertion + windowed-sinc low-pass. With `alignOutput` the filter delay is removed: output sample 2n is
   * input sample n, and `finish()` emits the tail, so an utterance upsampled in any chunking is exactly 2× its
   * input length and frame-aligned with the wideband original.
   */
  class Upsampler2x implements Upsampler {
    private readonly even: Float64Array;
    private readonly odd: Float64Array;
    private history: Float64Array;
    private toSkip: number;
    private readonly alignOutput: boolean;

    constructor(alignOutput = true) {
      this.alignOutput = alignOutput;
      ({ even: this.even, odd: this.odd } = phases());
      this.history = new Float64Array(this.even.length - 1);
      this.toSkip = alignOutput ? 2 * UPSAMPLER_DELAY_8K : 0;
    }

    reset(): void {
      this.history.fill(0);
      this.toSkip = this.alignOutput ? 2 * UPSAMPLER_DELAY_8K : 0;
    }

    process(input: ArrayLike<number>): Float32Array {
      const k = this.even.length;
      const buf = new Float64Array(k - 1 + input.length);
      buf.set(this.history, 0);
      for (let i = 0; i < input.length; i++) buf[k - 1 + i] = input[i]!;
      const full = new Float32Array(2 * input.length);
      const even = this.even;
      const odd = this.odd;
      for (let n = 0; n < input.length; n++) {
        const idx = n + k - 1;
        let y0 = 0;
        let y1 = 0;
        for (let j = 0; j < odd.length; j++) {
          const x = buf[idx - j]!;
          y0 += even[j]! * x;
          y1 += odd[j]! * x;
        }
        y0 += even[k - 1]! * buf[idx - (k - 1)]!;
        full[2 * n] = y0;
        full[2 * n + 1] = y1;
      }
      this.history = buf.slice(buf.length - (k - 1));
      if (this.toSkip === 0) return full;
      const skip = Math.min(this.toSkip, full.length);
      this.toSkip -= skip;
      return full.subarray(skip);
    }

    /** Tail that completes the aligned output (empty when not aligning). */
    finish(): Float32Array {
      if (!this.alignOutput) return new Float32Array(0);
      const tail = this.process(new Float64Array(UPSAMPLER_DELAY_8K));
      this.reset();
      return tail;
    }
  }

  // ------------------------------------------------------------------ band fill
  /** mulberry32: tiny deterministic PRNG, so the same audio always gets the same band fill. */
  function mulberry32(seed: number): () => number {
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
   * Gaussian noise confined to 4–8 kHz at 16 kHz: white noise at 8 kHz, interpolated (so it occupies 0–4 kHz),
   * then mirrored to the upper band by multiplying with (−1)^n. It fills the band the phone channel left empty,
   * where the wideband model expects some energy, without touching the speech band. `rms` in 16-bit units.
   */
  class BandNoise implements BandNoiseSource {
    private random: () => number;
    private readonly upsampler = new Upsampler2x(false);
    private parity = 0;
    private spare: number | undefined;
    private readonly rms: number;
    private readonly seed: number;

    constructor(rms: number, seed: number) {
      this.rms = rms;
      this.seed = seed;
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

  // ------------------------------------------------------------------ phone front end
  const DEFAULT_PHONE_FRONT_END: PhoneFrontEndOptions = { bandNoiseRms: 12, seed: 0x5eed };

  function toInt16(x: Float32Array): Int16Array {
    const out = new Int16Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(x[i]!)));
    return out;
  }

  /**
   * Phone audio (8 kHz linear PCM, decoded from mu-law) → the 16 kHz signal the wideband model expects: low-pass
   * interpolation plus deterministic noise in the empty upper band. Per utterance: `process()` chunks, then
   * `finish()`; the concatenated output is exactly twice the input length and time-aligned with it.
   */
  class PhoneFrontEnd implements PhoneFrontEndStream {
    private readonly upsampler = new Upsampler2x(true);
    private readonly noise: BandNoise | undefined;
    readonly options: PhoneFrontEndOptions;

    constructor(options: PhoneFrontEndOptions = DEFAULT_PHONE_FRONT_END) {
      this.options = options;
      this.noise = options.bandNoiseRms > 0 ? new BandNoise(options.bandNoiseRms, options.seed) : undefined;
    }

    process(pcm8k: Int16Array): Int16Array {
      return this.shape(this.upsampler.process(pcm8k));
    }

    /** End of utterance: emits the filter tail and resets for the next utterance. */
    finish(): Int16Array {
      const tail = this.shape(this.upsampler.finish());
      this.noise?.reset();
      return tail;
    }

    private shape(wide: Float32Array): Int16Array {
      if (this.noise && wide.length > 0) {
        const fill = this.noise.next(wide.length);
        for (let i = 0; i < wide.length; i++) wide[i] = wide[i]! + fill[i]!;
      }
      return toInt16(wide);
    }
  }

  /** Whole-utterance convenience (dev set, benchmark, MLLR fitting). */
  function phoneTo16k(
    pcm8k: Int16Array,
    options: PhoneFrontEndOptions = DEFAULT_PHONE_FRONT_END,
  ): Int16Array {
    const fe = new PhoneFrontEnd(options);
    const a = fe.process(pcm8k);
    const b = fe.finish();
    const out = new Int16Array(a.length + b.length);
    out.set(a, 0);
    out.set(b, a.length);
    return out;
  }

  return {
    designLowpass,
    mulberry32,
    UPSAMPLER_DELAY_8K,
    DEFAULT_PHONE_FRONT_END,
    Upsampler2x,
    BandNoise,
    PhoneFrontEnd,
    phoneTo16k,
  };
}

/** The kernel of this thread (the modules beside this one export its pieces). */
export const frontEndKernel: PhoneFrontEndKernel = phoneFrontEndKernel();
