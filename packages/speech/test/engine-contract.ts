/**
 * The SpeechEngine contract: every engine (scripted, fallback, OpenAI-compatible, Azure, embedded pocketsphinx) runs
 * this suite. It checks the port's invariants, not recognition quality (except `expectedWords`, loosely).
 *
 * Decisions encoded here: write() after close() throws StreamClosedError; write() of anything but Int16Array, or at a
 * position before audio already fed, throws AudioFormatError; gaps between writes are allowed. Engines that take
 * µ-law (capabilities.mulawInput, fixture `mulawInput`) also pass the writeMulaw checks: the same rules, mixed freely
 * with write() on one timeline.
 */
import { mulawEncode } from '@hookscribe/audiohook';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecognitionResult, SpeechEngine, SpeechStream } from '../src/engine.js';
import { AudioFormatError, StreamClosedError } from '../src/errors.js';

export interface EngineContractFixtures {
  /** 8 kHz speech, a few seconds */
  speech8k: Int16Array;
  /** words that should appear in the final text (checked loosely: at least half of them) */
  expectedWords?: string[];
  language?: string;
  /** the engine declares capabilities.mulawInput: run the writeMulaw checks too */
  mulawInput?: boolean;
}

const CHUNK = 1600; // 200 ms, the AudioHook frame size

function writeChunked(stream: SpeechStream, pcm: Int16Array, startSample: number): void {
  for (let offset = 0; offset < pcm.length; offset += CHUNK) {
    stream.write(pcm.subarray(offset, Math.min(pcm.length, offset + CHUNK)), startSample + offset);
  }
}

/** Runs a stream to the end and returns everything it produced. */
async function collect(
  stream: SpeechStream,
  feed: (soFar: RecognitionResult[]) => Promise<void>,
): Promise<RecognitionResult[]> {
  const results: RecognitionResult[] = [];
  const consumed = (async () => {
    for await (const result of stream.results()) results.push(result);
  })();
  await feed(results);
  await stream.close();
  await consumed;
  return results;
}

function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}' ]+/gu, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

export function describeEngineContract(
  name: string,
  makeEngine: () => Promise<SpeechEngine>,
  fixtures: EngineContractFixtures,
): void {
  describe(`SpeechEngine contract: ${name}`, () => {
    let engine: SpeechEngine;
    const language = fixtures.language ?? 'en-US';
    const open = (partials = true) => engine.openStream({ language, sampleRate: 8000, partials });

    beforeAll(async () => {
      engine = await makeEngine();
      await engine.start();
    });
    afterAll(async () => {
      await engine?.stop();
    });

    it('start() is idempotent and capabilities are well-formed', async () => {
      await engine.start();
      await engine.start();
      expect(typeof engine.name).toBe('string');
      expect(engine.name.length).toBeGreaterThan(0);
      expect(engine.capabilities.languages.length).toBeGreaterThan(0);
      expect(engine.capabilities.languages.map((l) => l.toLowerCase())).toContain(language.toLowerCase());
    });

    it('gives a final after flush, on the fed timeline including a start offset', async () => {
      const offset = 5 * 8000 + 123;
      const stream = open();
      const atFlush: RecognitionResult[] = [];
      const results = await collect(stream, async (soFar) => {
        writeChunked(stream, fixtures.speech8k, offset);
        await stream.flush();
        await new Promise((resolve) => setImmediate(resolve)); // let the consumer take queued results
        atFlush.push(...soFar);
      });
      const finals = results.filter((r) => r.isFinal && r.text.trim() !== '');
      expect(finals.length).toBeGreaterThan(0);
      expect(atFlush.some((r) => r.isFinal)).toBe(true);
      const end = offset + fixtures.speech8k.length;
      const tolerance = 0.25 * 8000; // engines may pad an utterance a little
      for (const r of results) {
        expect(r.startSample).toBeGreaterThanOrEqual(offset - tolerance);
        expect(r.startSample + r.durationSamples).toBeLessThanOrEqual(end + tolerance);
        expect(r.language.toLowerCase()).toBe(language.toLowerCase());
        expect(r.engine.length).toBeGreaterThan(0);
      }
      if (fixtures.expectedWords) {
        const got = new Set(finals.flatMap((r) => words(r.text)));
        const hits = fixtures.expectedWords.filter((w) => got.has(w.toLowerCase()));
        expect(hits.length).toBeGreaterThanOrEqual(Math.ceil(fixtures.expectedWords.length / 2));
      }
    });

    it('keeps partial ids equal to their final id, words ordered inside the utterance, confidences in [0,1]', async () => {
      const stream = open(true);
      const results = await collect(stream, async () => {
        writeChunked(stream, fixtures.speech8k, 0);
        await stream.flush();
      });
      const finalIds = new Set(results.filter((r) => r.isFinal).map((r) => r.utteranceId));
      const finished = new Set<string>();
      for (const r of results) {
        if (r.isFinal) finished.add(r.utteranceId);
        else {
          expect(finalIds.has(r.utteranceId)).toBe(true);
          expect(finished.has(r.utteranceId)).toBe(false); // no partial after its final
        }
        expect(r.confidence).toBeGreaterThanOrEqual(0);
        expect(r.confidence).toBeLessThanOrEqual(1);
        let previous = -1;
        for (const w of r.words) {
          expect(w.startSample).toBeGreaterThanOrEqual(previous);
          previous = w.startSample;
          expect(w.durationSamples).toBeGreaterThanOrEqual(0);
          expect(w.startSample).toBeGreaterThanOrEqual(r.startSample);
          expect(w.startSample + w.durationSamples).toBeLessThanOrEqual(r.startSample + r.durationSamples);
          expect(w.confidence).toBeGreaterThanOrEqual(0);
          expect(w.confidence).toBeLessThanOrEqual(1);
          expect(w.text.trim().length).toBeGreaterThan(0);
        }
      }
      // final ids are unique per utterance
      expect(finalIds.size).toBe(results.filter((r) => r.isFinal).length);
    });

    it('accepts gaps in the timeline (pause/discard) and reports results inside the fed spans', async () => {
      const stream = open(false);
      const half = Math.floor(fixtures.speech8k.length / 2);
      const gapStart = 2 * 8000;
      const resumeAt = gapStart + half + 8 * 8000; // an 8 s pause
      const results = await collect(stream, async () => {
        writeChunked(stream, fixtures.speech8k.subarray(0, half), gapStart);
        await stream.flush();
        writeChunked(stream, fixtures.speech8k.subarray(half), resumeAt);
        await stream.flush();
      });
      const tolerance = 0.25 * 8000;
      for (const r of results.filter((x) => x.isFinal)) {
        const inFirst = r.startSample + r.durationSamples <= gapStart + half + tolerance;
        const inSecond = r.startSample >= resumeAt - tolerance;
        expect(inFirst || inSecond).toBe(true);
      }
    });

    it('gives no final text for silence', async () => {
      const stream = open();
      const results = await collect(stream, async () => {
        writeChunked(stream, new Int16Array(3 * 8000), 0);
        await stream.flush();
      });
      expect(results.filter((r) => r.isFinal && r.text.trim() !== '')).toEqual([]);
    });

    it('ends the results iterator on close, and a second close is harmless', async () => {
      const stream = open();
      const results = await collect(stream, async () => {
        writeChunked(stream, fixtures.speech8k, 0);
      });
      await stream.close();
      // close flushed the utterance in progress
      expect(results.some((r) => r.isFinal && r.text.trim() !== '')).toBe(true);
    });

    it('rejects write after close with StreamClosedError', async () => {
      const stream = open();
      await collect(stream, async () => {});
      expect(() => stream.write(new Int16Array(160), 0)).toThrow(StreamClosedError);
    });

    it('rejects undecodable audio with AudioFormatError and keeps working', async () => {
      const stream = open();
      const results = await collect(stream, async () => {
        expect(() => stream.write(new Float32Array(160) as unknown as Int16Array, 0)).toThrow(
          AudioFormatError,
        );
        expect(() => stream.write(new Int16Array(160), -5)).toThrow(AudioFormatError);
        stream.write(new Int16Array(1600), 0);
        expect(() => stream.write(new Int16Array(160), 800)).toThrow(AudioFormatError); // overlaps
        writeChunked(stream, fixtures.speech8k, 1600);
        await stream.flush();
      });
      expect(stream.failed).toBeNull();
      expect(results.some((r) => r.isFinal && r.text.trim() !== '')).toBe(true);
    });

    if (fixtures.mulawInput) describeMulawContract(() => engine, open, fixtures.speech8k);
  });
}

