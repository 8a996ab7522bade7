import { designLowpass } from './lowpass-fir.js';

/** 193 taps: 0.4 kHz transition band, ~80 dB stop band; passes the phone band (≤ 3.6 kHz) flat. */
const TAPS = 193;
const CUTOFF = 3800 / 16000;
const KAISER_BETA = 8;

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

/** Input samples (at 8 kHz) by which the filter delays its output. */
export const UPSAMPLER_DELAY_8K = (TAPS - 1) / 4;

/**
 * Streaming 8 → 16 kHz polyphase interpolator (zero insertion + windowed-sinc low-pass). With `alignOutput` the
 * filter delay is removed: output sample 2n is input sample n, and `finish()` emits the tail, so an utterance
 * upsampled in any chunking is exactly 2× its input length and frame-aligned with the wideband original.
 */
export class Upsampler2x {
  private readonly even: Float64Array;
  private readonly odd: Float64Array;
  private history: Float64Array;
  private toSkip: number;

  constructor(private readonly alignOutput = true) {
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
