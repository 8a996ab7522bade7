/** Exponential back-off with full jitter (AWS "full jitter"): spreads retries of many clients after an outage. */
export interface BackoffOptions {
  /** first delay ceiling, ms */
  initialMs: number;
  /** delay ceiling cap, ms */
  maxMs: number;
  /** 0..1 random source (injectable for tests) */
  random?: () => number;
}

/** Delay before retry number `attempt` (1 = first retry): uniform in [ceiling/2, ceiling]. */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const random = options.random ?? Math.random;
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt - 1));
  // Half fixed, half jittered: never retries immediately, still de-synchronises clients.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** A sleep that can be cut short (close()). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
