/**
 * The client (Genesys) side of a session, for the simulator and tests. It builds client messages with correct
 * seq/serverseq/position, encodes audio in the opened media while advancing the stream position, and checks every
 * server message against the rules a Genesys client enforces (digest §3-§5, §7.6, §7.7, MUST 7-18), including the
 * closed schema of each server message type: an unknown member is a violation, as it is for Genesys. Violations come back as
 * strings; a simulator treats any of them as a failed server.
 */
import type {
  CloseReason,
  LanguageCode,
  MediaParameter,
  OpenedParameters,
  OpenParameters,
  Participant,
  ServerMessage,
  TranscriptEntityData,
  Uuid,
} from './contract.js';
import { encodeFrame, frameSampleCount } from './audio-frame.js';
import { formatDuration, samplesToDuration } from './duration.js';
import { MAX_TEXT_LENGTH, parseServerMessage } from './message-parse.js';
import { ServerMessageRateLimiter } from './rate-limiter.js';

export interface ClientSessionOptions {
  sessionId: Uuid;
  organizationId: Uuid;
  conversationId: Uuid;
  participant: Participant;
  /** the offer; entries the server cannot use (another format, rate, channel name) may be mixed in (§7.7) */
  media: unknown[];
  language?: LanguageCode;
  supportedLanguages?: boolean;
  customConfig?: Record<string, unknown>;
  /** false for monitor endpoints: any `event` from the server is then a violation (MUST 16). Default true. */
  eventsAllowed?: boolean;
  /** clock (ms) for the pause/resume rate limit check; without it the limit is not checked */
  nowMs?: () => number;
}

/** Genesys's limit on server `pause` and on server `resume`, each per session (digest §7.6): 2/s, burst 4. */
export const PAUSE_RESUME_RATE_PER_SECOND = 2;
export const PAUSE_RESUME_BURST = 4;

/** preparing → opening (open sent) → open (opened received) → closing (close sent) → closed (closed received) */
export type ClientSessionState = 'preparing' | 'opening' | 'open' | 'closing' | 'closed';

export interface ClientReceiveResult {
  /** the parsed message, when it was well-formed (it may still carry violations) */
  message?: ServerMessage;
  violations: string[];
}

function sameMedia(offer: unknown, b: MediaParameter): boolean {
  if (typeof offer !== 'object' || offer === null) return false;
  const a = offer as Partial<MediaParameter>;
  return (
    Array.isArray(a.channels) &&
    a.type === b.type &&
    a.format === b.format &&
    a.rate === b.rate &&
    a.channels.length === b.channels.length &&
    a.channels.every((c, i) => c === b.channels[i])
  );
}

export class ClientSession {
  private currentState: ClientSessionState = 'preparing';
  private seq = 0;
  private serverSeq = 0;
  private lastClientseqSeen = 0;
  private position = 0;
  private openedParameters: OpenedParameters | null = null;
  private outstandingPings: number[] = [];
  private disconnectReceived = false;
  private openSent = false;
  private readonly controlBuckets = {
    pause: new ServerMessageRateLimiter({
      ratePerSecond: PAUSE_RESUME_RATE_PER_SECOND,
      burst: PAUSE_RESUME_BURST,
    }),
    resume: new ServerMessageRateLimiter({
      ratePerSecond: PAUSE_RESUME_RATE_PER_SECOND,
      burst: PAUSE_RESUME_BURST,
    }),
  };

  constructor(private readonly options: ClientSessionOptions) {}

  get state(): ClientSessionState {
    return this.currentState;
  }
  /** stream position in samples (audio sent + discarded/paused spans) */
  get positionSamples(): number {
    return this.position;
  }
  get opened(): OpenedParameters | null {
    return this.openedParameters;
  }
  /** the media the server selected, or null (none yet, or `[]`) */
  get media(): MediaParameter | null {
    return this.openedParameters?.media[0] ?? null;
  }
  get lastServerSeq(): number {
    return this.serverSeq;
  }
  get lastClientSeq(): number {
    return this.seq;
  }
  /** seqs of pings not yet answered by a pong */
  get pendingPings(): readonly number[] {
    return this.outstandingPings;
  }

  // ------------------------------------------------------------------ client messages

