import { mulawEncode } from '@hookscribe/audiohook';
import * as sdk from 'microsoft-cognitiveservices-speech-sdk';
import type {
  EngineCapabilities,
  RecognitionResult,
  RecognizedWord,
  SpeechEngine,
  SpeechStream,
  SpeechStreamOptions,
} from '../engine.js';
import { AudioFormatError, checkWrite, EngineFailure, StreamClosedError } from '../errors.js';
import { mergePhrases } from '../pipeline/call-phrase-hints.js';
import { ResultQueue } from '../result-queue.js';

/** A source of expiring authorization tokens, e.g. Microsoft Entra ID through a managed identity. */
export interface AzureTokenProvider {
  /** a token in the form the Speech SDK takes (for Entra ID: `aad#<resource id>#<access token>`) */
  getToken(): Promise<{ token: string; expiresOnTimestamp: number }>;
}

export interface AzureSpeechEngineOptions {
  /** subscription key (HOOKSCRIBE_AZURE_SPEECH_KEY) — or authorizationToken / tokenProvider */
  key?: string;
  /** fixed token from the STS endpoint (HOOKSCRIBE_AZURE_SPEECH_TOKEN): valid for 10 minutes, not renewed */
  authorizationToken?: string;
  /**
   * renewed tokens (managed identity, HOOKSCRIBE_AZURE_SPEECH_RESOURCE_ID): fetched at start(), renewed
   * 5 minutes before they expire and handed to every open recognizer, so calls longer than a token's life go on
   */
  tokenProvider?: AzureTokenProvider;
  /** test seam: the clock the renewal is scheduled on (default Date.now) */
  now?: () => number;
  /** e.g. westeurope — or endpoint */
  region?: string;
  /** custom endpoint URL (private link, containers) */
  endpoint?: string;
  /** locales this engine serves (default ['en-US']) */
  languages?: string[];
  /** identify the language among `languages` (continuous LID) instead of trusting the call's language */
  languageIdentification?: boolean;
  /**
   * the deployment vocabulary (HOOKSCRIBE_STT_VOCABULARY, case kept): a phrase list on every recognizer, with each
   * call's own phrases (SpeechStreamOptions.phrases) after it
   */
  phrases?: readonly string[];
  /** Azure's end-of-utterance silence (default 200 ms, Azure accepts 100–5000) */
  segmentationSilenceMs?: number;
  /** a flush that sees no speech in progress resolves after this long (default 1500 ms: service round trip) */
  flushQuietMs?: number;
  name?: string;
  /** test seam: builds the recognizer; default = the SDK's SpeechRecognizer */
  createRecognizer?: (input: AzureRecognizerInput) => AzureRecognizerLike;
  /** test seam: the push stream; default = the SDK's push stream in mu-law 8 kHz */
  createPushStream?: (format: sdk.AudioStreamFormat) => AzurePushStreamLike;
}

export interface AzureRecognizerInput {
  speechConfig: sdk.SpeechConfig;
  autoDetect: sdk.AutoDetectSourceLanguageConfig | null;
  /** the push stream the adapter writes mu-law into (from createPushStream) */
  pushStream: AzurePushStreamLike;
  format: sdk.AudioStreamFormat;
  /** the phrase list (PhraseListGrammar): deployment vocabulary, then the call's phrases; empty = none */
  phrases: string[];
}

/** The parts of sdk.SpeechRecognizer this adapter uses. */
export interface AzureRecognizerLike {
  recognizing: ((sender: unknown, event: { result: AzureResultLike }) => void) | undefined;
  recognized: ((sender: unknown, event: { result: AzureResultLike }) => void) | undefined;
  canceled:
    | ((sender: unknown, event: { reason: number; errorCode?: number; errorDetails?: string }) => void)
    | undefined;
  /** the SDK renews the connection's credentials with this on the next (re)connect */
  authorizationToken: string;
  startContinuousRecognitionAsync(done?: () => void, failed?: (error: string) => void): void;
  stopContinuousRecognitionAsync(done?: () => void, failed?: (error: string) => void): void;
  close(done?: () => void, failed?: (error: string) => void): void;
}

