import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RecognitionResult } from '../src/engine.js';
import { defaultPocketsphinxConfig } from '../src/pocketsphinx/config.js';
import { PocketsphinxEngine } from '../src/pocketsphinx/engine.js';
import { espeakSpeech } from './support/espeak-speech.js';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });

/** One channel of a call: its utterances back to back (a flush after each), the finals without their ids. */
async function streamCall(
  engine: PocketsphinxEngine,
  utterances: Int16Array[],
  { reuseBuffer = false }: { reuseBuffer?: boolean } = {},
) {
  const stream = engine.openStream({ language: 'en-US', sampleRate: 8000, partials: false });
  const finals: RecognitionResult[] = [];
  const consumed = (async () => {
    for await (const r of stream.results()) if (r.isFinal) finals.push(r);
  })();
  let at = 0;
  // reuseBuffer: every write comes from one buffer the caller refills at once, as a reader with one chunk does
  const chunk = new Int16Array(160);
  for (const pcm of utterances) {
    for (let i = 0; i < pcm.length; i += 160) {
      const piece = pcm.subarray(i, i + 160);
      if (!reuseBuffer) stream.write(piece, at + i);
      else {
        chunk.set(piece);
        stream.write(chunk.subarray(0, piece.length), at + i);
        chunk.fill(0);
      }
    }
    at += pcm.length + 8000; // 1 s pause between utterances
    await stream.flush();
  }
  await stream.close();
  await consumed;
  return finals.map(({ utteranceId: _id, ...rest }) => rest);
}

/** the same audio 18 dB louder and without its low end: a different line, so a very different cepstral mean */
function otherLine(pcm: Int16Array): Int16Array {
  const out = new Int16Array(pcm.length);
  let previous = 0;
  for (let i = 0; i < pcm.length; i++) {
    const highPassed = pcm[i]! - 0.95 * previous;
    previous = pcm[i]!;
    out[i] = Math.max(-32768, Math.min(32767, Math.round(highPassed * 4)));
  }
  return out;
}

describe('PocketsphinxEngine determinism', () => {
  // one decoder: every utterance of every call goes through the same warm decoder
  let engine: PocketsphinxEngine;
  beforeAll(async () => {
    engine = new PocketsphinxEngine({
      pool: { ...defaultPocketsphinxConfig().pool, maxDecoders: 1, warmDecoders: 1 },
    });
    await engine.start();
  });
  afterAll(() => engine.stop());

  it('gives identical finals for the same call streamed twice, with another call on the same decoder in between', async () => {
    const call = [
      espeakSpeech('the refund takes three to five business days'),
      espeakSpeech('can i have your account number please'),
    ].map((s) => s.phone);
    const other = [
      otherLine(espeakSpeech('i want to cancel my subscription today', 'en-gb+m3', 170).phone),
      otherLine(espeakSpeech('my internet has been down since monday', 'en-gb+m3', 170).phone),
    ];

    const first = await streamCall(engine, call);
    await streamCall(engine, other);
    const again = await streamCall(engine, call);

    expect(first.length).toBe(2);
    expect(first.every((f) => f.words.length > 0)).toBe(true);
    expect(again).toEqual(first);
  });

  it('gives the same finals when the caller reuses one buffer for every write (the stream keeps its own copy)', async () => {
    const call = [espeakSpeech('the refund takes three to five business days').phone];
    const fresh = await streamCall(engine, call);
    const reused = await streamCall(engine, call, { reuseBuffer: true });
    expect(fresh[0]?.words.length).toBeGreaterThan(0);
    expect(reused).toEqual(fresh);
  });
});
