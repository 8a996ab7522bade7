import { randomUUID } from 'node:crypto';
import type {
  EngineCapabilities,
  RecognitionResult,
  RecognizedWord,
  SpeechEngine,
  SpeechStream,
  SpeechStreamOptions,
} from '../engine.js';
import { AudioFormatError, EngineFailure, StreamClosedError, checkWrite } from '../errors.js';
import { ResultQueue } from '../result-queue.js';
import {
  DOMAIN_LM_WEIGHT,
  decoderArgs,
  defaultPocketsphinxConfig,
  type PocketsphinxConfig,
} from './config.js';
import { DecoderPool, type DecoderLease, type DecoderPoolOptions } from './decoder-pool.js';
import { SpeakerPitchEstimate, warpForPitch } from './speaker-pitch.js';
import { prepareDomainModel, type DomainModel } from './domain-lm.js';
import type { DecodedHypothesis } from './decoder-protocol.js';
import { PhraseHintCorrector } from './phrase-hint-corrector.js';
import { DictionaryPronouncer } from './pronouncer.js';
import { rejectsUtterance } from './utterance-rejection.js';
import { segmentsToWords } from './words.js';

const ENGINE_NAME = 'pocketsphinx';

/** One utterance in progress: the decoder it holds and where it sits on the caller's timeline. */
interface Utterance {
  id: string;
  start: number;
  /** next expected sample position (end of what was fed) */
  next: number;
  lease: Promise<DecoderLease>;
  /** audio fed but not yet posted to the decoder: everything fed until its decoding step runs goes as one message */
  unsent: Int16Array[];
  unsentSamples: number;
  samplesSinceHypothesis: number;
  lastPartialText: string;
  partialsEmitted: boolean;
  /** the filterbank warp of its decoder (null: unwarped) */
  warp: number | null;
}

/**
 * Embedded offline recogniser: Debian pocketsphinx (en-US) in a pool of worker threads. 8 kHz phone audio goes
 * through the phone front end (upsampling + band fill, run in the decoder thread next to the search) and a decoder
 * with the phone-channel MLLR transform; 16 kHz audio goes straight to a separate pool of plain decoders. The event
 * loop only posts samples, one message per decoding step whatever the number of writes since the last one. No
 * endpointing: an utterance runs from the first write after a flush to the next flush (or a long gap, or
 * `maxUtteranceMs`).
 */
export class PocketsphinxEngine implements SpeechEngine {
  readonly name = ENGINE_NAME;
  readonly capabilities: EngineCapabilities = {
    streaming: true,
    partials: true,
    wordTimings: true,
    languages: ['en-US'],
    endpointing: false,
  };
  readonly config: PocketsphinxConfig;
  private phonePool: DecoderPool | null = null;
  /** 8 kHz pools with a warped filterbank, by warp factor (per-channel VTLN), created when a channel needs one */
  private readonly warpedPools = new Map<number, DecoderPool>();
  private widePool: DecoderPool | null = null;
  private starting: Promise<void> | null = null;
  private domainModel: DomainModel | null = null;
  private pronouncer: DictionaryPronouncer | null = null;

  constructor(config: Partial<PocketsphinxConfig> = {}) {
    const defaults = defaultPocketsphinxConfig();
    this.config = {
      ...defaults,
      ...config,
      frontEnd: { ...defaults.frontEnd, ...config.frontEnd },
      pool: { ...defaults.pool, ...config.pool },
      rejection: { ...defaults.rejection, ...config.rejection },
    };
  }

  /** Warms the 8 kHz decoder pool. Rejects with EngineFailure when pocketsphinx or its model is unusable. */
  start(): Promise<void> {
    this.starting ??= this.pool(8000)
      .start()
      .catch((err: Error) => {
        this.starting = null;
        throw new EngineFailure(ENGINE_NAME, err.message, { cause: err });
      });
    return this.starting;
  }

