/**
 * Phone audio (8 kHz) → the 16 kHz signal the wideband model expects: upsampler + band fill, per utterance.
 * Defined in the front-end kernel: live and post-call decoding run it in the decoder threads, next to the search;
 * here it serves the dev set, benchmarks, MLLR fitting and speaker adaptation.
 */
import { frontEndKernel, type PhoneFrontEndStream } from './phone-front-end-kernel.js';

export type { PhoneFrontEndOptions } from './phone-front-end-kernel.js';

export const DEFAULT_PHONE_FRONT_END = frontEndKernel.DEFAULT_PHONE_FRONT_END;
export const PhoneFrontEnd = frontEndKernel.PhoneFrontEnd;
export type PhoneFrontEnd = PhoneFrontEndStream;
/** Whole-utterance convenience (dev set, benchmark, MLLR fitting). */
export const phoneTo16k = frontEndKernel.phoneTo16k;
