/**
 * RedisStreamsEventBus: events in one Redis stream (XADD … MAXLEN ~ N, so the stream is trimmed approximately and
 * cheaply).
 *
 * - group subscriptions use consumer groups (XREADGROUP/XACK): workers and server instances sharing a group share the
 *   load. An event handed to a consumer that dies (or whose handler rejects) stays pending and is taken over by any
 *   consumer of the group once idle for `claimIdleMs` (XAUTOCLAIM). After `maxDeliveries` it is moved to the
 *   dead-letter stream `<stream>:dead` so one poison event cannot loop forever.
 * - fan-out subscriptions read with XREAD from the last id they saw, so every instance sees every event and a Redis
 *   blip is resumed from where it stopped (as long as the stream still holds the entries).
 *
 * Redis down: publish() rejects at once (no offline queue — the outbox keeps the event and retries); readers back
 * off and reconnect; health() reports degraded. Events Redis accepted survive a Redis restart only with persistence
 * (appendonly yes) — that is Redis configuration, see docs/events.md.
 */
import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { ConversationEvent } from '../events.js';
import {
  BusUnavailableError,
  type BusHealth,
  type EventBus,
  type EventHandler,
  type SubscribeOptions,
  type Subscription,
} from './event-bus.js';
import { parseConversationEvent } from './event-schema.js';
import { backoffDelay, sleep } from './retry-backoff.js';

export interface RedisStreamsEventBusOptions {
  /** redis://[:password@]host:port[/db] */
  url: string;
  /** stream key (default "hookscribe:events") */
  stream?: string;
  /** approximate stream length kept (default 100 000) */
  maxLength?: number;
  /** entries read per call (default 100) */
  batchSize?: number;
  /** how long a blocking read waits (default 2000 ms); bounds how fast close() returns */
  blockMs?: number;
  /** pending entries idle longer than this are reclaimed by another consumer (default 30 000 ms) */
  claimIdleMs?: number;
  /** how often a group consumer looks for reclaimable entries (default claimIdleMs / 2) */
  claimIntervalMs?: number;
  /** deliveries before an event goes to the dead-letter stream (default 10) */
  maxDeliveries?: number;
  /**
   * where a group created for the first time starts: "latest" (default: a new consumer does not replay the history
   * kept in the stream — start consumers before the outbox relay) or "earliest". A group that existed and vanished
   * (Redis restarted without persistence) is recreated from the start of the new stream, so nothing published after
   * the restart is skipped.
   */
  groupStart?: 'earliest' | 'latest';
  /** extra ioredis options (TLS, password, …) */
  redisOptions?: RedisOptions;
  /** handler failures, malformed entries, read errors */
  onError?: (error: unknown, context: string) => void;
}

type StreamEntry = [id: string, fields: string[] | null];

export class RedisStreamsEventBus implements EventBus {
  readonly name = 'redis';
  readonly stream: string;
  private readonly client: Redis;
  private readonly subscriptions = new Set<RedisSubscription>();
  private lastError: string | null = null;
  private closed = false;

  constructor(readonly options: RedisStreamsEventBusOptions) {
    this.stream = options.stream ?? 'hookscribe:events';
    this.client = this.connect('publisher');
  }

  /** @internal a connection that fails fast while Redis is down and reconnects on its own */
  connect(role: string): Redis {
    const client = new Redis(this.options.url, {
      // RESP2: stream replies as plain arrays (ioredis 6 defaults to RESP3 maps).
      protocol: 2,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectionName: `hookscribe-${role}`,
      retryStrategy: (times) => backoffDelay(times, { initialMs: 100, maxMs: 2000 }),
      ...this.options.redisOptions,
    });
    client.on('error', (error: Error) => {
      this.lastError = error.message;
    });
    client.on('ready', () => {
      if (role === 'publisher') this.lastError = null;
    });
    return client;
  }

  async publish(event: ConversationEvent): Promise<void> {
    if (this.closed) throw new BusUnavailableError('redis bus is closed');
    try {
      await this.client.xadd(
        this.stream,
        'MAXLEN',
        '~',
        this.options.maxLength ?? 100_000,
        '*',
        'event',
        JSON.stringify(event),
      );
    } catch (error) {
      throw new BusUnavailableError(`redis: ${(error as Error).message}`, { cause: error });
    }
  }

  async subscribe(handler: EventHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    if (this.closed) throw new BusUnavailableError('redis bus is closed');
    const subscription = new RedisSubscription(this, handler, options);
    this.subscriptions.add(subscription);
    subscription.start();
    await subscription.started;
    return {
      close: async () => {
        this.subscriptions.delete(subscription);
        await subscription.close();
      },
    };
  }

