/**
 * Refinements (speech pipeline helper), both optional and additive:
 * - RecognitionResult.gap (EngineGap): set by the FallbackEngine on the first result after it switched engines
 *   mid-call. Other engines never set it.
 * - RecognitionResult.timingsEstimated: true when the engine returned text only and word times were spread evenly
 *   over the utterance (OpenAI-compatible APIs without word timestamps).
 * Text after recognition (src/text), both optional:
 * - EngineCapabilities.displayText: the engine writes display form itself (numbers, casing, punctuation).
 * - RecognitionResult.raw: set by the text stage on a result it rewrote.
 * µ-law passthrough (issue 17), optional:
 * - EngineCapabilities.mulawInput with SpeechStream.writeMulaw: the engine takes G.711 µ-law as the client sent it.
 *
 * The SpeechEngine port. Every engine (embedded pocketsphinx, Azure AI Speech, OpenAI-compatible, scripted fake,
 * fallback wrapper) implements it and passes the one engine contract suite (test/engine-contract.ts).
 *
 * Times are in samples at `sampleRate` on the caller's stream timeline (AudioHook: 8 kHz, paused and discarded spans
 * included). Engines never invent their own time base: results carry offsets on the timeline they were fed.
 */

export interface EngineCapabilities {
  streaming: boolean;
  partials: boolean;
  wordTimings: boolean;
  /** BCP-47 codes like `en-US`; matched case-insensitively */
  languages: string[];
  /** true when the engine decides utterance boundaries itself (else a Segmenter does) */
  endpointing: boolean;
  /**
   * true when the engine returns display-form text ("$49", "March 3", casing, punctuation), so the text stage leaves
   * its results alone; absent = spoken-form words, which the text stage formats (docs/speech.md)
   */
  displayText?: boolean;
  /**
   * true when the engine's streams take G.711 µ-law as received (SpeechStream.writeMulaw): PCMU calls reach it
   * byte for byte, without a decode and re-encode (docs/speech.md); absent = PCM only
   */
  mulawInput?: boolean;
}

export interface RecognizedWord {
  text: string;
  /** stream position of the word start, samples */
  startSample: number;
  /** length, samples */
  durationSamples: number;
  /** 0..1 */
  confidence: number;
}

/** Audio that no engine transcribed because the engine in use failed mid-call (FallbackEngine). */
export interface EngineGap {
  startSample: number;
  endSample: number;
  fromEngine: string;
  /** null when no engine was left */
  toEngine: string | null;
}

export interface RecognitionResult {
  /** stable per utterance: a final reuses the id of its partials */
  utteranceId: string;
  isFinal: boolean;
  text: string;
  words: RecognizedWord[];
  startSample: number;
  durationSamples: number;
  confidence: number;
  language: string;
  /** engine name that produced it (for fallback gap marking and storage) */
  engine: string;
  /** set on the first result after a fallback switch */
  gap?: EngineGap;
  /** word times were estimated, not measured */
  timingsEstimated?: boolean;
  /**
   * The recogniser's own words, when the text stage rewrote the result: `sources[i]` is the range [from, to) of
   * `raw.words` that `words[i]` stands for.
   */
  raw?: { text: string; words: RecognizedWord[]; sources: { from: number; to: number }[] };
}

export interface SpeechStreamOptions {
  language: string;
  sampleRate: 8000 | 16000;
  /** emit partial results */
  partials: boolean;
  /**
   * the call's phrase hints (customConfig.sttPhrases, cleaned by callPhraseHints): words and phrases to favour. Each
   * engine uses them its own way (docs/speech.md); they belong to this stream only.
   */
  phrases?: readonly string[];
}

/** One recognition stream: one channel of one call. */
export interface SpeechStream {
  /** Feed PCM that starts at `startSample` on the stream timeline. Gaps (pause/discard) are allowed. */
  write(pcm: Int16Array, startSample: number): void;
  /**
   * Present on streams of engines with `capabilities.mulawInput`: feed G.711 µ-law bytes (one per sample) as the
   * client sent them, at `startSample`, with the same rules as write(). `pcm` is the same audio decoded, when the
   * caller has it anyway: a stream that needs samples (a fallback to a PCM engine) uses it instead of decoding again.
   * The stream may keep the bytes (to re-send them): hand over arrays that nobody changes afterwards.
   */
  writeMulaw?(mulaw: Uint8Array, startSample: number, pcm?: Int16Array): void;
  /** Finalise the utterance in progress (pause, language update, close); resolves after its final was emitted. */
  flush(): Promise<void>;
  /** Flush and release the stream. */
  close(): Promise<void>;
  /** Results as they happen; the iterator ends after close(). */
  results(): AsyncIterable<RecognitionResult>;
  /** Set when the engine failed irrecoverably; the fallback wrapper watches it. */
  readonly failed: Error | null;
  /**
   * Optional: a counter the engine bumps whenever it completes a piece of work (a chunk decoded, a final emitted).
   * The fallback watchdog uses it to tell a slow engine working through a backlog from a hung one.
   */
  readonly progress?: number;
}

export interface SpeechEngine {
  readonly name: string;
  readonly capabilities: EngineCapabilities;
  /** Warm up (load models, connect). Idempotent. */
  start(): Promise<void>;
  openStream(options: SpeechStreamOptions): SpeechStream;
  stop(): Promise<void>;
}