export interface AzureResultLike {
  reason: number;
  text: string;
  /** 100-ns ticks from the start of the audio pushed into this recognizer */
  offset: number;
  duration: number;
  language?: string;
  properties?: { getProperty(id: number | string, fallback?: string): string };
}

export interface AzurePushStreamLike {
  write(data: ArrayBuffer): void;
  close(): void;
}

interface DetailedJson {
  NBest?: {
    Confidence?: number;
    Words?: { Word: string; Offset: number; Duration: number; Confidence?: number }[];
  }[];
  PrimaryLanguage?: { Language?: string };
}

const TICKS_PER_SECOND = 10_000_000;
/** renew a provided token this long before it expires */
const TOKEN_RENEW_BEFORE_MS = 5 * 60_000;
/** after a failed renewal, try again after this long (the old token may still be valid for minutes) */
const TOKEN_RETRY_MS = 30_000;

/**
 * Azure AI Speech through the official SDK: one continuous recognizer per channel fed through a mu-law 8 kHz push
 * stream, word-level timestamps from the detailed output, Azure's own endpointing (segmentation silence 200 ms).
 * Offsets come back relative to the audio pushed, which skips paused/discarded spans, so a table maps pushed samples
 * back to the stream timeline.
 *
 * Not run against Azure here (no network): tested at the SDK boundary with a fake recognizer.
 */
export class AzureSpeechEngine implements SpeechEngine {
  readonly name: string;
  readonly capabilities: EngineCapabilities;
  private started = false;
  private token: string | null = null;
  private renewTimer: ReturnType<typeof setTimeout> | null = null;
  /** streams whose recognizers get renewed tokens */
  private readonly openStreams = new Set<AzureSpeechStream>();

  constructor(readonly options: AzureSpeechEngineOptions) {
    this.name = options.name ?? 'azure';
    this.capabilities = {
      streaming: true,
      partials: true,
      wordTimings: true,
      languages: options.languages ?? ['en-US'],
      endpointing: true,
      // the service returns its display form (ITN, casing, punctuation)
      displayText: true,
    };
  }

  /** Checks the configuration and, with a token provider, fetches the first token; idempotent. */
  async start(): Promise<void> {
    if (this.started) return;
    const { key, authorizationToken, tokenProvider, region, endpoint } = this.options;
    if (!key && !authorizationToken && !tokenProvider) {
      throw new EngineFailure(this.name, 'needs a key, an authorization token or a token provider');
    }
    if (!region && !endpoint) throw new EngineFailure(this.name, 'needs a region or an endpoint');
    if (!key && tokenProvider) await this.renewToken(true);
    this.started = true;
  }

  /** A stream's recognizer gets renewed tokens until the stream closes or fails. */
  register(stream: AzureSpeechStream): void {
    this.openStreams.add(stream);
  }

  unregister(stream: AzureSpeechStream): void {
    this.openStreams.delete(stream);
  }

  /** The token new recognizers start with: the provider's latest, else the fixed one. */
  currentToken(): string | undefined {
    return this.token ?? this.options.authorizationToken;
  }

  private async renewToken(first: boolean): Promise<void> {
    const provider = this.options.tokenProvider!;
    const now = this.options.now ?? Date.now;
    let delay = TOKEN_RETRY_MS;
    try {
      const { token, expiresOnTimestamp } = await provider.getToken();
      this.token = token;
      for (const stream of this.openStreams) stream.setToken(token);
      delay = Math.max(TOKEN_RETRY_MS, expiresOnTimestamp - now() - TOKEN_RENEW_BEFORE_MS);
    } catch (err) {
      if (first) throw new EngineFailure(this.name, `could not get a token: ${(err as Error).message}`);
      // keep the current token: it is renewed 5 minutes early, so retries have time before it expires
    }
    this.renewTimer = setTimeout(() => void this.renewToken(false), delay);
    this.renewTimer.unref?.();
  }

