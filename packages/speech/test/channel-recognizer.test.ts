import { describe, expect, it } from 'vitest';
import type { RecognitionResult } from '../src/engine.js';
import { ScriptedEngine } from '../src/engines/scripted-engine.js';
import { ChannelRecognizer, openSegmentedStream } from '../src/pipeline/channel-recognizer.js';
import { SileroVad } from '../src/vad/silero-vad.js';
import { concat, loadFixture, noise, silence } from './support/fixtures.js';

const S = 8000;
const CHUNK = 1600;

function start(engine = new ScriptedEngine(), partials = false) {
  const recognizer = openSegmentedStream(engine, { language: 'en-US', sampleRate: 8000, partials });
  const results: RecognitionResult[] = [];
  const done = (async () => {
    for await (const r of recognizer.results()) results.push(r);
  })();
  return { engine, recognizer, results, done };
}

function feed(recognizer: ChannelRecognizer, pcm: Int16Array, at: number): number {
  for (let o = 0; o < pcm.length; o += CHUNK)
    recognizer.write(pcm.subarray(o, Math.min(pcm.length, o + CHUNK)), at + o);
  return at + pcm.length;
}

const finals = (results: RecognitionResult[]) => results.filter((r) => r.isFinal);
const seconds = (samples: number) => samples / S;