  /**
   * The pool serving streams at `sampleRate` (8 kHz: phone front end + MLLR; 16 kHz: plain). `warp`: an 8 kHz pool
   * whose decoders warp the filterbank by that factor (the warp is fixed when a decoder starts, so each warp has its
   * own decoders; none are kept warm, they start when the first channel with that warp speaks).
   */
  pool(sampleRate: 8000 | 16000, warp: number | null = null): DecoderPool {
    if (sampleRate === 8000 && warp !== null) {
      let pool = this.warpedPools.get(warp);
      if (!pool) {
        pool = new DecoderPool({
          ...this.config.pool,
          warmDecoders: 0,
          args: decoderArgs(this.config, warp),
          models: this.decoderModels(),
          phoneFrontEnd: this.config.frontEnd,
        });
        this.warpedPools.set(warp, pool);
      }
      return pool;
    }
    if (sampleRate === 8000) {
      this.phonePool ??= new DecoderPool({
        ...this.config.pool,
        args: decoderArgs(this.config),
        models: this.decoderModels(),
        phoneFrontEnd: this.config.frontEnd,
      });
      return this.phonePool;
    }
    this.widePool ??= new DecoderPool({
      ...this.config.pool,
      args: decoderArgs({ ...this.config, mllr: null, featParams: this.config.wideFeatParams }),
      models: this.decoderModels(),
    });
    return this.widePool;
  }

  /** the domain model (built once, milliseconds) and the vocabulary's new words, for every decoder */
  private decoderModels(): DecoderPoolOptions['models'] {
    const { domainLm, vocabulary, dict } = this.config;
    if (!domainLm && vocabulary.length === 0) return {};
    this.domainModel ??= prepareDomainModel({
      corpusPath: domainLm?.corpus ?? null,
      vocabulary,
      dict,
    });
    return {
      domainLm: { path: this.domainModel.lmPath, weight: domainLm?.weight ?? DOMAIN_LM_WEIGHT },
      extraWords: this.domainModel.extraWords,
    };
  }

  openStream(options: SpeechStreamOptions): SpeechStream {
    if (options.sampleRate !== 8000 && options.sampleRate !== 16000) {
      throw new AudioFormatError(`${ENGINE_NAME}: unsupported sample rate ${String(options.sampleRate)}`);
    }
    if (!this.capabilities.languages.some((l) => l.toLowerCase() === options.language.toLowerCase())) {
      throw new EngineFailure(ENGINE_NAME, `language ${options.language} is not supported (en-US only)`);
    }
    // a call's hints correct its own finals only (the decoders stay shared and untouched)
    const corrector = options.phrases?.length
      ? new PhraseHintCorrector({
          pronounce: this.hintPronouncer().pronounce,
          phrases: options.phrases,
          maxDistance: this.config.hintDistance,
        })
      : null;
    const pools = (warp: number | null): DecoderPool => this.pool(options.sampleRate, warp);
    return new PocketsphinxStream(pools, this.config, options, corrector);
  }

  /** the filterbank warps that channels have needed so far (each has its own decoders) */
  warpsInUse(): number[] {
    return [...this.warpedPools.keys()];
  }

  /** the decoders' dictionary and vocabulary words, read when the first call with hints opens */
  private hintPronouncer(): DictionaryPronouncer {
    this.pronouncer ??= new DictionaryPronouncer(this.config.dict, this.domainModel?.extraWords ?? []);
    return this.pronouncer;
  }

  async stop(): Promise<void> {
    this.starting = null;
    const pools = [this.phonePool, this.widePool, ...this.warpedPools.values()];
    this.phonePool = null;
    this.widePool = null;
    this.warpedPools.clear();
    await Promise.all(pools.map((p) => p?.stop()));
  }
}

class PocketsphinxStream implements SpeechStream {
  failed: Error | null = null;
  /** bumped after every decoded chunk and final (the fallback watchdog's sign of life) */
  progress = 0;
  private readonly queue = new ResultQueue<RecognitionResult>();
  private chain: Promise<void> = Promise.resolve();
  private utterance: Utterance | null = null;
  private fedUntil = 0;
  /** samples written but not yet decoded */
  private backlog = 0;
  private closing: Promise<void> | null = null;
  private closed = false;
  /**
   * This channel's live CMN estimate, carried from utterance to utterance (null until its first final: the model's
   * -cmninit). Decoders are pooled, so the normalisation state must travel with the stream, not stay in a decoder.
   */
  private cmnMean: number[] | null = null;
  /**
   * The channel's pitch until it settles (8 kHz with a warp policy; null otherwise or once settled), and the warp
   * its utterances are decoded with from then on (null: unwarped).
   */
  private pitch: SpeakerPitchEstimate | null;
  private warp: number | null = null;

