import type {
  EngineCapabilities,
  RecognitionResult,
  RecognizedWord,
  SpeechEngine,
  SpeechStream,
  SpeechStreamOptions,
} from '../engine.js';
import { checkWrite, EngineFailure, StreamClosedError } from '../errors.js';
import { mergePhrases } from '../pipeline/call-phrase-hints.js';
import { ResultQueue } from '../result-queue.js';
import { encodeWav } from '../wav-encoding.js';

export interface OpenAiTranscriptionEngineOptions {
  /** full endpoint URL, e.g. https://api.openai.com/v1/audio/transcriptions or an Azure OpenAI deployment's */
  url: string;
  apiKey?: string;
  /** 'bearer' (OpenAI, most local servers) or 'api-key' (Azure OpenAI); default: api-key when apiVersion is set */
  authHeader?: 'bearer' | 'api-key';
  /** Azure OpenAI `api-version` query parameter */
  apiVersion?: string;
  /** default 'whisper-1' */
  model?: string;
  /** BCP-47 codes this deployment is used for (default ['en-US']) */
  languages?: string[];
  /** ask for verbose_json word timestamps (default true); a 400 on that request downgrades to plain json once */
  wordTimestamps?: boolean;
  /** per request (default 15000 ms); a timeout fails the stream so a fallback engine can take over */
  timeoutMs?: number;
  /** retries on 429 / 5xx / network errors (default 2) */
  retries?: number;
  /** first back-off, doubled per retry; a Retry-After header wins (capped at 10 s) (default 500 ms) */
  backoffMs?: number;
  /** segments whose loudest 20 ms frame is below this are not sent at all (default -45 dBFS): no silence hallucinations */
  speechThresholdDb?: number;
  /** a segment is sent once it reaches this length even without a flush (default 60 s) */
  maxSegmentSeconds?: number;
  /** a gap longer than this inside a segment splits it (default 1000 ms); shorter gaps are sent as silence */
  maxGapMs?: number;
  /**
   * the deployment vocabulary (HOOKSCRIBE_STT_VOCABULARY, case kept): sent as the request's `prompt`, with the call's
   * phrases (SpeechStreamOptions.phrases) after it
   */
  vocabulary?: readonly string[];
  name?: string;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

interface WordTimestamp {
  word: string;
  start: number;
  end: number;
}
interface VerboseResponse {
  text?: string;
  words?: WordTimestamp[];
  segments?: { start: number; end: number; avg_logprob?: number; no_speech_prob?: number }[];
}

/**
 * Any OpenAI-compatible `/audio/transcriptions` endpoint, segment-wise: the pipeline's segmenter decides utterances,
 * each flushed utterance is POSTed as a 16-bit WAV (multipart), and the answer is mapped back onto the stream
 * timeline. Requests of one stream run one after another, so results stay in order.
 */
export class OpenAiTranscriptionEngine implements SpeechEngine {
  readonly name: string;
  readonly capabilities: EngineCapabilities;
  /** false after the endpoint refused verbose_json (e.g. gpt-4o-transcribe) */
  wordTimestamps: boolean;
  readonly fetch: typeof fetch;
  readonly sleep: (ms: number) => Promise<void>;

