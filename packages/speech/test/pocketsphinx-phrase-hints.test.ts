/**
 * Phrase hints through the embedded engine: a call's hints correct its own finals, the decoders (pooled, shared)
 * decode exactly as without hints, and a call without hints is unaffected by one with them, even on one decoder.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RecognitionResult } from '../src/engine.js';
import { defaultPocketsphinxConfig } from '../src/pocketsphinx/config.js';
import { PocketsphinxEngine } from '../src/pocketsphinx/engine.js';
import { espeakSpeech } from './support/espeak-speech.js';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });

/** one channel, the finals without their (random) ids */
async function streamCall(engine: PocketsphinxEngine, pcm: Int16Array, phrases?: string[]) {
  const stream = engine.openStream({
    language: 'en-US',
    sampleRate: 8000,
    partials: false,
    ...(phrases ? { phrases } : {}),
  });
  const finals: RecognitionResult[] = [];
  const consumed = (async () => {
    for await (const r of stream.results()) if (r.isFinal) finals.push(r);
  })();
  for (let i = 0; i < pcm.length; i += 160) stream.write(pcm.subarray(i, i + 160), i);
  await stream.close();
  await consumed;
  return finals.map(({ utteranceId: _id, ...rest }) => rest);
}

describe('PocketsphinxEngine with phrase hints', () => {
  // one decoder: every call goes through the same warm decoder
  let engine: PocketsphinxEngine;
  // the model hears "premium class plan" in this espeak voice
  const speech = espeakSpeech('i would like the premium plus plan').phone;
  beforeAll(async () => {
    engine = new PocketsphinxEngine({
      pool: { ...defaultPocketsphinxConfig().pool, maxDecoders: 1, warmDecoders: 1 },
    });
    await engine.start();
  });
  afterAll(() => engine.stop());

  it("corrects the hinted call's final from the same decoded words, and leaves other calls alone", async () => {
    const before = await streamCall(engine, speech);
    expect(before.map((f) => f.text).join(' ')).not.toContain('premium plus plan');

    const hinted = await streamCall(engine, speech, ['premium plus plan', 'Contoso']);
    expect(hinted.map((f) => f.text).join(' ')).toContain('premium plus plan');
    // the decoder produced exactly the words it produced without hints: only the final was corrected
    expect(hinted.map((f) => f.raw?.words)).toEqual(before.map((f) => f.words));
    expect(hinted.map((f) => f.raw?.text)).toEqual(before.map((f) => f.text));

    // the next call on the same decoder, without hints, is decoded as the first one was
    expect(await streamCall(engine, speech)).toEqual(before);
  });

  it('keeps a call without hints unaffected while a hinted call runs at the same time', async () => {
    const alone = await streamCall(engine, speech);
    const [plain, hinted] = await Promise.all([
      streamCall(engine, speech),
      streamCall(engine, speech, ['premium plus plan']),
    ]);
    expect(plain).toEqual(alone);
    expect(hinted.map((f) => f.text).join(' ')).toContain('premium plus plan');
  });

  it('gives the same corrected finals for the same hinted call every time', async () => {
    const first = await streamCall(engine, speech, ['premium plus plan']);
    expect(await streamCall(engine, speech, ['premium plus plan'])).toEqual(first);
  });
});
