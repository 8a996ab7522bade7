/**
 * SessionEventHub: the per-process, typed publish/subscribe point between AudioHook connections and everything that
 * works on calls (recorder, transcription pipeline, storage, live API).
 *
 * Lifecycle per call: `opened` first (only for sessions that reached `opened`), then any of audio / paused / resumed /
 * discarded / update / message, then `closing` (client sent `close`; not for dropped sockets), then `ended` exactly
 * once. Handlers run synchronously in publish order. A handler that throws or rejects is logged and counted and never
 * affects the call. Handlers of `closing` and `ended` may return promises: the connection waits for them (bounded by
 * a timeout) before sending `closed` / before the call counts as finished, so finals get flushed and files finalised
 * but a stuck subscriber cannot hold a call forever.
 */
import type {
  CloseReason,
  DisconnectReason,
  EventEntity,
  LanguageCode,
  MediaParameter,
  OpenMessage,
  Participant,
} from '@hookscribe/audiohook';
import type { Logger } from 'pino';

export type EndpointProfile = 'monitor' | 'transcription';

/** Immutable facts about a call, shared by every event of it. JSON-serialisable. */
export interface CallInfo {
  sessionId: string;
  conversationId: string;
  organizationId: string;
  correlationId: string;
  participant: Participant;
  /** negotiated media, null when `opened.media` was `[]` */
  media: MediaParameter | null;
  /** language accepted at open (null when none or unsupported) */
  language: LanguageCode | null;
  /** request path of the endpoint the client connected to */
  endpoint: string;
  profile: EndpointProfile;
  /** connection probe (nil conversation id): subscribers should do no downstream work */
  isProbe: boolean;
  /** opened in a server-initiated pause (e.g. unsupported language): a subscriber calls control.resume() when ready */
  startPaused: boolean;
  openedAt: string;
  customConfig: Record<string, unknown>;
}

/** What a subscriber may ask of a live call. Calls that are not allowed in the current state return false. */
export interface CallControl {
  /** `event` message (transcription endpoint only; after `opened`, until `closed`) */
  sendEvent(entities: EventEntity[]): boolean;
  pause(): boolean;
  resume(): boolean;
  disconnect(reason: DisconnectReason, info?: string): boolean;
}

export type CallOutcome = 'closed' | 'dropped' | 'unauthorized' | 'error';

export interface SessionEventMap {
  opened: { call: CallInfo; open: OpenMessage; control: CallControl; log: Logger };
  /**
   * one binary frame: per-channel PCM in negotiated order (decoded when read), the raw bytes, per-channel µ-law
   * (PCMU; de-interleaved when read; null for L16), samples per channel, stream position of its first sample
   */
  audio: {
    call: CallInfo;
    channels: Int16Array[];
    raw: Uint8Array;
    mulaw: Uint8Array[] | null;
    samples: number;
    startSample: number;
  };
  paused: { call: CallInfo; atSample: number; serverInitiated: boolean };
  resumed: { call: CallInfo; startSample: number; discardedSamples: number; atSample: number };
  discarded: { call: CallInfo; startSample: number; discardedSamples: number };
  update: { call: CallInfo; language: LanguageCode | null; atSample: number };
  /** the client's `error` message (informational; 429 asks the server to back off for retryAfterMs) */
  'client-error': { call: CallInfo; code: number; message: string; retryAfterMs: number | null };
  /** every protocol text message of the call, both directions (messages before `opened` are replayed after it) */
  message: { call: CallInfo; direction: 'in' | 'out'; text: string; at: Date };
  closing: { call: CallInfo; reason: CloseReason; atSample: number };
  ended: { call: CallInfo; outcome: CallOutcome; atSample: number; endedAt: Date };
}

export type SessionEventName = keyof SessionEventMap;
export type SessionEventHandler<K extends SessionEventName> = (
  event: SessionEventMap[K],
) => void | Promise<void>;

/** Plugs a component into the hub; returned by feature modules and passed to buildApp. */
export type SessionSubscriber = (hub: SessionEventHub) => void;

export interface SessionEventHubOptions {
  logger: Logger;
  /** bound on waiting for `closing` / `ended` handlers */
  waitTimeoutMs: number;
  onHandlerFailure?(event: SessionEventName, kind: 'error' | 'timeout'): void;
}

type AnyHandler = (event: SessionEventMap[SessionEventName]) => void | Promise<void>;

function isPromiseLike(value: unknown): value is PromiseLike<void> {
  return typeof (value as PromiseLike<void> | undefined)?.then === 'function';
}

export class SessionEventHub {
  private readonly handlers = new Map<SessionEventName, AnyHandler[]>();

  constructor(private readonly options: SessionEventHubOptions) {}

  /** Registers a handler; returns the function that removes it. */
  on<K extends SessionEventName>(name: K, handler: SessionEventHandler<K>): () => void {
    const list = this.handlers.get(name) ?? [];
    list.push(handler as AnyHandler);
    this.handlers.set(name, list);
    return () => {
      const current = this.handlers.get(name) ?? [];
      this.handlers.set(
        name,
        current.filter((h) => h !== handler),
      );
    };
  }

  listenerCount(name: SessionEventName): number {
    return this.handlers.get(name)?.length ?? 0;
  }

  /** Publishes without waiting; async failures are still logged. */
  emit<K extends SessionEventName>(name: K, event: SessionEventMap[K]): void {
    const list = this.handlers.get(name);
    if (!list) return;
    for (const handler of list) {
      const result = this.invoke(name, event, handler);
      if (result) result.catch(() => undefined);
    }
  }

  /** Publishes and resolves when every handler's promise settled or the wait timeout passed. Never rejects. */
  async emitAndWait<K extends SessionEventName>(name: K, event: SessionEventMap[K]): Promise<void> {
    const list = this.handlers.get(name);
    if (!list?.length) return;
    const pending: Promise<void>[] = [];
    for (const handler of list) {
      const result = this.invoke(name, event, handler);
      if (result) pending.push(result);
    }
    if (!pending.length) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.waitTimeoutMs);
    });
    const outcome = await Promise.race([Promise.allSettled(pending).then(() => 'done' as const), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.options.onHandlerFailure?.(name, 'timeout');
      this.options.logger.warn(
        { ...this.idsOf(event), event: name, timeoutMs: this.options.waitTimeoutMs },
        'session event handler did not finish in time; continuing without it',
      );
    }
  }

  /** Runs one handler; returns a promise (already guarded) when the handler is async. */
  private invoke(
    name: SessionEventName,
    event: SessionEventMap[SessionEventName],
    handler: AnyHandler,
  ): Promise<void> | undefined {
    let result: void | Promise<void>;
    try {
      result = handler(event);
    } catch (err) {
      this.reportFailure(name, event, handler, err);
      return undefined;
    }
    if (!isPromiseLike(result)) return undefined;
    return Promise.resolve(result).then(
      () => undefined,
      (err: unknown) => this.reportFailure(name, event, handler, err),
    );
  }

  private reportFailure(
    name: SessionEventName,
    event: SessionEventMap[SessionEventName],
    handler: AnyHandler,
    err: unknown,
  ): void {
    this.options.onHandlerFailure?.(name, 'error');
    this.options.logger.error(
      { ...this.idsOf(event), event: name, handler: handler.name || 'anonymous', err },
      'session event handler failed; the call continues',
    );
  }

  private idsOf(event: SessionEventMap[SessionEventName]) {
    const { sessionId, conversationId, correlationId, organizationId } = event.call;
    return { sessionId, conversationId, correlationId, organizationId };
  }
}
