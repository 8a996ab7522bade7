import { afterEach, describe, expect, it, vi } from 'vitest';
import { SpreadFlushSchedule } from '../src/recording/spread-flush-schedule.js';

afterEach(() => vi.useRealTimers());

function item() {
  return {
    visits: 0,
    flushStale() {
      this.visits += 1;
    },
  };
}

describe('SpreadFlushSchedule', () => {
  it('visits every item once per period, a tenth of them every tenth of it', async () => {
    vi.useFakeTimers();
    const schedule = new SpreadFlushSchedule(1000);
    const items = Array.from({ length: 20 }, item);
    for (const i of items) schedule.add(i);
    await vi.advanceTimersByTimeAsync(100);
    expect(items.filter((i) => i.visits === 1)).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(900);
    expect(items.map((i) => i.visits)).toEqual(new Array(20).fill(1));
    await vi.advanceTimersByTimeAsync(1000);
    expect(items.map((i) => i.visits)).toEqual(new Array(20).fill(2));
    for (const i of items) schedule.delete(i);
  });

  it('stops visiting a deleted item, and runs no timer while empty', async () => {
    vi.useFakeTimers();
    const schedule = new SpreadFlushSchedule(1000);
    const kept = item();
    const gone = item();
    schedule.add(kept);
    schedule.add(gone);
    schedule.delete(gone);
    await vi.advanceTimersByTimeAsync(1000);
    expect([kept.visits, gone.visits]).toEqual([1, 0]);
    schedule.delete(kept);
    expect(vi.getTimerCount()).toBe(0);
  });
});
