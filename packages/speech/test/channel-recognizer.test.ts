import { mulawDecode, mulawEncode } from '@hookscribe/audiohook';
import { describe, expect, it } from 'vitest';
import type {
  EngineCapabilities,
  RecognitionResult,
  SpeechEngine,
  SpeechStream,
  SpeechStreamOptions,
} from '../src/engine.js';
import { ScriptedEngine } from '../src/engines/scripted-engine.js';
import {
  ChannelRecognizer,
  MAX_UNMATCHED_UTTERANCES,
  openSegmentedStream,
} from '../src/pipeline/channel-recognizer.js';
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

  it('drops final words the engine found in the padding after the last speech frame (music a prompt runs into)', async () => {
    const speech = loadFixture('hello');
    const at = S; // after 1 s of silence
    let lastLoud = speech.length - 1;
    while (Math.abs(speech[lastLoud]!) <= 300) lastLoud--;
    const speechEnd = at + lastLoud;
    const ms = (n: number) => (n * S) / 1000;
    const word = (text: string, from: number, to: number) => ({
      text,
      startSample: from,
      durationSamples: to - from,
    });
    const engine = new ScriptedEngine({
      mode: 'script',
      script: [
        {
          words: [
            word('hello', at + 800, speechEnd - ms(200)),
            // its middle at the VAD's last speech frame: heard
            word('there', speechEnd - ms(200), speechEnd + ms(20)),
            // wholly in the trailing padding: the decoder's guess at what follows the speech
            word('and', speechEnd + ms(120), speechEnd + ms(170)),
          ],
        },
      ],
    });
    const { recognizer, results, done } = start(engine);
    feed(recognizer, concat(silence(at), speech, silence(S)), 0);
    await recognizer.close();
    await done;
    expect(finals(results).map((r) => r.text)).toEqual(['hello there']);
  });

  it('keeps at most MAX_UNMATCHED_UTTERANCES ended utterances when the engine gives none of them a final', async () => {
    // an engine that hears nothing in any utterance, as the decoder rejects music the VAD let through
    const { recognizer, results, done } = start(new ScriptedEngine({ mode: 'script', script: [] }));
    const burst = concat(loadFixture('hello'), silence(S));
    let at = 0;
    for (let i = 0; i < MAX_UNMATCHED_UTTERANCES + 20; i++) {
      at = feed(recognizer, burst, at);
      await recognizer.drained();
    }
    await recognizer.close();
    await done;
    expect(recognizer.stats.utterances).toBeGreaterThan(MAX_UNMATCHED_UTTERANCES);
    expect(recognizer.unmatchedUtterances).toBe(MAX_UNMATCHED_UTTERANCES);
    expect(finals(results)).toHaveLength(0);
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

interface RecordedWrite {
  mulaw: Uint8Array | null;
  pcm: Int16Array | null;
  startSample: number;
}

/** An engine that takes µ-law: records every write and recognises the samples with a ScriptedEngine. */
class MulawRecordingEngine implements SpeechEngine {
  readonly name = 'mulaw-recording';
  readonly capabilities: EngineCapabilities;
  readonly writes: RecordedWrite[] = [];
  private readonly inner: ScriptedEngine;

  constructor(endpointing: boolean) {
    this.inner = new ScriptedEngine({ capabilities: { endpointing } });
    this.capabilities = { ...this.inner.capabilities, mulawInput: true };
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  openStream(options: SpeechStreamOptions): SpeechStream {
    const stream = this.inner.openStream(options);
    const writes = this.writes;
    return {
      write(pcm, startSample) {
        writes.push({ mulaw: null, pcm, startSample });
        stream.write(pcm, startSample);
      },
      writeMulaw(mulaw, startSample, pcm) {
        writes.push({ mulaw, pcm: pcm ?? null, startSample });
        stream.write(pcm ?? mulawDecode(mulaw), startSample);
      },
      flush: () => stream.flush(),
      close: () => stream.close(),
      results: () => stream.results(),
      get failed() {
        return stream.failed;
      },
    };
  }
}

/** a phone line's µ-law: speech in a quiet line, every quiet 0xFF of odd index sent as 0x7F (negative zero) */
function lineMulaw(): Uint8Array {
  const pcm = concat(noise(S, -60, 5), loadFixture('two-sentences'), noise(S, -60, 6));
  const mulaw = mulawEncode(pcm);
  for (let i = 1; i < mulaw.length; i += 2) if (mulaw[i] === 0xff) mulaw[i] = 0x7f;
  return mulaw;
}

async function runMulaw(
  engine: MulawRecordingEngine,
  write: (recognizer: ChannelRecognizer) => void,
): Promise<RecognitionResult[]> {
  // 105 ms of padding is not a whole number of VAD frames: utterances start inside a pre-roll frame
  const recognizer = openSegmentedStream(engine, {
    language: 'en-US',
    sampleRate: 8000,
    partials: false,
    segmenter: { paddingMs: 105 },
  });
  const results: RecognitionResult[] = [];
  const done = (async () => {
    for await (const r of recognizer.results()) results.push(r);
  })();
  write(recognizer);
  await recognizer.close();
  await done;
  return finals(results);
}

describe('ChannelRecognizer with an engine that takes µ-law', () => {
  const ODD = 1000; // not a multiple of the VAD frame: frames straddle writes

  it('segmenting: every piece the engine gets is the client’s bytes at its position, finals as with PCM', async () => {
    const mulaw = lineMulaw();
    const at = 3 * S;
    const discard = { start: at + 12_000, samples: 2 * ODD }; // announced inside the first sentence: bridged
    expect(mulaw.includes(0x7f)).toBe(true);
    const writeAll = (recognizer: ChannelRecognizer, asPcm: boolean) => {
      for (let o = 0; o < mulaw.length; o += ODD) {
        const start = at + o;
        if (start >= discard.start && start < discard.start + discard.samples) continue;
        if (start === discard.start + discard.samples) recognizer.discard(discard.start, discard.samples);
        const bytes = mulaw.subarray(o, Math.min(mulaw.length, o + ODD));
        if (asPcm) recognizer.write(mulawDecode(bytes), start);
        else recognizer.writeMulaw(bytes, start);
      }
    };
    const pcmEngine = new MulawRecordingEngine(false);
    const expected = await runMulaw(pcmEngine, (r) => writeAll(r, true));
    const engine = new MulawRecordingEngine(false);
    const got = await runMulaw(engine, (r) => writeAll(r, false));

    expect(got.length).toBeGreaterThanOrEqual(2);
    expect(got.map((f) => [f.startSample, f.durationSamples, f.text])).toEqual(
      expected.map((f) => [f.startSample, f.durationSamples, f.text]),
    );
    // the same cuts at the same positions; now as bytes
    expect(engine.writes.map((w) => [w.startSample, w.mulaw?.length])).toEqual(
      pcmEngine.writes.map((w) => [w.startSample, w.pcm?.length]),
    );
    let fedUntil = 0;
    let bridged = 0;
    for (const w of engine.writes) {
      expect(w.mulaw).not.toBeNull();
      expect([...w.pcm!]).toEqual([...mulawDecode(w.mulaw!)]);
      expect(w.startSample).toBeGreaterThanOrEqual(fedUntil);
      fedUntil = w.startSample + w.mulaw!.length;
      for (let i = 0; i < w.mulaw!.length; i++) {
        const position = w.startSample + i;
        if (position >= discard.start && position < discard.start + discard.samples) {
          expect(w.mulaw![i]).toBe(0xff); // silence for the discarded span
          bridged++;
        } else if (w.mulaw![i] !== mulaw[position - at]) {
          throw new Error(`byte at ${position} is ${w.mulaw![i]}, the client sent ${mulaw[position - at]}`);
        }
      }
    }
    expect(bridged).toBe(discard.samples);
    expect(engine.writes.some((w) => w.mulaw!.includes(0x7f))).toBe(true);
  });

  it('endpointing: the bytes go to the engine as written, never decoded; PCM writes stay PCM', async () => {
    const mulaw = lineMulaw();
    const engine = new MulawRecordingEngine(true);
    const pieces: Uint8Array[] = [];
    const half = 8 * ODD;
    const got = await runMulaw(engine, (recognizer) => {
      for (let o = 0; o < half; o += ODD) {
        const bytes = mulaw.subarray(o, o + ODD);
        pieces.push(bytes);
        recognizer.writeMulaw(bytes, o);
      }
      recognizer.write(mulawDecode(mulaw.subarray(half)), half); // an L16 caller on the same timeline
    });
    expect(got.length).toBeGreaterThan(0);
    expect(engine.writes.slice(0, pieces.length).map((w) => w.mulaw)).toEqual(pieces);
    expect(engine.writes.slice(0, pieces.length).every((w) => w.pcm === null)).toBe(true);
    expect(engine.writes.slice(pieces.length).map((w) => [w.mulaw, w.startSample])).toEqual([[null, half]]);
  });

  it('decodes for an engine that does not take µ-law', async () => {
    const mulaw = lineMulaw();
    const engine = new ScriptedEngine({ capabilities: { endpointing: true } });
    const { recognizer, results, done } = start(engine);
    expect(recognizer.takesMulaw).toBe(false);
    for (let o = 0; o < mulaw.length; o += ODD) recognizer.writeMulaw(mulaw.subarray(o, o + ODD), o);
    await recognizer.close();
    await done;
    expect(finals(results).length).toBeGreaterThan(0);
    expect(() => recognizer.writeMulaw(new Uint8Array(10), mulaw.length)).toThrow(/closed/);
  });
});
