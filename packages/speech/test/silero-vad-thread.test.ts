import { describe, expect, it } from 'vitest';
import { SileroVad } from '../src/vad/silero-vad.js';
import { ThreadedSileroVad } from '../src/vad/silero-vad-thread.js';
import { concat, noise, silence } from './support/fixtures.js';

/** 256-sample windows of silence, loud noise and silence again */
function windows(): Int16Array[] {
  const pcm = concat(silence(2048), noise(4096, -12), silence(2048));
  const out: Int16Array[] = [];
  for (let i = 0; i + 256 <= pcm.length; i += 256) out.push(pcm.slice(i, i + 256));
  return out;
}

describe('ThreadedSileroVad', () => {
  it('gives the same probabilities as Silero on the calling thread, across a reset', async () => {
    const local = await SileroVad.load();
    const threaded = await ThreadedSileroVad.load();
    try {
      const frames = windows();
      const expected: number[] = [];
      const got: number[] = [];
      for (const frame of frames) expected.push(await local.probability(frame));
      for (const frame of frames) got.push(await threaded.probability(frame));
      local.reset();
      threaded.reset();
      for (const frame of frames.slice(0, 4)) expected.push(await local.probability(frame));
      for (const frame of frames.slice(0, 4)) got.push(await threaded.probability(frame));
      expect(got).toEqual(expected);
      // the noise in the middle is heard as more likely speech than the silence around it
      expect(Math.max(...got)).toBeGreaterThan(got[0]!);
    } finally {
      await local.release();
      await threaded.release();
    }
  });

  it('gives the same probabilities for a batch of windows in one request as window by window', async () => {
    const local = await SileroVad.load();
    const threaded = await ThreadedSileroVad.load();
    try {
      const frames = windows();
      const expected: number[] = [];
      for (const frame of frames) expected.push(await local.probability(frame));
      // in batches of 6 (about one 200 ms frame), the last one shorter
      const got: number[] = [];
      for (let i = 0; i < frames.length; i += 6) {
        const batch = frames.slice(i, i + 6);
        got.push(...(await threaded.probabilities(concat(...batch), batch.length)));
      }
      expect(got).toEqual(expected);
    } finally {
      await local.release();
      await threaded.release();
    }
  });

  it('keeps the channels apart: each model has its own recurrent state', async () => {
    const [a, b] = await Promise.all([ThreadedSileroVad.load(), ThreadedSileroVad.load()]);
    const reference = await SileroVad.load();
    try {
      const frames = windows();
      // interleaved requests of two channels, one fed noise-first, the other silence-only
      const quiet = silence(256);
      const [pa, pb] = [[] as number[], [] as number[]];
      for (const frame of frames) {
        const [x, y] = await Promise.all([a.probability(frame), b.probability(quiet)]);
        pa.push(x);
        pb.push(y);
      }
      const alone: number[] = [];
      for (const frame of frames) alone.push(await reference.probability(frame));
      expect(pa).toEqual(alone);
      expect(pb).not.toEqual(pa);
    } finally {
      await Promise.all([a.release(), b.release(), reference.release()]);
    }
  });
});
