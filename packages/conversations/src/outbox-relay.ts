/**
 * OutboxRelay: moves events from the store's outbox to the EventBus — claim with a lease → publish → ack. An entry
 * the bus refuses (Redis down, webhook target failing) is released with a back-off and stays in the outbox, so a
 * transport down for minutes loses nothing: the events flow when it is back.
 *
 * Order: events of one conversation are published one after another; when one fails, the later ones of the same
 * conversation wait for it (within this relay instance). Different conversations go out in parallel, so one slow
 * conversation does not hold back the others. With several instances relaying the same outbox, the store's leases
 * keep an entry with one instance at a time; per-conversation order across instances is best-effort.
 */
import type { ConversationStore, OutboxEntry } from './store/conversation-store.js';
import type { EventBus } from './bus/event-bus.js';
import { backoffDelay, sleep } from './bus/retry-backoff.js';

/** held-back events become claimable this long after the event they wait for */
const HOLD_MARGIN_MS = 20;

export type OutboxSource = Pick<
  ConversationStore,
  'claimOutbox' | 'ackOutbox' | 'failOutbox' | 'outboxDepth'
>;

export interface OutboxRelayMetrics {
  /** undelivered entries in the outbox */
  depth: number;
  /** age (ms) of the oldest event delivered in the last batch: produce → accepted by the bus */
  lagMs: number;
  /** events delivered / refused since start */
  delivered: number;
  failed: number;
}

export interface OutboxRelayOptions {
  store: OutboxSource;
  bus: EventBus;
  /** entries per claim (default 100) */
  batchSize?: number;
  /** lease on claimed entries (default 30 000 ms); must exceed the slowest publish */
  leaseMs?: number;
  /** poll interval while the outbox is empty (default 100 ms); wake() cuts it short */
  idleIntervalMs?: number;
  /** retry back-off for refused entries (default 200 ms doubling to 30 000 ms, jittered) */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** metrics hook, called after every batch and at most every `metricsIntervalMs` while idle */
  onMetrics?: (metrics: OutboxRelayMetrics) => void;
  metricsIntervalMs?: number;
  onError?: (error: unknown, context: string) => void;
  now?: () => number;
}

export interface OutboxRelayHealth {
  status: 'ok' | 'degraded';
  /** last refusal in plain words, while deliveries are failing */
  detail: string | null;
  delivered: number;
  failed: number;
}

export class OutboxRelay {
  private running: Promise<void> | null = null;
  private abort = new AbortController();
  private wakeUp: (() => void) | null = null;
  private delivered = 0;
  private failed = 0;
  private lastLagMs = 0;
  private lastFailure: string | null = null;
  private lastMetricsAt = 0;
  /** conversation id → time before which its later events are held back (an earlier one was refused) */
  private readonly heldConversations = new Map<string, { blocker: OutboxEntry; until: number }>();
  private readonly now: () => number;