  constructor(readonly options: OpenAiTranscriptionEngineOptions) {
    if (!options.url) throw new Error('OpenAiTranscriptionEngine: url is required');
    this.name = options.name ?? 'openai';
    this.wordTimestamps = options.wordTimestamps ?? true;
    this.capabilities = {
      streaming: false,
      partials: false,
      wordTimings: this.wordTimestamps,
      languages: options.languages ?? ['en-US'],
      endpointing: false,
      // Whisper-style models write numbers, casing and punctuation themselves
      displayText: true,
    };
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  openStream(options: SpeechStreamOptions): SpeechStream {
    return new OpenAiTranscriptionStream(this, options);
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  /** POST one WAV; returns the parsed body and whether it carries word timestamps. `prompt`: '' for none. */
  async transcribe(
    wav: Uint8Array,
    language: string,
    prompt = '',
  ): Promise<{ body: VerboseResponse; words: boolean }> {
    const verbose = this.wordTimestamps;
    const response = await this.request(wav, language, verbose, prompt);
    if (response.status === 400 && verbose) {
      // Models without verbose_json (gpt-4o-transcribe) answer 400: fall back to text for good.
      await response.body?.cancel();
      this.wordTimestamps = false;
      this.capabilities.wordTimings = false;
      return this.transcribe(wav, language, prompt);
    }
    if (!response.ok) {
      const detail = (await response.text().catch(() => '')).slice(0, 200);
      throw new EngineFailure(this.name, `HTTP ${response.status} ${detail}`.trim());
    }
    const body = (await response.json()) as VerboseResponse;
    return { body, words: verbose && Array.isArray(body.words) };
  }

  private async request(
    wav: Uint8Array,
    language: string,
    verbose: boolean,
    prompt: string,
  ): Promise<Response> {
    const retries = this.options.retries ?? 2;
    let delay = this.options.backoffMs ?? 500;
    for (let attempt = 0; ; attempt++) {
      let response: Response | null = null;
      let networkError: unknown = null;
      try {
        response = await this.fetch(this.url(), {
          method: 'POST',
          headers: this.headers(),
          body: this.form(wav, language, verbose, prompt),
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
        });
      } catch (error) {
        if ((error as Error).name === 'TimeoutError') {
          throw new EngineFailure(this.name, `no answer within ${this.options.timeoutMs ?? 15_000} ms`, {
            cause: error,
          });
        }
        networkError = error;
      }
      const retryable = networkError !== null || response!.status === 429 || response!.status >= 500;
      if (!retryable) return response!;
      if (attempt >= retries) {
        if (response) return response;
        throw new EngineFailure(this.name, `request failed: ${(networkError as Error).message}`, {
          cause: networkError,
        });
      }
      const retryAfter = Number(response?.headers.get('retry-after'));
      await response?.body?.cancel();
      await this.sleep(
        Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(10_000, retryAfter * 1000) : delay,
      );
      delay *= 2;
    }
  }

  private url(): string {
    if (!this.options.apiVersion) return this.options.url;
    const url = new URL(this.options.url);
    url.searchParams.set('api-version', this.options.apiVersion);
    return url.toString();
  }

  private headers(): Record<string, string> {
    const key = this.options.apiKey;
    if (!key) return {};
    const style = this.options.authHeader ?? (this.options.apiVersion ? 'api-key' : 'bearer');
    return style === 'api-key' ? { 'api-key': key } : { authorization: `Bearer ${key}` };
  }

  /**
   * The `prompt` for a stream: vocabulary then the call's phrases as a list of terms. Whisper reads only the prompt's
   * last 224 tokens, so the call's own phrases go last.
   */
  promptFor(phrases: readonly string[] = []): string {
    const terms = mergePhrases(this.options.vocabulary ?? [], phrases);
    return terms.length > 0 ? `Vocabulary: ${terms.join(', ')}.` : '';
  }

  private form(wav: Uint8Array, language: string, verbose: boolean, prompt: string): FormData {
    const form = new FormData();
    form.append('file', new Blob([wav], { type: 'audio/wav' }), 'segment.wav');
    form.append('model', this.options.model ?? 'whisper-1');
    const iso639 = language.split('-')[0]?.toLowerCase();
    if (iso639) form.append('language', iso639);
    form.append('response_format', verbose ? 'verbose_json' : 'json');
    if (verbose) form.append('timestamp_granularities[]', 'word');
    if (prompt) form.append('prompt', prompt);
    return form;
  }
}

class OpenAiTranscriptionStream implements SpeechStream {
  failed: Error | null = null;
  private readonly queue = new ResultQueue<RecognitionResult>();
  private chunks: { pcm: Int16Array; startSample: number }[] = [];
  private segmentSamples = 0;
  private fedUntil = 0;
  private closed = false;
  private chain: Promise<void> = Promise.resolve();
  private counter = 0;
  /** this call's prompt (vocabulary + its phrases); other calls' streams have their own */
  private readonly prompt: string;

  constructor(
    private readonly engine: OpenAiTranscriptionEngine,
    private readonly options: SpeechStreamOptions,
  ) {
    this.prompt = engine.promptFor(options.phrases);
  }

  write(pcm: Int16Array, startSample: number): void {
    if (this.closed) throw new StreamClosedError(this.engine.name);
    checkWrite(this.engine.name, pcm, startSample, this.fedUntil);
    const maxGap = ((this.engine.options.maxGapMs ?? 1000) * this.options.sampleRate) / 1000;
    if (this.chunks.length > 0 && startSample - this.fedUntil > maxGap) void this.flush();
    this.fedUntil = startSample + pcm.length;
    if (this.failed) return;
    this.chunks.push({ pcm: pcm.slice(), startSample });
    this.segmentSamples += pcm.length;
    if (this.segmentSamples >= (this.engine.options.maxSegmentSeconds ?? 60) * this.options.sampleRate) {
      void this.flush();
    }
  }

  flush(): Promise<void> {
    const chunks = this.chunks;
    this.chunks = [];
    this.segmentSamples = 0;
    if (chunks.length === 0 || this.failed) return this.chain;
    this.chain = this.chain.then(() => this.recognise(chunks));
    return this.chain;
  }

  async close(): Promise<void> {
    if (this.closed) return this.chain;
    const flushed = this.flush();
    this.closed = true;
    await flushed;
    this.queue.end();
  }

  results(): AsyncIterable<RecognitionResult> {
    return this.queue;
  }

  private async recognise(chunks: { pcm: Int16Array; startSample: number }[]): Promise<void> {
    if (this.failed) return;
    const start = chunks[0]!.startSample;
    const last = chunks[chunks.length - 1]!;
    const pcm = new Int16Array(last.startSample + last.pcm.length - start); // gaps stay silent
    for (const chunk of chunks) pcm.set(chunk.pcm, chunk.startSample - start);
    const voiced = voicedSpan(pcm, this.engine.options.speechThresholdDb ?? -45);
    if (!voiced) return; // silence/very quiet noise: sending it only invites hallucinated text
    try {
      const { body, words: hasWords } = await this.engine.transcribe(
        encodeWav(pcm, this.options.sampleRate),
        this.options.language,
        this.prompt,
      );
      const result = this.map(body, hasWords, start, pcm.length, voiced);
      if (result) this.queue.push(result);
    } catch (error) {
      this.failed = error instanceof Error ? error : new Error(String(error));
      this.queue.end();
    }
  }

  private map(
    body: VerboseResponse,
    hasWords: boolean,
    start: number,
    length: number,
    voiced: [number, number],
  ): RecognitionResult | null {
    const text = (body.text ?? '').trim();
    if (!text) return null;
    const rate = this.options.sampleRate;
    const confidence = segmentConfidence(body);
    let words: RecognizedWord[];
    if (hasWords && body.words!.length > 0) {
      let previous = start;
      words = body
        .words!.filter((w) => w.word.trim() !== '')
        .map((w) => {
          const from = Math.min(start + length, Math.max(previous, start + Math.round(w.start * rate)));
          const to = Math.min(start + length, Math.max(from, start + Math.round(w.end * rate)));
          previous = from;
          return { text: w.word.trim(), startSample: from, durationSamples: to - from, confidence };
        });
    } else {
      // text only: spread the words evenly over the voiced part of the segment
      const texts = text.split(/\s+/);
      const from = start + voiced[0];
      const each = Math.floor((voiced[1] - voiced[0]) / texts.length);
      words = texts.map((t, i) => ({
        text: t,
        startSample: from + i * each,
        durationSamples: each,
        confidence,
      }));
    }
    if (words.length === 0) return null;
    const first = words[0]!;
    const lastWord = words[words.length - 1]!;
    return {
      utteranceId: `${this.engine.name}-${++this.counter}`,
      isFinal: true,
      text,
      words,
      startSample: first.startSample,
      durationSamples: lastWord.startSample + lastWord.durationSamples - first.startSample,
      confidence,
      language: this.options.language,
      engine: this.engine.name,
      ...(hasWords ? {} : { timingsEstimated: true }),
    };
  }
}

/** whisper-style segments carry avg_logprob; exp() of it is a usable 0..1 confidence */
function segmentConfidence(body: VerboseResponse): number {
  const probs = (body.segments ?? [])
    .map((s) => s.avg_logprob)
    .filter((p): p is number => typeof p === 'number');
  if (probs.length === 0) return 0.8;
  return Math.min(1, Math.max(0, Math.exp(probs.reduce((a, b) => a + b, 0) / probs.length)));
}

/** first and last sample of 20 ms frames above the threshold, or null when none is */
function voicedSpan(pcm: Int16Array, thresholdDb: number): [number, number] | null {
  const frame = 160;
  let first = -1;
  let last = -1;
  for (let offset = 0; offset < pcm.length; offset += frame) {
    const end = Math.min(pcm.length, offset + frame);
    let energy = 0;
    for (let i = offset; i < end; i++) energy += pcm[i]! * pcm[i]!;
    const db = 10 * Math.log10(energy / (end - offset) / (32768 * 32768) + 1e-12);
    if (db >= thresholdDb) {
      if (first < 0) first = offset;
      last = end;
    }
  }
  return first < 0 ? null : [first, last];
}