  constructor(
    private readonly pools: (warp: number | null) => DecoderPool,
    private readonly config: PocketsphinxConfig,
    private readonly options: SpeechStreamOptions,
    private readonly corrector: PhraseHintCorrector | null,
  ) {
    const policy = config.speakerWarp;
    this.pitch = policy && options.sampleRate === 8000 ? new SpeakerPitchEstimate(policy.voicedFrames) : null;
  }

  write(pcm: Int16Array, startSample: number): void {
    if (this.closed || this.closing) throw new StreamClosedError(ENGINE_NAME);
    checkWrite(ENGINE_NAME, pcm, startSample, this.fedUntil);
    if (pcm.length === 0) return;
    this.fedUntil = startSample + pcm.length;
    if (this.failed) return; // the fallback wrapper has taken over; nothing more to decode
    const rate = this.options.sampleRate;
    let utt = this.utterance;
    if (utt) {
      const gap = startSample - utt.next;
      if (gap > (this.config.maxGapFillMs * rate) / 1000) {
        this.endUtterance();
        utt = null;
      } else if (gap > 0) {
        this.feed(utt, new Int16Array(gap)); // a short pause inside the utterance: keep the timeline contiguous
      }
    }
    utt ??= this.beginUtterance(startSample);
    this.feed(utt, pcm);
    // after the utterance has begun: a pitch settled inside this write warps the next utterance, however the audio
    // was cut into writes
    if (this.pitch) this.trackPitch(pcm);
    if (utt.next - utt.start >= (this.config.maxUtteranceMs * rate) / 1000) this.endUtterance();
  }