describe('ChannelRecognizer (segmented stream)', () => {
  it('splits two sentences separated by a 1.3 s pause into two finals on the stream timeline', async () => {
    const { recognizer, results, done } = start();
    const offset = 10 * S; // stream already 10 s in
    feed(recognizer, concat(loadFixture('two-sentences'), silence(S)), offset);
    await recognizer.close();
    await done;
    const f = finals(results);
    expect(f).toHaveLength(2);
    // sentence spans in the fixture: 0.09–1.14 s and 2.47–3.91 s
    expect(seconds(f[0]!.startSample) - 10).toBeCloseTo(0.09, 1);
    expect(seconds(f[0]!.startSample + f[0]!.durationSamples) - 10).toBeCloseTo(1.14, 1);
    expect(seconds(f[1]!.startSample) - 10).toBeCloseTo(2.47, 1);
    expect(seconds(f[1]!.startSample + f[1]!.durationSamples) - 10).toBeCloseTo(3.91, 1);
    expect(recognizer.stats.utterances).toBe(2);
  });

  it('reports a word spoken at 21.0 s after an 8 s pause at 21.0 s', async () => {
    const { recognizer, results, done } = start();
    const hello = loadFixture('hello'); // speech starts 0.1 s into the file
    const firstWord = hello.findIndex((s) => Math.abs(s) > 300);
    let position = feed(recognizer, silence(12.4 * S), 0);
    await recognizer.flush(); // paused at 12.4 s, in silence: nothing to split
    expect(finals(results)).toHaveLength(0);
    position = 20.4 * S; // resumed {start: 12.4 s, discarded: 8 s}
    const speechAt = 21.0 * S - firstWord;
    feed(recognizer, concat(silence(speechAt - position), hello, silence(S)), position);
    await recognizer.close();
    await done;
    const f = finals(results);
    expect(f).toHaveLength(1);
    expect(seconds(f[0]!.words[0]!.startSample)).toBeCloseTo(21.0, 1);
  });

  it('finalises the utterance in progress on flush, and the next one starts after it', async () => {
    const { recognizer, results, done } = start();
    const speech = loadFixture('hello');
    const half = 9600; // mid-speech (1.2 s)
    feed(recognizer, speech.subarray(0, half), 0);
    await recognizer.flush(); // e.g. language update mid-utterance
    expect(finals(results)).toHaveLength(1);
    const first = finals(results)[0]!;
    expect(first.startSample + first.durationSamples).toBeLessThanOrEqual(half);
    feed(recognizer, concat(speech.subarray(half), silence(S)), half);
    await recognizer.close();
    await done;
    const f = finals(results);
    expect(f).toHaveLength(2);
    expect(f[1]!.startSample).toBeGreaterThanOrEqual(half);
    expect(f[1]!.utteranceId).not.toBe(f[0]!.utteranceId);
  });

  it('does not split when flushed in silence (trailing silence already ended the utterance)', async () => {
    const { recognizer, results, done } = start();
    feed(recognizer, concat(loadFixture('hello'), silence(S)), 0);
    await recognizer.flush();
    await recognizer.flush();
    await recognizer.close();
    await done;
    expect(finals(results)).toHaveLength(1);
  });

  it('ends the utterance at a discard gap without a flush', async () => {
    const { recognizer, results, done } = start();
    const speech = loadFixture('hello');
    feed(recognizer, speech.subarray(0, 9600), 0);
    feed(recognizer, concat(speech.subarray(9600), silence(S)), 9600 + 5 * S); // 5 s discarded mid-speech
    await recognizer.close();
    await done;
    const f = finals(results);
    expect(f).toHaveLength(2);
    expect(f[0]!.startSample + f[0]!.durationSamples).toBeLessThanOrEqual(9600);
    expect(f[1]!.startSample).toBeGreaterThanOrEqual(9600 + 5 * S);
  });

  it('§8.2: an announced discard inside an utterance does not end it: one final whose span includes the gap', async () => {
    const { recognizer, results, done } = start();
    const speech = loadFixture('hello');
    feed(recognizer, speech.subarray(0, 9600), 0); // mid-speech at 1.2 s
    recognizer.discard(9600, 4000); // discarded {start: PT1.2S, discarded: PT0.5S}
    feed(recognizer, concat(speech.subarray(9600), silence(S)), 13600);
    await recognizer.close();
    await done;
    const f = finals(results);
    expect(f).toHaveLength(1);
    expect(f[0]!.startSample).toBeLessThan(9600);
    expect(f[0]!.startSample + f[0]!.durationSamples).toBeGreaterThan(13600);
  });

  it('§8.2: an announced discard longer than maxDiscardBridgeMs still ends the utterance', async () => {
    const { recognizer, results, done } = start();
    const speech = loadFixture('hello');
    feed(recognizer, speech.subarray(0, 9600), 0);
    recognizer.discard(9600, 5 * S); // 5 s > the 3 s default
    feed(recognizer, concat(speech.subarray(9600), silence(S)), 9600 + 5 * S);
    await recognizer.close();
    await done;
    expect(finals(results)).toHaveLength(2);
  });

  it('yields nothing for silence-only and for stationary noise', async () => {
    for (const audio of [silence(20 * S), noise(20 * S, -30), noise(20 * S, -45, 7)]) {
      const { recognizer, results, done, engine } = start(new ScriptedEngine({ speechThresholdDb: -60 }));
      feed(recognizer, audio, 0);
      await recognizer.close();
      await done;
      expect(results).toEqual([]);
      expect(recognizer.stats.utterances).toBe(0);
      expect(engine.streams[0]).toBeDefined();
    }
  });

  it('detects speech inside stationary noise', async () => {
    const { recognizer, results, done } = start(new ScriptedEngine({ speechThresholdDb: -60 }));
    const speech = loadFixture('hello');
    const noisy = noise(5 * S + speech.length, -45, 3);
    for (let i = 0; i < speech.length; i++) noisy[3 * S + i] = noisy[3 * S + i]! + speech[i]!;
    feed(recognizer, noisy, 0);
    await recognizer.close();
    await done;
    expect(recognizer.stats.utterances).toBe(1);
    expect(seconds(finals(results)[0]!.startSample)).toBeGreaterThan(2.5);
  });

  it('passes all audio to an endpointing engine and flushes it only when asked', async () => {
    const engine = new ScriptedEngine({ capabilities: { endpointing: true } });
    const { recognizer, results, done } = start(engine);
    feed(recognizer, loadFixture('two-sentences'), 0);
    await recognizer.flush();
    await recognizer.close();
    await done;
    expect(finals(results)).toHaveLength(1); // scripted engine endpoints only on flush
    const only = finals(results)[0]!;
    expect(seconds(only.startSample)).toBeLessThan(0.2); // both sentences, the silence between included
    expect(seconds(only.startSample + only.durationSamples)).toBeGreaterThan(3.8);
  });

  it('keeps partial ids equal to the final id', async () => {
    const { recognizer, results, done } = start(new ScriptedEngine(), true);
    feed(recognizer, concat(loadFixture('two-sentences'), silence(S)), 0);
    await recognizer.close();
    await done;
    const ids = new Set(finals(results).map((r) => r.utteranceId));
    const partials = results.filter((r) => !r.isFinal);
    expect(partials.length).toBeGreaterThan(0);
    for (const p of partials) expect(ids.has(p.utteranceId)).toBe(true);
  });

  it('stays bounded over three hours of silence and never feeds the engine', async () => {
    const engine = new ScriptedEngine();
    const { recognizer, results, done } = start(engine);
    const chunk = silence(CHUNK);
    let maxBuffered = 0;
    for (let at = 0; at < 3 * 3600 * S; at += CHUNK) {
      recognizer.write(chunk, at);
      if (at % (60 * S) === 0) {
        await recognizer.drained();
        maxBuffered = Math.max(maxBuffered, recognizer.bufferedSamples);
      }
    }
    await recognizer.close();
    await done;
    expect(results).toEqual([]);
    expect(maxBuffered).toBeLessThanOrEqual(0.3 * S + 256); // pre-roll + one frame
  });

  it('rejects bad audio with AudioFormatError and keeps the channel usable', async () => {
    const { recognizer, results, done } = start();
    expect(() => recognizer.write(new Uint8Array(160) as unknown as Int16Array, 0)).toThrow(/Int16Array/);
    expect(() => recognizer.write(new Int16Array(160), 1.5)).toThrow(/integer/);
    feed(recognizer, concat(loadFixture('hello'), silence(S)), 0);
    expect(() => recognizer.write(new Int16Array(160), 0)).toThrow(/overlaps/);
    await recognizer.close();
    await done;
    expect(finals(results)).toHaveLength(1);
    expect(() => recognizer.write(new Int16Array(160), 10 * S)).toThrow(/closed/);
  });

  it('works with the asynchronous Silero VAD (ONNX) as the detector', async () => {
    for (const [audio, expected] of [
      [concat(loadFixture('two-sentences'), silence(S)), 2],
      [noise(10 * S, -30), 0],
    ] as const) {
      const recognizer = openSegmentedStream(new ScriptedEngine({ speechThresholdDb: -60 }), {
        language: 'en-US',
        sampleRate: 8000,
        partials: false,
        createVad: () => SileroVad.load(),
        segmenter: { negThreshold: 0.35 },
      });
      const results: RecognitionResult[] = [];
      const done = (async () => {
        for await (const r of recognizer.results()) results.push(r);
      })();
      feed(recognizer, audio, 0);
      await recognizer.close();
      await done;
      expect(recognizer.stats.utterances).toBe(expected);
      expect(finals(results)).toHaveLength(expected);
    }
  });

  it('queues at most 60 s while the engine is still starting (or hangs starting), dropping the oldest', async () => {
    const engine = new ScriptedEngine();
    engine.start = () => new Promise(() => {}); // never ready
    const recognizer = openSegmentedStream(engine, { language: 'en-US', sampleRate: 8000, partials: false });
    feed(recognizer, silence(120 * S), 0);
    expect(recognizer.bufferedSamples).toBeLessThanOrEqual(60 * S);
    expect(recognizer.stats.droppedSamples).toBeGreaterThanOrEqual(60 * S);
    expect(recognizer.failed).toBeNull();
  });

  it('reports an engine whose start fails as failed, without throwing into the caller', async () => {
    const engine = new ScriptedEngine();
    engine.start = () => Promise.reject(new Error('model file missing'));
    const { recognizer, results, done } = start(engine);
    feed(recognizer, loadFixture('hello'), 0);
    await recognizer.close();
    await done;
    expect(results).toEqual([]);
    expect(recognizer.failed?.message).toBe('model file missing');
  });
});