function describeMulawContract(
  engineOf: () => SpeechEngine,
  open: (partials?: boolean) => SpeechStream,
  speech8k: Int16Array,
): void {
  const mulaw = mulawEncode(speech8k);
  const writeMulawChunked = (stream: SpeechStream, bytes: Uint8Array, startSample: number) => {
    for (let offset = 0; offset < bytes.length; offset += CHUNK) {
      stream.writeMulaw!(
        bytes.subarray(offset, Math.min(bytes.length, offset + CHUNK)),
        startSample + offset,
      );
    }
  };

  it('takes µ-law through writeMulaw, mixed with write() on one timeline', async () => {
    expect(engineOf().capabilities.mulawInput).toBe(true);
    const offset = 3 * 8000;
    const half = Math.floor(speech8k.length / 2 / CHUNK) * CHUNK;
    const stream = open(false);
    expect(typeof stream.writeMulaw).toBe('function');
    const results = await collect(stream, async () => {
      writeChunked(stream, speech8k.subarray(0, half), offset);
      writeMulawChunked(stream, mulaw.subarray(half), offset + half);
      await stream.flush();
    });
    const finals = results.filter((r) => r.isFinal && r.text.trim() !== '');
    expect(finals.length).toBeGreaterThan(0);
    const tolerance = 0.25 * 8000;
    for (const r of finals) {
      expect(r.startSample).toBeGreaterThanOrEqual(offset - tolerance);
      expect(r.startSample + r.durationSamples).toBeLessThanOrEqual(offset + speech8k.length + tolerance);
    }
  });

  it('rejects writeMulaw of anything but bytes, or overlapping audio either way, with AudioFormatError', async () => {
    const stream = open(false);
    const results = await collect(stream, async () => {
      expect(() => stream.writeMulaw!(new Int16Array(160) as unknown as Uint8Array, 0)).toThrow(
        AudioFormatError,
      );
      expect(() => stream.writeMulaw!(new Uint8Array(160), -1)).toThrow(AudioFormatError);
      expect(() => stream.writeMulaw!(new Uint8Array(160), 0, new Int16Array(80))).toThrow(AudioFormatError);
      stream.writeMulaw!(new Uint8Array(1600).fill(0xff), 0);
      expect(() => stream.write(new Int16Array(160), 800)).toThrow(AudioFormatError);
      expect(() => stream.writeMulaw!(new Uint8Array(160), 1500)).toThrow(AudioFormatError);
      writeMulawChunked(stream, mulaw, 1600);
      await stream.flush();
    });
    expect(stream.failed).toBeNull();
    expect(results.some((r) => r.isFinal && r.text.trim() !== '')).toBe(true);
    expect(() => stream.writeMulaw!(new Uint8Array(160), 100_000)).toThrow(StreamClosedError);
  });
}
