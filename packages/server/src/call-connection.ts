/**
 * One AudioHook WebSocket connection: the transport glue around a pure ServerSession of @hookscribe/audiohook.
 * Frames go in, the session's replies go out in order, its typed events are published on the SessionEventHub,
 * and the socket is closed when the session says so. The connection owns the timers the pure session cannot have:
 * the open timeout, the safety nets after `disconnect` / `closed`, and the bounded wait for `closing` subscribers.
 */
import {
  InvalidServerMessageError,
  ServerSession,
  type CloseReason,
  type DisconnectReason,
  type EventEntity,
  type SessionEvent,
  type SessionStep,
} from '@hookscribe/audiohook';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import type { AudiohookEndpoint } from './endpoints.js';
import type { ReceiveTally, ServerMetrics } from './metrics.js';
import type { CallControl, CallInfo, CallOutcome, SessionEventHub } from './session-events.js';
import type { UpgradeIdentity } from './upgrade/upgrade-auth.js';

export interface CallConnectionOptions {
  ws: WebSocket;
  endpoint: AudiohookEndpoint;
  identity: UpgradeIdentity;
  hub: SessionEventHub;
  metrics: ServerMetrics;
  logger: Logger;
  supportedLanguages: string[];
  openTimeoutMs: number;
  closeTimeoutMs: number;
}

/** Messages queued before `opened` are replayed to subscribers after it; bounded against chatty clients. */
const MAX_MESSAGES_BEFORE_OPEN = 64;

function outboundType(text: string): string | undefined {
  try {
    return (JSON.parse(text) as { type?: string }).type;
  } catch {
    return undefined;
  }
}

/** The hub's `audio` event: a class so the per-frame object has no closures and keeps the session's lazy decode. */
class CallAudioEvent {
  readonly raw: Uint8Array;
  readonly samples: number;
  readonly startSample: number;

  constructor(
    readonly call: CallInfo,
    private readonly frame: Extract<SessionEvent, { type: 'audio' }>,
  ) {
    this.raw = frame.raw;
    this.samples = frame.samples;
    this.startSample = frame.startSample;
  }

  /** only subscribers that read the PCM pay for decoding it */
  get channels(): Int16Array[] {
    return this.frame.channels;
  }

  /** likewise for de-interleaving the µ-law (engines that take it: no decode at all) */
  get mulaw(): Uint8Array[] | null {
    return this.frame.mulaw;
  }
}

export class CallConnection {
  readonly sessionId: string;
  /** resolves when the socket is gone and every `ended` subscriber finished (or timed out) */
  readonly finished: Promise<void>;

  private readonly session: ServerSession;
  private readonly ws: WebSocket;
  private readonly baseLog: Logger;
  private log: Logger;
  private call: CallInfo | null = null;
  private readonly beforeOpen: { direction: 'in' | 'out'; text: string; at: Date }[] = [];
  private openTimer: NodeJS.Timeout | null = null;
  private safetyTimer: NodeJS.Timeout | null = null;
  /** a coalesced pause/resume waits for the client's rate limit (SessionStep.wakeAfterMs) */
  private wakeTimer: NodeJS.Timeout | null = null;
  private ended = false;
  private socketGone = false;
  private openReceivedAt = 0;
  private resolveFinished!: () => void;
  private endedDone: Promise<void> = Promise.resolve();
  private readonly textTally: ReceiveTally;
  private readonly binaryTally: ReceiveTally;

  constructor(private readonly options: CallConnectionOptions) {
    const { ws, endpoint, identity } = options;
    this.ws = ws;
    this.sessionId = identity.sessionId;
    this.baseLog = options.logger.child({
      sessionId: identity.sessionId,
      correlationId: identity.correlationId,
      organizationId: identity.organizationId,
      endpoint: endpoint.path,
    });
    this.log = this.baseLog.child({ conversationId: null });
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    this.session = new ServerSession({
      sessionId: identity.sessionId,
      organizationId: identity.organizationId,
      profile: endpoint.profile,
      supportedLanguages: options.supportedLanguages,
      pauseOnUnsupportedLanguage: endpoint.profile === 'transcription',
      nowMs: () => performance.now(),
    });
    options.metrics.sessionsActive.inc({ endpoint: endpoint.path });
    this.textTally = options.metrics.receiveTally(endpoint.path, 'text');
    this.binaryTally = options.metrics.receiveTally(endpoint.path, 'binary');

    ws.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    ws.on('error', (err) => this.log.warn({ err: err.message }, 'websocket error'));
    ws.on('close', (code) => this.onSocketClose(code));

    this.openTimer = setTimeout(() => this.onOpenTimeout(), options.openTimeoutMs);
    this.log.info('audiohook connection accepted');
  }

