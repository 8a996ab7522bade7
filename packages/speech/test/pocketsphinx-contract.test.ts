import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { muLawDecode } from '../src/frontend/mulaw.js';
import { PocketsphinxEngine } from '../src/pocketsphinx/engine.js';
import { describeEngineContract } from './engine-contract.js';

/** espeak-ng speech through the phone channel (8 kHz G.711 mu-law), a voice the embedded model recognises well */
function phoneSpeech(text: string): Int16Array {
  const dir = mkdtempSync(join(tmpdir(), 'ps-contract-'));
  try {
    execFileSync('espeak-ng', ['-v', 'en-us+f2', '-s', '150', '-w', join(dir, 'tts.wav'), text]);
    execFileSync('sox', [
      join(dir, 'tts.wav'),
      '-r',
      '8000',
      '-e',
      'u-law',
      '-t',
      'raw',
      join(dir, 'p.ul'),
      'pad',
      '0.3',
      '0.3',
    ]);
    return muLawDecode(new Uint8Array(readFileSync(join(dir, 'p.ul'))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

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
  { speech8k: phoneSpeech(SENTENCE), expectedWords: SENTENCE.split(' ') },
);
