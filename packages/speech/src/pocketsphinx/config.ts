import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PHONE_FRONT_END, type PhoneFrontEndOptions } from '../frontend/phone-front-end.js';
import { DEFAULT_POOL_OPTIONS, type DecoderPoolOptions } from './decoder-pool.js';
import { CONTACT_CENTRE_CORPUS_PATH } from './domain-lm.js';
import { DEFAULT_HINT_DISTANCE } from './phrase-hint-corrector.js';
import type { SpeakerWarpPolicy } from './speaker-pitch.js';
import { DEFAULT_UTTERANCE_REJECTION, type UtteranceRejection } from './utterance-rejection.js';

/** Debian pocketsphinx-en-us */
export const DEBIAN_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';

/** Channel adaptation for the phone front end, fitted by scripts/fit-mllr.mjs (committed). */
export const PHONE_MLLR_PATH = fileURLToPath(new URL('../../models/phone-channel.mllr', import.meta.url));

/**
 * The model's feat.params with -cmninit set to the cepstral mean of phone-channel audio through the front end
 * (written by the MLLR fit). pocketsphinx lets feat.params override a -cmninit argument, hence a file.
 */
export const PHONE_FEAT_PARAMS_PATH = fileURLToPath(
  new URL('../../models/phone-channel.feat.params', import.meta.url),
);

/** The same for 16 kHz streams: -cmninit from the wideband side of the fitting audio. */
export const WIDEBAND_FEAT_PARAMS_PATH = fileURLToPath(
  new URL('../../models/wideband.feat.params', import.meta.url),
);

/** Decoder search parameters (pocketsphinx flags without the dash). Values are passed through as strings. */
export type DecoderTuning = Record<string, string | number>;

/**
 * Tuned on a dev-set subsample (docs/speech-embedded.md): dropping the second (flat-lexicon) search pass costs
 * ~2 WER points and saves ~40% CPU and most of the end-of-utterance work (final latency). Narrower beams,
 * -pl_window, -topn 2, -ds 2 and other language weights all cost far more accuracy than they save. With the
 * interpolated domain model the search grows (~+50% CPU); -maxhmmpf 8000 brings it back to the CPU of the generic
 * model alone, at 22.0% instead of 17.6% dev WER (every 4th utterance) and no loss on the human testdata (29.3%).
 */
export const TUNED_DECODER: DecoderTuning = { fwdflat: 'no', maxhmmpf: 8000 };

/** `tuning` with one fixed filterbank warp (inverse_linear VTLN), as a speaker transform fitted on warped features needs */
export function withFixedWarp(tuning: DecoderTuning, warp: number): DecoderTuning {
  return { ...tuning, warp_type: 'inverse_linear', warp_params: String(warp) };
}

/**
 * Per-channel VTLN (docs/speech-embedded.md, "Speaker warp"): a channel whose first voiced speech is pitched at or
 * above 150 Hz is decoded with the filterbank warped by 1.12 (inverse_linear). Tuned on the real telephone prompts'
 * dev half (34.1% → 28.7% engine alone for that voice); lower voices keep the unwarped filterbank, since every
 * warp tried on them (1.04–1.16) cost accuracy.
 */
export const DEFAULT_SPEAKER_WARP: SpeakerWarpPolicy = {
  highPitchWarp: 1.12,
  pitchThresholdHz: 150,
  voicedFrames: 100,
};

/** the domain model's share in the interpolation with the generic en-US model (tuned on the dev set) */
export const DOMAIN_LM_WEIGHT = 0.5;

