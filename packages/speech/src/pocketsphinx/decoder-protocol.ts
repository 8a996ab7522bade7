/** Messages between the decoder pool (main thread) and one decoder worker thread. */
import type { PhoneFrontEndOptions } from '../frontend/phone-front-end-kernel.js';

export interface DecoderInit {
  /** resolved path of the koffi module (the eval'd worker cannot resolve packages itself) */
  koffiPath: string;
  /** pocketsphinx command-line arguments (-hmm, -lm, -dict, beams, -mllr …) */
  args: string[];
  /** ARPA model interpolated with the -lm model (weight: the domain model's share) */
  domainLm?: { path: string; weight: number } | null;
  /** [word, phones] added to the dictionary (and the language models) at start */
  extraWords?: [string, string][];
  /**
   * The phone front end (8 → 16 kHz upsampling + band fill) the thread runs on every utterance before the search,
   * so the event loop posts the channel's 8 kHz samples as received; null: the pool's audio is already 16 kHz
   */
  phoneFrontEnd?: PhoneFrontEndOptions | null;
  /**
   * One Int32 shared by every decoder thread of the process, held while a thread runs ps_init: sphinxbase keeps the
   * filterbank warp (-warp_params) in process-global state while it builds a decoder's filters, so decoders of
   * different warps must not start at the same time
   */
  initLock: SharedArrayBuffer;
}

export interface DecodedSegment {
  word: string;
  startFrame: number;
  endFrame: number;
  /** posterior probability 0..1 (0 in partials: no lattice yet) */
  posterior: number;
}

export interface DecodedHypothesis {
  text: string;
  segments: DecodedSegment[];
  frames: number;
  /** the live CMN mean after the utterance (finals only): the stream's estimate for its next utterance */
  cmnMean?: number[];
}

export type DecoderRequest =
  /** cmnMean: the stream's CMN estimate from its previous utterance; null: the model's -cmninit */
  | { id: number; type: 'start'; cmnMean: number[] | null }
  /** pcm at the pool's rate: 8 kHz through the thread's phone front end (phoneFrontEnd), else 16 kHz as is */
  | { id: number; type: 'process'; pcm: Int16Array; wantHypothesis: boolean }
  /** the front end's filter tail goes to the search first */
  | { id: number; type: 'end' }
  /** fault injection for the watchdog tests: exit the thread, or block it */
  | { id: number; type: 'fault'; kind: 'exit' | 'hang' };

export type DecoderReply =
  | { type: 'ready'; initMs: number }
  | { type: 'init-failed'; message: string }
  | { id: number; type: 'ok' }
  | { id: number; type: 'hypothesis'; hypothesis: DecodedHypothesis | null }
  | { id: number; type: 'error'; message: string };