  async health(): Promise<BusHealth> {
    if (this.client.status === 'ready') return { bus: this.name, status: 'ok', detail: null };
    return {
      bus: this.name,
      status: 'degraded',
      detail: `redis ${this.client.status}${this.lastError ? `: ${this.lastError}` : ''}`,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.subscriptions.clear();
    this.client.disconnect();
  }

  /** @internal */
  reportError(error: unknown, context: string): void {
    this.options.onError?.(error, context);
  }
}

class RedisSubscription {
  private readonly reader: Redis;
  private readonly abort = new AbortController();
  private readonly closing = new Promise<void>((resolve) =>
    this.abort.signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  private loop: Promise<void> | null = null;
  private readonly group: string | undefined;
  private readonly consumer: string;
  private markStarted!: () => void;
  /** resolves once the subscription is positioned (fan-out) or its group exists, or after the first failure */
  readonly started = new Promise<void>((resolve) => (this.markStarted = resolve));

  constructor(
    private readonly bus: RedisStreamsEventBus,
    private readonly handler: EventHandler,
    options: SubscribeOptions,
  ) {
    this.group = options.group;
    this.consumer = options.consumer ?? `consumer-${randomUUID()}`;
    // Blocking reads need a connection of their own.
    this.reader = bus.connect(this.group ? `group-${this.group}` : 'fanout');
  }

  start(): void {
    this.loop = this.group ? this.runGroup(this.group) : this.runFanOut();
  }

  async close(): Promise<void> {
    this.abort.abort();
    this.markStarted();
    this.reader.disconnect(); // interrupts a blocking read
    await this.loop;
  }

  /** Run the handler; stop waiting for it when closed (a hanging handler must not block close()). */
  private async handle(event: ConversationEvent, id: string, attempt: number): Promise<void> {
    await Promise.race([Promise.resolve().then(() => this.handler(event, { id, attempt })), this.closing]);
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private get o() {
    return this.bus.options;
  }

  /** Run `step` until closed; back off on errors (Redis down) and call `recover` before the next try. */
  private async repeat(step: () => Promise<void>, recover: () => void = () => {}): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        if (this.reader.status !== 'ready') await this.readerReady();
        await step();
        failures = 0;
      } catch (error) {
        if (this.stopped) return;
        failures++;
        this.markStarted();
        this.bus.reportError(error, 'redis read');
        recover();
        await sleep(backoffDelay(failures, { initialMs: 100, maxMs: 2000 }), this.abort.signal);
      }
    }
  }

