import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import {
  ClientSession,
  durationToSamples,
  encodeFrame,
  NIL_UUID,
  type MediaFormat,
  type MediaParameter,
  type OpenedParameters,
  type ServerMessage,
} from '@hookscribe/audiohook';
import { SAMPLE_RATE, type AudioSource } from './audio-source.js';
import type { EncodedFrameCache } from './encoded-frame-cache.js';
import type { FrameClock, FrameClockMember } from './frame-clock.js';
import { mediaOffer } from './media-offer.js';
import type { OfferedChannels } from './options.js';
import type { Scenario, ScenarioAction } from './scenarios.js';
import { transcriptLines, type TranscriptLine } from './transcript-line.js';
import { upgradeHeaders, wrongSecret } from './upgrade-request.js';

/** Client timers of the reference client (digest §5.3). */
const OPEN_TIMEOUT_MS = 5_000;
const CLOSE_TIMEOUT_MS = 10_000;
const FIRST_PING_MS = 1_000;
const PING_INTERVAL_MS = 5_000;
/** --fast keeps at most this much audio queued in the socket */
const FAST_MODE_BUFFER_BYTES = 256 * 1024;

export interface SessionConfig {
  url: URL;
  apiKey: string;
  secret: string | null;
  organizationId: string;
  scenario: Scenario;
  source: AudioSource;
  /** stream length in ms (audio plus paused/discarded spans) */
  durationMs: number;
  format: MediaFormat;
  channels: OfferedChannels;
  language: string | null;
  frameMs: number;
  realtime: boolean;
  /** real-time multiple the clock ticks at (the clock does the pacing; this only scales the deadline) */
  speed?: number;
  /** the session fails if it has not finished this long after its stream should have ended */
  timeoutMs: number;
  customConfig: Record<string, unknown> | null;
  supportedLanguages: boolean;
  clock: FrameClock;
  /** protocol trace (--verbose) */
  log?: (line: string) => void;
  onTranscript?: (line: TranscriptLine) => void;
  /** live measurements for load-mode progress lines */
  onPingRtt?: (ms: number) => void;
  onOpenedLatency?: (ms: number) => void;
  /** load mode: skip client-side masking (all-zero mask; ws then sends payloads as they are) */
  zeroMask?: boolean;
  /** load mode: encoded frames shared between sessions */
  frameCache?: EncodedFrameCache;
}

export interface SessionResult {
  sessionId: string;
  scenario: string;
  ok: boolean;
  /** protocol violations by the server and failed scenario expectations */
  violations: string[];
  /** things worth knowing that are not failures */
  notes: string[];
  /** 101 when upgraded, the HTTP status when refused, null when no response */
  upgradeStatus: number | null;
  openedLatencyMs: number | null;
  opened: OpenedParameters | null;
  pingRttsMs: number[];
  transcripts: TranscriptLine[];
  serverMessages: Record<string, number>;
  audioFramesSent: number;
  audioBytesSent: number;
  /** stream position reached, in seconds (includes paused and discarded spans) */
  streamSeconds: number;
  serverPauses: number;
  closedReceived: boolean;
  durationMs: number;
}

type Phase = 'connecting' | 'opening' | 'streaming' | 'closing' | 'done';

/** One simulated Genesys client session: ClientSession (protocol rules) + WebSocket + scenario + expectations. */
export class SimSession implements FrameClockMember {
  private readonly sessionId = randomUUID();
  private readonly startedAt = performance.now();
  private readonly frameSamples: number;
  private readonly totalSamples: number;
  private readonly actions: ScenarioAction[];
  private readonly protocol: ClientSession;
  private ws: WebSocket | null = null;
  private phase: Phase = 'connecting';
  private resolve!: (result: SessionResult) => void;
  private readonly result: SessionResult;

  private media: MediaParameter | null = null;
  private streamSamples = 0;
  private nextAction = 0;
  private lastDue = 0;
  private openSentAt = 0;
  private closeSentAt = 0;
  private deadline = 0;
  private pingSentAt = 0;
  private pingOutstanding = false;
  private nextPingAt = Infinity;
  private lastRttMs: number | undefined;
  private pingBurstLeft: number;
  private clientPaused = false;
  private clientPauseEnd = 0;
  private serverPaused = false;
  private pauseStart = 0;
  private closingBecauseOfError = false;

