import { mulawDecode } from '@hookscribe/audiohook';
import type { RecognitionResult, SpeechEngine, SpeechStream, SpeechStreamOptions } from '../engine.js';
import { checkMulawWrite, checkWrite, StreamClosedError } from '../errors.js';
import { ResultQueue } from '../result-queue.js';
import { EnergyVad } from '../vad/energy-vad.js';
import { Segmenter, type SegmenterOptions } from '../vad/segmenter.js';
import { trimToSpeech } from './speech-span-trim.js';
import type { VoiceActivityDetector } from '../vad/voice-activity-detector.js';

export interface ChannelRecognizerOptions extends SpeechStreamOptions {
  /** one detector per channel (stateful), may load asynchronously (Silero); default EnergyVad */
  createVad?: () => VoiceActivityDetector | Promise<VoiceActivityDetector>;
  segmenter?: SegmenterOptions;
  /** audio kept before a detected start (default: all the segmenter may reach back to, padding included) */
  preRollMs?: number;
  /** unprocessed audio allowed to queue up (async VAD slower than input); beyond it the oldest is dropped (60 s) */
  maxBacklogMs?: number;
  /**
   * A `discarded` span inside an utterance does not end it (digest §8.2): the engine hears silence for the span and
   * the final covers it. A longer discard than this (default 3000 ms) ends the utterance, as an unannounced gap does.
   */
  maxDiscardBridgeMs?: number;
  /**
   * Final words in an utterance's padding are dropped (speech-span-trim.ts): those whose middle lies more than
   * `afterMs` (50) after the VAD's last speech frame (at or above its start threshold), and leading ones more than `beforeMs` (150) before its first
   * speech frame with a confidence below `beforeMaxConfidence` (0.25)
   */
  paddingTrim?: { afterMs?: number; beforeMs?: number; beforeMaxConfidence?: number };
}

export interface ChannelRecognizerStats {
  utterances: number;
  /** audio dropped because processing fell more than maxBacklogMs behind */
  droppedSamples: number;
}

/**
 * Ended utterances kept for matching their finals. Finals come in order and take earlier entries along, so only
 * utterances without a final accumulate; a final trails its utterance by at most the engine's backlog (30 s).
 */
export const MAX_UNMATCHED_UTTERANCES = 256;

/** a piece of audio: PCM, and the same samples as the client's µ-law bytes when the engine takes those */
interface Piece {
  pcm: Int16Array;
  mulaw: Uint8Array | null;
  startSample: number;
}

/** µ-law of sample 0, for bridged discard spans */
const MULAW_SILENCE = 0xff;

type Job =
  | { kind: 'audio'; pcm: Int16Array | null; mulaw: Uint8Array | null; startSample: number; samples: number }
  | { kind: 'flush'; done: () => void }
  | { kind: 'discard'; startSample: number; endSample: number };

/**
 * One channel of one call: segments the audio with a VAD where the engine does not endpoint, feeds the engine only
 * the utterances (plus pre-roll), and flushes it at each utterance end. Results stay on the stream timeline because
 * every write carries its absolute position. Itself a SpeechStream, so it composes with everything else.
 */
export class ChannelRecognizer implements SpeechStream {
  readonly stats: ChannelRecognizerStats = { utterances: 0, droppedSamples: 0 };
  private stream: SpeechStream | null = null;
  private startError: Error | null = null;
  private readonly ready: Promise<void>;
  private readonly queue = new ResultQueue<RecognitionResult>();
  private readonly segmenter: Segmenter;
  private vad: VoiceActivityDetector | null = null;
  private frameSamples = 160;
  private readonly segments: boolean;
  /** the engine takes µ-law as received (capabilities.mulawInput) */
  readonly takesMulaw: boolean;
  private readonly preRollSamples: number;
  private readonly maxBacklogSamples: number;
  private readonly maxBridgeSamples: number;
  private readonly paddingTrim: { afterSamples: number; beforeSamples: number; beforeMaxConfidence: number };
  /** utterances ended and not yet matched to their final: fed span and speech frames */
  private readonly endedUtterances: { start: number; end: number; speechStart: number; speechEnd: number }[] =
    [];
  /** the client's last announced `discarded` span(s), merged when contiguous: the next gap there is bridged */
  private announcedDiscard: { startSample: number; endSample: number } | null = null;
  private readonly jobs: Job[] = [];
  private backlogSamples = 0;
  private running = false;
  private closed = false;
  private fedUntil = 0;
  /** expected start of the next chunk (processing side) */
  private nextSample = -1;
  private frame: Int16Array;
  /** the frame's µ-law, kept beside it while every sample in it came with its bytes (frameHasMulaw) */
  private frameMulaw: Uint8Array | null = null;
  private frameHasMulaw = false;
  private frameFill = 0;
  private frameStart = 0;
  private preRoll: Piece[] = [];
  private readonly pendingFlushes = new Set<Promise<void>>();
  private idleWaiters: (() => void)[] = [];
  private readonly pump: Promise<void>;