  openStream(options: SpeechStreamOptions): SpeechStream {
    if (options.sampleRate !== 8000) {
      throw new AudioFormatError(`${this.name}: the mu-law push stream is 8 kHz, got ${options.sampleRate}`);
    }
    return new AzureSpeechStream(this, options);
  }

  stop(): Promise<void> {
    this.started = false;
    if (this.renewTimer) clearTimeout(this.renewTimer);
    this.renewTimer = null;
    return Promise.resolve();
  }

  speechConfig(language: string): {
    speechConfig: sdk.SpeechConfig;
    autoDetect: sdk.AutoDetectSourceLanguageConfig | null;
  } {
    const { key, region, endpoint } = this.options;
    const authorizationToken = this.currentToken();
    let config: sdk.SpeechConfig;
    if (endpoint) {
      config = key
        ? sdk.SpeechConfig.fromEndpoint(new URL(endpoint), key)
        : sdk.SpeechConfig.fromEndpoint(new URL(endpoint));
      if (!key && authorizationToken) config.authorizationToken = authorizationToken;
    } else if (key) {
      config = sdk.SpeechConfig.fromSubscription(key, region!);
    } else {
      config = sdk.SpeechConfig.fromAuthorizationToken(authorizationToken!, region!);
    }
    config.requestWordLevelTimestamps();
    config.outputFormat = sdk.OutputFormat.Detailed;
    config.setProperty(
      sdk.PropertyId.Speech_SegmentationSilenceTimeoutMs,
      String(this.options.segmentationSilenceMs ?? 200),
    );
    const candidates = [
      language,
      ...this.capabilities.languages.filter((l) => l.toLowerCase() !== language.toLowerCase()),
    ];
    if (this.options.languageIdentification && candidates.length > 1) {
      config.setProperty(sdk.PropertyId.SpeechServiceConnection_LanguageIdMode, 'Continuous');
      return {
        speechConfig: config,
        autoDetect: sdk.AutoDetectSourceLanguageConfig.fromLanguages(candidates.slice(0, 10)),
      };
    }
    config.speechRecognitionLanguage = language;
    return { speechConfig: config, autoDetect: null };
  }
}

class AzureSpeechStream implements SpeechStream {
  failed: Error | null = null;
  private readonly queue = new ResultQueue<RecognitionResult>();
  private readonly recognizer: AzureRecognizerLike;
  private readonly push: AzurePushStreamLike;
  /** pushed-sample → stream-sample anchors, ascending; pruned behind finals */
  private anchors: { pushed: number; stream: number }[] = [];
  private pushed = 0;
  /** audio written since the last flush: only then can a flush produce anything */
  private unflushed = false;
  private fedUntil = 0;
  private closed = false;
  private counter = 0;
  private inUtterance = false;
  private utteranceId = '';
  private flushWaiters: (() => void)[] = [];
  private quietTimers: ReturnType<typeof setTimeout>[] = [];

  constructor(
    private readonly engine: AzureSpeechEngine,
    private readonly options: SpeechStreamOptions,
  ) {
    const format = sdk.AudioStreamFormat.getWaveFormat(8000, 8, 1, sdk.AudioFormatTag.MuLaw);
    this.push = engine.options.createPushStream?.(format) ?? sdk.AudioInputStream.createPushStream(format);
    const { speechConfig, autoDetect } = engine.speechConfig(options.language);
    const phrases = mergePhrases(engine.options.phrases ?? [], options.phrases);
    const input: AzureRecognizerInput = { speechConfig, autoDetect, pushStream: this.push, format, phrases };
    this.recognizer = (engine.options.createRecognizer ?? createSdkRecognizer)(input);
    this.recognizer.recognizing = (_s, e) => this.onRecognizing(e.result);
    this.recognizer.recognized = (_s, e) => this.onRecognized(e.result);
    this.recognizer.canceled = (_s, e) => this.onCanceled(e);
    engine.register(this);
    this.recognizer.startContinuousRecognitionAsync(undefined, (error) =>
      this.fail(new EngineFailure(engine.name, `could not start recognition: ${error}`)),
    );
  }

