import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RecognitionResult, SpeechStream } from '../src/engine.js';
import { AudioFormatError, EngineFailure } from '../src/errors.js';
import {
  DecoderFailedError,
  DecoderPool,
  DecoderPoolExhaustedError,
} from '../src/pocketsphinx/decoder-pool.js';
import { decoderArgs, defaultPocketsphinxConfig } from '../src/pocketsphinx/config.js';
import { PocketsphinxEngine } from '../src/pocketsphinx/engine.js';
import { espeakSpeech } from './support/espeak-speech.js';

// a sentence and voice the embedded model recognises well through the phone channel (dev-set WER is ~25%, so
// the assertions below ask for most words, not all)
const SENTENCE = 'i would like to pay my bill';

function feed(stream: SpeechStream, pcm: Int16Array, startSample: number, chunk: number): void {
  for (let i = 0; i < pcm.length; i += chunk)
    stream.write(pcm.subarray(i, Math.min(pcm.length, i + chunk)), startSample + i);
}

async function run(stream: SpeechStream, work: () => Promise<void>): Promise<RecognitionResult[]> {
  const results: RecognitionResult[] = [];
  const consumed = (async () => {
    for await (const r of stream.results()) results.push(r);
  })();
  await work();
  await stream.close();
  await consumed;
  return results;
}

function matchedWords(text: string, expected: string): number {
  const got = new Set(text.split(' '));
  return expected.split(' ').filter((w) => got.has(w)).length;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 10));
}

const audio = espeakSpeech(SENTENCE);

// real decoding on 2 shared cores: allow for a loaded machine (no timing is asserted)
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