  constructor(
    private readonly engine: SpeechEngine,
    options: ChannelRecognizerOptions,
  ) {
    // Engines (and VADs) warm up behind the call: audio queues (bounded) until both are ready.
    this.segments = !engine.capabilities.endpointing;
    this.takesMulaw = engine.capabilities.mulawInput === true;
    const vadReady = this.segments
      ? Promise.resolve(options.createVad?.() ?? new EnergyVad()).then((vad) => {
          this.vad = vad;
          this.frameSamples = vad.frameSamples;
          this.frame = new Int16Array(vad.frameSamples);
          if (this.takesMulaw) this.frameMulaw = new Uint8Array(vad.frameSamples);
        })
      : Promise.resolve();
    this.ready = Promise.all([engine.start(), vadReady]).then(
      () => {
        this.stream = engine.openStream({
          language: options.language,
          sampleRate: options.sampleRate,
          partials: options.partials,
          ...(options.phrases?.length ? { phrases: options.phrases } : {}),
        });
      },
      (error: unknown) => {
        this.startError = error instanceof Error ? error : new Error(String(error));
      },
    );
    this.frame = new Int16Array(this.frameSamples);
    this.segmenter = new Segmenter({ ...options.segmenter, sampleRate: options.sampleRate });
    // a start is back-dated by the padding from the first of minSpeechMs of speech frames: keeping less would
    // feed the engine an utterance shorter at the front than the segmenter's (and the transcript's) start
    const samples = (ms: number) => Math.round((ms * options.sampleRate) / 1000);
    this.preRollSamples =
      options.preRollMs === undefined ? this.segmenter.lookBackSamples : samples(options.preRollMs);
    this.maxBacklogSamples = samples(options.maxBacklogMs ?? 60_000);
    this.maxBridgeSamples = samples(options.maxDiscardBridgeMs ?? 3000);
    this.paddingTrim = {
      afterSamples: samples(options.paddingTrim?.afterMs ?? 50),
      beforeSamples: samples(options.paddingTrim?.beforeMs ?? 150),
      beforeMaxConfidence: options.paddingTrim?.beforeMaxConfidence ?? 0.25,
    };
    this.pump = this.forward();
  }

  get failed(): Error | null {
    return this.startError ?? this.stream?.failed ?? null;
  }

  get engineName(): string {
    return this.engine.name;
  }

  /** audio held by this channel outside the engine: pre-roll, partial frame, unprocessed backlog */
  get bufferedSamples(): number {
    return this.preRoll.reduce((n, c) => n + c.pcm.length, 0) + this.frameFill + this.backlogSamples;
  }

  /** this channel needs samples (its VAD, or an engine without µ-law): writeMulaw() decodes unless given them */
  get needsPcm(): boolean {
    return this.segments || !this.takesMulaw;
  }

  /** ended utterances waiting to be matched to a final (tests, monitoring) */
  get unmatchedUtterances(): number {
    return this.endedUtterances.length;
  }

  /** true while an utterance is open (tests, monitoring) */
  get speaking(): boolean {
    return this.segmenter.speaking;
  }

  write(pcm: Int16Array, startSample: number): void {
    if (this.closed) throw new StreamClosedError(`${this.engine.name} channel`);
    checkWrite(this.engine.name, pcm, startSample, this.fedUntil);
    this.enqueue(pcm, null, startSample, pcm.length);
  }

