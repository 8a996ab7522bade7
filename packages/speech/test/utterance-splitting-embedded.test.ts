/**
 * The compliance suite's utterance rules (digest §8.2) on the real embedded engine: an `update` inside an utterance
 * splits it at the update's position (the same language included), one in silence does not; a `discarded` span
 * inside an utterance gives one final that covers the gap; a pause inside one splits it. Offsets are compared with
 * the speech span of the signal within ±0.5 s, as the suite does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PocketsphinxEngine } from '../src/pocketsphinx/engine.js';
import { CallTranscriber } from '../src/pipeline/call-transcriber.js';
import type { CallInputEvent } from '../src/pipeline/call-input.js';
import type { TranscriptEvent } from '../src/pipeline/transcript-event.js';
import { espeakSpeech } from './support/espeak-speech.js';
import { concat, silence } from './support/fixtures.js';

const S = 8000;
const FRAME = 1600;
const engine = new PocketsphinxEngine({ pool: { maxDecoders: 1, warmDecoders: 1, startTimeoutMs: 60_000 } });
afterAll(() => engine.stop());

/** 1 s of silence, then the utterance (with its 0.3 s pads), then 1.5 s of silence */
let call: Int16Array;
let speech: { start: number; end: number };
beforeAll(() => {
  call = concat(
    silence(S),
    espeakSpeech('please check the balance on my account today').phone,
    silence(1.5 * S),
  );
  const loud = (i: number) => Math.abs(call[i]!) > 500;
  let start = 0;
  while (!loud(start)) start += 1;
  let end = call.length - 1;
  while (!loud(end)) end -= 1;
  speech = { start, end };
});

/** the middle of the utterance, on the 200 ms frame grid the client sends */
const middle = () => Math.round((speech.start + speech.end) / 2 / FRAME) * FRAME;

async function run(steps: (t: Transcribe) => Promise<void>): Promise<TranscriptEvent[]> {
  const transcripts: TranscriptEvent[] = [];
  const transcriber = new CallTranscriber({
    engines: [engine],
    onTranscript: (e) => transcripts.push(e),
    flushTimeoutMs: 150_000, // the shared test box can be slow; this is about boundaries, not latency
  });
  await transcriber.handle({ type: 'opened', media: { channels: ['external'] }, language: 'en-US' });
  await steps(new Transcribe(transcriber));
  await transcriber.handle({ type: 'closing', atSample: 0 });
  return transcripts.filter((e) => e.type === 'final');
}

class Transcribe {
  constructor(private readonly transcriber: CallTranscriber) {}

  /** streams call[from, to) in 200 ms frames at stream position `at` */
  async audio(from: number, to: number, at: number): Promise<void> {
    for (let o = from; o < to; o += FRAME) {
      const pcm = call.slice(o, Math.min(to, o + FRAME));
      await this.transcriber.handle({ type: 'audio', channels: [pcm], startSample: at + (o - from) });
    }
  }

  event(event: CallInputEvent): Promise<void> {
    return this.transcriber.handle(event);
  }
}

const seconds = (samples: number) => samples / S;
const end = (e: TranscriptEvent) => e.startSample + e.durationSamples;

describe('utterance boundaries on the embedded engine (compliance suite cases, digest §8.2)', () => {
  it('update with the same language during an utterance: two finals, split at the update', async () => {
    const at = middle();
    const finals = await run(async (t) => {
      await t.audio(0, at, 0);
      await t.event({ type: 'update', language: 'en-US', atSample: at });
      await t.audio(at, call.length, at);
    });
    expect(finals).toHaveLength(2);
    expect(Math.abs(seconds(finals[0]!.startSample) - seconds(speech.start))).toBeLessThanOrEqual(0.5);
    expect(Math.abs(seconds(end(finals[0]!)) - seconds(at))).toBeLessThanOrEqual(0.5);
    expect(Math.abs(seconds(finals[1]!.startSample) - seconds(at))).toBeLessThanOrEqual(0.5);
    expect(Math.abs(seconds(end(finals[1]!)) - seconds(speech.end))).toBeLessThanOrEqual(0.5);
  });

  it('update during silence: nothing splits', async () => {
    const finals = await run(async (t) => {
      await t.audio(0, 0.6 * S, 0);
      await t.event({ type: 'update', language: 'en-US', atSample: 0.6 * S });
      await t.audio(0.6 * S, call.length, 0.6 * S);
    });
    expect(finals).toHaveLength(1);
  });

  it('discarded 0.5 s during an utterance: one final whose span includes the gap', async () => {
    const at = middle();
    const gap = 0.5 * S;
    const finals = await run(async (t) => {
      await t.audio(0, at, 0);
      await t.event({ type: 'discarded', startSample: at, discardedSamples: gap });
      await t.audio(at + gap, call.length, at + gap); // the client dropped that audio; the clock ran on
    });
    expect(finals).toHaveLength(1);
    expect(Math.abs(seconds(finals[0]!.startSample) - seconds(speech.start))).toBeLessThanOrEqual(0.5);
    expect(Math.abs(seconds(end(finals[0]!)) - seconds(speech.end))).toBeLessThanOrEqual(0.5);
    expect(end(finals[0]!)).toBeGreaterThan(at + gap);
  });

  it('pause during an utterance: two finals', async () => {
    const at = middle();
    const finals = await run(async (t) => {
      await t.audio(0, at, 0);
      await t.event({ type: 'paused', atSample: at });
      await t.event({ type: 'resumed', startSample: at, discardedSamples: 0.5 * S });
      await t.audio(at + 0.5 * S, call.length, at + 0.5 * S);
    });
    expect(finals).toHaveLength(2);
    expect(end(finals[0]!)).toBeLessThanOrEqual(at + 0.1 * S);
    expect(finals[1]!.startSample).toBeGreaterThanOrEqual(at + 0.5 * S - 0.1 * S);
  });
});
