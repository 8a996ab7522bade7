import type {
  EngineCapabilities,
  EngineGap,
  RecognitionResult,
  SpeechEngine,
  SpeechStream,
  SpeechStreamOptions,
} from '../engine.js';
import { mulawDecode } from '@hookscribe/audiohook';
import {
  AudioFormatError,
  checkMulawWrite,
  checkWrite,
  EngineFailure,
  StreamClosedError,
} from '../errors.js';
import { ResultQueue } from '../result-queue.js';

export interface FallbackEngineOptions {
  /** in order of preference */
  engines: SpeechEngine[];
  name?: string;
  /**
   * a flush that has not completed after this long counts as a hung engine (default 10000 ms). For an engine that
   * reports `progress`, the time counts from its last sign of progress: a slow engine working through a backlog is
   * not hung (its own limits bound the backlog), it only delivers its finals late.
   */
  watchdogMs?: number;
  /** audio kept since the last completed flush, replayed into the next engine on a switch (default 30 s) */
  maxReplaySeconds?: number;
  setTimeout?: (callback: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

/**
 * Wraps engines in order of preference. When the engine in use fails mid-call (stream.failed, a throw, its results
 * ending early, or a flush that hangs past the watchdog) the stream continues on the next engine that supports the
 * language: the audio since the last completed flush is replayed into it, and the first result after the switch
 * carries `gap` (what could not be replayed, often nothing). With no engine left the stream is failed and goes quiet;
 * the call itself is never affected.
 */
export class FallbackEngine implements SpeechEngine {
  readonly name: string;
  readonly capabilities: EngineCapabilities;
  /** engines whose start() failed: skipped */
  readonly down = new Set<SpeechEngine>();
  private started: Promise<void> | null = null;

  constructor(readonly options: FallbackEngineOptions) {
    if (options.engines.length === 0) throw new Error('FallbackEngine needs at least one engine');
    this.name = options.name ?? `fallback(${options.engines.map((e) => e.name).join(',')})`;
    const all = options.engines.map((e) => e.capabilities);
    const languages = new Map<string, string>();
    for (const c of all)
      for (const l of c.languages) if (!languages.has(l.toLowerCase())) languages.set(l.toLowerCase(), l);
    this.capabilities = {
      streaming: all.some((c) => c.streaming),
      partials: all.some((c) => c.partials),
      wordTimings: all.every((c) => c.wordTimings),
      languages: [...languages.values()],
      // the pipeline segments unless every engine can endpoint by itself
      endpointing: all.every((c) => c.endpointing),
      // formatted unless every engine formats: the text stage leaves display-form results as they are
      displayText: all.every((c) => c.displayText === true),
      // µ-law is taken when some engine wants it; the stream decodes it for the others
      mulawInput: all.some((c) => c.mulawInput === true),
    };
  }

  /** Starts every engine; fine as long as one starts. */
  start(): Promise<void> {
    this.started ??= (async () => {
      const outcomes = await Promise.allSettled(this.options.engines.map((e) => e.start()));
      outcomes.forEach((o, i) => {
        if (o.status === 'rejected') this.down.add(this.options.engines[i]!);
      });
      if (this.down.size === this.options.engines.length) {
        this.started = null;
        throw new EngineFailure(this.name, 'no engine could be started');
      }
    })();
    return this.started;
  }

  openStream(options: SpeechStreamOptions): SpeechStream {
    return new FallbackStream(this, options);
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.options.engines.map((e) => e.stop()));
    this.started = null;
  }

  /** next usable engine index after `from` for the language, or -1 */
  nextEngine(from: number, language: string): number {
    const wanted = language.toLowerCase();
    for (let i = from + 1; i < this.options.engines.length; i++) {
      const engine = this.options.engines[i]!;
      if (this.down.has(engine)) continue;
      if (engine.capabilities.languages.some((l) => l.toLowerCase() === wanted)) return i;
    }
    return -1;
  }
}

/** audio as written: PCM, µ-law as received, or both (the caller decoded it anyway) */
interface Chunk {
  seq: number;
  pcm: Int16Array | null;
  mulaw: Uint8Array | null;
  startSample: number;
  samples: number;
}

class FallbackStream implements SpeechStream {
  failed: Error | null = null;
  private readonly queue = new ResultQueue<RecognitionResult>();
  private index = -1;
  private inner: SpeechStream | null = null;
  private generation = 0;
  private replay: Chunk[] = [];
  private replaySamples = 0;
  private seq = 0;
  /** earliest sample dropped from the bounded replay since the last completed flush */
  private lostFrom: number | null = null;
  private pendingGap: EngineGap | null = null;
  private fedUntil = 0;
  private closed = false;
  private currentPump: Promise<void> = Promise.resolve();
  private readonly maxReplay: number;

