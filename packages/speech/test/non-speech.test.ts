/**
 * Nothing from non-speech: music on hold (real hold music from Debian's asterisk-moh-opsound-wav and synthetic
 * music), call-progress tones, DTMF and line noise through the default pipeline (Silero VAD + segmenter + embedded
 * engine with utterance rejection) give no finals, while speech right next to hold music still does.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { speechConfigFromEnv, transcriberOptionsFromConfig } from '../src/config/speech-config.js';
import type { RecognitionResult, RecognizedWord } from '../src/engine.js';
import { ChannelRecognizer } from '../src/pipeline/channel-recognizer.js';
import { defaultPocketsphinxConfig } from '../src/pocketsphinx/config.js';
import { PocketsphinxEngine } from '../src/pocketsphinx/engine.js';
import { rejectsUtterance } from '../src/pocketsphinx/utterance-rejection.js';
// @ts-expect-error -- plain ES module shared with bench:stt
import { nonSpeechClips } from '../devset/non-speech.mjs';
import { espeakSpeech } from './support/espeak-speech.js';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });

type Clip = { name: string; kind: string; pcm: Int16Array };

async function finalsOf(engine: PocketsphinxEngine, pcm: Int16Array): Promise<RecognitionResult[]> {
  const options = transcriberOptionsFromConfig(speechConfigFromEnv({}));
  const recognizer = new ChannelRecognizer(engine, {
    language: 'en-US',
    sampleRate: 8000,
    partials: false,
    createVad: options.createVad,
    segmenter: options.segmenter,
  });
  const finals: RecognitionResult[] = [];
  const consumed = (async () => {
    for await (const r of recognizer.results()) if (r.isFinal) finals.push(r);
  })();
  for (let i = 0; i < pcm.length; i += 160) {
    recognizer.write(pcm.subarray(i, i + 160), i);
    if (i % 16_000 === 0) await recognizer.drained();
  }
  await recognizer.close();
  await consumed;
  return finals;
}

describe('non-speech through the default pipeline', () => {
  let engine: PocketsphinxEngine;
  beforeAll(async () => {
    engine = new PocketsphinxEngine({
      maxBacklogMs: 600_000, // fed faster than real time
      pool: { ...defaultPocketsphinxConfig().pool, maxDecoders: 1, warmDecoders: 1 },
    });
    await engine.start();
  });
  afterAll(() => engine.stop());

  const clips = nonSpeechClips({ seconds: 6 }) as Clip[];

  it.each(clips.map((c) => [c.name, c] as const))('%s gives no finals', async (_name, clip) => {
    const finals = await finalsOf(engine, clip.pcm);
    expect(finals.map((f) => f.text)).toEqual([]);
  });

  it('still transcribes speech between stretches of hold music, and nothing of the music', async () => {
    const music = clips.find((c) => c.name.startsWith('hold-music'))!.pcm;
    const sentence = 'i would like to pay my bill';
    const speech = espeakSpeech(sentence).phone;
    const call = new Int16Array(music.length * 2 + speech.length);
    call.set(music, 0);
    call.set(speech, music.length);
    call.set(music, music.length + speech.length);
    const finals = await finalsOf(engine, call);
    const words = finals.flatMap((f) => f.words);
    const heard = new Set(words.map((w) => w.text));
    expect(sentence.split(' ').filter((w) => heard.has(w)).length).toBeGreaterThanOrEqual(3); // of 7
    // every word lies in the speech (a word's middle: the segmenter's padding may reach a little into the music)
    for (const w of words) {
      const middle = w.startSample + w.durationSamples / 2;
      expect(middle).toBeGreaterThan(music.length);
      expect(middle).toBeLessThan(music.length + speech.length);
    }
  });
});

describe('utterance rejection', () => {
  const word = (text: string, confidence: number): RecognizedWord => ({
    text,
    confidence,
    startSample: 0,
    durationSamples: 800,
  });
  const rules = { minConfidence: 0.2, hesitationsOnly: true };
  it.each([
    ['no words', [], true],
    ['hesitations only', [word('um', 1), word('oh', 0.9)], true],
    ['a hesitation and a word', [word('um', 1), word('yes', 0.9)], false],
    ['low mean posterior', [word('river', 0.1), word('are', 0.2)], true],
    ['confident speech', [word('pay', 0.7), word('my', 0.4), word('bill', 0.5)], false],
    ['one confident word', [word('yes', 0.8)], false],
  ] as const)('%s', (_name, words, rejected) => {
    expect(rejectsUtterance([...words], rules)).toBe(rejected);
    expect(rejectsUtterance([...words], { minConfidence: 0, hesitationsOnly: false })).toBe(
      words.length === 0,
    );
  });
});