  write(pcm: Int16Array, startSample: number): void {
    if (this.closed) throw new StreamClosedError(this.engine.name);
    checkWrite(this.engine.name, pcm, startSample, this.fedUntil);
    this.fedUntil = startSample + pcm.length;
    if (this.failed) return;
    const last = this.anchors[this.anchors.length - 1];
    if (!last || last.stream + (this.pushed - last.pushed) !== startSample) {
      this.anchors.push({ pushed: this.pushed, stream: startSample });
    }
    this.pushBytes(mulawEncode(pcm));
    this.unflushed = true;
  }

  /**
   * Azure finalises after its segmentation silence: push that much silence (mapped to no stream time) and wait for
   * the final of the utterance in progress. The service answers with latency, so a flush that has seen no speech
   * waits up to flushQuietMs for it to show up before concluding there was none.
   */
  flush(): Promise<void> {
    if (this.closed || this.failed || (!this.unflushed && !this.inUtterance)) return Promise.resolve();
    this.unflushed = false;
    const silenceMs = (this.engine.options.segmentationSilenceMs ?? 200) + 300;
    this.anchors.push({ pushed: this.pushed, stream: this.fedUntil });
    this.pushBytes(new Uint8Array((silenceMs * 8000) / 1000).fill(0xff));
    this.anchors.push({ pushed: this.pushed, stream: this.fedUntil });
    return new Promise((resolve) => {
      this.flushWaiters.push(resolve);
      if (!this.inUtterance) {
        this.quietTimers.push(
          setTimeout(() => this.releaseFlushes(), this.engine.options.flushQuietMs ?? 1500),
        );
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    this.push.close();
    await new Promise<void>((resolve) =>
      this.recognizer.stopContinuousRecognitionAsync(resolve, () => resolve()),
    );
    await new Promise<void>((resolve) => this.recognizer.close(resolve, () => resolve()));
    this.engine.unregister(this);
    this.queue.end();
    this.releaseFlushes();
  }

  results(): AsyncIterable<RecognitionResult> {
    return this.queue;
  }

  // ---------------------------------------------------------------- SDK events

  private onRecognizing(result: AzureResultLike): void {
    if (this.failed || !result.text) return;
    if (!this.inUtterance) {
      this.inUtterance = true;
      this.utteranceId = `${this.engine.name}-${++this.counter}`;
      this.clearQuietTimers(); // speech is in progress: waiting flushes now wait for its final
    }
    if (!this.options.partials) return;
    const start = this.toStream(result.offset);
    const end = this.toStream(result.offset + result.duration);
    this.queue.push({
      utteranceId: this.utteranceId,
      isFinal: false,
      text: result.text,
      words: [],
      startSample: start,
      durationSamples: Math.max(0, end - start),
      confidence: 0.5,
      language: this.language(result),
      engine: this.engine.name,
    });
  }

  private onRecognized(result: AzureResultLike): void {
    if (this.failed) return;
    const id = this.inUtterance ? this.utteranceId : `${this.engine.name}-${++this.counter}`;
    this.inUtterance = false;
    if (result.reason === sdk.ResultReason.RecognizedSpeech && result.text.trim() !== '') {
      const detail = parseDetail(result);
      const best = detail?.NBest?.[0];
      const start = this.toStream(result.offset);
      const end = Math.max(start, this.toStream(result.offset + result.duration));
      let previous = start;
      const words: RecognizedWord[] = (best?.Words ?? []).map((w) => {
        const from = Math.min(end, Math.max(previous, this.toStream(w.Offset)));
        const to = Math.min(end, Math.max(from, this.toStream(w.Offset + w.Duration)));
        previous = from;
        return {
          text: w.Word,
          startSample: from,
          durationSamples: to - from,
          confidence: clamp01(w.Confidence ?? best?.Confidence ?? 0.8),
        };
      });
      this.queue.push({
        utteranceId: id,
        isFinal: true,
        text: result.text,
        words,
        startSample: start,
        durationSamples: end - start,
        confidence: clamp01(best?.Confidence ?? 0.8),
        language: this.language(result, detail),
        engine: this.engine.name,
      });
      this.prune(result.offset + result.duration);
    }
    this.releaseFlushes();
  }

  private onCanceled(event: { reason: number; errorCode?: number; errorDetails?: string }): void {
    if (event.reason === sdk.CancellationReason.EndOfStream) return;
    this.fail(
      new EngineFailure(
        this.engine.name,
        `recognition canceled (code ${event.errorCode ?? '?'}): ${event.errorDetails ?? ''}`.trim(),
      ),
    );
  }

  // ----------------------------------------------------------------

  /** A renewed token (managed identity): the SDK uses it when it reconnects. */
  setToken(token: string): void {
    this.recognizer.authorizationToken = token;
  }

  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = error;
    this.engine.unregister(this);
    this.queue.end();
    this.releaseFlushes();
  }

  private clearQuietTimers(): void {
    for (const timer of this.quietTimers) clearTimeout(timer);
    this.quietTimers = [];
  }

  private releaseFlushes(): void {
    this.clearQuietTimers();
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private pushBytes(bytes: Uint8Array): void {
    this.push.write(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    this.pushed += bytes.length;
  }

  /** SDK ticks (relative to pushed audio) → stream sample */
  private toStream(ticks: number): number {
    const pushed = Math.round((ticks * 8000) / TICKS_PER_SECOND);
    let anchor = this.anchors[0] ?? { pushed: 0, stream: 0 };
    for (const a of this.anchors) {
      if (a.pushed > pushed) break;
      anchor = a;
    }
    return anchor.stream + (pushed - anchor.pushed);
  }

  /** anchors wholly before a final's end are never needed again: keep the table small on long calls */
  private prune(ticks: number): void {
    const pushed = Math.round((ticks * 8000) / TICKS_PER_SECOND);
    let keep = 0;
    while (keep + 1 < this.anchors.length && this.anchors[keep + 1]!.pushed <= pushed) keep++;
    if (keep > 0) this.anchors = this.anchors.slice(keep);
  }

  private language(result: AzureResultLike, detail?: DetailedJson | null): string {
    if (!this.engine.options.languageIdentification) return this.options.language;
    return result.language || detail?.PrimaryLanguage?.Language || this.options.language;
  }
}

function createSdkRecognizer(input: AzureRecognizerInput): AzureRecognizerLike {
  const audioConfig = sdk.AudioConfig.fromStreamInput(input.pushStream as sdk.PushAudioInputStream);
  const recognizer = input.autoDetect
    ? sdk.SpeechRecognizer.FromConfig(input.speechConfig, input.autoDetect, audioConfig)
    : new sdk.SpeechRecognizer(input.speechConfig, audioConfig);
  // a phrase list raises the odds of its phrases; it lives on this recognizer (one call's channel) only
  if (input.phrases.length > 0) sdk.PhraseListGrammar.fromRecognizer(recognizer).addPhrases(input.phrases);
  // the SDK's callbacks take its own sender/event classes; ours are structural subsets of them
  return recognizer as unknown as AzureRecognizerLike;
}

function parseDetail(result: AzureResultLike): DetailedJson | null {
  const json = result.properties?.getProperty(sdk.PropertyId.SpeechServiceResponse_JsonResult, '');
  if (!json) return null;
  try {
    return JSON.parse(json) as DetailedJson;
  } catch {
    return null;
  }
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}
