import type {
  EngineCapabilities,
  RecognitionResult,
  RecognizedWord,
  SpeechEngine,
  SpeechStream,
  SpeechStreamOptions,
} from '../engine.js';
import { checkWrite, EngineFailure, StreamClosedError } from '../errors.js';
import { ResultQueue } from '../result-queue.js';

/** A scripted word at absolute stream positions. */
export interface ScriptedWord {
  text: string;
  startSample: number;
  durationSamples: number;
  confidence?: number;
}

export interface ScriptedUtterance {
  words: ScriptedWord[];
}

export interface ScriptedEngineOptions {
  name?: string;
  languages?: string[];
  /**
   * 'energy' (default): frames louder than `speechThresholdDb` are speech; each run of speech frames separated by at
   * least `wordGapMs` of quiet is one word `word1`, `word2`, … (per utterance). 'script': the words of `script`,
   * emitted as far as the audio fed covers them.
   */
  mode?: 'energy' | 'script';
  script?: ScriptedUtterance[];
  speechThresholdDb?: number;
  wordGapMs?: number;
  /** word text for the n-th word (0-based) of an utterance in energy mode */
  wordText?: (index: number) => string;
  confidence?: number;
  /** fault injection: fail the stream once this many samples were written */
  failAfterSamples?: number;
  /** fault injection: stop producing anything (flush never resolves) once this many samples were written */
  hangAfterSamples?: number;
  /** capability override (e.g. endpointing: true to test that branch) */
  capabilities?: Partial<EngineCapabilities>;
}

const FRAME = 80; // 10 ms at 8 kHz

/**
 * Deterministic in-memory engine for pipeline tests: no model, results exactly where the audio says. Partials
 * after each write that added a word, a final on flush, nothing for silence.
 */
export class ScriptedEngine implements SpeechEngine {
  readonly name: string;
  readonly capabilities: EngineCapabilities;
  startCount = 0;
  readonly streams: ScriptedStream[] = [];

  constructor(readonly options: ScriptedEngineOptions = {}) {
    this.name = options.name ?? 'scripted';
    this.capabilities = {
      streaming: true,
      partials: true,
      wordTimings: true,
      languages: options.languages ?? ['en-US'],
      endpointing: false,
      ...options.capabilities,
    };
  }

  start(): Promise<void> {
    this.startCount++;
    return Promise.resolve();
  }

  openStream(options: SpeechStreamOptions): SpeechStream {
    const stream = new ScriptedStream(this, options);
    this.streams.push(stream);
    return stream;
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}

class ScriptedStream implements SpeechStream {
  failed: Error | null = null;
  private readonly queue = new ResultQueue<RecognitionResult>();
  private closed = false;
  private hung = false;
  private written = 0;
  private fedUntil = 0;
  private utteranceCounter = 0;
  private utteranceId: string;
  // energy mode: word spans of the utterance in progress
  private words: { start: number; end: number }[] = [];
  private lastLoudEnd = -1;
  // script mode: fed intervals since the last flush, and words already emitted
  private fed: [number, number][] = [];
  private readonly emitted = new Set<ScriptedWord>();
  private readonly threshold: number;
  private readonly wordGap: number;

  constructor(
    private readonly engine: ScriptedEngine,
    private readonly options: SpeechStreamOptions,
  ) {
    this.threshold = engine.options.speechThresholdDb ?? -40;
    this.wordGap = Math.round(((engine.options.wordGapMs ?? 60) * options.sampleRate) / 1000);
    this.utteranceId = this.nextId();
  }

  write(pcm: Int16Array, startSample: number): void {
    if (this.closed) throw new StreamClosedError(this.engine.name);
    checkWrite(this.engine.name, pcm, startSample, this.fedUntil);
    if (this.failed || this.hung) return;
    this.fedUntil = startSample + pcm.length;
    this.written += pcm.length;
    const { failAfterSamples, hangAfterSamples } = this.engine.options;
    if (failAfterSamples !== undefined && this.written >= failAfterSamples) {
      this.failed = new EngineFailure(this.engine.name, 'scripted failure');
      this.queue.end();
      return;
    }
    if (hangAfterSamples !== undefined && this.written >= hangAfterSamples) {
      this.hung = true;
      return;
    }
    if (this.engine.options.mode === 'script') this.writeScripted(pcm, startSample);
    else this.writeEnergy(pcm, startSample);
  }