export interface PocketsphinxConfig {
  hmm: string;
  lm: string;
  dict: string;
  /** MLLR transform applied to the acoustic model; null disables it. Only used for 8 kHz streams' decoders. */
  mllr: string | null;
  /**
   * feat.params for 8 kHz decoders: its -cmninit is the initial CMN estimate, which a fresh decoder's first
   * utterance depends on entirely (live CMN adapts only between utterances); null: the model's own
   */
  featParams: string | null;
  /** feat.params for 16 kHz decoders (no MLLR) */
  wideFeatParams: string | null;
  tuning: DecoderTuning;
  frontEnd: PhoneFrontEndOptions;
  pool: Omit<DecoderPoolOptions, 'args'>;
  /** emit a partial at most this often (audio time) */
  partialIntervalMs: number;
  /** an utterance longer than this is finalised and a new one begins (bounded memory without a segmenter) */
  maxUtteranceMs: number;
  /** gaps in the fed timeline up to this long are filled with silence; longer ones end the utterance */
  maxGapFillMs: number;
  /**
   * audio waiting for its decoder (no decoder free yet, or decoding slower than real time) beyond this fails the
   * stream ("cannot keep up") instead of growing memory without bound
   */
  maxBacklogMs: number;
  /** which decoded utterances give no final (non-speech the segmenter let through) */
  rejection: UtteranceRejection;
  /**
   * contact-centre language model: text it is counted from and its interpolation weight against the generic
   * model (docs/speech-embedded.md); null: the generic model alone
   */
  domainLm: { corpus: string; weight: number } | null;
  /** deployment vocabulary (HOOKSCRIBE_STT_VOCABULARY): phrases added to the domain model, new words to the dictionary */
  vocabulary: string[];
  /**
   * phrase hints of a call (SpeechStreamOptions.phrases): most phone edits per phone for a window of recognised
   * words to be replaced by a hint (phrase-hint-corrector.ts)
   */
  hintDistance: number;
  /** per-channel VTLN from the channel's pitch (8 kHz streams); null: every channel unwarped */
  speakerWarp: SpeakerWarpPolicy | null;
}

export function defaultPocketsphinxConfig(): PocketsphinxConfig {
  return {
    hmm: `${DEBIAN_MODEL_DIR}/en-us`,
    lm: `${DEBIAN_MODEL_DIR}/en-us.lm.bin`,
    dict: `${DEBIAN_MODEL_DIR}/cmudict-en-us.dict`,
    mllr: existsSync(PHONE_MLLR_PATH) ? PHONE_MLLR_PATH : null,
    featParams: existsSync(PHONE_FEAT_PARAMS_PATH) ? PHONE_FEAT_PARAMS_PATH : null,
    wideFeatParams: existsSync(WIDEBAND_FEAT_PARAMS_PATH) ? WIDEBAND_FEAT_PARAMS_PATH : null,
    tuning: { ...TUNED_DECODER },
    frontEnd: { ...DEFAULT_PHONE_FRONT_END },
    pool: { ...DEFAULT_POOL_OPTIONS },
    partialIntervalMs: 500,
    maxUtteranceMs: 30_000,
    maxGapFillMs: 500,
    maxBacklogMs: 30_000,
    rejection: { ...DEFAULT_UTTERANCE_REJECTION },
    domainLm: { corpus: CONTACT_CENTRE_CORPUS_PATH, weight: DOMAIN_LM_WEIGHT },
    vocabulary: [],
    hintDistance: DEFAULT_HINT_DISTANCE,
    speakerWarp: { ...DEFAULT_SPEAKER_WARP },
  };
}

/** pocketsphinx arguments for one decoder; `warp`: an inverse_linear VTLN factor for its filterbank. */
export function decoderArgs(
  config: Pick<PocketsphinxConfig, 'hmm' | 'lm' | 'dict' | 'mllr' | 'featParams' | 'tuning'>,
  warp: number | null = null,
): string[] {
  const args = [
    '-hmm',
    config.hmm,
    '-lm',
    config.lm,
    '-dict',
    config.dict,
    '-logfn',
    '/dev/null',
    '-bestpath',
    'yes',
    // the built-in VAD drops silent frames and shifts segment times off the caller's timeline
    '-remove_silence',
    'no',
  ];
  if (config.mllr) args.push('-mllr', config.mllr);
  if (config.featParams) args.push('-featparams', config.featParams);
  for (const [flag, value] of Object.entries(config.tuning)) args.push(`-${flag}`, String(value));
  // always explicit, 1 when unwarped: sphinxbase keeps the last warp in process-global state and skips re-reading
  // a -warp_params string equal to the previous one, so an unwarped decoder started without one (NULL) between two
  // warped ones would leave the second with unwarped filters
  // warped pool (or an unwarped decoder) unless the tuning sets a warp of its own
  if (!('warp_params' in config.tuning)) {
    args.push('-warp_type', 'inverse_linear', '-warp_params', String(warp ?? 1));
  }
  return args;
}