  constructor(private readonly config: SessionConfig) {
    this.frameSamples = Math.round((config.frameMs * SAMPLE_RATE) / 1000);
    this.totalSamples = Math.round((config.durationMs * SAMPLE_RATE) / 1000);
    this.actions = config.scenario.actions(config.durationMs).sort((a, b) => a.atMs - b.atMs);
    this.pingBurstLeft = config.scenario.pingBurst;
    const probe = config.scenario.probe;
    this.protocol = new ClientSession({
      sessionId: this.sessionId,
      organizationId: config.organizationId,
      conversationId: probe ? NIL_UUID : randomUUID(),
      participant: probe
        ? { id: NIL_UUID, ani: '', aniName: '', dnis: '' }
        : { id: randomUUID(), ani: '+15555550100', aniName: 'hookscribe-sim caller', dnis: '+18005550199' },
      media: mediaOffer(config.format, config.channels),
      ...(config.language ? { language: config.language } : {}),
      ...(config.supportedLanguages ? { supportedLanguages: true } : {}),
      ...(config.customConfig ? { customConfig: config.customConfig } : {}),
      eventsAllowed: !isMonitorPath(config.url),
      nowMs: () => performance.now(), // pause/resume beyond Genesys's 2/s, burst 4 is a violation
    });
    this.result = {
      sessionId: this.sessionId,
      scenario: config.scenario.name,
      ok: false,
      violations: [],
      notes: [],
      upgradeStatus: null,
      openedLatencyMs: null,
      opened: null,
      pingRttsMs: [],
      transcripts: [],
      serverMessages: {},
      audioFramesSent: 0,
      audioBytesSent: 0,
      streamSeconds: 0,
      serverPauses: 0,
      closedReceived: false,
      durationMs: 0,
    };
  }

  run(): Promise<SessionResult> {
    const done = new Promise<SessionResult>((resolve) => (this.resolve = resolve));
    this.connect();
    return done;
  }

  // ------------------------------------------------------------------ transport

