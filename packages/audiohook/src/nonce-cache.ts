/**
 * Bounded replay cache for signature nonces. Clock injected. Entries expire after `ttlSeconds`; when full, the
 * oldest entry is evicted, so pick maxEntries ≥ expected signed upgrades per ttl window (eviction only reopens a
 * nonce whose signature is already close to its age limit).
 */
export interface NonceCacheOptions {
  maxEntries: number;
  ttlSeconds: number;
}

export class NonceCache {
  /** nonce → expiry (seconds); Map iteration order = insertion order ≈ expiry order */
  private readonly entries = new Map<string, number>();

  constructor(private readonly options: NonceCacheOptions) {
    if (options.maxEntries < 1) throw new RangeError('maxEntries must be at least 1');
  }

  get size(): number {
    return this.entries.size;
  }

  /** Returns false when the nonce was seen within its ttl (a replay); otherwise remembers it and returns true. */
  checkAndRemember(nonce: string, nowSeconds: number): boolean {
    this.purge(nowSeconds);
    const expiry = this.entries.get(nonce);
    if (expiry !== undefined && expiry > nowSeconds) return false;
    this.entries.delete(nonce);
    while (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    this.entries.set(nonce, nowSeconds + this.options.ttlSeconds);
    return true;
  }

  private purge(nowSeconds: number): void {
    for (const [nonce, expiry] of this.entries) {
      if (expiry > nowSeconds) break;
      this.entries.delete(nonce);
    }
  }
}
