import { describe, expect, it } from 'vitest';
import { FrameClock, type FrameClockMember } from '../src/frame-clock.js';
import { LatencyStats } from '../src/latency-stats.js';
import { ToneSource } from '../src/tone-source.js';

/** A wheel of 4 slots over a 40 ms frame, driven by a fake clock. */
function fakeClock() {
  let t = 1000;
  const clock = new FrameClock(40, 4, { now: () => t, manual: true });
  return {
    clock,
    advance(ms: number) {
      t += ms;
      clock.runDue();
    },
  };
}

function recorder(log: string[], name: string): FrameClockMember {
  return { onFrameTick: (due) => void log.push(`${name}${due}`) };
}

describe('FrameClock', () => {
  it('calls a member once per frame period with the count of frames due since it joined', () => {
    const { clock, advance } = fakeClock();
    const log: string[] = [];
    clock.add(recorder(log, 'a')); // joins at the next 10 ms slot boundary
    advance(5);
    expect(log).toEqual([]);
    advance(5);
    expect(log).toEqual(['a1']);
    advance(30);
    expect(log).toEqual(['a1']);
    advance(10);
    expect(log).toEqual(['a1', 'a2']);
    for (let i = 0; i < 8; i++) advance(10);
    expect(log).toEqual(['a1', 'a2', 'a3', 'a4']);
  });

  it('puts members that join at different times in different slots, spreading the sends', () => {
    const { clock, advance } = fakeClock();
    const log: string[] = [];
    clock.add(recorder(log, 'a'));
    advance(10);
    clock.add(recorder(log, 'b'));
    advance(10);
    advance(10);
    advance(10);
    advance(10);
    advance(10);
    expect(log).toEqual(['a1', 'b1', 'a2', 'b2']);
  });

  it('after a stall it calls each member once with the frames it has to catch up', () => {
    const { clock, advance } = fakeClock();
    const log: string[] = [];
    clock.add(recorder(log, 'a'));
    advance(10);
    advance(200); // five frame periods at once
    expect(log).toEqual(['a1', 'a6']);
  });

  it('a removed member is not called again', () => {
    const { clock, advance } = fakeClock();
    const log: string[] = [];
    const a = recorder(log, 'a');
    clock.add(a);
    clock.add(recorder(log, 'b'));
    clock.remove(a);
    for (let i = 0; i < 6; i++) advance(10);
    expect(log).toEqual(['b1', 'b2']);
    expect(clock.size).toBe(1);
  });
});

describe('LatencyStats', () => {
  it('reports nearest-rank p50/p99/max', () => {
    const stats = new LatencyStats();
    for (let i = 2000; i >= 1; i--) stats.add(i);
    expect(stats.summary()).toEqual({ count: 2000, p50: 1000, p99: 1980, max: 2000 });
    expect(new LatencyStats().summary()).toEqual({ count: 0, p50: null, p99: null, max: null });
  });
});

describe('ToneSource', () => {
  it('plays hz on external and 1.5 x hz on internal, continuous across reads', () => {
    const tone = new ToneSource(400);
    const [ext, int] = tone.read(0, 8000);
    const crossings = (a: Int16Array) =>
      a.reduce((n, v, i) => n + (i > 0 && a[i - 1]! < 0 && v >= 0 ? 1 : 0), 0);
    expect(crossings(ext)).toBeGreaterThanOrEqual(399);
    expect(crossings(ext)).toBeLessThanOrEqual(400);
    expect(crossings(int)).toBeGreaterThanOrEqual(599);
    expect(crossings(int)).toBeLessThanOrEqual(600);
    // a read that wraps the one-second table continues the same waveform
    const wrapped = tone.read(7900, 200)[0];
    expect(Array.from(wrapped.subarray(0, 100))).toEqual(Array.from(ext.subarray(7900)));
    expect(Array.from(wrapped.subarray(100))).toEqual(Array.from(ext.subarray(0, 100)));
  });
});