  flush(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.hung) return new Promise(() => {});
    if (this.failed) return Promise.resolve();
    const result =
      this.engine.options.mode === 'script' ? this.scriptedResult(true) : this.energyResult(true);
    if (result && result.words.length > 0) this.queue.push(result);
    if (result) this.utteranceId = this.nextId();
    this.words = [];
    this.lastLoudEnd = -1;
    this.fed = [];
    return Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    this.queue.end();
  }

  results(): AsyncIterable<RecognitionResult> {
    return this.queue;
  }

  // ---------------------------------------------------------------- energy mode

  private writeEnergy(pcm: Int16Array, startSample: number): void {
    const before = this.words.length;
    for (let offset = 0; offset < pcm.length; offset += FRAME) {
      const frame = pcm.subarray(offset, Math.min(pcm.length, offset + FRAME));
      let energy = 0;
      for (const s of frame) energy += s * s;
      const db = 10 * Math.log10(energy / frame.length / (32768 * 32768) + 1e-12);
      if (db < this.threshold) continue;
      const start = startSample + offset;
      const end = start + frame.length;
      const last = this.words[this.words.length - 1];
      if (last && start - this.lastLoudEnd < this.wordGap) last.end = end;
      else this.words.push({ start, end });
      this.lastLoudEnd = end;
    }
    if (this.options.partials && this.words.length > before) {
      const partial = this.energyResult(false);
      if (partial) this.queue.push(partial);
    }
  }

  private energyResult(isFinal: boolean): RecognitionResult | null {
    if (this.words.length === 0) return null;
    const text = this.engine.options.wordText ?? ((i: number) => `word${i + 1}`);
    return this.result(
      isFinal,
      this.words.map((w, i) => ({
        text: text(i),
        startSample: w.start,
        durationSamples: w.end - w.start,
        confidence: this.engine.options.confidence ?? 0.9,
      })),
    );
  }

  // ---------------------------------------------------------------- script mode

  private writeScripted(pcm: Int16Array, startSample: number): void {
    const last = this.fed[this.fed.length - 1];
    if (last && last[1] === startSample) last[1] += pcm.length;
    else this.fed.push([startSample, startSample + pcm.length]);
    if (this.options.partials) {
      const partial = this.scriptedResult(false);
      if (partial) this.queue.push(partial);
    }
  }

  /** words of the script fully inside audio fed since the last flush, not emitted in an earlier final */
  private scriptedResult(isFinal: boolean): RecognitionResult | null {
    const covered: ScriptedWord[] = [];
    for (const utterance of this.engine.options.script ?? []) {
      for (const word of utterance.words) {
        if (this.emitted.has(word)) continue;
        const end = word.startSample + word.durationSamples;
        if (this.fed.some(([a, b]) => word.startSample >= a && end <= b)) covered.push(word);
      }
    }
    if (covered.length === 0) return null;
    if (isFinal) for (const word of covered) this.emitted.add(word);
    return this.result(
      isFinal,
      covered.map((w) => ({
        text: w.text,
        startSample: w.startSample,
        durationSamples: w.durationSamples,
        confidence: w.confidence ?? this.engine.options.confidence ?? 0.9,
      })),
    );
  }

  // ----------------------------------------------------------------

  private result(isFinal: boolean, words: RecognizedWord[]): RecognitionResult {
    const first = words[0]!;
    const last = words[words.length - 1]!;
    const startSample = first.startSample;
    return {
      utteranceId: this.utteranceId,
      isFinal,
      text: words.map((w) => w.text).join(' '),
      words,
      startSample,
      durationSamples: last.startSample + last.durationSamples - startSample,
      confidence: words.reduce((sum, w) => sum + w.confidence, 0) / words.length,
      language: this.options.language,
      engine: this.engine.name,
    };
  }

  private nextId(): string {
    return `${this.engine.name}-${++this.utteranceCounter}`;
  }
}
