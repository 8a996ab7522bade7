/**
 * Secure pause: on request (an agent about to take card details), hookscribe sends AudioHook `pause` to Genesys, so
 * the card data is never streamed to it at all; `resume` follows on request or when the configured limit runs out.
 * Requests respect the protocol's limits on server `pause`/`resume` (2/s, burst 4, digest §7.6) in the reading the
 * session uses too — one budget for both: beyond it a request is refused (HTTP 429), so the person clicking learns
 * it, instead of the session coalescing it silently (which it does for everything else that pauses). Every pause and resume of every call —
 * secure, language, client-side — is published as stream_paused / stream_resumed, so the lanes and the recording
 * view can show the spans.
 *
 * Scaled out, the call's WebSocket lives on one instance while the API request may reach any: with a shared bus the
 * request is published as `secure_pause_requested` (fan-out, internal), and the instance holding the call acts on it
 * with the same budget. Without a subscribable bus such a request is answered 409 `not_on_this_instance`.
 */
import { randomUUID } from 'node:crypto';
import { ServerMessageRateLimiter } from '@hookscribe/audiohook';
import {
  EVENT_SCHEMA_VERSION,
  type ConversationEvent,
  type ConversationStore,
  type EventBus,
  type Subscription,
} from '@hookscribe/conversations';
import type { Logger } from 'pino';
import type { CallControl, SessionSubscriber } from '../session-events.js';

export interface SecurePauseOptions {
  store: Pick<ConversationStore, 'enqueueEvents'>;
  /** a secure pause ends by itself after this long (HOOKSCRIBE_SECURE_PAUSE_MAX_SECONDS) */
  maxPauseMs: number;
  logger: Logger;
  /** the events were written to the store (wake the outbox relay) */
  onEventsWritten?: () => void;
  /** for tests: the clock of the rate limiters (ms) */
  nowMs?: () => number;
}

export type SecurePauseResult =
  | { outcome: 'sent'; paused: boolean; autoResumeAt: string | null }
  | { outcome: 'not-live' | 'rate-limited' | 'refused' };

export interface SecurePauseStatus {
  paused: boolean;
  /** a secure pause requested through the API is in force */
  secure: boolean;
  autoResumeAt: string | null;
}

interface LiveCallPause {
  control: CallControl;
  /** requests through this API, pause and resume together */
  budget: ServerMessageRateLimiter;
  /** we asked for a secure pause and have not resumed */
  secure: boolean;
  /** the stream is paused (the client said `paused`) */
  paused: boolean;
  autoResume: NodeJS.Timeout | null;
  autoResumeAt: string | null;
}

/** A routed request older than this is stale (a redelivery after a restart): not acted on. */
const ROUTED_REQUEST_MAX_AGE_MS = 10_000;

/** The protocol's limit on server pause and resume messages (digest §7.6), one budget as in the session. */
const PAUSE_RATE = { ratePerSecond: 2, burst: 4 };

export class SecurePause {
  private readonly calls = new Map<string, LiveCallPause>();
  private readonly now: () => number;

  constructor(private readonly options: SecurePauseOptions) {
    this.now = options.nowMs ?? Date.now;
  }

  readonly subscriber: SessionSubscriber = (hub) => {
    hub.on('opened', ({ call, control }) => {
      if (call.isProbe) return;
      this.calls.set(call.sessionId, {
        control,
        budget: new ServerMessageRateLimiter(PAUSE_RATE),
        secure: false,
        paused: false,
        autoResume: null,
        autoResumeAt: null,
      });
    });
    hub.on('paused', ({ call, atSample, serverInitiated }) => {
      const state = this.calls.get(call.sessionId);
      if (state === undefined) return;
      const wasPaused = state.paused;
      state.paused = true;
      if (wasPaused) return; // a repeated `paused` (client pause still in force) is no new span
      this.publish(call.sessionId, 'stream_paused', {
        offset: atSample / 8000,
        initiator: serverInitiated ? 'server' : 'client',
        secure: state.secure,
      });
    });
    hub.on('resumed', ({ call, startSample, discardedSamples }) => {
      const state = this.calls.get(call.sessionId);
      if (state === undefined) return;
      state.paused = false;
      this.publish(call.sessionId, 'stream_resumed', {
        offset: startSample / 8000,
        discarded: discardedSamples / 8000,
      });
    });
    hub.on('ended', ({ call }) => {
      const state = this.calls.get(call.sessionId);
      if (state?.autoResume) clearTimeout(state.autoResume);
      this.calls.delete(call.sessionId);
    });
  };

