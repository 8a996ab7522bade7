import { BandNoise } from './band-noise.js';
import { Upsampler2x } from './upsampler.js';

export interface PhoneFrontEndOptions {
  /** RMS of the 4–8 kHz band fill in 16-bit units; 0 disables it (naive upsampling). */
  bandNoiseRms: number;
  /** seed of the band fill noise (same audio → same features → same transcript) */
  seed: number;
}

export const DEFAULT_PHONE_FRONT_END: PhoneFrontEndOptions = { bandNoiseRms: 12, seed: 0x5eed };

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
export class PhoneFrontEnd {
  private readonly upsampler = new Upsampler2x(true);
  private readonly noise: BandNoise | undefined;

  constructor(readonly options: PhoneFrontEndOptions = DEFAULT_PHONE_FRONT_END) {
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
export function phoneTo16k(
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
