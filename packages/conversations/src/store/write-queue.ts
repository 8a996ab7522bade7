/**
 * WriteQueue: keeps writes in order per conversation and retries them with back-off while the backend is unavailable,
 * so a database outage mid-call loses nothing (bounded by maxPending; past that writes are refused clearly).
 * Writes for different conversations proceed independently.
 */
import { StoreUnavailableError } from './store-errors.js';

export interface WriteQueueOptions {
  /** writes accepted but not committed, across all keys; beyond this new writes reject */
  maxPending: number;
  /** true = transient (connection lost, disk full): keep retrying; false = reject the write */
  isRetryable: (error: unknown) => boolean;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** called on every retryable failure and on recovery (error = null) */
  onStatus?: (error: unknown | null) => void;
}

export class WriteQueue {
  private readonly tails = new Map<string, Promise<unknown>>();
  private pendingCount = 0;
  private failing: unknown = null;
  private closed = false;
  private readonly wakers = new Set<() => void>();

  constructor(private readonly options: WriteQueueOptions) {}

  get pending(): number {
    return this.pendingCount;
  }

  /** last transient error while writes are retrying; null when healthy */
  get lastError(): unknown {
    return this.failing;
  }

  run<T>(key: string, operation: () => Promise<T> | T): Promise<T> {
    if (this.closed) return Promise.reject(new StoreUnavailableError('store is closed'));
    if (this.pendingCount >= this.options.maxPending) {
      return Promise.reject(
        new StoreUnavailableError(
          `write queue full (${this.options.maxPending} pending writes): ${describe(this.failing) ?? 'backend slow'}`,
        ),
      );
    }
    this.pendingCount++;
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(
      () => this.attempt(operation),
      () => this.attempt(operation),
    );
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      this.pendingCount--;
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Wait until every accepted write has settled, or the timeout passes. Returns true when drained. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.tails.size > 0) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([...this.tails.values()]),
        new Promise((resolve) => (timer = setTimeout(resolve, remaining))),
      ]);
      clearTimeout(timer);
    }
    return true;
  }

  /** Stop retrying: writes still waiting reject with StoreUnavailableError. */
  close(): void {
    this.closed = true;
    for (const wake of this.wakers) wake();
  }

  private async attempt<T>(operation: () => Promise<T> | T): Promise<T> {
    let backoff = this.options.initialBackoffMs ?? 100;
    const maxBackoff = this.options.maxBackoffMs ?? 5_000;
    for (;;) {
      try {
        const value = await operation();
        if (this.failing !== null) {
          this.failing = null;
          this.options.onStatus?.(null);
        }
        return value;
      } catch (error) {
        if (!this.options.isRetryable(error)) throw error;
        this.failing = error;
        this.options.onStatus?.(error);
        if (this.closed)
          throw new StoreUnavailableError(`store closed with unwritten data: ${describe(error)}`);
        await this.sleep(backoff + Math.random() * backoff * 0.2);
        if (this.closed)
          throw new StoreUnavailableError(`store closed with unwritten data: ${describe(error)}`);
        backoff = Math.min(maxBackoff, backoff * 2);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }
}

export function describe(error: unknown): string | null {
  if (error === null || error === undefined) return null;
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
