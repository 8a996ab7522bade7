import { batchEventEntities, type EventEntity } from '@hookscribe/audiohook';

export interface RateLimitedEventSenderOptions {
  /** hand one `event` message's entities to the session (session.sendEvent); a throw drops them (reported) */
  send(entities: EventEntity[]): void;
  /** messages per second, long-run average (default 5) */
  ratePerSecond?: number;
  /** bucket size (default 25) */
  burst?: number;
  /** back-off when a 429 carries no retryAfter (default 3000 ms) */
  retryAfterFallbackMs?: number;
  /** messages sent this recently are sent again after a 429: the client may have dropped them (default 1000 ms) */
  resendWindowMs?: number;
  /** largest `event` message, UTF-8 bytes (default 65535) */
  maxMessageBytes?: number;
  onSendError?(error: unknown, entities: EventEntity[]): void;
  now?: () => number;
  setTimeout?: (callback: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

interface SentMessage {
  at: number;
  entities: EventEntity[];
  resent: number;
}

const MAX_RESENDS = 3;

/**
 * Token bucket for the server → client `event` messages of one session (digest §7.6). One entity per message while
 * tokens last; when the queue outgrows the bucket, batches (each < 64 KiB). A client `error` 429 stops sending for
 * retryAfter. Control messages (pong, closed) never pass through here. Pure apart from the injected clock/timers.
 */
export class RateLimitedEventSender {
  private readonly queue: { entity: EventEntity; resent: number }[] = [];
  private readonly recent: SentMessage[] = [];
  private readonly rate: number;
  private readonly burst: number;
  private tokens: number;
  private lastRefill: number;
  private backoffUntil = 0;
  private timer: unknown = null;
  private closed = false;
  private waiters: (() => void)[] = [];
  private readonly now: () => number;
  private readonly set: (callback: () => void, ms: number) => unknown;
  private readonly clear: (handle: unknown) => void;
  /** messages and entities handed out so far */
  readonly sent = { messages: 0, entities: 0 };

  constructor(private readonly options: RateLimitedEventSenderOptions) {
    this.rate = options.ratePerSecond ?? 5;
    this.burst = options.burst ?? 25;
    if (!(this.rate > 0) || !(this.burst >= 1))
      throw new RangeError('ratePerSecond must be > 0 and burst >= 1');
    this.tokens = this.burst;
    this.now = options.now ?? Date.now;
    this.set = options.setTimeout ?? ((cb, ms) => setTimeout(cb, ms));
    this.clear = options.clearTimeout ?? ((h) => clearTimeout(h as NodeJS.Timeout));
    this.lastRefill = this.now();
  }

  /** entities waiting to be sent */
  get pending(): number {
    return this.queue.length;
  }

  enqueue(entities: EventEntity | EventEntity[]): void {
    if (this.closed) return;
    for (const entity of Array.isArray(entities) ? entities : [entities]) {
      // A newer version of an utterance (partial → partial, partial → final) replaces a queued, unsent partial of the
      // same id in place: partials never cost more messages than the client can take.
      const id = transcriptId(entity);
      const stale =
        id === null ? -1 : this.queue.findIndex((q) => transcriptId(q.entity) === id && !isFinal(q.entity));
      if (stale >= 0) this.queue[stale] = { entity, resent: 0 };
      else this.queue.push({ entity, resent: 0 });
    }
    this.drain();
  }

  /** Feed client `error` messages here; only 429 matters. */
  clientError(code: number, retryAfterMs: number | null): void {
    if (code !== 429 || this.closed) return;
    const now = this.now();
    this.backoffUntil = Math.max(
      this.backoffUntil,
      now + (retryAfterMs ?? this.options.retryAfterFallbackMs ?? 3000),
    );
    // the bucket restarts from one token when the back-off ends
    this.tokens = 1;
    this.lastRefill = this.backoffUntil;
    // The client's limiter may have dropped what we sent just before: send it again (same ids, so a duplicate only
    // supersedes itself), at most MAX_RESENDS times per entity.
    const window = this.options.resendWindowMs ?? 1000;
    const again = this.recent.filter((m) => now - m.at <= window && m.resent < MAX_RESENDS);
    this.recent.length = 0;
    this.queue.unshift(
      ...again.flatMap((m) => m.entities.map((entity) => ({ entity, resent: m.resent + 1 }))),
    );
    this.schedule(this.backoffUntil - now);
  }

  /** Resolves when everything queued so far was handed to send() (the caller sends `closed` after it). */
  flush(): Promise<void> {
    if (this.queue.length === 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Session ended: drop what is queued, stop timers, release flush() waiters. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    if (this.timer !== null) this.clear(this.timer);
    this.timer = null;
    this.release();
  }

  private drain(): void {
    if (this.closed) return;
    const now = this.now();
    if (now < this.backoffUntil) {
      this.schedule(this.backoffUntil - now);
      return;
    }
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - this.lastRefill) * this.rate) / 1000);
    this.lastRefill = Math.max(this.lastRefill, now);
    while (this.queue.length > 0 && this.tokens >= 1) {
      const items =
        this.queue.length <= Math.floor(this.tokens)
          ? this.queue.splice(0, 1)
          : this.queue.splice(0, this.batchLength());
      this.tokens -= 1;
      this.hand(items, now);
    }
    this.recent.splice(0, Math.max(0, this.recent.length - this.burst));
    if (this.queue.length > 0) this.schedule(((1 - this.tokens) * 1000) / this.rate);
    else this.release();
  }

  /** how many queued entities fit one message */
  private batchLength(): number {
    const entities = this.queue.map((q) => q.entity);
    try {
      return batchEventEntities(entities, this.options.maxMessageBytes)[0]?.length ?? 1;
    } catch {
      return 1; // an oversized entity goes alone; send() reports it
    }
  }

  private hand(items: { entity: EventEntity; resent: number }[], now: number): void {
    const entities = items.map((i) => i.entity);
    try {
      this.options.send(entities);
      this.sent.messages++;
      this.sent.entities += entities.length;
      this.recent.push({ at: now, entities, resent: Math.max(...items.map((i) => i.resent)) });
    } catch (error) {
      this.options.onSendError?.(error, entities);
    }
  }

  private schedule(ms: number): void {
    if (this.timer !== null) this.clear(this.timer);
    this.timer = this.set(
      () => {
        this.timer = null;
        this.drain();
      },
      Math.max(1, Math.ceil(ms)),
    );
  }

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

function transcriptId(entity: EventEntity): string | null {
  if (entity.type !== 'transcript') return null;
  const id = (entity.data as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : null;
}

function isFinal(entity: EventEntity): boolean {
  return (entity.data as { isFinal?: unknown } | null)?.isFinal === true;
}
