/**
 * Deterministic Gaussian noise confined to 4–8 kHz (mulberry32, fixed seed): fills the band the phone channel left
 * empty. Defined in the front-end kernel (it also runs in the decoder threads).
 */
import { frontEndKernel, type BandNoiseSource } from './phone-front-end-kernel.js';

export const mulberry32 = frontEndKernel.mulberry32;
export const BandNoise = frontEndKernel.BandNoise;
export type BandNoise = BandNoiseSource;