  /**
   * The client's µ-law bytes for this channel (PCMU). An engine that takes µ-law gets exactly these bytes, sliced at
   * the segmenter's boundaries; otherwise they are decoded. `pcm` (the same audio decoded) spares the decode when the
   * VAD needs samples and the caller has them.
   */
  writeMulaw(mulaw: Uint8Array, startSample: number, pcm?: Int16Array): void {
    if (this.closed) throw new StreamClosedError(`${this.engine.name} channel`);
    checkMulawWrite(this.engine.name, mulaw, startSample, this.fedUntil, pcm);
    if (!this.takesMulaw) this.enqueue(pcm ?? mulawDecode(mulaw), null, startSample, mulaw.length);
    else this.enqueue(pcm ?? null, mulaw, startSample, mulaw.length);
  }

  private enqueue(
    pcm: Int16Array | null,
    mulaw: Uint8Array | null,
    startSample: number,
    samples: number,
  ): void {
    this.fedUntil = startSample + samples;
    this.jobs.push({ kind: 'audio', pcm, mulaw, startSample, samples });
    this.backlogSamples += samples;
    while (this.backlogSamples > this.maxBacklogSamples) {
      const index = this.jobs.findIndex((job) => job.kind === 'audio');
      const dropped = this.jobs[index];
      if (!dropped || dropped.kind !== 'audio') break;
      this.jobs.splice(index, 1);
      this.backlogSamples -= dropped.samples;
      this.stats.droppedSamples += dropped.samples;
    }
    void this.run();
  }

  /** Ends the utterance in progress (a final follows) — nothing happens in silence. Resolves after its final. */
  flush(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((done) => {
      this.jobs.push({ kind: 'flush', done });
      void this.run();
    });
  }

  /**
   * The client discarded `[startSample, startSample + discardedSamples)`: audio after it continues the utterance in
   * progress instead of ending it (digest §8.2). Call it in stream order, before the audio that follows the span.
   */
  discard(startSample: number, discardedSamples: number): void {
    if (this.closed || discardedSamples <= 0) return;
    this.jobs.push({ kind: 'discard', startSample, endSample: startSample + discardedSamples });
    void this.run();
  }

