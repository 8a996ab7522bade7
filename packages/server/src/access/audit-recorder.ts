/**
 * AuditRecorder: takes audit entries from the access hook and writes them to the store in batches, off the request
 * path — record() only queues, and nothing on the audio path ever waits for it. The store's own write queue retries
 * while its backend is away; if even the recorder's bounded queue overflows (store gone for long), the oldest entries
 * are dropped, counted and logged rather than growing memory without bound.
 */
import type { AuditEntry, AuditLog } from '@hookscribe/conversations';

export interface AuditRecorderOptions {
  log: Pick<AuditLog, 'appendAudit'>;
  /** how long an entry may wait for its batch (default 500 ms) */
  flushIntervalMs?: number;
  /** entries per appendAudit call (default 200) */
  batchSize?: number;
  /** entries held before the oldest are dropped (default 50 000) */
  maxQueued?: number;
  onError?: (error: unknown, entries: number) => void;
  onDropped?: (entries: number) => void;
}

export class AuditRecorder {
  private queue: AuditEntry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight = new Set<Promise<void>>();
  private droppedTotal = 0;
  private lostListeners: ((reason: 'dropped' | 'failed', entries: number) => void)[] = [];
  private readonly flushIntervalMs: number;
  private readonly batchSize: number;
  private readonly maxQueued: number;

  constructor(private readonly options: AuditRecorderOptions) {
    this.flushIntervalMs = options.flushIntervalMs ?? 500;
    this.batchSize = options.batchSize ?? 200;
    this.maxQueued = options.maxQueued ?? 50_000;
  }

  get pending(): number {
    return this.queue.length;
  }

  get dropped(): number {
    return this.droppedTotal;
  }

  /** Called with every batch of entries that will not be stored (for metrics). */
  onLost(listener: (reason: 'dropped' | 'failed', entries: number) => void): void {
    this.lostListeners.push(listener);
  }

  record(entry: AuditEntry): void {
    this.queue.push(entry);
    if (this.queue.length > this.maxQueued) {
      const excess = this.queue.length - this.maxQueued;
      this.queue.splice(0, excess);
      this.droppedTotal += excess;
      this.options.onDropped?.(excess);
      for (const listener of this.lostListeners) listener('dropped', excess);
    }
    if (this.queue.length >= this.batchSize) this.flushNow();
    else this.timer ??= setTimeout(() => this.flushNow(), this.flushIntervalMs).unref();
  }

  private flushNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.batchSize);
      const write = this.options.log.appendAudit(batch).catch((error: unknown) => {
        this.options.onError?.(error, batch.length);
        for (const listener of this.lostListeners) listener('failed', batch.length);
      });
      this.inFlight.add(write);
      void write.finally(() => this.inFlight.delete(write));
    }
  }

  /** Writes everything queued and waits for the writes (bounded by the store's own close). */
  async flush(): Promise<void> {
    this.flushNow();
    await Promise.all([...this.inFlight]);
  }
}