  private connect(): void {
    const { config } = this;
    const secret = config.scenario.badSignature ? wrongSecret(config.secret) : config.secret;
    let headers: Record<string, string>;
    try {
      headers = upgradeHeaders(config.url, {
        apiKey: config.apiKey,
        secret,
        organizationId: config.organizationId,
        sessionId: this.sessionId,
      });
    } catch (err) {
      this.violation(`cannot sign the upgrade request: ${(err as Error).message}`);
      this.finish();
      return;
    }
    const ws = new WebSocket(config.url, {
      headers,
      perMessageDeflate: false,
      followRedirects: false,
      handshakeTimeout: 10_000,
      // larger than the protocol's 64 KiB so that ClientSession can name an oversized message (MUST 18)
      maxPayload: 4 * 1024 * 1024,
      ...(config.zeroMask ? { generateMask: (mask: Buffer) => mask.fill(0) } : {}),
    });
    this.ws = ws;
    ws.on('unexpected-response', (_req, res: IncomingMessage) => this.onRefused(res));
    ws.on('upgrade', () => {
      this.result.upgradeStatus = 101;
    });
    ws.on('open', () => this.onSocketOpen());
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      if (isBinary) this.onBinary();
      else this.onText(data.toString());
    });
    ws.on('error', (err) => {
      if (this.phase === 'done') return;
      if (this.result.upgradeStatus === null) this.violation(`connection failed: ${err.message}`);
      else this.violation(`socket error: ${err.message}`);
      this.finish();
    });
    ws.on('close', (code) => this.onSocketClose(code));
  }

  private onRefused(res: IncomingMessage): void {
    this.result.upgradeStatus = res.statusCode ?? 0;
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      if (body.length < 500) body += chunk;
    });
    res.on('end', () => {
      const status = this.result.upgradeStatus;
      const detail = `HTTP ${status}${body ? ` ${JSON.stringify(body.slice(0, 200))}` : ''}`;
      if (this.config.scenario.badSignature) {
        if (status === 401) this.result.notes.push(`bad signature refused before the upgrade: ${detail}`);
        else this.violation(`bad signature answered with ${detail}; expected HTTP 401 (MUST 5)`);
      } else {
        this.violation(`upgrade refused: ${detail}`);
      }
      this.finish();
    });
    res.on('error', () => this.finish());
  }

  private onSocketOpen(): void {
    this.config.clock.add(this);
    this.phase = 'opening';
    this.openSentAt = performance.now();
    this.deadline =
      this.openSentAt +
      (this.config.durationMs / (this.config.speed ?? 1)) * (this.config.realtime ? 1 : 0) +
      this.config.timeoutMs;
    this.send(this.protocol.open());
  }

  private onBinary(): void {
    this.count('(binary)');
    this.fail(
      415,
      'server sent a binary frame; servers must not send audio in Monitor/Transcription (MUST 16)',
    );
  }

  private onSocketClose(code: number): void {
    if (this.phase === 'done') return;
    if (!this.result.closedReceived && this.result.upgradeStatus === 101) {
      this.violation(`connection closed by the server before closed (WebSocket close code ${code})`);
    }
    this.finish();
  }

  private send(text: string): void {
    this.config.log?.(`${this.shortId()} → ${text}`);
    this.ws?.send(text);
  }

  // ------------------------------------------------------------------ server messages

  private onText(text: string): void {
    if (this.phase === 'done') return;
    this.config.log?.(`${this.shortId()} ← ${text}`);
    let received: { message?: ServerMessage; violations: string[] };
    try {
      received = this.protocol.receiveText(text);
    } catch (err) {
      this.count('(invalid)');
      this.fail(400, `server message could not be processed: ${(err as Error).message}`);
      return;
    }
    const message = received.message;
    this.count(message?.type ?? '(invalid)');
    for (const v of received.violations) this.fail(400, v);
    // a faulty closed still ends the session; anything else faulty is not acted on
    if (message?.type === 'closed') return this.onClosed();
    if (!message || received.violations.length > 0) return;
    const now = performance.now();
    switch (message.type) {
      case 'opened':
        return this.onOpened(message.parameters, now);
      case 'pong':
        return this.onPong(now);
      case 'pause':
        return this.onServerPause();
      case 'resume':
        return this.onServerResume();
      case 'event':
        return this.onEvent(message.parameters.entities, now);
      case 'disconnect':
        return this.onDisconnect(message.parameters.reason, message.parameters.info);
      case 'reconnect':
        this.result.notes.push('server asked to reconnect (not supported by Genesys; ignored)');
        return;
      case 'updated':
        return;
    }
  }

  private onOpened(opened: OpenedParameters, now: number): void {
    const latency = now - this.openSentAt;
    this.result.openedLatencyMs = latency;
    this.config.onOpenedLatency?.(latency);
    this.result.opened = opened;
    if (latency > OPEN_TIMEOUT_MS) {
      this.violation(
        `opened came ${Math.round(latency)} ms after open; Genesys gives up after 5 s (MUST 10)`,
      );
    }
    if (this.config.scenario.badSignature) {
      this.fail(400, 'server opened a session whose upgrade had a bad signature (MUST 2, 5)');
      return;
    }
    if (this.phase !== 'opening') return;
    this.media = opened.media[0] ?? null;
    if (this.config.scenario.probe) {
      this.sendClose('end');
      return;
    }
    if (!this.media)
      this.result.notes.push('server selected no media (opened.media is []); no audio was sent');
    this.phase = 'streaming';
    this.lastDue = Infinity; // frames count from the next clock tick
    if (opened.startPaused) this.onServerPause();
    const discardTo = opened.discardTo ? durationToSamples(opened.discardTo) : 0;
    if (discardTo > this.streamSamples) {
      const length = Math.min(discardTo, this.totalSamples) - this.streamSamples;
      this.send(this.protocol.discarded(this.streamSamples, length));
      this.streamSamples += length;
    }
    if (this.pingBurstLeft > 0) {
      this.pingBurstLeft--;
      this.sendPing(now);
    } else {
      this.nextPingAt = now + FIRST_PING_MS;
    }
  }

  private onPong(now: number): void {
    if (!this.pingOutstanding) return; // ClientSession reports an unsolicited pong
    this.pingOutstanding = false;
    const rtt = now - this.pingSentAt;
    this.lastRttMs = rtt;
    this.result.pingRttsMs.push(rtt);
    this.config.onPingRtt?.(rtt);
    if (this.pingBurstLeft > 0 && this.phase === 'streaming') {
      this.pingBurstLeft--;
      this.sendPing(now);
    }
  }

  private onServerPause(): void {
    if (this.phase !== 'streaming') return;
    this.result.serverPauses++;
    if (!this.serverPaused && !this.clientPaused) this.pauseStart = this.streamSamples;
    this.serverPaused = true;
    // audio stops at once (we only send on frame ticks), so `paused` can answer right away
    this.send(this.protocol.paused());
  }

  private onServerResume(): void {
    if (this.phase !== 'streaming') return;
    const wasPaused = this.serverPaused;
    this.serverPaused = false;
    if (this.clientPaused) {
      // a client-side pause is still in force: answer with paused again (digest §4.4)
      this.send(this.protocol.paused());
    } else if (wasPaused) {
      this.send(this.protocol.resumed(this.pauseStart, this.streamSamples - this.pauseStart));
    } else {
      this.send(this.protocol.resumed(this.streamSamples, 0));
    }
  }

  private onEvent(entities: Parameters<typeof transcriptLines>[0], now: number): void {
    for (const line of transcriptLines(entities, this.media, now - this.startedAt)) {
      this.result.transcripts.push(line);
      this.config.onTranscript?.(line);
    }
  }

  private onDisconnect(reason: string, info: string | undefined): void {
    const detail = `${reason}${info ? `: ${info}` : ''}`;
    if (this.config.scenario.badSignature && reason === 'unauthorized') {
      this.result.notes.push(`bad signature rejected after the upgrade with disconnect (${detail})`);
    } else if (!this.closingBecauseOfError) {
      this.violation(`server disconnected the session (${detail})`);
    }
    if (this.phase !== 'closing') this.sendClose('disconnect');
  }

  private onClosed(): void {
    this.result.closedReceived = true;
    this.ws?.close(1000);
    this.finish();
  }

  // ------------------------------------------------------------------ clock-driven behaviour

  onFrameTick(dueFrames: number, now: number): void {
    if (this.phase === 'done') return;
    this.checkTimers(now);
    if (this.phase !== 'streaming') return;
    if (this.lastDue === Infinity) this.lastDue = dueFrames - 1;
    const ticks = dueFrames - this.lastDue;
    this.lastDue = dueFrames;
    if (this.nextPingAt <= now && !this.pingOutstanding) this.sendPing(now);
    if (this.config.realtime || this.serverPaused) {
      for (let i = 0; i < ticks && this.phase === 'streaming'; i++) this.advanceFrame();
    } else {
      const ws = this.ws!;
      for (
        let i = 0;
        i < 100 && this.phase === 'streaming' && ws.bufferedAmount < FAST_MODE_BUFFER_BYTES;
        i++
      ) {
        this.advanceFrame();
      }
    }
  }

  private checkTimers(now: number): void {
    if (this.phase === 'opening' && now - this.openSentAt > OPEN_TIMEOUT_MS) {
      this.fail(408, 'no opened within 5 s of open (MUST 10)');
    } else if (
      this.phase === 'streaming' &&
      this.pingOutstanding &&
      now - this.pingSentAt > PING_INTERVAL_MS
    ) {
      this.pingOutstanding = false;
      this.fail(408, `no pong within 5 s of ping (MUST 13)`);
    } else if (this.phase === 'closing' && now - this.closeSentAt > CLOSE_TIMEOUT_MS) {
      this.violation('no closed within 10 s of close (MUST 14)');
      this.ws?.terminate();
      this.finish();
    } else if (now > this.deadline && this.phase !== 'closing') {
      this.violation(
        `session still running ${Math.round((now - this.openSentAt) / 1000)} s after open (--timeout)`,
      );
      this.ws?.terminate();
      this.finish();
    }
  }

  private sendPing(now: number): void {
    this.pingSentAt = now;
    this.pingOutstanding = true;
    this.nextPingAt = now + PING_INTERVAL_MS;
    this.send(this.protocol.ping(this.lastRttMs));
  }

  /** One frame period of stream time: scenario actions, then audio unless paused. */
  private advanceFrame(): void {
    while (this.nextAction < this.actions.length) {
      const action = this.actions[this.nextAction]!;
      if (action.atMs * (SAMPLE_RATE / 1000) > this.streamSamples) break;
      this.nextAction++;
      this.perform(action);
      if (this.phase !== 'streaming') return;
    }
    if (this.clientPaused && this.streamSamples >= this.clientPauseEnd) this.endClientPause();
    if (this.streamSamples >= this.totalSamples) {
      // the ping scenario finishes its burst before closing, however short the audio
      if (this.pingBurstLeft > 0 || (this.config.scenario.pingBurst > 0 && this.pingOutstanding)) return;
      this.sendClose('end');
      return;
    }
    const n = Math.min(this.frameSamples, this.totalSamples - this.streamSamples);
    if (this.media && !this.clientPaused && !this.serverPaused) {
      const media = this.media;
      const cache = this.config.frameCache;
      const frame = cache
        ? this.protocol.audioEncoded(
            cache.get(media, this.config.source.contentOffset(this.streamSamples), n, () =>
              encodeFrame(this.channelData(media, n), media.format),
            ),
          )
        : this.protocol.audio(this.channelData(media, n));
      this.ws!.send(frame);
      this.result.audioFramesSent++;
      this.result.audioBytesSent += frame.length;
    }
    this.streamSamples += n;
  }

  private channelData(media: MediaParameter, n: number): Int16Array[] {
    const [external, internal] = this.config.source.read(this.streamSamples, n);
    // a mono source feeds a single negotiated channel whichever it is
    if (this.config.source.mono && media.channels.length === 1) return [external];
    return media.channels.map((name) => (name === 'external' ? external : internal));
  }

  private perform(action: ScenarioAction): void {
    switch (action.kind) {
      case 'client-pause':
        if (!this.clientPaused && !this.serverPaused) this.pauseStart = this.streamSamples;
        this.clientPaused = true;
        this.clientPauseEnd = this.streamSamples + action.lengthMs * (SAMPLE_RATE / 1000);
        this.send(this.protocol.paused());
        return;
      case 'discard': {
        const length = Math.min(
          action.lengthMs * (SAMPLE_RATE / 1000),
          this.totalSamples - this.streamSamples,
        );
        this.send(this.protocol.discarded(this.streamSamples, length));
        this.streamSamples += length;
        return;
      }
      case 'update-language':
        this.send(this.protocol.update(this.config.language === action.language ? 'en-US' : action.language));
        return;
      case 'client-error':
        this.send(this.protocol.error(action.code, action.message));
        this.sendClose('error');
        return;
    }
  }

  private endClientPause(): void {
    this.clientPaused = false;
    if (!this.serverPaused) {
      this.send(this.protocol.resumed(this.pauseStart, this.streamSamples - this.pauseStart));
    }
  }

  private sendClose(reason: 'end' | 'error' | 'disconnect'): void {
    if (this.phase === 'closing' || this.phase === 'done') return;
    this.phase = 'closing';
    this.closeSentAt = performance.now();
    this.send(this.protocol.close(reason));
  }

  // ------------------------------------------------------------------ outcome

  /** A server fault: record it and, like the Genesys client, report it with `error` and close (digest §4.8). */
  private fail(code: number, violation: string): void {
    this.violation(violation);
    if (this.phase === 'closing' || this.phase === 'done' || this.closingBecauseOfError) return;
    this.closingBecauseOfError = true;
    if (this.phase === 'connecting') return;
    try {
      this.send(this.protocol.error(code, violation.slice(0, 500)));
    } catch {
      // the session state may not allow an error message; close regardless
    }
    this.sendClose('error');
  }

  private violation(text: string): void {
    this.config.log?.(`${this.shortId()} ✗ ${text}`);
    this.result.violations.push(text);
  }

  private count(type: string): void {
    this.result.serverMessages[type] = (this.result.serverMessages[type] ?? 0) + 1;
  }

  private finish(): void {
    if (this.phase === 'done') return;
    const wasUpgraded = this.result.upgradeStatus === 101;
    this.phase = 'done';
    this.config.clock.remove(this);
    if (this.ws && this.ws.readyState !== WebSocket.CLOSED && this.ws.readyState !== WebSocket.CLOSING) {
      this.ws.terminate();
    }
    const { scenario } = this.config;
    if (scenario.requiresServerPause && this.result.serverPauses === 0 && wasUpgraded) {
      this.violation('the server never paused the stream (scenario server-pause)');
    }
    if (scenario.badSignature && wasUpgraded && !this.result.notes.some((n) => n.includes('disconnect'))) {
      this.violation('server upgraded a request with a bad signature and did not disconnect it (MUST 2, 5)');
    }
    if (wasUpgraded && !this.result.closedReceived && this.result.violations.length === 0) {
      this.violation('session ended without closed (MUST 14)');
    }
    this.result.streamSeconds = this.streamSamples / SAMPLE_RATE;
    this.result.durationMs = performance.now() - this.startedAt;
    this.result.ok = this.result.violations.length === 0;
    this.resolve(this.result);
  }

  private shortId(): string {
    return this.sessionId.slice(0, 8);
  }
}

/**
 * hookscribe's Monitor endpoints; the server must not send `event`s there (MUST 16). Any other path may be a
 * Transcription Connector endpoint, where events are expected.
 */
function isMonitorPath(url: URL): boolean {
  return url.pathname === '/api/v1/audiohook/ws' || url.pathname === '/audiohook/ws';
}