  constructor(
    private readonly engine: FallbackEngine,
    private readonly options: SpeechStreamOptions,
  ) {
    this.maxReplay = (engine.options.maxReplaySeconds ?? 30) * options.sampleRate;
    this.switchTo(engine.nextEngine(-1, options.language), null);
  }

  /** name of the engine in use (null when none is left) */
  get currentEngine(): string | null {
    return this.index >= 0 ? this.engine.options.engines[this.index]!.name : null;
  }

  write(pcm: Int16Array, startSample: number): void {
    if (this.closed) throw new StreamClosedError(this.engine.name);
    checkWrite(this.engine.name, pcm, startSample, this.fedUntil);
    this.take({ seq: 0, pcm, mulaw: null, startSample, samples: pcm.length });
  }

  /** µ-law as received: passed on to an engine that takes it, decoded for one that does not */
  writeMulaw(mulaw: Uint8Array, startSample: number, pcm?: Int16Array): void {
    if (this.closed) throw new StreamClosedError(this.engine.name);
    checkMulawWrite(this.engine.name, mulaw, startSample, this.fedUntil, pcm);
    this.take({ seq: 0, pcm: pcm ?? null, mulaw, startSample, samples: mulaw.length });
  }

  async flush(): Promise<void> {
    const mark = this.seq;
    for (;;) {
      if (this.failed || !this.inner) return;
      const generation = this.generation;
      const inner = this.inner;
      const completed = await this.watch(inner.flush(), inner);
      if (generation !== this.generation) continue; // switched meanwhile: the replay went to the new engine
      if (completed && !inner.failed) {
        this.confirm(mark);
        return;
      }
      this.fail(
        inner.failed ?? new EngineFailure(this.currentEngine ?? this.engine.name, 'flush did not complete'),
      );
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    const inner = this.inner;
    this.inner = null;
    this.generation++;
    if (inner) await this.watch(inner.close(), inner);
    await this.watch(this.currentPump);
    this.queue.end();
  }

  results(): AsyncIterable<RecognitionResult> {
    return this.queue;
  }

  // ----------------------------------------------------------------

  private take(chunk: Chunk): void {
    this.fedUntil = chunk.startSample + chunk.samples;
    if (this.failed) return;
    chunk.seq = ++this.seq;
    this.replay.push(chunk);
    this.replaySamples += chunk.samples;
    while (this.replaySamples > this.maxReplay && this.replay.length > 1) {
      const dropped = this.replay.shift()!;
      this.replaySamples -= dropped.samples;
      this.lostFrom ??= dropped.startSample;
    }
    this.writeInner(chunk);
  }

  private writeInner(chunk: Chunk): void {
    const inner = this.inner;
    if (!inner) return;
    try {
      const takesMulaw = this.engine.options.engines[this.index]!.capabilities.mulawInput === true;
      if (chunk.mulaw && takesMulaw && inner.writeMulaw) {
        inner.writeMulaw(chunk.mulaw, chunk.startSample, chunk.pcm ?? undefined);
      } else {
        // not kept decoded: a replay buffer of µ-law is half the size, and a replay into a PCM engine is rare
        inner.write(chunk.pcm ?? mulawDecode(chunk.mulaw!), chunk.startSample);
      }
    } catch (error) {
      if (error instanceof AudioFormatError) throw error; // our caller's bug, not the engine's
      this.fail(error);
      return;
    }
    if (inner.failed) this.fail(inner.failed);
  }

  /** drop replay audio up to a completed flush */
  private confirm(mark: number): void {
    while (this.replay.length > 0 && this.replay[0]!.seq <= mark) {
      this.replaySamples -= this.replay.shift()!.samples;
    }
    this.lostFrom = null;
  }

  private fail(error: unknown): void {
    if (this.failed || this.closed) return;
    const from = this.currentEngine ?? this.engine.name;
    const old = this.inner;
    this.inner = null;
    // abandon the failed stream; a hung one may never close
    if (old) void old.close().catch(() => {});
    const next = this.engine.nextEngine(this.index, this.options.language);
    const firstReplayed = this.replay[0]?.startSample ?? this.fedUntil;
    const gap: EngineGap = {
      startSample: this.lostFrom ?? firstReplayed,
      endSample: firstReplayed,
      fromEngine: from,
      toEngine: next >= 0 ? this.engine.options.engines[next]!.name : null,
    };
    if (next < 0) {
      this.generation++;
      this.index = -1;
      this.failed = new EngineFailure(
        this.engine.name,
        `no engine left after ${from} failed: ${message(error)}`,
        {
          cause: error,
        },
      );
      this.queue.end();
      return;
    }
    this.switchTo(next, gap);
  }

  private switchTo(index: number, gap: EngineGap | null): void {
    this.generation++;
    this.index = index;
    if (index < 0) {
      this.failed = new EngineFailure(this.engine.name, `no engine supports ${this.options.language}`);
      this.queue.end();
      return;
    }
    this.pendingGap = gap;
    this.lostFrom = null;
    const engine = this.engine.options.engines[index]!;
    let inner: SpeechStream;
    try {
      inner = engine.openStream(this.options);
    } catch (error) {
      this.fail(error);
      return;
    }
    this.inner = inner;
    this.currentPump = this.pump(inner, this.generation);
    for (const chunk of this.replay) {
      if (this.inner !== inner) return; // the replay itself failed it
      this.writeInner(chunk);
    }
  }

  private async pump(inner: SpeechStream, generation: number): Promise<void> {
    try {
      for await (const result of inner.results()) {
        if (generation !== this.generation) continue;
        if (this.pendingGap) {
          // on every result up to and including the first final, so finals-only consumers see it too
          this.queue.push({ ...result, gap: this.pendingGap });
          if (result.isFinal) this.pendingGap = null;
        } else {
          this.queue.push(result);
        }
      }
    } catch (error) {
      if (generation === this.generation) this.fail(error);
      return;
    }
    // results ended while this stream was still in use: the engine gave up
    if (generation === this.generation && !this.closed) {
      this.fail(
        inner.failed ?? new EngineFailure(this.currentEngine ?? this.engine.name, 'results ended early'),
      );
    }
  }

  /**
   * true when the work completed in time (and did not throw). With a `progressOf` stream that reports progress,
   * the watchdog re-arms for as long as the stream keeps making progress between two expiries.
   */
  private watch(work: Promise<void>, progressOf?: SpeechStream): Promise<boolean> {
    const set = this.engine.options.setTimeout ?? ((cb: () => void, ms: number) => setTimeout(cb, ms));
    const clear = this.engine.options.clearTimeout ?? ((h: unknown) => clearTimeout(h as NodeJS.Timeout));
    const ms = this.engine.options.watchdogMs ?? 10_000;
    let handle: unknown;
    const timeout = new Promise<boolean>((resolve) => {
      let seen = progressOf?.progress;
      const expire = () => {
        const now = progressOf?.progress;
        if (now !== undefined && now !== seen && !progressOf?.failed) {
          seen = now;
          handle = set(expire, ms);
          return;
        }
        resolve(false);
      };
      handle = set(expire, ms);
    });
    return Promise.race([
      work.then(
        () => true,
        () => false,
      ),
      timeout,
    ]).finally(() => clear(handle));
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
