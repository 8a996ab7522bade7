import { describe, expect, it } from 'vitest';
import { StreamTimeline } from '../src/index.js';

describe('StreamTimeline', () => {
  it('MUST 22: counts samples (any frame size) and adds discarded/paused spans', () => {
    const t = new StreamTimeline();
    expect(t.addAudio(1600)).toBe(0);
    expect(t.addAudio(37)).toBe(1600);
    expect(t.positionSamples).toBe(1637);
    // digest §6.3 worked example: paused at 12.4 s, resumed {start 12.4 s, discarded 8 s}
    const u = new StreamTimeline();
    u.addAudio(99200);
    expect(u.addDiscarded(99200, 64000)).toBe(0);
    expect(u.positionSamples).toBe(163200); // 20.4 s
    expect(u.positionDrift('PT20.4S')).toBe(0);
    expect(u.addAudio(8000)).toBe(163200);
    expect(u.receivedSamples).toBe(107200);
    expect(u.discardedSamples).toBe(64000);
  });

  it('reports drift when the client position disagrees', () => {
    const t = new StreamTimeline();
    t.addAudio(800);
    expect(t.positionDrift('PT0.2S')).toBe(800);
    expect(t.addDiscarded(1000, 100)).toBe(200);
  });
});
