import { describe, expect, it } from 'vitest';
import { ServerMessageRateLimiter } from '../src/index.js';

describe('ServerMessageRateLimiter', () => {
  it('MUST 19: allows a burst, then the average rate', () => {
    const limiter = new ServerMessageRateLimiter({ ratePerSecond: 5, burst: 3 });
    expect([0, 0, 0, 0].map(() => limiter.tryTake(1000))).toEqual([true, true, true, false]);
    expect(limiter.waitMs(1000)).toBe(200);
    expect(limiter.tryTake(1100)).toBe(false);
    expect(limiter.tryTake(1200)).toBe(true);
  });

  it('MUST 19: backs off for retryAfter after the client sent error 429 (default 3 s)', () => {
    const limiter = new ServerMessageRateLimiter();
    limiter.tryTake(0);
    limiter.onTooManyRequests(0, 2000);
    expect(limiter.tryTake(1999)).toBe(false);
    expect(limiter.waitMs(1000)).toBe(1000);
    expect(limiter.tryTake(2000)).toBe(false); // bucket empty at the end of the back-off
    expect(limiter.tryTake(2200)).toBe(true);
    const fallback = new ServerMessageRateLimiter();
    fallback.onTooManyRequests(0, null);
    expect(fallback.waitMs(0)).toBe(3000);
  });
});