  get state(): ServerSession['state'] {
    return this.session.state;
  }

  /** Asks the client to end the session (drain uses `completed`); a no-op once `close` was received. */
  disconnect(reason: DisconnectReason, info?: string): boolean {
    return this.tryStep(() => this.session.disconnect(reason, info));
  }

  /** Drops the socket without ceremony (last resort after the close safety net). */
  terminate(): void {
    if (!this.socketGone) this.ws.terminate();
  }

  // ------------------------------------------------------------------ input

  private onFrame(data: RawData, isBinary: boolean): void {
    // binaryType is 'nodebuffer': ws hands over one Buffer per message (no copy needed)
    const frame = Buffer.isBuffer(data)
      ? data
      : Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.from(data);
    const tally = isBinary ? this.binaryTally : this.textTally;
    tally.frames += 1;
    tally.bytes += frame.byteLength;
    if (isBinary) {
      this.apply(this.session.receiveBinary(frame));
    } else {
      if (this.call === null) this.openReceivedAt = performance.now();
      this.apply(this.session.receiveText(frame.toString('utf8')));
    }
  }

  private onSocketClose(code: number): void {
    this.socketGone = true;
    this.clearTimers();
    this.options.metrics.sessionsActive.dec({ endpoint: this.options.endpoint.path });
    this.log.info({ code }, 'audiohook connection closed');
    this.apply(this.session.socketClosed());
    // the session reports `ended` for a dropped socket; this only guards against a session that did not
    if (!this.ended) this.onEnded('dropped', this.session.positionSamples);
    void this.endedDone.then(() => this.resolveFinished());
  }

  private onOpenTimeout(): void {
    this.openTimer = null;
    if (this.session.state !== 'preparing') return;
    this.log.warn({ timeoutMs: this.options.openTimeoutMs }, 'no open message in time; disconnecting');
    this.options.metrics.protocolViolations.inc({ code: 'open-timeout' });
    this.apply(this.session.disconnect('error', 'Timeout waiting for open message'));
  }

  // ------------------------------------------------------------------ session output

  private tryStep(step: () => SessionStep): boolean {
    if (this.socketGone) return false;
    try {
      this.apply(step());
      return true;
    } catch (err) {
      if (err instanceof InvalidServerMessageError) {
        // a bug upstream (an entity with a member Genesys does not know): dropped, never sent, but loud
        this.log.error({ err: err.message }, 'server message does not match its schema; not sent');
      } else {
        this.log.debug({ err: (err as Error).message }, 'session refused the request in its current state');
      }
      return false;
    }
  }

  private apply(step: SessionStep): void {
    for (const text of step.send) this.send(text);
    for (const event of step.events) this.dispatch(event);
    if (step.closeSocket) this.closeSocket();
    if (step.wakeAfterMs !== undefined) this.armWakeTimer(step.wakeAfterMs);
  }

