/**
 * Client-side rate limit on server messages (digest §7.6, MUST 19): a token bucket for optional traffic (`event`)
 * plus a back-off window set by the client's `error` 429 `retryAfter`. Clock injected (milliseconds). Required
 * replies (`pong`, `closed`, `opened`) must never wait on it. Defaults: 5 messages/s, burst 25 — the figures the
 * known implementations use (unconfirmed by Genesys, §11); 3 s back-off when 429 carries no retryAfter.
 */
export interface RateLimiterOptions {
  ratePerSecond?: number;
  burst?: number;
  defaultRetryAfterMs?: number;
}

export class ServerMessageRateLimiter {
  private readonly rate: number;
  private readonly burst: number;
  private readonly defaultRetryAfterMs: number;
  private tokens: number;
  private lastRefillMs: number | null = null;
  private blockedUntilMs = 0;

  constructor(options: RateLimiterOptions = {}) {
    this.rate = options.ratePerSecond ?? 5;
    this.burst = options.burst ?? 25;
    this.defaultRetryAfterMs = options.defaultRetryAfterMs ?? 3000;
    this.tokens = this.burst;
  }

  /** Takes one token if a message may be sent now. */
  tryTake(nowMs: number): boolean {
    this.refill(nowMs);
    if (nowMs < this.blockedUntilMs || this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until tryTake can succeed (0 = now). */
  waitMs(nowMs: number): number {
    this.refill(nowMs);
    const tokenWait = this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.rate) * 1000;
    return Math.max(tokenWait, this.blockedUntilMs - nowMs, 0);
  }

  /** The client answered `error` 429: stop optional traffic for retryAfter (or the default). */
  onTooManyRequests(nowMs: number, retryAfterMs: number | null): void {
    this.blockedUntilMs = Math.max(this.blockedUntilMs, nowMs + (retryAfterMs ?? this.defaultRetryAfterMs));
    this.tokens = 0;
    this.lastRefillMs = Math.max(
      this.lastRefillMs ?? nowMs,
      nowMs + (retryAfterMs ?? this.defaultRetryAfterMs),
    );
  }

  private refill(nowMs: number): void {
    if (this.lastRefillMs === null) {
      this.lastRefillMs = nowMs;
      return;
    }
    if (nowMs <= this.lastRefillMs) return;
    this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.lastRefillMs) / 1000) * this.rate);
    this.lastRefillMs = nowMs;
  }
}