describe('PocketsphinxEngine', () => {
  let engine: PocketsphinxEngine;
  beforeAll(async () => {
    engine = new PocketsphinxEngine({
      pool: { ...defaultPocketsphinxConfig().pool, maxDecoders: 2, warmDecoders: 1 },
    });
    await engine.start();
  });
  afterAll(() => engine.stop());

  it('recognises a phone-channel sentence, with words on the stream timeline after a start offset', async () => {
    const stream = engine.openStream({ language: 'en-US', sampleRate: 8000, partials: true });
    const offset = 80_000; // 10 s into the call
    const results = await run(stream, async () => {
      feed(stream, audio.phone, offset, 160);
      await stream.flush();
    });
    const finals = results.filter((r) => r.isFinal);
    expect(finals).toHaveLength(1);
    const final = finals[0]!;
    expect(matchedWords(final.text, SENTENCE)).toBeGreaterThanOrEqual(4); // of 7
    expect(final.words.length).toBeGreaterThan(3);
    for (const w of final.words) {
      expect(w.startSample).toBeGreaterThanOrEqual(offset);
      expect(w.startSample + w.durationSamples).toBeLessThanOrEqual(offset + audio.phone.length);
      expect(w.confidence).toBeGreaterThanOrEqual(0);
      expect(w.confidence).toBeLessThanOrEqual(1);
      expect(w.text).toMatch(/^[a-z']+$/); // no fillers, no (2) markers
    }
    // words in order and the result spans them
    for (let i = 1; i < final.words.length; i++) {
      expect(final.words[i]!.startSample).toBeGreaterThanOrEqual(final.words[i - 1]!.startSample);
    }
    expect(final.startSample).toBe(final.words[0]!.startSample);
    expect(final.confidence).toBeGreaterThan(0);
    // partials came first, under the same utterance id
    const partials = results.filter((r) => !r.isFinal);
    expect(partials.length).toBeGreaterThan(0);
    expect(partials.every((p) => p.utteranceId === final.utteranceId)).toBe(true);
  });

  it('decodes 16 kHz streams with timings in 16 kHz samples', async () => {
    const stream = engine.openStream({ language: 'en-us', sampleRate: 16000, partials: false });
    const results = await run(stream, async () => {
      feed(stream, audio.wide, 32_000, 640);
      await stream.flush();
    });
    const final = results.find((r) => r.isFinal)!;
    expect(matchedWords(final.text, SENTENCE)).toBeGreaterThanOrEqual(4);
    expect(final.words[0]!.startSample).toBeGreaterThanOrEqual(32_000);
    const last = final.words[final.words.length - 1]!;
    expect(last.startSample + last.durationSamples).toBeLessThanOrEqual(32_000 + audio.wide.length);
  });

  it('ends an utterance at a long gap and starts the next one at the new position', async () => {
    const stream = engine.openStream({ language: 'en-US', sampleRate: 8000, partials: false });
    const second = audio.phone.length + 5 * 8000;
    const results = await run(stream, async () => {
      feed(stream, audio.phone, 0, 1600);
      feed(stream, audio.phone, second, 1600); // 5 s discarded: no flush by the caller
      await stream.flush();
    });
    const finals = results.filter((r) => r.isFinal);
    expect(finals).toHaveLength(2);
    expect(finals[0]!.startSample + finals[0]!.durationSamples).toBeLessThanOrEqual(audio.phone.length);
    expect(finals[1]!.startSample).toBeGreaterThanOrEqual(second);
    expect(finals[0]!.utteranceId).not.toBe(finals[1]!.utteranceId);
  });

  it('reuses decoders across streams instead of creating new ones', async () => {
    const pool = engine.pool(8000);
    const before = pool.stats().created;
    for (let i = 0; i < 3; i++) {
      const stream = engine.openStream({ language: 'en-US', sampleRate: 8000, partials: false });
      await run(stream, async () => {
        feed(stream, audio.phone.subarray(0, 8000), 0, 1600);
        await stream.flush();
      });
    }
    expect(pool.stats().created).toBe(before);
    expect(pool.stats().busy).toBe(0);
  });

  it('says what it does not support', () => {
    expect(() => engine.openStream({ language: 'de-DE', sampleRate: 8000, partials: false })).toThrow(
      EngineFailure,
    );
    expect(() =>
      engine.openStream({ language: 'en-US', sampleRate: 44100 as 8000, partials: false }),
    ).toThrow(AudioFormatError);
  });
});

describe('decoder pool faults', () => {
  const args = decoderArgs(defaultPocketsphinxConfig());

  it('queues callers when all decoders are busy and refuses beyond the waiting limit', async () => {
    const pool = new DecoderPool({
      args,
      maxDecoders: 1,
      warmDecoders: 1,
      maxWaiting: 1,
      acquireTimeoutMs: 300,
    });
    try {
      await pool.start();
      const first = await pool.acquire();
      const queued = pool.acquire();
      await expect(pool.acquire()).rejects.toThrow(DecoderPoolExhaustedError); // waiting list full
      first.release();
      const second = await queued; // served by the released decoder
      await expect(pool.acquire()).rejects.toThrow(/no decoder free within 300 ms/);
      second.release();
      expect(pool.stats()).toMatchObject({ created: 1, idle: 1, busy: 0, waiting: 0 });
    } finally {
      await pool.stop();
    }
  });

  it('fails the holder of a crashed decoder and replaces it', async () => {
    const pool = new DecoderPool({ args, maxDecoders: 1, warmDecoders: 1 });
    try {
      await pool.start();
      const lease = await pool.acquire();
      await expect(lease.injectFault('exit')).rejects.toThrow(DecoderFailedError);
      expect(lease.failed?.message).toMatch(/exited/);
      lease.release();
      await until(() => pool.stats().idle === 1);
      expect(pool.stats()).toMatchObject({ died: 1, created: 2 });
      const fresh = await pool.acquire();
      await fresh.startUtterance();
      await fresh.process(audio.wide.subarray(0, 16000), false);
      expect((await fresh.endUtterance()).frames).toBeGreaterThan(90);
      fresh.release();
    } finally {
      await pool.stop();
    }
  });

  it('a hung decoder is killed by the watchdog', async () => {
    const pool = new DecoderPool({ args, maxDecoders: 1, warmDecoders: 0, requestTimeoutMs: 5000 });
    try {
      const lease = await pool.acquire();
      await expect(lease.injectFault('hang')).rejects.toThrow(/hung: no answer to 'fault' in 5000 ms/);
      lease.release();
      expect(pool.stats().died).toBe(1);
    } finally {
      await pool.stop();
    }
  });

  it('reports an unusable model as a start() failure', async () => {
    const engine = new PocketsphinxEngine({ hmm: '/nonexistent/model' });
    await expect(engine.start()).rejects.toThrow(EngineFailure);
    await engine.stop();
  });
});

describe('PocketsphinxStream when its decoder fails', () => {
  it('marks the stream failed with a clear error, keeps accepting audio, and the engine serves the next stream', async () => {
    const engine = new PocketsphinxEngine({ pool: { ...defaultPocketsphinxConfig().pool, maxDecoders: 1 } });
    await engine.start();
    try {
      const stream = engine.openStream({ language: 'en-US', sampleRate: 8000, partials: false });
      const results = await run(stream, async () => {
        feed(stream, audio.phone.subarray(0, 4000), 0, 1600);
        await until(() => engine.pool(8000).stats().busy === 1);
        engine.pool(8000).injectFault('exit');
        feed(stream, audio.phone.subarray(4000), 4000, 1600);
        await stream.flush();
        expect(stream.failed).toBeInstanceOf(EngineFailure);
        expect(stream.failed?.message).toMatch(/pocketsphinx.*exited/);
        expect(() => stream.write(new Int16Array(160), audio.phone.length)).not.toThrow();
      });
      expect(results.filter((r) => r.isFinal)).toEqual([]);

      const next = engine.openStream({ language: 'en-US', sampleRate: 8000, partials: false });
      const ok = await run(next, async () => {
        feed(next, audio.phone, 0, 1600);
        await next.flush();
      });
      expect(next.failed).toBeNull();
      expect(matchedWords(ok.find((r) => r.isFinal)!.text, SENTENCE)).toBeGreaterThanOrEqual(4);
    } finally {
      await engine.stop();
    }
  });

  it('queues a stream while all decoders are busy, then fails it clearly when its waiting audio grows too long', async () => {
    const engine = new PocketsphinxEngine({
      pool: { ...defaultPocketsphinxConfig().pool, maxDecoders: 1, acquireTimeoutMs: 60_000 },
      maxBacklogMs: 2000,
    });
    await engine.start();
    try {
      const holder = engine.openStream({ language: 'en-US', sampleRate: 8000, partials: false });
      feed(holder, audio.phone.subarray(0, 1600), 0, 1600); // utterance open: holds the only decoder
      await until(() => engine.pool(8000).stats().busy === 1);
      const waiting = engine.openStream({ language: 'en-US', sampleRate: 8000, partials: false });
      feed(waiting, new Int16Array(8000), 0, 1600); // 1 s: queued, not failed
      await until(() => engine.pool(8000).stats().waiting === 1);
      expect(waiting.failed).toBeNull();
      feed(waiting, new Int16Array(16000), 8000, 1600); // now 3 s waiting > 2 s allowed
      expect(waiting.failed?.message).toMatch(/cannot keep up: more than 2000 ms of audio waiting/);
      await holder.close();
      await waiting.close();
      expect(holder.failed).toBeNull();
      await until(() => engine.pool(8000).stats().busy === 0);
    } finally {
      await engine.stop();
    }
  });

  it('fails a stream whose decoder hangs (watchdog) without blocking flush forever', async () => {
    const engine = new PocketsphinxEngine({
      pool: { ...defaultPocketsphinxConfig().pool, maxDecoders: 1, requestTimeoutMs: 3000 },
    });
    await engine.start();
    try {
      const stream = engine.openStream({ language: 'en-US', sampleRate: 8000, partials: false });
      await run(stream, async () => {
        feed(stream, audio.phone.subarray(0, 4000), 0, 1600);
        await until(() => engine.pool(8000).stats().busy === 1);
        engine.pool(8000).injectFault('hang');
        feed(stream, audio.phone.subarray(4000), 4000, 1600);
        await stream.flush();
      });
      expect(stream.failed?.message).toMatch(/hung/);
    } finally {
      await engine.stop();
    }
  });
});