  open(): string {
    if (this.currentState !== 'preparing') throw new Error(`open already sent (state ${this.currentState})`);
    this.currentState = 'opening';
    this.openSent = true;
    const o = this.options;
    const parameters: OpenParameters = {
      organizationId: o.organizationId,
      conversationId: o.conversationId,
      participant: o.participant,
      media: o.media,
    };
    if (o.language !== undefined) parameters.language = o.language;
    if (o.supportedLanguages !== undefined) parameters.supportedLanguages = o.supportedLanguages;
    if (o.customConfig !== undefined) parameters.customConfig = o.customConfig;
    return this.build('open', parameters);
  }

  /** `rttMs`: round trip measured on the previous ping/pong. */
  ping(rttMs?: number): string {
    const text = this.build(
      'ping',
      rttMs === undefined ? {} : { rtt: formatDuration(Math.max(0, rttMs) / 1000) },
    );
    this.outstandingPings.push(this.seq);
    return text;
  }

  paused(): string {
    return this.build('paused', {});
  }

  /** The pause began at `startSamples` and `discardedSamples` were never sent; the stream continues after them. */
  resumed(startSamples: number, discardedSamples: number): string {
    this.skipTo(startSamples + discardedSamples);
    return this.build('resumed', {
      start: samplesToDuration(startSamples),
      discarded: samplesToDuration(discardedSamples),
    });
  }

  discarded(startSamples: number, discardedSamples: number): string {
    this.skipTo(startSamples + discardedSamples);
    return this.build('discarded', {
      start: samplesToDuration(startSamples),
      discarded: samplesToDuration(discardedSamples),
    });
  }

  update(language: LanguageCode): string {
    return this.build('update', { language });
  }

  error(code: number, message: string, retryAfterMs?: number): string {
    const parameters: Record<string, unknown> = { code, message };
    if (retryAfterMs !== undefined) parameters.retryAfter = formatDuration(Math.max(0, retryAfterMs) / 1000);
    return this.build('error', parameters);
  }

  close(reason: CloseReason): string {
    if (this.currentState !== 'closed') this.currentState = 'closing';
    return this.build('close', { reason });
  }

  /** Encodes one Int16Array per selected channel (negotiated order) into a frame; advances the position. */
  audio(channels: Int16Array[]): Uint8Array {
    const media = this.media;
    if (!media) throw new Error('no media was selected by the server: audio cannot be sent');
    if (this.currentState !== 'open') throw new Error(`audio cannot be sent in state ${this.currentState}`);
    if (channels.length !== media.channels.length) {
      throw new RangeError(`expected ${media.channels.length} channel(s), got ${channels.length}`);
    }
    const frame = encodeFrame(channels, media.format);
    this.position += channels[0]!.length;
    return frame;
  }

  /**
   * An already encoded frame in the selected media (the simulator reuses encoded frames across thousands of
   * sessions instead of encoding each one); checks that it holds whole samples and advances the position.
   */
  audioEncoded(frame: Uint8Array): Uint8Array {
    const media = this.media;
    if (!media) throw new Error('no media was selected by the server: audio cannot be sent');
    if (this.currentState !== 'open') throw new Error(`audio cannot be sent in state ${this.currentState}`);
    const samples = frameSampleCount(frame.length, media);
    if (samples === null) throw new RangeError(`frame of ${frame.length} bytes does not hold whole samples`);
    this.position += samples;
    return frame;
  }

  // ------------------------------------------------------------------ server messages

