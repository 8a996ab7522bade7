import type { EngineCapabilities, SpeechEngine, SpeechStream, SpeechStreamOptions } from '../../engine.js';
import { AudioFormatError, EngineFailure } from '../../errors.js';
import type { AzureTokenProvider } from '../azure-speech-engine.js';
import type { RealtimeNoiseReduction, RealtimeTurnDetection } from './realtime-events.js';
import { RealtimeStream } from './realtime-stream.js';

export type RealtimeAuth = 'bearer' | 'api-key' | 'entra';

export interface RealtimeEngineOptions {
  /**
   * the Realtime WebSocket URL: OpenAI `wss://api.openai.com/v1/realtime?intent=transcription`, Azure OpenAI
   * `wss://<resource>.openai.azure.com/openai/realtime?api-version=…&intent=transcription&deployment=…`
   */
  url: string;
  /** OpenAI key (Bearer) or Azure OpenAI key (api-key header) */
  apiKey?: string;
  /** default: api-key for an Azure URL with a key, entra for one without, bearer otherwise */
  auth?: RealtimeAuth;
  /** Entra ID access tokens (managed identity), required for auth 'entra'; renewed 5 minutes before expiry */
  tokenProvider?: AzureTokenProvider;
  /** transcription model (default gpt-4o-transcribe); on Azure the deployment in the URL serves it */
  model?: string;
  /** prompt: free text plus the deployment vocabulary (see realtime-prompt.ts) */
  prompt?: string;
  /** BCP-47 codes this deployment is used for (default ['en-US']) */
  languages?: string[];
  /** the service's VAD decides turns (default), or our segmenter's flushes commit them */
  turnDetection?: RealtimeTurnDetection;
  /** default near_field (headset / handset audio) */
  noiseReduction?: RealtimeNoiseReduction;
  /** server_vad: silence that ends a turn (default 500 ms) */
  silenceMs?: number;
  /** the service's maximum session length (default 30 min); sessions are replaced before it */
  sessionMaxMs?: number;
  /** a committed turn without a transcript after this long fails the stream (default 20 s) */
  itemTimeoutMs?: number;
  /** reconnects after a dropped socket before the stream gives up (default 3, counted since the last event) */
  maxReconnects?: number;
  /** audio kept for re-sending after a drop (default 60 s) */
  maxReplaySeconds?: number;
  handshakeTimeoutMs?: number;
  name?: string;
  /** test seam: the clock session lifetimes are measured on */
  now?: () => number;
}

/** renew a provided token this long before it expires */
const TOKEN_RENEW_BEFORE_MS = 5 * 60_000;
const TOKEN_RETRY_MS = 30_000;

/**
 * gpt-4o-transcribe (or -mini) streaming through the OpenAI / Azure OpenAI Realtime API, one WebSocket per channel.
 * Audio goes up as G.711 µ-law, the telephony format AudioHook delivers: a PCMU call's bytes as received
 * (writeMulaw), an L16 call's samples encoded, never resampled. Turns are ended by the service's VAD or by our
 * segmenter (input_audio_buffer.commit); deltas become partials, completed turns finals on the stream timeline.
 * Sessions are replaced before their maximum lifetime and re-established after a drop, with the audio not yet
 * transcribed re-sent; errors the service reports fail the stream so the FallbackEngine takes over.
 *
 * Not run against the service here (no network): tested against a local fake of its WebSocket event flow.
 */
export class RealtimeEngine implements SpeechEngine {
  readonly name: string;
  readonly capabilities: EngineCapabilities;
  readonly auth: RealtimeAuth;
  readonly now: () => number;
  private started = false;
  private token: string | null = null;
  private renewTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(readonly options: RealtimeEngineOptions) {
    if (!options.url) throw new Error('RealtimeEngine: url is required');
    const url = new URL(options.url);
    if (url.protocol !== 'wss:' && url.protocol !== 'ws:') {
      throw new Error(`RealtimeEngine: url must be ws:// or wss://, got ${url.protocol}`);
    }
    this.name = options.name ?? 'realtime';
    const azure = url.searchParams.has('api-version');
    this.auth = options.auth ?? (azure ? (options.apiKey ? 'api-key' : 'entra') : 'bearer');
    this.now = options.now ?? Date.now;
    this.capabilities = {
      streaming: true,
      partials: true,
      wordTimings: false,
      languages: options.languages ?? ['en-US'],
      endpointing: (options.turnDetection ?? 'server_vad') === 'server_vad',
      // gpt-4o-transcribe writes numbers, casing and punctuation itself
      displayText: true,
      // PCMU frames go up as received (writeMulaw): g711_ulaw is the session's input format
      mulawInput: true,
    };
  }

  /** Checks the credentials and, with Entra ID, fetches the first token. Opens no connection: calls do. */
  async start(): Promise<void> {
    if (this.started) return;
    if (this.auth === 'entra') {
      if (!this.options.tokenProvider)
        throw new EngineFailure(this.name, 'entra auth needs a token provider');
      await this.renewToken(true);
    } else if (!this.options.apiKey) {
      throw new EngineFailure(this.name, `${this.auth} auth needs an API key`);
    }
    this.started = true;
  }

  openStream(options: SpeechStreamOptions): SpeechStream {
    if (options.sampleRate !== 8000) {
      throw new AudioFormatError(`${this.name}: g711_ulaw is 8 kHz, got ${options.sampleRate}`);
    }
    return new RealtimeStream(this, options);
  }

  stop(): Promise<void> {
    this.started = false;
    if (this.renewTimer) clearTimeout(this.renewTimer);
    this.renewTimer = null;
    return Promise.resolve();
  }

  /** Handshake headers for a new connection (a renewed token reaches every connection opened after it). */
  headers(): Record<string, string> {
    const headers: Record<string, string> = { 'OpenAI-Beta': 'realtime=v1' };
    if (this.auth === 'api-key') headers['api-key'] = this.options.apiKey ?? '';
    else if (this.auth === 'bearer') headers.authorization = `Bearer ${this.options.apiKey ?? ''}`;
    else if (this.token) headers.authorization = `Bearer ${this.token}`;
    return headers;
  }

  private async renewToken(first: boolean): Promise<void> {
    let delay = TOKEN_RETRY_MS;
    try {
      const { token, expiresOnTimestamp } = await this.options.tokenProvider!.getToken();
      this.token = token;
      delay = Math.max(TOKEN_RETRY_MS, expiresOnTimestamp - this.now() - TOKEN_RENEW_BEFORE_MS);
    } catch (error) {
      if (first) throw new EngineFailure(this.name, `could not get a token: ${(error as Error).message}`);
      // keep the current token: renewal starts 5 minutes early, so retries have time before it expires
    }
    this.renewTimer = setTimeout(() => void this.renewToken(false), delay);
    this.renewTimer.unref?.();
  }
}
