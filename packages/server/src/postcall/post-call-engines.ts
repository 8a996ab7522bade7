/**
 * Engines for post-call transcription: the configured engines, with the embedded one built for files — a decoding
 * backlog as long as the recording, decoder threads at nice 19 so post-call work only takes CPU that live calls and
 * the socket tier leave idle — and, for the accurate second pass, a slower search.
 */
import {
  buildSpeechEngines,
  speakerAdaptationFor,
  defaultPocketsphinxConfig,
  PocketsphinxEngine,
  TUNED_DECODER,
  withFixedWarp,
  type DecoderTuning,
  type SpeechConfig,
  type SpeechEngine,
} from '@hookscribe/speech';
import type { TranscriptionJobKind } from '@hookscribe/conversations';
import { entraSpeechTokenProvider } from '../secrets/speech-token-provider.js';
import { SpeakerAdaptedPass } from './speaker-adapted-pass.js';

/**
 * The accurate pass: the flat-lexicon second search pass back on (live turns it off for latency and CPU) and wider
 * beams; measured in docs/benchmarks/stt-capacity.md.
 */
export const ACCURATE_DECODER: DecoderTuning = {
  ...TUNED_DECODER,
  fwdflat: 'yes',
  beam: '1e-60',
  pbeam: '1e-60',
  wbeam: '1e-40',
};

const POST_CALL_WATCHDOG_MS = 15 * 60_000;

/** a recording is fed faster than real time: its whole length may wait for the decoder */
const FILE_BACKLOG_MS = 4 * 3600_000;

/**
 * `mllr`: a speaker's transform in place of the phone-channel one (the speaker-adapted re-decode), with `mllrWarp`,
 * the fixed filterbank warp its features were fitted with (null: unwarped); that decode does not choose a warp of its
 * own. `speakerWarp`: HOOKSCRIBE_STT_SPEAKER_WARP, for the decode without a speaker transform.
 */
export function embeddedPostCallEngine(
  kind: TranscriptionJobKind,
  mllr?: string,
  speakerWarp = true,
  mllrWarp: number | null = null,
): PocketsphinxEngine {
  const defaults = defaultPocketsphinxConfig();
  const tuning = kind === 'accurate' ? ACCURATE_DECODER : defaults.tuning;
  return new PocketsphinxEngine({
    ...(mllr ? { mllr } : {}),
    speakerWarp: speakerWarp && !mllr ? defaults.speakerWarp : null,
    tuning: mllr && mllrWarp !== null ? withFixedWarp(tuning, mllrWarp) : tuning,
    maxBacklogMs: FILE_BACKLOG_MS,
    pool: {
      ...defaults.pool,
      // the two channels of the job in hand; created on first use, not at start
      maxDecoders: 2,
      warmDecoders: 0,
      maxWaiting: 64,
      acquireTimeoutMs: FILE_BACKLOG_MS,
      niceness: 19,
      // a request (and a decoder's start: model and LM loading) may wait long for CPU at nice 19; only a thread
      // that is gone should fail it
      requestTimeoutMs: POST_CALL_WATCHDOG_MS,
      startTimeoutMs: POST_CALL_WATCHDOG_MS,
    },
  });
}

/** One engine list per job kind, built on first use and stopped by stop(). */
export class PostCallEngines {
  private readonly built = new Map<TranscriptionJobKind, SpeechEngine[]>();

  constructor(private readonly config: SpeechConfig) {}

  for(kind: TranscriptionJobKind): readonly SpeechEngine[] {
    let engines = this.built.get(kind);
    if (!engines) {
      engines = buildSpeechEngines(this.config, {
        embedded: () => embeddedPostCallEngine(kind, undefined, this.config.speakerWarp),
        azureTokenProvider: (resourceId) => entraSpeechTokenProvider(resourceId),
        // at nice 19 a busy box may give the decoders no CPU for a while: that is waiting, not hanging (the decoder
        // pool's own request watchdog still catches a dead thread)
        watchdogMs: POST_CALL_WATCHDOG_MS,
      });
      this.built.set(kind, engines);
    }
    return engines;
  }

  /**
   * The accurate pass's speaker adaptation (HOOKSCRIBE_STT_SPEAKER_ADAPTATION, off by default), for channels the
   * embedded engine transcribed; null when it is off or the embedded engine is not configured.
   */
  speakerAdaptation(kind: TranscriptionJobKind): SpeakerAdaptedPass | null {
    if (kind !== 'accurate' || !this.config.speakerAdaptation || !this.config.engines.includes('embedded'))
      return null;
    return new SpeakerAdaptedPass({
      adaptation: speakerAdaptationFor(),
      engineWith: (mllr, warp) => embeddedPostCallEngine('accurate', mllr, false, warp),
      warpPolicy: this.config.speakerWarp ? defaultPocketsphinxConfig().speakerWarp : null,
      engineName: 'pocketsphinx',
    });
  }

  async stop(): Promise<void> {
    for (const engines of this.built.values())
      for (const engine of engines) await engine.stop().catch(() => undefined);
    this.built.clear();
  }
}