  private readerReady(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`redis ${this.reader.status}`)), 2000);
      const onReady = () => done();
      const onAbort = () => done();
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.reader.off('ready', onReady);
        this.abort.signal.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      this.reader.once('ready', onReady);
      this.abort.signal.addEventListener('abort', onAbort);
    });
  }

  private async runFanOut(): Promise<void> {
    let lastId: string | null = null;
    await this.repeat(async () => {
      if (lastId === null) {
        // Start after the newest entry: a concrete id (not "$") so nothing between two reads is missed.
        const newest = (await this.reader.call(
          'XREVRANGE',
          this.bus.stream,
          '+',
          '-',
          'COUNT',
          '1',
        )) as StreamEntry[];
        lastId = newest[0]?.[0] ?? '0-0';
        this.markStarted();
      }
      const reply = (await this.reader.call(
        'XREAD',
        'COUNT',
        this.o.batchSize ?? 100,
        'BLOCK',
        this.o.blockMs ?? 2000,
        'STREAMS',
        this.bus.stream,
        lastId,
      )) as [string, StreamEntry[]][] | null;
      for (const entry of reply?.[0]?.[1] ?? []) {
        if (this.stopped) return;
        lastId = entry[0];
        await this.deliverFanOut(entry);
      }
    });
  }

  private async deliverFanOut(entry: StreamEntry): Promise<void> {
    const event = this.decode(entry);
    if (!event) return;
    // Fan-out has no pending list: retry in place a few times, then move on (fan-out consumers are live views).
    for (let attempt = 1; attempt <= 3 && !this.stopped; attempt++) {
      try {
        await this.handle(event, entry[0], attempt);
        return;
      } catch (error) {
        this.bus.reportError(error, 'handler');
        await sleep(backoffDelay(attempt, { initialMs: 50, maxMs: 1000 }), this.abort.signal);
      }
    }
  }

  private async ensureGroup(group: string, recreate: boolean): Promise<void> {
    try {
      const start = recreate || this.o.groupStart === 'earliest' ? '0' : '$';
      await this.reader.call('XGROUP', 'CREATE', this.bus.stream, group, start, 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
    }
  }

  private async runGroup(group: string): Promise<void> {
    const claimIdleMs = this.o.claimIdleMs ?? 30_000;
    const claimIntervalMs = this.o.claimIntervalMs ?? Math.max(100, claimIdleMs / 2);
    let groupReady = false;
    let hadGroup = false;
    // First our own pending entries (a restart of this same consumer), then new ones.
    let ownPendingFrom: string | null = '0';
    let lastClaim = 0;
    await this.repeat(
      async () => {
        if (!groupReady) {
          await this.ensureGroup(group, hadGroup);
          groupReady = true;
          hadGroup = true;
          this.markStarted();
        }
        if (Date.now() - lastClaim >= claimIntervalMs) {
          lastClaim = Date.now();
          await this.claimIdle(group, claimIdleMs);
        }
        const reply = (await this.reader.call(
          'XREADGROUP',
          'GROUP',
          group,
          this.consumer,
          'COUNT',
          this.o.batchSize ?? 100,
          'BLOCK',
          Math.min(this.o.blockMs ?? 2000, claimIntervalMs),
          'STREAMS',
          this.bus.stream,
          ownPendingFrom ?? '>',
        )) as [string, StreamEntry[]][] | null;
        const entries = reply?.[0]?.[1] ?? [];
        if (ownPendingFrom !== null) {
          if (entries.length === 0) ownPendingFrom = null;
          else ownPendingFrom = entries[entries.length - 1]![0];
        }
        await this.deliverBatch(group, entries, () => (ownPendingFrom !== null ? 2 : 1));
      },
      // Redis may have restarted empty (no persistence): recreate the group on the next try.
      () => {
        groupReady = false;
      },
    );
  }

  /** Take over entries another (dead) consumer left pending for longer than claimIdleMs. */
  private async claimIdle(group: string, claimIdleMs: number): Promise<void> {
    let cursor = '0-0';
    do {
      const [next, entries] = (await this.reader.call(
        'XAUTOCLAIM',
        this.bus.stream,
        group,
        this.consumer,
        claimIdleMs,
        cursor,
        'COUNT',
        this.o.batchSize ?? 100,
      )) as [string, StreamEntry[], ...unknown[]];
      // entries trimmed away meanwhile come back with null fields: nothing left to deliver
      await this.deliverBatch(
        group,
        entries.filter((entry) => entry[1] !== null),
        (entry) => this.deliveryCount(group, entry[0]),
      );
      if (this.stopped) return;
      cursor = next;
    } while (cursor !== '0-0' && !this.stopped);
  }

  private async deliveryCount(group: string, id: string): Promise<number> {
    const pending = (await this.reader.call('XPENDING', this.bus.stream, group, id, id, 1)) as [
      string,
      string,
      number,
      number,
    ][];
    return Number(pending[0]?.[3] ?? 1);
  }

  /** Hand entries to the handler one by one (order), then acknowledge the handled ones in one XACK. */
  private async deliverBatch(
    group: string,
    entries: StreamEntry[],
    attemptOf: (entry: StreamEntry) => number | Promise<number>,
  ): Promise<void> {
    const handled: string[] = [];
    for (const entry of entries) {
      if (this.stopped) break;
      if (await this.deliverGrouped(group, entry, await attemptOf(entry))) handled.push(entry[0]);
    }
    // When closing the ack may not reach Redis; redelivery is allowed (at-least-once).
    if (handled.length > 0 && !this.stopped)
      await this.reader.call('XACK', this.bus.stream, group, ...handled);
  }

  /** true = to be acknowledged */
  private async deliverGrouped(group: string, entry: StreamEntry, attempt: number): Promise<boolean> {
    const [id] = entry;
    const event = this.decode(entry);
    if (!event || attempt > (this.o.maxDeliveries ?? 10)) {
      // Poison: keep it for inspection, stop redelivering.
      const fields = entry[1] ?? [];
      await this.reader.call(
        'XADD',
        `${this.bus.stream}:dead`,
        'MAXLEN',
        '~',
        10_000,
        '*',
        ...fields,
        'group',
        group,
      );
      return true;
    }
    try {
      await this.handle(event, id, attempt);
    } catch (error) {
      // Left pending: redelivered by XAUTOCLAIM after claimIdleMs.
      this.bus.reportError(error, 'handler');
      return false;
    }
    return !this.stopped;
  }

  private decode(entry: StreamEntry): ConversationEvent | null {
    const fields = entry[1] ?? [];
    const index = fields.indexOf('event');
    try {
      if (index < 0 || index % 2 !== 0) throw new Error('no "event" field');
      return parseConversationEvent(JSON.parse(fields[index + 1] ?? ''));
    } catch (error) {
      this.bus.reportError(error, `malformed stream entry ${entry[0]}`);
      return null;
    }
  }
}
