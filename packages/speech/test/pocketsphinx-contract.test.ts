import { vi } from 'vitest';
import { PocketsphinxEngine } from '../src/pocketsphinx/engine.js';
import { espeakSpeech } from './support/espeak-speech.js';
import { describeEngineContract } from './engine-contract.js';

const SENTENCE = 'i would like to pay my bill';

// real decoding on 2 shared cores: allow for a loaded machine (no timing is asserted)
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

describeEngineContract(
  'pocketsphinx',
  async () =>
    new PocketsphinxEngine({
      pool: {
        maxDecoders: 2,
        warmDecoders: 1,
        maxWaiting: 8,
        acquireTimeoutMs: 20_000,
        requestTimeoutMs: 20_000,
        startTimeoutMs: 60_000,
      },
    }),
  { speech8k: espeakSpeech(SENTENCE).phone, expectedWords: SENTENCE.split(' ') },
);
