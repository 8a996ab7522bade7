import { randomUUID } from 'node:crypto';
import type { RecognitionResult, SpeechEngine } from '../engine.js';
import { formatRecognition } from '../text/text-formatter.js';
import type { SegmenterOptions } from '../vad/segmenter.js';
import type { VoiceActivityDetector } from '../vad/voice-activity-detector.js';
import type { CallChannelName, CallInputEvent } from './call-input.js';
import { ChannelRecognizer } from './channel-recognizer.js';
import { selectEngine, supportedLanguages } from './engine-selection.js';
import type { SpeakerRole, TranscriberStatus, TranscriptEvent } from './transcript-event.js';

const SAMPLE_RATE = 8000;

export interface CallTranscriberOptions {
  /** in order of preference; the first supporting the call's language is used */
  engines: readonly SpeechEngine[];
  onTranscript(event: TranscriptEvent): void;
  onStatus?(status: TranscriberStatus): void;
  callId?: string;
  /** when the call names no language (e.g. Monitor) — default 'en-US' */
  defaultLanguage?: string;
  /** publish partial results too (default false) */
  partials?: boolean;
  /** the call's phrase hints (callPhraseHints of customConfig), handed to every stream of the call */
  phrases?: readonly string[];
  /** display form (numbers, casing, punctuation) for engines without it — HOOKSCRIBE_STT_TEXT_FORMAT (default true) */
  formatText?: boolean;
  createVad?: () => VoiceActivityDetector | Promise<VoiceActivityDetector>;
  segmenter?: SegmenterOptions;
  preRollMs?: number;
  /** closing resolves after this long even if an engine never delivers its finals (default 4000 ms: leaves the
   * event sender time inside Genesys's 10 s close transaction and the server's closing timeout) */
  flushTimeoutMs?: number;
  /** timer injection for tests */
  setTimeout?: (callback: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

interface Channel {
  index: number;
  name: CallChannelName;
  recognizer: ChannelRecognizer;
  /** engine utterance id → published UUID, dropped at the final */
  ids: Map<string, string>;
  done: Promise<void>;
  /** results go through the text stage (src/text) before anyone sees them */
  formatText: boolean;
}

const ROLE: Record<CallChannelName, SpeakerRole> = { external: 'customer', internal: 'agent' };

/**
 * Transcribes one call, both channels. Takes the session's events (handle), publishes transcript events on the
 * stream timeline, and never throws into the caller: engine trouble becomes a status, not a dead call.
 */
export class CallTranscriber {
  private channels: Channel[] = [];
  private channelNames: readonly CallChannelName[] = [];
  private language: string | null = null;
  private finished = false;
  private opened = false;
  private closing: Promise<void> | null = null;
  /** channels of earlier languages still delivering their finals */
  private readonly retiring = new Set<Promise<void>>();

  constructor(private readonly options: CallTranscriberOptions) {}

  /** languages for opened.supportedLanguages */
  get supportedLanguages(): string[] {
    return supportedLanguages(this.options.engines);
  }

  /** per-channel figures for metrics and the live view */
  stats(): {
    channel: number;
    engine: string;
    speaking: boolean;
    utterances: number;
    droppedSamples: number;
  }[] {
    return this.channels.map((c) => ({
      channel: c.index,
      engine: c.recognizer.engineName,
      speaking: c.recognizer.speaking,
      utterances: c.recognizer.stats.utterances,
      droppedSamples: c.recognizer.stats.droppedSamples,
    }));
  }

  /** the language being transcribed, or null (not opened, unsupported, ended) */
  get activeLanguage(): string | null {
    return this.channels.length > 0 ? this.language : null;
  }

  /**
   * Feed one session event. Never throws. Resolves when it was taken in: audio once the VAD processed it (await it
   * for back-pressure, or don't — each channel then queues at most 60 s), closing/ended once every final is out.
   */
  handle(event: CallInputEvent | { type: string }): Promise<void> {
    if (this.finished && event.type !== 'ended') return Promise.resolve();
    const e = event as CallInputEvent;
    switch (e.type) {
      case 'opened':
        if (this.opened || e.isProbe || !e.media || e.media.channels.length === 0) return Promise.resolve();
        this.opened = true;
        this.channelNames = e.media.channels;
        this.switchLanguage(e.open?.parameters?.language ?? e.language);
        return Promise.resolve();
      case 'audio':
        this.audio(e);
        return Promise.all(this.channels.map((c) => c.recognizer.drained())).then(() => {});
      case 'paused':
        return this.flushAll();
      case 'update':
        // Every update splits the utterance in progress at its stream position (digest §8.2, the compliance suite's
        // "update during utterance"), the same language included; only a new supported one switches the engine.
        // null = the session found the language unsupported: split, and the server pauses the stream.
        if (!this.opened) return Promise.resolve();
        if (e.language === null || e.language.toLowerCase() === this.language?.toLowerCase()) {
          return this.flushAll();
        }
        return this.switchLanguage(e.language);
      case 'discarded':
        // a discarded span does not end an utterance (a pause does): the recognizers bridge it
        for (const channel of this.channels) channel.recognizer.discard(e.startSample, e.discardedSamples);
        return Promise.resolve();
      case 'closing':
      case 'ended':
        return this.close();
      default:
        // resumed moves the timeline (the `paused` before it already split): the next audio's startSample says so
        return Promise.resolve();
    }
  }

  /** Finalise everything and resolve once every final was published (bounded by flushTimeoutMs). */
  close(): Promise<void> {
    this.closing ??= this.finish();
    return this.closing;
  }

  // ----------------------------------------------------------------

  /** µ-law goes to recognizers that take it, and the frame is decoded only for those that need samples */
  private audio(event: Extract<CallInputEvent, { type: 'audio' }>): void {
    const { startSample } = event;
    for (const channel of this.channels) {
      const recognizer = channel.recognizer;
      if (recognizer.failed) continue;
      try {
        const mulaw = recognizer.takesMulaw ? event.mulaw?.[channel.index] : undefined;
        if (mulaw) {
          recognizer.writeMulaw(
            mulaw,
            startSample,
            recognizer.needsPcm ? event.channels[channel.index] : undefined,
          );
          continue;
        }
        const pcm = event.channels[channel.index];
        if (pcm) recognizer.write(pcm, startSample);
      } catch (error) {
        this.status({ type: 'audio-rejected', reason: (error as Error).message });
      }
    }
  }

  private flushAll(): Promise<void> {
    const channels = this.channels;
    return this.withTimeout(
      Promise.all(channels.map((c) => c.recognizer.flush())).then(() => {}),
      channels.map((c) => c.index),
    );
  }

  private switchLanguage(requested: string | null): Promise<void> {
    const retired = this.retireChannels();
    const language = requested ?? this.options.defaultLanguage ?? 'en-US';
    const engine = selectEngine(this.options.engines, language);
    if (!engine) {
      this.language = null;
      this.status({ type: 'unsupported-language', language: requested, supported: this.supportedLanguages });
      return retired;
    }
    this.language = language;
    this.channels = this.channelNames.map((name, index) => this.openChannel(engine, language, name, index));
    this.status({ type: 'transcribing', language, engine: engine.name });
    return retired;
  }

  /** close the current channels (their finals still flow out) */
  private retireChannels(): Promise<void> {
    const old = this.channels;
    this.channels = [];
    if (old.length === 0) return Promise.resolve();
    const retiring = this.withTimeout(
      Promise.all(
        old.map(async (c) => {
          await c.recognizer.close();
          await c.done;
        }),
      ).then(() => {}),
      old.map((c) => c.index),
    );
    this.retiring.add(retiring);
    void retiring.finally(() => this.retiring.delete(retiring));
    return retiring;
  }

  private openChannel(engine: SpeechEngine, language: string, name: CallChannelName, index: number): Channel {
    const recognizer = new ChannelRecognizer(engine, {
      language,
      sampleRate: SAMPLE_RATE,
      partials: this.options.partials ?? false,
      ...(this.options.phrases?.length ? { phrases: this.options.phrases } : {}),
      createVad: this.options.createVad,
      segmenter: this.options.segmenter,
      preRollMs: this.options.preRollMs,
    });
    const channel: Channel = {
      index,
      name,
      recognizer,
      ids: new Map(),
      done: Promise.resolve(),
      formatText: this.options.formatText !== false && engine.capabilities.displayText !== true,
    };
    channel.done = this.publish(channel);
    return channel;
  }

  private async publish(channel: Channel): Promise<void> {
    try {
      for await (const result of channel.recognizer.results()) {
        this.deliver(channel, result);
      }
    } catch (error) {
      this.status({
        type: 'transcription-unavailable',
        channel: channel.index,
        engine: channel.recognizer.engineName,
        reason: (error as Error).message,
      });
      return;
    }
    const failed = channel.recognizer.failed;
    if (failed) {
      this.status({
        type: 'transcription-unavailable',
        channel: channel.index,
        engine: channel.recognizer.engineName,
        reason: failed.message,
      });
    }
  }

  private deliver(channel: Channel, recognised: RecognitionResult): void {
    const result = channel.formatText ? formatRecognition(recognised) : recognised;
    let id = channel.ids.get(result.utteranceId);
    if (!id) {
      id = randomUUID();
      channel.ids.set(result.utteranceId, id);
    }
    if (result.isFinal) channel.ids.delete(result.utteranceId);
    const event: TranscriptEvent = {
      type: result.isFinal ? 'final' : 'partial',
      callId: this.options.callId ?? null,
      utteranceId: id,
      channel: channel.index,
      channelName: channel.name,
      role: ROLE[channel.name],
      text: result.text,
      words: result.words.map((w) => ({
        text: w.text,
        startSample: w.startSample,
        durationSamples: w.durationSamples,
        offsetSeconds: w.startSample / SAMPLE_RATE,
        durationSeconds: w.durationSamples / SAMPLE_RATE,
        confidence: clamp01(w.confidence),
      })),
      startSample: result.startSample,
      durationSamples: result.durationSamples,
      offsetSeconds: result.startSample / SAMPLE_RATE,
      durationSeconds: result.durationSamples / SAMPLE_RATE,
      confidence: clamp01(result.confidence),
      language: result.language,
      engine: result.engine,
      ...(result.gap ? { gap: result.gap } : {}),
      ...(result.raw ? { rawText: result.raw.text } : {}),
    };
    try {
      this.options.onTranscript(event);
    } catch {
      // a failing subscriber must not stop the transcription of the call
    }
  }

  private async finish(): Promise<void> {
    const retired = this.retireChannels();
    await retired;
    await Promise.all(this.retiring);
    this.finished = true;
  }

  private withTimeout(work: Promise<void>, pending: number[]): Promise<void> {
    const set = this.options.setTimeout ?? ((cb: () => void, ms: number) => setTimeout(cb, ms));
    const clear = this.options.clearTimeout ?? ((h: unknown) => clearTimeout(h as NodeJS.Timeout));
    let handle: unknown;
    const timeout = new Promise<void>((resolve) => {
      handle = set(() => {
        this.status({ type: 'flush-timeout', pendingChannels: pending });
        resolve();
      }, this.options.flushTimeoutMs ?? 4000);
    });
    return Promise.race([work, timeout]).finally(() => clear(handle));
  }

  private status(status: TranscriberStatus): void {
    try {
      this.options.onStatus?.(status);
    } catch {
      // status subscribers are advisory
    }
  }
}

function clamp01(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.min(1, Math.max(0, value));
}
