/**
 * Streaming 8 → 16 kHz polyphase interpolator (zero insertion + 193-tap windowed-sinc low-pass), delay-compensated:
 * an utterance upsampled in any chunking is exactly 2× its input length and frame-aligned. Defined in the
 * front-end kernel (it also runs in the decoder threads).
 */
import { frontEndKernel, type Upsampler } from './phone-front-end-kernel.js';

export const Upsampler2x = frontEndKernel.Upsampler2x;
export type Upsampler2x = Upsampler;

/** Input samples (at 8 kHz) by which the filter delays its output. */
export const UPSAMPLER_DELAY_8K = frontEndKernel.UPSAMPLER_DELAY_8K;
