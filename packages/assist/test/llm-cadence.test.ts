import { describe, expect, it } from 'vitest';
import { LlmCadence } from '../src/llm/llm-cadence.js';

describe('LlmCadence', () => {
  it('fires every N finals', () => {
    const c = new LlmCadence({ everyFinals: 3, everySeconds: 0, clock: () => 0 });
    const fired = Array.from({ length: 9 }, () => {
      const go = c.onFinal();
      if (go) {
        c.started();
        c.finished();
      }
      return go;
    });
    expect(fired).toEqual([false, false, true, false, false, true, false, false, true]);
  });

  it('fires at the first final after T seconds even with fewer finals', () => {
    let now = 0;
    const c = new LlmCadence({ everyFinals: 100, everySeconds: 30, clock: () => now });
    expect(c.onFinal()).toBe(false);
    now = 29_999;
    expect(c.onFinal()).toBe(false);
    now = 30_000;
    expect(c.onFinal()).toBe(true);
  });

  it('never fires while a request is in flight, and fires at the next final after it finished', () => {
    const c = new LlmCadence({ everyFinals: 1, everySeconds: 0, clock: () => 0 });
    expect(c.onFinal()).toBe(true);
    c.started();
    expect(c.onFinal()).toBe(false);
    expect(c.onFinal()).toBe(false);
    expect(c.busy).toBe(true);
    c.finished();
    expect(c.onFinal()).toBe(true);
  });
});