  constructor(private readonly options: OutboxRelayOptions) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.running) return;
    this.abort = new AbortController();
    this.running = this.loop();
  }

  /** Stop after the batch in flight (its unacked entries return to the outbox when their lease ends). */
  async stop(): Promise<void> {
    this.abort.abort();
    this.wakeUp?.();
    await this.running;
    this.running = null;
  }

  /** Call after enqueueing events so they go out without waiting for the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  health(): OutboxRelayHealth {
    return {
      status: this.lastFailure ? 'degraded' : 'ok',
      detail: this.lastFailure,
      delivered: this.delivered,
      failed: this.failed,
    };
  }

  /** One claim → publish → ack round; returns the number of entries claimed. Exposed for tests and benchmarks. */
  async relayOnce(): Promise<number> {
    const { store } = this.options;
    const entries = await store.claimOutbox(this.options.batchSize ?? 100, this.options.leaseMs ?? 30_000);
    if (entries.length === 0) return 0;

    const byConversation = new Map<string, OutboxEntry[]>();
    for (const entry of entries) {
      const list = byConversation.get(entry.event.conversationId) ?? [];
      list.push(entry);
      byConversation.set(entry.event.conversationId, list);
    }
    const acked: string[] = [];
    let refusedInBatch = false;
    let oldestTime = Infinity;
    await Promise.all(
      [...byConversation].map(async ([conversationId, list]) => {
        for (let i = 0; i < list.length; i++) {
          const entry = list[i]!;
          const hold = this.heldConversations.get(conversationId);
          if (hold && this.isHeldBack(entry, hold)) {
            // An earlier event of this conversation waits for its retry: keep order, queue up behind it.
            await this.refuse(
              list.slice(i),
              'held behind an earlier event of the conversation',
              Math.max(0, hold.until - this.now()) + HOLD_MARGIN_MS,
            );
            return;
          }
          try {
            await this.options.bus.publish(entry.event);
          } catch (error) {
            const retryIn = backoffDelay(entry.attempts, {
              initialMs: this.options.retryInitialMs ?? 200,
              maxMs: this.options.retryMaxMs ?? 30_000,
            });
            this.heldConversations.set(conversationId, { blocker: entry, until: this.now() + retryIn });
            refusedInBatch = true;
            this.lastFailure = `${this.options.bus.name}: ${(error as Error).message}`;
            this.options.onError?.(error, 'publish');
            await this.refuse(list.slice(i), this.lastFailure, retryIn);
            return;
          }
          this.heldConversations.delete(conversationId);
          acked.push(entry.id);
          oldestTime = Math.min(oldestTime, Date.parse(entry.event.time));
        }
      }),
    );
    if (acked.length > 0) {
      await store.ackOutbox(acked);
      this.delivered += acked.length;
      // healthy again only once a whole batch went out without a refusal
      if (!refusedInBatch) this.lastFailure = null;
      if (Number.isFinite(oldestTime)) this.lastLagMs = Math.max(0, this.now() - oldestTime);
    }
    await this.reportMetrics(true);
    return entries.length;
  }

  /**
   * Later events wait until the refused one went out. The hold ends when the blocker is delivered, or — should it
   * never come back to this instance (another instance claimed it) — one lease after its retry time.
   */
  private isHeldBack(entry: OutboxEntry, hold: { blocker: OutboxEntry; until: number }): boolean {
    if (entry.id === hold.blocker.id) return false;
    return this.now() < hold.until + (this.options.leaseMs ?? 30_000);
  }

  private async refuse(entries: OutboxEntry[], error: string, retryInMs: number): Promise<void> {
    this.failed += entries.length;
    await this.options.store.failOutbox(
      entries.map((e) => e.id),
      error,
      Math.max(0, Math.round(retryInMs)),
    );
  }

  private async reportMetrics(force: boolean): Promise<void> {
    const hook = this.options.onMetrics;
    if (!hook) return;
    const interval = this.options.metricsIntervalMs ?? 1000;
    if (!force && this.now() - this.lastMetricsAt < interval) return;
    this.lastMetricsAt = this.now();
    hook({
      depth: await this.options.store.outboxDepth(),
      lagMs: this.lastLagMs,
      delivered: this.delivered,
      failed: this.failed,
    });
  }

  private async loop(): Promise<void> {
    const signal = this.abort.signal;
    let storeFailures = 0;
    while (!signal.aborted) {
      let claimed = 0;
      try {
        claimed = await this.relayOnce();
        await this.reportMetrics(false);
        storeFailures = 0;
      } catch (error) {
        // The store itself is failing (e.g. PostgreSQL down): back off, the outbox is still there.
        storeFailures++;
        this.options.onError?.(error, 'outbox');
        await sleep(backoffDelay(storeFailures, { initialMs: 200, maxMs: 10_000 }), signal);
        continue;
      }
      if (claimed === 0) await this.idle(signal);
    }
  }

  private idle(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.options.idleIntervalMs ?? 100);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
      if (signal.aborted) done();
    });
  }
}
