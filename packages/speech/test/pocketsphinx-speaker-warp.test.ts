import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RecognitionResult } from '../src/engine.js';
import { DEFAULT_SPEAKER_WARP, defaultPocketsphinxConfig } from '../src/pocketsphinx/config.js';
import { PocketsphinxEngine } from '../src/pocketsphinx/engine.js';
import { espeakSpeech } from './support/espeak-speech.js';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });

const PROMPTS = [
  'please enter your account number followed by the pound key',
  'thank you for calling please hold while we transfer your call',
  'your call is important to us',
];

/** the prompts in each voice, synthesised once (the same audio each time, but synthesis takes a while) */
const audioByVoice = new Map<string, Int16Array[]>();
function promptsIn(voice: string): Int16Array[] {
  let audio = audioByVoice.get(voice);
  if (!audio) {
    audio = PROMPTS.map((text) => espeakSpeech(text, voice).phone);
    audioByVoice.set(voice, audio);
  }
  return audio;
}

/** one channel: the prompts in `voice`, a flush after each; the finals' text */
async function streamChannel(engine: PocketsphinxEngine, voice: string): Promise<string[]> {
  const stream = engine.openStream({ language: 'en-US', sampleRate: 8000, partials: false });
  const finals: RecognitionResult[] = [];
  const consumed = (async () => {
    for await (const r of stream.results()) if (r.isFinal) finals.push(r);
  })();
  let at = 0;
  for (const pcm of promptsIn(voice)) {
    for (let i = 0; i < pcm.length; i += 160) stream.write(pcm.subarray(i, i + 160), at + i);
    at += pcm.length + 8000;
    await stream.flush();
  }
  await stream.close();
  await consumed;
  return finals.map((f) => f.text);
}

describe('PocketsphinxEngine per-channel speaker warp (VTLN)', () => {
  let engine: PocketsphinxEngine | null = null;
  afterEach(async () => {
    await engine?.stop();
    engine = null;
  });
  const pool = { ...defaultPocketsphinxConfig().pool, maxDecoders: 1, warmDecoders: 1 };

  it('decodes a low voice unwarped and moves a high voice to warped decoders once its pitch is known', async () => {
    engine = new PocketsphinxEngine({ pool });
    await engine.start();
    const male = await streamChannel(engine, 'en-us');
    expect(engine.warpsInUse()).toEqual([]);
    expect(male.join(' ')).toContain('pound key');
    const female = await streamChannel(engine, 'en-us+f2');
    expect(engine.warpsInUse()).toEqual([DEFAULT_SPEAKER_WARP.highPitchWarp]);
    expect(female).toHaveLength(PROMPTS.length);
    expect(female.join(' ')).toContain('call');
  });

  it('is deterministic: the same high-voiced channel twice, another call between, gives the same finals', async () => {
    engine = new PocketsphinxEngine({ pool });
    await engine.start();
    const first = await streamChannel(engine, 'en-us+f2');
    await streamChannel(engine, 'en-us');
    expect(await streamChannel(engine, 'en-us+f2')).toEqual(first);
  });

  it('keeps every channel unwarped with speakerWarp null (HOOKSCRIBE_STT_SPEAKER_WARP=false)', async () => {
    engine = new PocketsphinxEngine({ pool, speakerWarp: null });
    await engine.start();
    await streamChannel(engine, 'en-us+f2');
    expect(engine.warpsInUse()).toEqual([]);
  });
});
