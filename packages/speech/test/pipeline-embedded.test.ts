/**
 * The whole per-call pipeline on the real embedded engine (pocketsphinx, Debian model): a stereo call with a pause,
 * checked for per-channel finals on the stream timeline. Recognition quality is the engine's business (bench:stt);
 * this checks the plumbing end to end.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PocketsphinxEngine } from '../src/pocketsphinx/engine.js';
import { CallTranscriber } from '../src/pipeline/call-transcriber.js';
import type { TranscriptEvent } from '../src/pipeline/transcript-event.js';
import { concat, loadFixture, silence } from './support/fixtures.js';

const S = 8000;
const engine = new PocketsphinxEngine({ pool: { maxDecoders: 2, warmDecoders: 2, startTimeoutMs: 60_000 } });
afterAll(() => engine.stop());

describe('CallTranscriber on the embedded engine', () => {
  it('transcribes both channels of a call with a pause, every final on the stream timeline', async () => {
    const transcripts: TranscriptEvent[] = [];
    const transcriber = new CallTranscriber({
      engines: [engine],
      onTranscript: (e) => transcripts.push(e),
      flushTimeoutMs: 150_000, // the shared test box can be slow; this test is about plumbing, not latency
    });
    await transcriber.handle({
      type: 'opened',
      media: { channels: ['external', 'internal'] },
      language: 'en-US',
    });
    const customer = concat(silence(S / 2), loadFixture('hello'), silence(2 * S));
    const agent = concat(silence(S), loadFixture('account'), silence(S));
    const frames = async (at: number, a: Int16Array, b: Int16Array) => {
      const length = Math.max(a.length, b.length);
      for (let o = 0; o < length; o += 1600) {
        const slice = (pcm: Int16Array) => {
          const out = new Int16Array(Math.min(1600, length - o));
          out.set(pcm.subarray(o, o + out.length));
          return out;
        };
        await transcriber.handle({ type: 'audio', channels: [slice(a), slice(b)], startSample: at + o });
      }
      return at + length;
    };
    let at = await frames(0, customer, agent);
    await transcriber.handle({ type: 'paused', atSample: at });
    at += 8 * S; // paused for 8 s
    at = await frames(at, concat(loadFixture('hello'), silence(S)), silence(3 * S));
    await transcriber.handle({ type: 'closing', atSample: at });

    const finals = transcripts.filter((e) => e.type === 'final');
    const ofChannel = (c: number) => finals.filter((e) => e.channel === c);
    expect(ofChannel(0).length).toBeGreaterThanOrEqual(2);
    expect(ofChannel(0)[0]!.role).toBe('customer');
    expect(ofChannel(1).length).toBeGreaterThanOrEqual(1);
    expect(ofChannel(1)[0]!.role).toBe('agent');
    expect(ofChannel(1)[0]!.text.trim().length).toBeGreaterThan(0);
    // after the pause the customer's words sit after the 8 s gap, not where the audio arrived
    const resumed = ofChannel(0).filter((e) => e.offsetSeconds > 10);
    expect(resumed.length).toBeGreaterThanOrEqual(1);
    expect(resumed[0]!.offsetSeconds).toBeGreaterThan(customer.length / S + 8 - 0.2);
    for (const e of finals) {
      for (const w of e.words) {
        expect(w.startSample).toBeGreaterThanOrEqual(e.startSample);
        expect(w.confidence).toBeGreaterThanOrEqual(0);
        expect(w.confidence).toBeLessThanOrEqual(1);
      }
    }
  }, 180_000);
});