  /** Resolves once all audio written so far was processed (not necessarily recognised): back-pressure for callers. */
  drained(): Promise<void> {
    if (!this.running && this.jobs.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    await this.ready;
    await this.stream?.close();
    await this.pump;
    await this.vad?.release();
  }

  results(): AsyncIterable<RecognitionResult> {
    return this.queue;
  }

  // ---------------------------------------------------------------- processing

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.ready;
      for (let job = this.jobs.shift(); job; job = this.jobs.shift()) {
        try {
          if (job.kind === 'flush') {
            if (this.stream && !this.failed)
              this.endUtterance(this.segmenter.forceEnd(undefined, 'forced') !== null);
            await Promise.all(this.pendingFlushes);
          } else if (job.kind === 'discard') {
            this.announceDiscard(job.startSample, job.endSample);
          } else {
            this.backlogSamples -= job.samples;
            await this.process(job);
          }
        } catch (error) {
          // an engine that throws from write/flush is a failed engine, not a failed call
          this.startError ??= error instanceof Error ? error : new Error(String(error));
        } finally {
          if (job.kind === 'flush') job.done();
        }
      }
    } finally {
      this.running = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private async process(job: Extract<Job, { kind: 'audio' }>): Promise<void> {
    if (this.failed || !this.stream || (this.segments && !this.vad)) return;
    const { mulaw, startSample } = job;
    if (!this.segments) {
      // nothing here needs samples: µ-law goes through undecoded
      if (mulaw && this.stream.writeMulaw) this.stream.writeMulaw(mulaw, startSample, job.pcm ?? undefined);
      else this.stream.write(job.pcm ?? mulawDecode(mulaw!), startSample);
      return;
    }
    if (this.nextSample >= 0 && startSample !== this.nextSample) {
      if (this.isAnnouncedDiscard(this.nextSample, startSample)) {
        // the utterance goes on across the discarded span: silence for the engine, speech for the segmenter
        const span = startSample - this.nextSample;
        const silence = this.takesMulaw ? new Uint8Array(span).fill(MULAW_SILENCE) : null;
        await this.frames(new Int16Array(span), silence, this.nextSample, 1);
      } else {
        this.gap();
      }
      this.announcedDiscard = null;
    }
    await this.frames(job.pcm ?? mulawDecode(mulaw!), mulaw, startSample);
  }

  private announceDiscard(startSample: number, endSample: number): void {
    const previous = this.announcedDiscard;
    this.announcedDiscard =
      previous && previous.endSample === startSample
        ? { startSample: previous.startSample, endSample }
        : { startSample, endSample };
  }

  /** a gap `[from, to)` that the client announced as discarded, inside an utterance, short enough to bridge */
  private isAnnouncedDiscard(from: number, to: number): boolean {
    const span = this.announcedDiscard;
    return (
      span !== null &&
      this.segmenter.speaking &&
      span.startSample <= from &&
      span.endSample >= to &&
      to - from <= this.maxBridgeSamples
    );
  }

  /**
   * Cuts contiguous audio into VAD frames, its µ-law (if any) alongside; `forcedProbability` replaces the VAD
   * (bridged discard spans). The complete frames of the chunk are classified together (one VAD request for all
   * of them), and only then does the remainder start the next frame, as when each frame was classified in turn.
   */
  private async frames(
    pcm: Int16Array,
    mulaw: Uint8Array | null,
    startSample: number,
    forcedProbability?: number,
  ): Promise<void> {
    if (this.frameFill === 0) {
      this.frameStart = startSample;
      this.frameHasMulaw = this.frameMulaw !== null;
    }
    this.nextSample = startSample + pcm.length;
    const complete: Piece[] = [];
    let offset = 0;
    while (pcm.length - offset >= this.frameSamples - this.frameFill) {
      offset = this.fill(pcm, mulaw, offset);
      complete.push(this.takeFrame());
    }
    if (complete.length > 0) {
      const probabilities = forcedProbability === undefined ? await this.probabilities(complete) : null;
      complete.forEach((frame, i) => this.classify(frame, probabilities?.[i] ?? forcedProbability!));
    }
    if (offset < pcm.length) this.fill(pcm, mulaw, offset);
  }

  /** copies from `offset` into the frame being filled, up to its end; returns the new offset */
  private fill(pcm: Int16Array, mulaw: Uint8Array | null, offset: number): number {
    const take = Math.min(this.frameSamples - this.frameFill, pcm.length - offset);
    this.frame.set(pcm.subarray(offset, offset + take), this.frameFill);
    if (mulaw && this.frameMulaw) this.frameMulaw.set(mulaw.subarray(offset, offset + take), this.frameFill);
    else this.frameHasMulaw = false; // a frame with samples but no bytes for them goes to the engine as PCM
    this.frameFill += take;
    return offset + take;
  }

  /** the full frame as a piece; a new one starts after it */
  private takeFrame(): Piece {
    const frame: Piece = {
      pcm: this.frame,
      mulaw: this.frameHasMulaw ? this.frameMulaw : null,
      startSample: this.frameStart,
    };
    this.frame = new Int16Array(this.frameSamples);
    if (this.frameMulaw) this.frameMulaw = new Uint8Array(this.frameSamples);
    this.frameHasMulaw = this.frameMulaw !== null;
    this.frameFill = 0;
    this.frameStart = frame.startSample + this.frameSamples;
    return frame;
  }

  /** the VAD's probabilities of consecutive frames: one batch request where the detector takes them */
  private async probabilities(frames: Piece[]): Promise<ArrayLike<number>> {
    const vad = this.vad!;
    if (vad.probabilities && frames.length > 1) {
      const batch = new Int16Array(frames.length * this.frameSamples);
      frames.forEach((frame, i) => batch.set(frame.pcm, i * this.frameSamples));
      return vad.probabilities(batch, frames.length);
    }
    const out: number[] = [];
    for (const frame of frames) out.push(await vad.probability(frame.pcm));
    return out;
  }

  private classify(frame: Piece, probability: number): void {
    const wasSpeaking = this.segmenter.speaking;
    if (wasSpeaking) this.feed(frame);
    else this.remember(frame);
    for (const event of this.segmenter.push(frame.startSample, frame.pcm.length, probability)) {
      if (event.type === 'start') {
        this.stats.utterances++;
        for (const chunk of this.preRoll) {
          const end = chunk.startSample + chunk.pcm.length;
          if (end <= event.sample) continue;
          const skip = Math.max(0, event.sample - chunk.startSample);
          this.feed({
            pcm: chunk.pcm.subarray(skip),
            mulaw: chunk.mulaw?.subarray(skip) ?? null,
            startSample: chunk.startSample + skip,
          });
        }
        this.preRoll = [];
      } else {
        this.endedUtterances.push({
          start: event.start,
          end: event.sample,
          speechStart: event.speechStart,
          speechEnd: event.speechEnd,
        });
        // a final takes the ones before it along; utterances the engine gives no final for (rejected music, noise)
        // would pile up on a channel that never speaks again
        if (this.endedUtterances.length > MAX_UNMATCHED_UTTERANCES) this.endedUtterances.shift();
        this.endUtterance(true);
      }
    }
  }

  /** to the engine: the client's bytes where it takes them and has them, else the samples */
  private feed(piece: Piece): void {
    if (piece.mulaw && this.stream!.writeMulaw) {
      this.stream!.writeMulaw(piece.mulaw, piece.startSample, piece.pcm);
    } else {
      this.stream!.write(piece.pcm, piece.startSample);
    }
  }

  /** the half-filled frame, as a piece of its own */
  private partialFrame(): Piece {
    return {
      pcm: this.frame.slice(0, this.frameFill),
      mulaw: this.frameHasMulaw && this.frameMulaw ? this.frameMulaw.slice(0, this.frameFill) : null,
      startSample: this.frameStart,
    };
  }

  /** pause/discard gap: the half-filled frame belongs to the utterance (if any), which ends at the gap */
  private gap(): void {
    if (this.frameFill > 0 && this.segmenter.speaking) this.feed(this.partialFrame());
    this.frameFill = 0;
    this.preRoll = [];
    this.endUtterance(this.segmenter.forceEnd(undefined, 'gap') !== null);
  }

  private endUtterance(wasSpeaking: boolean): void {
    if (!this.segments) {
      // endpointing engine: a forced flush always goes through, the engine knows whether it is mid-utterance
      this.track(this.stream!.flush());
      return;
    }
    if (this.frameFill > 0 && wasSpeaking) {
      this.feed(this.partialFrame());
      this.frameStart += this.frameFill;
      this.frameFill = 0;
    }
    this.preRoll = [];
    if (wasSpeaking) this.track(this.stream!.flush());
  }

  private track(flush: Promise<void>): void {
    const tracked = flush
      .catch((error: unknown) => {
        this.startError ??= error instanceof Error ? error : new Error(String(error));
      })
      .finally(() => this.pendingFlushes.delete(tracked));
    this.pendingFlushes.add(tracked);
  }

  private remember(frame: Piece): void {
    this.preRoll.push(frame);
    // one frame more: the segmenter's start is reached back from a speech run that may overshoot minSpeechMs
    const horizon = frame.startSample + frame.pcm.length - this.preRollSamples - this.frameSamples;
    while (this.preRoll.length > 0 && this.preRoll[0]!.startSample + this.preRoll[0]!.pcm.length <= horizon) {
      this.preRoll.shift();
    }
  }

  /** a final without the words found in its utterance's padding (null: nothing heard is left) */
  private trimmedToSpeech(result: RecognitionResult): RecognitionResult | null {
    const first = result.words[0];
    if (!first) return result;
    // by its first word's middle: its start may round to a little before the utterance's first sample
    const at = first.startSample + first.durationSamples / 2;
    const ended = this.endedUtterances;
    while (ended.length > 0 && ended[0]!.end <= at) ended.shift();
    const utterance = ended[0];
    // a final of an utterance still open (the engine split it by length), or of an endpointing engine: as it is
    if (!utterance || at < utterance.start) return result;
    return trimToSpeech(result, {
      ...this.paddingTrim,
      speechStart: utterance.speechStart,
      speechEnd: utterance.speechEnd,
    });
  }

  private async forward(): Promise<void> {
    try {
      await this.ready;
      if (!this.stream) return;
      for await (const result of this.stream.results()) {
        const heard = result.isFinal ? this.trimmedToSpeech(result) : result;
        // silence or noise may come back as an empty result: never pass that on
        if (!heard || heard.text.trim() === '') continue;
        this.queue.push(heard);
      }
    } finally {
      this.queue.end();
    }
  }
}

export function openSegmentedStream(
  engine: SpeechEngine,
  options: ChannelRecognizerOptions,
): ChannelRecognizer {
  return new ChannelRecognizer(engine, options);
}