  private armWakeTimer(afterMs: number): void {
    if (this.wakeTimer || this.socketGone) return; // the earlier wake re-arms if more is still due
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      this.tryStep(() => this.session.wake());
    }, afterMs);
  }

  private send(text: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(text);
    // the close handshake has safety nets: a client that ignores them does not keep the connection
    const type = outboundType(text);
    if (type === 'disconnect' || type === 'closed') this.armSafetyTimer(type);
  }

  private closeSocket(): void {
    if (this.socketGone) return;
    this.ws.close(1000);
    this.armSafetyTimer('socket-close');
  }

  private dispatch(event: SessionEvent): void {
    const hub = this.options.hub;
    switch (event.type) {
      case 'message': {
        const at = new Date();
        if (this.call)
          hub.emit('message', { call: this.call, direction: event.direction, text: event.text, at });
        else if (this.beforeOpen.length < MAX_MESSAGES_BEFORE_OPEN) {
          this.beforeOpen.push({ direction: event.direction, text: event.text, at });
        }
        return;
      }
      case 'opened':
        this.onOpened(event);
        return;
      case 'audio':
        if (this.call) hub.emit('audio', new CallAudioEvent(this.call, event));
        return;
      case 'paused':
        if (this.call) hub.emit('paused', { call: this.call, ...event });
        return;
      case 'resumed':
        if (this.call) hub.emit('resumed', { call: this.call, ...event });
        return;
      case 'discarded':
        if (this.call) hub.emit('discarded', { call: this.call, ...event });
        return;
      case 'update':
        this.log.info({ language: event.language }, 'language update');
        if (this.call) hub.emit('update', { call: this.call, ...event });
        return;
      case 'ignored':
        this.log.debug({ messageType: event.messageType, reason: event.reason }, 'message ignored');
        return;
      case 'client-error':
        this.log.warn({ code: event.code, message: event.message.slice(0, 200) }, 'client reported an error');
        if (this.call) {
          hub.emit('client-error', {
            call: this.call,
            code: event.code,
            message: event.message,
            retryAfterMs: event.retryAfterMs,
          });
        }
        return;
      case 'violation':
        this.options.metrics.protocolViolations.inc({ code: event.violation.code });
        if (event.violation.code === 'org-mismatch')
          this.options.metrics.authFailures.inc({ reason: 'org-mismatch' });
        this.log.warn({ violation: event.violation.code, info: event.violation.info }, 'protocol violation');
        return;
      case 'closing':
        this.onClosing(event.reason, event.atSample);
        return;
      case 'ended':
        this.onEnded(event.outcome, event.atSample);
        return;
    }
  }

  private onOpened(event: Extract<SessionEvent, { type: 'opened' }>): void {
    this.clearOpenTimer();
    const { open } = event;
    const params = open.parameters;
    const endpoint = this.options.endpoint;
    const metrics = this.options.metrics;
    metrics.openLatency.observe(
      { endpoint: endpoint.path },
      (performance.now() - this.openReceivedAt) / 1000,
    );
    this.log = this.baseLog.child({ conversationId: params.conversationId });
    const call: CallInfo = {
      sessionId: this.sessionId,
      conversationId: params.conversationId,
      organizationId: this.options.identity.organizationId,
      correlationId: this.options.identity.correlationId,
      participant: params.participant,
      media: event.media,
      language: event.language,
      endpoint: endpoint.path,
      profile: endpoint.profile,
      isProbe: event.isProbe,
      startPaused: event.startPaused,
      openedAt: new Date().toISOString(),
      customConfig: params.customConfig ?? {},
    };
    this.call = call;
    if (event.isProbe) metrics.probesTotal.inc({ endpoint: endpoint.path });
    this.log.info({ media: event.media, language: event.language, isProbe: event.isProbe }, 'session opened');
    this.options.hub.emit('opened', { call, open, control: this.control(), log: this.log });
    for (const message of this.beforeOpen.splice(0)) this.options.hub.emit('message', { call, ...message });
  }

  private onClosing(reason: CloseReason, atSample: number): void {
    this.clearSafetyTimer();
    this.log.info({ reason }, 'client closed the session');
    const call = this.call;
    if (!call) {
      this.tryStep(() => this.session.finishClose());
      return;
    }
    // closing subscribers flush (e.g. final transcripts as events) before `closed`; the hub bounds the wait
    void this.options.hub
      .emitAndWait('closing', { call, reason, atSample })
      .then(() => this.tryStep(() => this.session.finishClose()));
  }

  private onEnded(outcome: CallOutcome, atSample: number): void {
    if (this.ended) return;
    this.ended = true;
    this.clearOpenTimer();
    this.options.metrics.sessionsTotal.inc({ endpoint: this.options.endpoint.path, outcome });
    this.log.info({ outcome, positionSamples: atSample }, 'session ended');
    if (this.call) {
      this.endedDone = this.options.hub.emitAndWait('ended', {
        call: this.call,
        outcome,
        atSample,
        endedAt: new Date(),
      });
    }
    if (!this.socketGone) this.armSafetyTimer('socket-close');
  }

  private control(): CallControl {
    return {
      sendEvent: (entities: EventEntity[]) => this.tryStep(() => this.session.sendEvent(entities)),
      pause: () => this.tryStep(() => this.session.pause()),
      resume: () => this.tryStep(() => this.session.resume()),
      disconnect: (reason, info) => this.disconnect(reason, info),
    };
  }

  // ------------------------------------------------------------------ timers

  /**
   * After our `disconnect` the client owes us `close`; after `closed` (or our close frame) it owes us the socket
   * close. If it does not deliver within closeTimeoutMs, the socket is dropped (digest §7.4).
   */
  private armSafetyTimer(waitingFor: 'disconnect' | 'closed' | 'socket-close'): void {
    this.clearSafetyTimer();
    if (this.socketGone) return;
    this.safetyTimer = setTimeout(() => {
      this.safetyTimer = null;
      this.log.warn(
        { waitingFor, timeoutMs: this.options.closeTimeoutMs },
        'client did not finish closing; dropping',
      );
      this.ws.terminate();
    }, this.options.closeTimeoutMs);
  }

  private clearSafetyTimer(): void {
    if (this.safetyTimer) clearTimeout(this.safetyTimer);
    this.safetyTimer = null;
  }

  private clearOpenTimer(): void {
    if (this.openTimer) clearTimeout(this.openTimer);
    this.openTimer = null;
  }

  private clearTimers(): void {
    this.clearOpenTimer();
    this.clearSafetyTimer();
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
  }
}
