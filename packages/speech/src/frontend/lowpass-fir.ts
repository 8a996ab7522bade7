/**
 * Kaiser-windowed sinc low-pass design. The half-band filter behind the 8 → 16 kHz upsampler: pass 0–3.6 kHz,
 * stop from 4 kHz (at 16 kHz). Defined in the front-end kernel (it also runs in the decoder threads).
 */
import { frontEndKernel } from './phone-front-end-kernel.js';

export const designLowpass = frontEndKernel.designLowpass;
