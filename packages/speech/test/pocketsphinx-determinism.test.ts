import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RecognitionResult } from '../src/engine.js';
import { defaultPocketsphinxConfig } from '../src/pocketsphinx/config.js';
import { PocketsphinxEngine } from '../src/pocketsphinx/engine.js';
import { espeakSpeech } from './support/espeak-speech.js';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });

const TESTDATA = '/usr/share/pocketsphinx/test/data/librivox';

/** One channel of a call: its utterances back to back (a flush after each), the finals without their ids. */
async function streamCall(
  engine: PocketsphinxEngine,
  utterances: Int16Array[],
  {
    reuseBuffer = false,
    pacing = 'tight',
  }: {
    reuseBuffer?: boolean;
    /** tight: 20 ms writes in one go; whole: one write per utterance; paced: the decoder catches up every 100 ms */
    pacing?: 'tight' | 'whole' | 'paced';
  } = {},
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
    if (pacing === 'whole') stream.write(pcm, at);
    for (let i = 0; pacing !== 'whole' && i < pcm.length; i += 160) {
      if (pacing === 'paced' && i % 800 === 0) await new Promise((r) => setTimeout(r, 5));
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

  it('gives identical finals however the audio was batched into decoder requests (as under load)', async () => {
    // pocketsphinx updates its live CMN once per ps_process_raw call: whatever had queued up went in as one call,
    // so word timings and confidences depended on how busy the process was. The estimate first moves after 3 s of
    // an utterance (CMN_WIN_HWM): these are longer
    const call = [
      espeakSpeech(
        'the refund takes three to five business days and you will get an email when it is on its way',
      ),
      espeakSpeech('can i have your account number please and the postcode of the address on the account'),
    ].map((s) => s.phone);
    const tight = await streamCall(engine, call);
    const whole = await streamCall(engine, call, { pacing: 'whole' });
    const paced = await streamCall(engine, call, { pacing: 'paced' });
    expect(tight.length).toBe(2);
    expect(whole).toEqual(tight);
    expect(paced).toEqual(tight);
  });

  it('decodes a long utterance the same whether it came in one request or in many', async () => {
    // a 15 s read sentence (pocketsphinx-testdata): the live CMN moves during it, so the blocks it was searched in
    // show in its scores; at 16 kHz, where no front end sits between request and search
    const read = execFileSync('sox', [
      ...['-R', `${TESTDATA}/sense_and_sensibility_01_austen_64kb-0870.wav`],
      ...['-t', 'raw', '-r', '16000', '-e', 'signed-integer', '-b', '16', '-'],
    ]);
    const pcm = new Int16Array(read.buffer, read.byteOffset, read.length / 2);
    const decode = async (pacing: 'whole' | 'paced') => {
      const stream = engine.openStream({ language: 'en-US', sampleRate: 16000, partials: false });
      const finals: RecognitionResult[] = [];
      const consumed = (async () => {
        for await (const r of stream.results()) if (r.isFinal) finals.push(r);
      })();
      if (pacing === 'whole') stream.write(pcm, 0);
      for (let i = 0; pacing === 'paced' && i < pcm.length; i += 320) {
        stream.write(pcm.subarray(i, i + 320), i);
        if (i % 1600 === 0) await new Promise((r) => setTimeout(r, 3));
      }
      await stream.close();
      await consumed;
      return finals.map(({ utteranceId: _id, ...rest }) => rest);
    };
    // the wideband decoder's first utterance ever is left out: pocketsphinx keeps a little state of the previous
    // utterance beyond the CMN (docs/speech-embedded.md, "Determinism")
    await decode('paced');
    const whole = await decode('whole');
    const paced = await decode('paced');
    expect(whole[0]?.words.length).toBeGreaterThan(10);
    expect(paced).toEqual(whole);
  });
});
