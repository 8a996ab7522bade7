/**
 * WebhookTarget: delivery to ONE webhook URL — its own serial queue (order kept, a hanging or failing target holds
 * back only itself), HMAC-signed JSON POSTs, a timeout per attempt, retries with exponential back-off and jitter.
 *
 * deliver() resolves once the target answered 2xx, or when it answered a permanent 4xx (the event is reported through
 * onError and not retried: resending the same body cannot succeed). It rejects with BusUnavailableError after
 * `maxAttempts` failures (network error, timeout, 408, 429, 5xx) or when the queue is full, so the caller (outbox
 * relay or bus subscription) retries later.
 */
import type { ConversationEvent } from '../events.js';
import { BusUnavailableError } from './event-bus.js';
import { backoffDelay, sleep } from './retry-backoff.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook } from './webhook-signature.js';

export interface WebhookTargetOptions {
  url: string;
  /** HMAC secret; unsigned when omitted (not recommended) */
  secret?: string;
  /** per attempt (default 10 000 ms) */
  timeoutMs?: number;
  /** attempts per deliver() call (default 4) */
  maxAttempts?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** deliveries waiting in this target's queue before deliver() refuses (default 10 000) */
  maxQueued?: number;
  /** remembered delivered event ids, so a redelivery after another target failed is not resent (default 10 000) */
  rememberDelivered?: number;
  onError?: (error: unknown, context: string) => void;
  fetch?: typeof fetch;
}

export class WebhookTarget {
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;
  private readonly delivered = new Set<string>();
  private lastError: string | null = null;
  private readonly abort = new AbortController();

  constructor(readonly options: WebhookTargetOptions) {}

  get url(): string {
    return this.options.url;
  }

  /** null while the last delivery succeeded */
  get failure(): string | null {
    return this.lastError;
  }

  get depth(): number {
    return this.queued;
  }

  deliver(event: ConversationEvent): Promise<void> {
    if (this.delivered.has(event.eventId)) return Promise.resolve();
    if (this.queued >= (this.options.maxQueued ?? 10_000)) {
      return Promise.reject(new BusUnavailableError(`webhook ${this.url}: ${this.queued} deliveries queued`));
    }
    this.queued++;
    const run = this.tail.then(() => this.send(event));
    this.tail = run.catch(() => {});
    return run.finally(() => this.queued--);
  }

  close(): void {
    this.abort.abort();
  }

  private async send(event: ConversationEvent): Promise<void> {
    if (this.delivered.has(event.eventId)) return;
    const body = JSON.stringify(event);
    const maxAttempts = this.options.maxAttempts ?? 4;
    for (let attempt = 1; ; attempt++) {
      if (this.abort.signal.aborted) throw new BusUnavailableError(`webhook ${this.url}: closed`);
      const outcome = await this.post(event, body, attempt);
      if (outcome === 'delivered' || outcome === 'rejected') {
        this.remember(event.eventId);
        return;
      }
      this.lastError = outcome;
      if (attempt >= maxAttempts) throw new BusUnavailableError(`webhook ${this.url}: ${outcome}`);
      await sleep(
        backoffDelay(attempt, {
          initialMs: this.options.retryInitialMs ?? 500,
          maxMs: this.options.retryMaxMs ?? 30_000,
        }),
        this.abort.signal,
      );
    }
  }

  /** 'delivered' | 'rejected' (permanent) | a retryable failure description */
  private async post(event: ConversationEvent, body: string, attempt: number): Promise<string> {
    const timestamp = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'hookscribe-webhook/1',
      'x-hookscribe-event-id': event.eventId,
      'x-hookscribe-event-type': event.type,
      'x-hookscribe-delivery-attempt': String(attempt),
      [TIMESTAMP_HEADER]: String(timestamp),
    };
    if (this.options.secret) headers[SIGNATURE_HEADER] = signWebhook(this.options.secret, timestamp, body);
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), this.abort.signal]);
    let status: number;
    try {
      const response = await (this.options.fetch ?? fetch)(this.url, {
        method: 'POST',
        headers,
        body,
        signal,
      });
      status = response.status;
      await response.body?.cancel().catch(() => {});
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
      return `${(error as Error).message}${(error as { cause?: Error }).cause ? ` (${(error as { cause: Error }).cause.message})` : ''}`;
    }
    if (status >= 200 && status < 300) {
      this.lastError = null;
      return 'delivered';
    }
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
      this.options.onError?.(
        new Error(`webhook ${this.url} rejected event ${event.eventId} with HTTP ${status}; not retried`),
        'webhook rejected',
      );
      return 'rejected';
    }
    return `HTTP ${status}`;
  }

  private remember(eventId: string): void {
    this.delivered.add(eventId);
    const cap = this.options.rememberDelivered ?? 10_000;
    if (this.delivered.size > cap) this.delivered.delete(this.delivered.values().next().value!);
  }
}
