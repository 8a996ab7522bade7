import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultPocketsphinxConfig } from '../src/pocketsphinx/config.js';
import { PocketsphinxEngine } from '../src/pocketsphinx/engine.js';
import {
  speakerAdaptationFor,
  fitSpeakerTransform,
  mixtureWeightsFromSendump,
  SpeakerAdaptationFailed,
  SpeakerAdaptationSkipped,
  type AdaptationUtterance,
  type SpeakerAdaptationOptions,
} from '../src/pocketsphinx/speaker-adaptation.js';
import { espeakSpeech } from './support/espeak-speech.js';
import { transcribeRecording } from '../src/pipeline/recording-transcriber.js';
import { encodeWav } from '../src/wav-encoding.js';
import { concat, silence } from './support/fixtures.js';

const SENTENCES = [
  'i would like to check the balance of my account please',
  'my card was declined at the store this morning',
  'can you tell me when the payment will arrive',
  'thank you for calling how can i help you today',
];

// real tools and decoding on 2 shared cores: allow for a loaded machine (no timing is asserted)
vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

/** the default decoder (model, channel transform, pool) the tests compare against and decode with */
const defaults = defaultPocketsphinxConfig();
const options = (over: Partial<SpeakerAdaptationOptions> = {}): SpeakerAdaptationOptions => ({
  ...speakerAdaptationFor(),
  // the test call is short; the production minimum is for the estimate's quality, not for the tools
  minSpeechSeconds: 5,
  ...over,
});

describe('fitSpeakerTransform (sphinxtrain bw + mllr_solve)', () => {
  let temp: string;
  let savedTmp: string | undefined;
  let utterances: AdaptationUtterance[];

  beforeAll(() => {
    // the module's temp dirs go here, so the test can see that none is left behind
    temp = mkdtempSync(join(tmpdir(), 'speaker-adaptation-test-'));
    savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = temp;
    // one synthetic speaker: its own words as the "first pass" (a real first pass is tested in the server)
    utterances = SENTENCES.map((text) => ({
      pcm8k: espeakSpeech(text, 'en-gb+m3').phone,
      words: text,
      confidence: 0.9,
    }));
  });
  afterAll(() => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    rmSync(temp, { recursive: true, force: true });
  });
  const leftovers = () => readdirSync(temp).filter((f) => f.startsWith('hookscribe-mllr-'));

  it('writes a pocketsphinx -mllr transform that a decoder loads and decodes with; dispose removes it', async () => {
    const transform = await fitSpeakerTransform(utterances, options());
    expect(transform.utterances).toBe(SENTENCES.length);
    expect(transform.speechSeconds).toBeGreaterThan(5);
    const values = readFileSync(transform.path, 'utf8').trim().split(/\s+/).map(Number);
    // one class, three streams of 13: per stream 13 + 13×13 + 13 + 13 numbers
    expect(values.slice(0, 3)).toEqual([1, 3, 13]);
    expect(values.length).toBe(2 + 3 * (1 + 13 * 13 + 13 + 13));
    expect(values.every(Number.isFinite)).toBe(true);
    // not the channel transform it aligned through
    const channel = readFileSync(defaults.mllr!, 'utf8').trim().split(/\s+/).map(Number);
    expect(values.some((v, i) => Math.abs(v - channel[i]!) > 1e-3)).toBe(true);

    const engine = new PocketsphinxEngine({
      mllr: transform.path,
      maxBacklogMs: 600_000,
      pool: { ...defaults.pool, maxDecoders: 1, warmDecoders: 0, acquireTimeoutMs: 600_000 },
    });
    try {
      const pcm = concat(silence(8000), utterances[0]!.pcm8k, silence(8000));
      const { finals } = await transcribeRecording(encodeWav(pcm, 8000), {
        engines: [engine],
        language: 'en-US',
        callId: 'adapted',
        channelNames: ['external'],
      });
      expect(finals.map((f) => f.text).join(' ')).toMatch(/balance|account/);
    } finally {
      await engine.stop();
    }
    await transform.dispose();
    expect(existsSync(transform.path)).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('skips a channel with too little usable speech, low-confidence and out-of-dictionary utterances left out', async () => {
    const few = [
      { ...utterances[0]!, confidence: 0.2 },
      { ...utterances[1]!, words: 'my card was zzqxv at the store' },
      utterances[2]!,
    ];
    const err = await fitSpeakerTransform(few, options({ minConfidence: 0.5 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpeakerAdaptationSkipped);
    expect((err as Error).message).toMatch(/1 utterances/);
    expect(leftovers()).toEqual([]);
  });

  it('fails clearly when a tool is missing, leaving nothing behind', async () => {
    const err = await fitSpeakerTransform(
      utterances,
      options({ sphinxtrainDir: join(temp, 'no-such-dir') }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpeakerAdaptationFailed);
    expect((err as Error).message).toMatch(/bw not installed/);
    expect(leftovers()).toEqual([]);
  });

  it('fails clearly when bw rejects its input (the channel transform is missing)', async () => {
    const err = await fitSpeakerTransform(
      utterances,
      options({ channelMllr: join(temp, 'missing.mllr') }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpeakerAdaptationFailed);
    expect((err as Error).message).toMatch(/bw failed/);
    expect(leftovers()).toEqual([]);
  });
});

describe('mixtureWeightsFromSendump', () => {
  it('expands the quantised weights of the en-US model into normalised per-senone distributions', () => {
    const file = mixtureWeightsFromSendump(readFileSync(join(defaults.hmm, 'sendump')));
    expect(file.toString('latin1', 0, 24)).toBe('s3\nversion 1.0\n  endhdr\n');
    const [bom, senones, streams, codewords, count] = [0, 4, 8, 12, 16].map((o) => file.readUInt32LE(24 + o));
    expect(bom).toBe(0x11223344);
    expect([senones, streams, codewords, count]).toEqual([5126, 3, 128, 5126 * 3 * 128]);
    const weights = new Float32Array(file.buffer.slice(file.byteOffset + 44, file.byteOffset + file.length));
    expect(weights.length).toBe(count);
    // each senone's stream distribution sums to ~1 (8-bit log quantisation loses a little)
    for (const s of [0, 1000, 5125])
      for (let f = 0; f < 3; f++) {
        let sum = 0;
        for (let c = 0; c < 128; c++) sum += weights[(s * 3 + f) * 128 + c]!;
        expect(sum).toBeGreaterThan(0.9);
        expect(sum).toBeLessThan(1.1);
      }
  });
});