  flush(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.utterance) this.endUtterance();
    return this.chain;
  }

  close(): Promise<void> {
    this.closing ??= this.flush().then(() => {
      this.closed = true;
      this.queue.end();
    });
    return this.closing;
  }

  results(): AsyncIterable<RecognitionResult> {
    return this.queue;
  }

  /** Feeds the pitch estimate; once it settles, later utterances use the warp it gives (this one keeps its own). */
  private trackPitch(pcm: Int16Array): void {
    const pitch = this.pitch!;
    pitch.write(pcm);
    if (!pitch.settled) return;
    this.pitch = null;
    const warp = warpForPitch(pitch.medianHz!, this.config.speakerWarp!);
    if (warp === this.warp) return;
    this.warp = warp;
    // the CMN estimate was of unwarped features: start the warped ones from the model's -cmninit again
    this.cmnMean = null;
  }

  private beginUtterance(start: number): Utterance {
    const lease = this.pools(this.warp).acquire();
    lease.catch(() => undefined); // observed by the chained steps
    const utt: Utterance = {
      id: randomUUID(),
      start,
      next: start,
      lease,
      unsent: [],
      unsentSamples: 0,
      samplesSinceHypothesis: 0,
      lastPartialText: '',
      partialsEmitted: false,
      warp: this.warp,
    };
    this.utterance = utt;
    // chained, so the previous utterance's final (and CMN estimate) is in before this one starts
    this.step(utt, (l) => l.startUtterance(this.cmnMean));
    return utt;
  }

  private feed(utt: Utterance, pcm: Int16Array): void {
    utt.next += pcm.length;
    this.backlog += pcm.length;
    if (this.backlog > (this.config.maxBacklogMs * this.options.sampleRate) / 1000) {
      this.fail(
        new EngineFailure(
          ENGINE_NAME,
          `cannot keep up: more than ${this.config.maxBacklogMs} ms of audio waiting for a decoder`,
        ),
        utt,
      );
    }
    // copied now: the caller owns `pcm` and may reuse it before the step runs
    utt.unsent.push(pcm.slice());
    utt.unsentSamples += pcm.length;
    // the first unsent piece schedules the step that sends them all
    if (utt.unsent.length === 1) this.step(utt, (lease) => this.decodeUnsent(utt, lease));
  }

  /** Posts every piece fed since the last step as one request; a partial comes back once per partial interval. */
  private async decodeUnsent(utt: Utterance, lease: DecoderLease): Promise<void> {
    const samples = utt.unsentSamples;
    const pcm = utt.unsent.length === 1 ? utt.unsent[0]! : concat(utt.unsent, samples);
    utt.unsent = [];
    utt.unsentSamples = 0;
    // the unsent audio ends where the utterance's fed audio ends: feeds after this step schedule their own
    const fedEnd = utt.next;
    utt.samplesSinceHypothesis += samples;
    const interval = (this.config.partialIntervalMs * this.options.sampleRate) / 1000;
    const wantPartial = this.options.partials && utt.samplesSinceHypothesis >= interval;
    if (wantPartial) utt.samplesSinceHypothesis = 0;
    try {
      const hyp = await lease.process(pcm, wantPartial, true);
      if (hyp) this.emitPartial(utt, hyp, fedEnd);
    } finally {
      this.backlog -= samples;
      this.progress++;
    }
  }

  private endUtterance(): void {
    const utt = this.utterance;
    if (!utt) return;
    this.utterance = null;
    this.step(utt, async (lease) => {
      try {
        // the decoder thread runs the front end's filter tail through the search before the final
        const hyp = await lease.endUtterance();
        // an utterance decoded before the channel's warp changed leaves the other warp's estimate alone
        if (hyp.cmnMean && utt.warp === this.warp) this.cmnMean = hyp.cmnMean;
        await this.emitFinal(utt, hyp);
      } finally {
        lease.release();
        this.progress++;
      }
    });
  }

  /** Runs `work` after everything queued before it, with the utterance's decoder; any failure fails the stream. */
  private step(utt: Utterance, work: (lease: DecoderLease) => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      if (this.failed) {
        void utt.lease.then(
          (l) => l.release(),
          () => undefined,
        );
        return;
      }
      try {
        await work(await utt.lease);
      } catch (err) {
        this.fail(err as Error, utt);
      }
    });
  }

  private fail(err: Error, utt: Utterance): void {
    if (this.failed) return;
    this.failed =
      err instanceof EngineFailure ? err : new EngineFailure(ENGINE_NAME, err.message, { cause: err });
    void utt.lease.then(
      (l) => l.release(),
      () => undefined,
    );
  }

  private emitPartial(utt: Utterance, hyp: DecodedHypothesis, fedEnd: number): void {
    const words = segmentsToWords(hyp.segments, utt.start, this.options.sampleRate);
    const text = words.map((w) => w.text).join(' ');
    if (text === '' || text === utt.lastPartialText) return;
    utt.lastPartialText = text;
    utt.partialsEmitted = true;
    this.queue.push(this.result(utt, false, words, 0, fedEnd));
  }

  private async emitFinal(utt: Utterance, hyp: DecodedHypothesis): Promise<void> {
    let words = segmentsToWords(hyp.segments, utt.start, this.options.sampleRate);
    if (rejectsUtterance(words, this.config.rejection)) words = [];
    // an utterance that showed partials always gets its final, even an empty one
    if (words.length === 0 && !utt.partialsEmitted) return;
    const confidence = words.length === 0 ? 0 : words.reduce((s, w) => s + w.confidence, 0) / words.length;
    const final = this.result(utt, true, words, confidence, utt.next);
    this.queue.push(await this.corrected(final));
  }

  /** the final with the call's hints applied; hints are a help, so trouble with them leaves the final as decoded */
  private async corrected(final: RecognitionResult): Promise<RecognitionResult> {
    if (!this.corrector) return final;
    try {
      return await this.corrector.correct(final);
    } catch {
      return final;
    }
  }

  private result(
    utt: Utterance,
    isFinal: boolean,
    words: RecognizedWord[],
    confidence: number,
    fedEnd: number,
  ): RecognitionResult {
    // the decoder's last frame may reach a few ms past the fed audio
    words = words.map((w) => ({
      ...w,
      durationSamples: Math.max(0, Math.min(w.durationSamples, fedEnd - w.startSample)),
    }));
    const first = words[0];
    const last = words[words.length - 1];
    const startSample = first ? first.startSample : utt.start;
    const end = last ? last.startSample + last.durationSamples : fedEnd;
    return {
      utteranceId: utt.id,
      isFinal,
      text: words.map((w) => w.text).join(' '),
      words,
      startSample,
      durationSamples: Math.max(0, Math.min(end, fedEnd) - startSample),
      confidence,
      language: this.options.language,
      engine: ENGINE_NAME,
    };
  }
}

/** `pieces` (the stream's own copies) in one new buffer, which the request then transfers */
function concat(pieces: Int16Array[], samples: number): Int16Array {
  const out = new Int16Array(samples);
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.length;
  }
  return out;
}
