import { describe, expect, it } from 'vitest';
import { Segmenter, type SegmenterEvent } from '../src/vad/segmenter.js';
import { SILERO_SEGMENTER } from '../src/vad/silero-vad.js';

const FRAME = 256; // Silero's 32 ms frames at 8 kHz

/** probabilities per frame: speech `ms`, pause `ms`, speech `ms`, then silence; events of the whole run */
function run(pauseMs: number): SegmenterEvent[] {
  const segmenter = new Segmenter({ ...SILERO_SEGMENTER, sampleRate: 8000 });
  const frames = (ms: number, p: number) => Array<number>(Math.round((ms * 8) / FRAME)).fill(p);
  const probabilities = [
    ...frames(500, 0.01),
    ...frames(1000, 0.9),
    ...frames(pauseMs, 0.05),
    ...frames(1000, 0.9),
    ...frames(1000, 0.01),
  ];
  return probabilities.flatMap((p, i) => segmenter.push(i * FRAME, FRAME, p));
}

describe('Segmenter with the Silero settings (default pipeline)', () => {
  it('keeps one utterance across an internal pause shorter than the 200 ms hangover', () => {
    const events = run(130);
    expect(events.map((e) => e.type)).toEqual(['start', 'end']);
  });

  it('splits at a pause longer than the hangover, each utterance back-dated by the 300 ms padding', () => {
    const events = run(600);
    expect(events.map((e) => e.type)).toEqual(['start', 'end', 'start', 'end']);
    const speechStart = Math.round((500 * 8) / FRAME) * FRAME;
    expect(events[0]!.sample).toBe(speechStart - 2400);
  });

  it('reports where the speech began and ended, inside the padding, and keeps enough look-back for a padded start', () => {
    const events = run(600);
    const end = events[1]!;
    if (end.type !== 'end') throw new Error('expected an end');
    const lastSpeechFrameEnd = Math.ceil(((500 + 1000) * 8) / FRAME) * FRAME;
    expect(end.speechStart).toBe(Math.round((500 * 8) / FRAME) * FRAME);
    expect(end.speechStart - events[0]!.sample).toBe(2400);
    expect(end.speechEnd).toBeLessThan(end.sample);
    expect(Math.abs(end.speechEnd - lastSpeechFrameEnd)).toBeLessThanOrEqual(FRAME);
    const segmenter = new Segmenter({ ...SILERO_SEGMENTER, sampleRate: 8000 });
    expect(segmenter.lookBackSamples).toBe(2400 + 720);
  });

  it('ends the speech span at the last frame above the start threshold, not in the hangover that keeps it open', () => {
    const segmenter = new Segmenter({ ...SILERO_SEGMENTER, sampleRate: 8000 });
    // speech, then 5 frames Silero half believes (between negThreshold 0.35 and threshold 0.5), then silence
    const probabilities = [
      ...Array(10).fill(0.01),
      ...Array(20).fill(0.9),
      ...Array(5).fill(0.4),
      ...Array(20).fill(0.01),
    ];
    const events = probabilities.flatMap((p, i) => segmenter.push(i * FRAME, FRAME, p));
    const end = events.find((e) => e.type === 'end');
    if (end?.type !== 'end') throw new Error('expected an end');
    expect(end.speechEnd).toBe(30 * FRAME);
    // the doubtful frames still held the utterance open: it ends a hangover after them
    expect(end.sample).toBeGreaterThan(35 * FRAME);
  });
});