  receiveText(text: string): ClientReceiveResult {
    const violations: string[] = [];
    if (text.length > MAX_TEXT_LENGTH) {
      return { violations: [`413: server message of ${text.length} characters exceeds 64 KiB (MUST 18)`] };
    }
    const parsed = parseServerMessage(text);
    if (!parsed.ok) return { violations: [`400: malformed server message: ${parsed.reason}`] };
    const message = parsed.message;
    const v = (text: string) => violations.push(`${message.type} (seq ${message.seq}): ${text}`);

    if (this.currentState === 'closed') v('message after closed (MUST 15)');
    if (message.id !== this.options.sessionId) v(`id ${message.id} is not the session id (MUST 7)`);
    if (message.seq !== this.serverSeq + 1)
      v(`seq ${message.seq} does not follow ${this.serverSeq} (MUST 8)`);
    if (message.clientseq > this.seq)
      v(`clientseq ${message.clientseq} is ahead of the last client seq ${this.seq}`);
    if (message.clientseq < this.lastClientseqSeen) {
      v(`clientseq ${message.clientseq} went backwards from ${this.lastClientseqSeen} (MUST 8)`);
    }
    this.serverSeq = Math.max(this.serverSeq, message.seq);
    this.lastClientseqSeen = Math.max(this.lastClientseqSeen, message.clientseq);

    switch (message.type) {
      case 'opened':
        this.checkOpened(message.parameters, message.clientseq, v);
        break;
      case 'pong': {
        const index = this.outstandingPings.indexOf(message.clientseq);
        if (this.outstandingPings.length === 0) v('pong without an outstanding ping (409)');
        else if (index < 0) v(`pong clientseq ${message.clientseq} does not match a ping seq (MUST 13)`);
        else this.outstandingPings.splice(0, index + 1);
        break;
      }
      case 'pause':
      case 'resume':
        if (this.options.nowMs && !this.controlBuckets[message.type].tryTake(this.options.nowMs())) {
          v(
            `${message.type} rate limit exceeded (${PAUSE_RESUME_RATE_PER_SECOND}/s, burst ${PAUSE_RESUME_BURST}): Genesys closes the socket (§7.6)`,
          );
        }
        if (this.currentState !== 'open') v(`not allowed in client state ${this.currentState} (MUST 17)`);
        break;
      case 'updated':
        if (this.currentState !== 'open') v(`not allowed in client state ${this.currentState} (MUST 17)`);
        break;
      case 'event':
        if (this.options.eventsAllowed === false) v('event sent on a monitor session (MUST 16)');
        if (this.currentState !== 'open' && this.currentState !== 'closing') {
          v(`event not allowed in client state ${this.currentState} (MUST 17)`);
        }
        for (const entity of message.parameters.entities) {
          if (entity.type === 'transcript') this.checkTranscript(entity.data as TranscriptEntityData, v);
        }
        break;
      case 'disconnect':
        if (this.currentState === 'closing') v('disconnect after close (MUST 15)');
        else if (this.disconnectReceived) v('second disconnect');
        this.disconnectReceived = true;
        break;
      case 'reconnect':
        break;
      case 'closed':
        if (this.currentState !== 'closing') v('closed without a close from the client (MUST 14)');
        else if (message.clientseq !== this.seq) {
          v(`closed clientseq ${message.clientseq} is not the last client seq ${this.seq} (MUST 8)`);
        }
        this.currentState = 'closed';
        break;
    }
    return { message, violations };
  }

  // ------------------------------------------------------------------ internals

  private checkOpened(p: OpenedParameters, clientseq: number, v: (text: string) => void): void {
    // A close sent during the open transaction still gets its opened first (digest §4.10).
    const awaiting = this.openSent && (this.currentState === 'opening' || this.currentState === 'closing');
    if (!awaiting || this.openedParameters) {
      v(this.openedParameters ? 'second opened (MUST 10)' : `opened in client state ${this.currentState}`);
      return;
    }
    if (clientseq < 1) v('opened does not acknowledge the open (clientseq 0) (MUST 8)');
    if (p.media.length > 1) v('more than one media selected (MUST 11)');
    const selected = p.media[0];
    if (selected && !this.options.media.some((offer) => sameMedia(offer, selected))) {
      v('selected media is not one of the offered entries (same format, rate, channels in order) (MUST 11)');
    }
    if (this.options.supportedLanguages === true && p.supportedLanguages === undefined) {
      v('supportedLanguages requested but missing (MUST 12)');
    }
    this.openedParameters = p;
    if (this.currentState === 'opening') this.currentState = 'open';
  }

  /** MUST 26 beyond the schema: channelId within the selected channels; final results carry unique token offsets. */
  private checkTranscript(data: TranscriptEntityData, v: (text: string) => void): void {
    const channels = this.media?.channels.length ?? 0;
    if (data.channelId >= channels)
      v(`transcript channelId ${data.channelId} but ${channels} channel(s) selected`);
    if (!data.isFinal) return;
    for (const alternative of data.alternatives) {
      for (const interpretation of alternative.interpretations) {
        if (!interpretation.tokens || interpretation.tokens.length === 0) {
          v('final transcript without tokens (MUST 26)');
          continue;
        }
        const offsets = interpretation.tokens.map((t) => t.offset);
        if (new Set(offsets).size !== offsets.length)
          v('final transcript with duplicate token offsets (MUST 26)');
      }
    }
  }

  private skipTo(samples: number): void {
    if (samples > this.position) this.position = samples;
  }

  private build(type: string, parameters: object): string {
    this.seq += 1;
    return JSON.stringify({
      version: '2',
      id: this.options.sessionId,
      type,
      seq: this.seq,
      serverseq: this.serverSeq,
      position: samplesToDuration(this.position),
      parameters,
    });
  }
}