  private bus: EventBus | null = null;

  /** Scale-out: act on requests for our calls that other instances publish on the shared bus (fan-out). */
  async listen(bus: EventBus): Promise<Subscription> {
    this.bus = bus;
    return bus.subscribe((event) => {
      if (event.type !== 'secure_pause_requested' || !this.calls.has(event.conversationId)) return;
      if (Date.now() - Date.parse(event.time) > ROUTED_REQUEST_MAX_AGE_MS) return;
      const id = event.conversationId;
      const result = event.data.action === 'pause' ? this.pause(id) : this.resume(id);
      this.options.logger.info(
        { sessionId: id, action: event.data.action, outcome: result.outcome },
        'secure pause request from another instance',
      );
    });
  }

  /** Whether requests for calls held elsewhere can be routed (a shared bus is attached). */
  get routable(): boolean {
    return this.bus !== null;
  }

  /** Publish a request for a call held by another instance; resolves once the bus took it. */
  async route(sessionId: string, action: 'pause' | 'resume'): Promise<void> {
    if (this.bus === null) throw new Error('secure pause routing needs a shared bus');
    await this.bus.publish({
      schemaVersion: EVENT_SCHEMA_VERSION,
      eventId: randomUUID(),
      type: 'secure_pause_requested',
      conversationId: sessionId,
      time: new Date().toISOString(),
      data: { action },
    });
  }

  status(sessionId: string): SecurePauseStatus | null {
    const state = this.calls.get(sessionId);
    if (state === undefined) return null;
    return { paused: state.paused, secure: state.secure, autoResumeAt: state.autoResumeAt };
  }

  pause(sessionId: string): SecurePauseResult {
    const state = this.calls.get(sessionId);
    if (state === undefined) return { outcome: 'not-live' };
    if (!state.budget.tryTake(this.now())) return { outcome: 'rate-limited' };
    if (!state.control.pause()) return { outcome: 'refused' };
    state.secure = true;
    if (state.autoResume) clearTimeout(state.autoResume);
    state.autoResumeAt = new Date(Date.now() + this.options.maxPauseMs).toISOString();
    state.autoResume = setTimeout(() => {
      state.autoResume = null;
      this.options.logger.info({ sessionId }, 'secure pause limit reached; resuming the stream');
      this.resume(sessionId);
    }, this.options.maxPauseMs);
    state.autoResume.unref();
    this.options.logger.info({ sessionId }, 'secure pause requested');
    return { outcome: 'sent', paused: true, autoResumeAt: state.autoResumeAt };
  }

  resume(sessionId: string): SecurePauseResult {
    const state = this.calls.get(sessionId);
    if (state === undefined) return { outcome: 'not-live' };
    if (!state.budget.tryTake(this.now())) return { outcome: 'rate-limited' };
    if (!state.control.resume()) return { outcome: 'refused' };
    state.secure = false;
    if (state.autoResume) clearTimeout(state.autoResume);
    state.autoResume = null;
    state.autoResumeAt = null;
    this.options.logger.info({ sessionId }, 'secure pause ended');
    return { outcome: 'sent', paused: false, autoResumeAt: null };
  }

  private publish<T extends 'stream_paused' | 'stream_resumed'>(
    conversationId: string,
    type: T,
    data: Extract<ConversationEvent, { type: T }>['data'],
  ): void {
    const event = {
      schemaVersion: EVENT_SCHEMA_VERSION,
      eventId: randomUUID(),
      type,
      conversationId,
      time: new Date().toISOString(),
      data,
    } as ConversationEvent;
    this.options.store.enqueueEvents([event]).then(
      () => this.options.onEventsWritten?.(),
      (err: unknown) =>
        this.options.logger.warn(
          { err, sessionId: conversationId },
          'pause event not stored; the call goes on',
        ),
    );
  }
}
