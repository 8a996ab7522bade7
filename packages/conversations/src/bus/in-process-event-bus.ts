/**
 * InProcessEventBus: the default, single-box bus. Each group (and each fan-out subscriber, which is a group of one)
 * has an in-memory queue; its consumers take events one at a time, a rejected handler puts the event back at the
 * head of the queue after a back-off (so order within a group with one consumer is kept). Nothing survives a restart —
 * durability comes from the store's outbox, which is acked once publish() has queued the event.
 */
import { randomUUID } from 'node:crypto';
import type { ConversationEvent } from '../events.js';
import {
  BusUnavailableError,
  type BusHealth,
  type EventBus,
  type EventHandler,
  type SubscribeOptions,
  type Subscription,
} from './event-bus.js';
import { backoffDelay } from './retry-backoff.js';

export interface InProcessEventBusOptions {
  /** per-group queue cap; publish rejects (outbox retries) rather than growing memory without bound */
  maxQueuedPerGroup?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** handler failures (the event is redelivered) */
  onHandlerError?: (error: unknown, event: ConversationEvent) => void;
}

interface QueuedEvent {
  event: ConversationEvent;
  id: string;
  attempt: number;
}

class GroupQueue {
  readonly items: QueuedEvent[] = [];
  readonly consumers = new Set<Consumer>();
  constructor(readonly durable: boolean) {}

  /** Hand queued events to idle consumers. */
  pump(): void {
    for (const consumer of this.consumers) {
      if (this.items.length === 0) return;
      if (!consumer.busy) consumer.take(this.items.shift()!);
    }
  }
}

class Consumer {
  busy = false;
  closed = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private held: QueuedEvent | null = null;

  constructor(
    private readonly queue: GroupQueue,
    private readonly handler: EventHandler,
    private readonly bus: InProcessEventBus,
  ) {}

  take(item: QueuedEvent): void {
    this.busy = true;
    this.held = item;
    void this.run(item);
  }

  private async run(item: QueuedEvent): Promise<void> {
    let ok = false;
    try {
      await this.handler(item.event, { id: item.id, attempt: item.attempt });
      ok = true;
    } catch (error) {
      this.bus.reportHandlerError(error, item.event);
    }
    if (this.closed) return; // close() already returned the held event to the queue
    this.held = null;
    if (ok) {
      this.busy = false;
      this.queue.pump();
      return;
    }
    // Redeliver after a back-off; keep this consumer busy meanwhile so order is preserved.
    const retry: QueuedEvent = { ...item, attempt: item.attempt + 1 };
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.busy = false;
      this.queue.items.unshift(retry);
      this.queue.pump();
    }, this.bus.retryDelay(item.attempt));
    this.retryTimer.unref?.();
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    // An event handed out but not acknowledged goes back to the group.
    if (this.held) this.queue.items.unshift({ ...this.held, attempt: this.held.attempt + 1 });
    this.held = null;
    this.queue.consumers.delete(this);
    this.queue.pump();
  }
}

export class InProcessEventBus implements EventBus {
  readonly name = 'inprocess';
  private readonly groups = new Map<string, GroupQueue>();
  private sequence = 0;
  private closed = false;
  private readonly maxQueued: number;

  constructor(private readonly options: InProcessEventBusOptions = {}) {
    this.maxQueued = options.maxQueuedPerGroup ?? 100_000;
  }

  async publish(event: ConversationEvent): Promise<void> {
    if (this.closed) throw new BusUnavailableError('in-process bus is closed');
    for (const [group, queue] of this.groups) {
      // A group nobody consumes any more must not stall everyone: it keeps only the newest events.
      if (queue.consumers.size === 0) {
        if (queue.items.length >= this.maxQueued) queue.items.shift();
        continue;
      }
      if (queue.items.length >= this.maxQueued) {
        throw new BusUnavailableError(
          `in-process bus: group "${group}" has ${queue.items.length} events queued`,
        );
      }
    }
    const id = String(++this.sequence);
    for (const queue of this.groups.values()) {
      queue.items.push({ event, id, attempt: 1 });
      queue.pump();
    }
  }

  async subscribe(handler: EventHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    if (this.closed) throw new BusUnavailableError('in-process bus is closed');
    const key = options.group !== undefined ? `group:${options.group}` : `fanout:${randomUUID()}`;
    let queue = this.groups.get(key);
    if (!queue) {
      queue = new GroupQueue(options.group !== undefined);
      this.groups.set(key, queue);
    }
    const consumer = new Consumer(queue, handler, this);
    queue.consumers.add(consumer);
    queue.pump();
    const groups = this.groups;
    return {
      async close() {
        if (consumer.closed) return;
        consumer.close();
        // Fan-out queues die with their only subscriber; group queues keep events for the next consumer.
        if (!queue.durable) groups.delete(key);
      },
    };
  }

  async health(): Promise<BusHealth> {
    return this.closed
      ? { bus: this.name, status: 'degraded', detail: 'closed' }
      : { bus: this.name, status: 'ok', detail: null };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const queue of this.groups.values()) for (const consumer of [...queue.consumers]) consumer.close();
    this.groups.clear();
  }

  /** @internal */
  reportHandlerError(error: unknown, event: ConversationEvent): void {
    this.options.onHandlerError?.(error, event);
  }

  /** @internal */
  retryDelay(attempt: number): number {
    return backoffDelay(attempt, {
      initialMs: this.options.retryInitialMs ?? 100,
      maxMs: this.options.retryMaxMs ?? 10_000,
    });
  }
}
