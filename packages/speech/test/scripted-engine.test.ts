import { describe, expect, it } from 'vitest';
import { ScriptedEngine } from '../src/engines/scripted-engine.js';
import type { RecognitionResult } from '../src/engine.js';
import { describeEngineContract } from './engine-contract.js';
import { loadFixture } from './support/fixtures.js';

describeEngineContract('ScriptedEngine (energy rule)', () => Promise.resolve(new ScriptedEngine()), {
  speech8k: loadFixture('hello'),
});

describe('ScriptedEngine script mode', () => {
  it('emits scripted words only where the fed audio covers them, finals on flush', async () => {
    const engine = new ScriptedEngine({
      mode: 'script',
      script: [
        {
          words: [
            { text: 'hello', startSample: 8000, durationSamples: 2000 },
            { text: 'there', startSample: 10400, durationSamples: 2400 },
          ],
        },
        { words: [{ text: 'later', startSample: 168000, durationSamples: 2000 }] },
      ],
    });
    const stream = engine.openStream({ language: 'en-US', sampleRate: 8000, partials: true });
    const results: RecognitionResult[] = [];
    const done = (async () => {
      for await (const r of stream.results()) results.push(r);
    })();
    stream.write(new Int16Array(16000), 0); // 0..2 s covers both words of utterance 1
    await stream.flush();
    stream.write(new Int16Array(8000), 164000); // 20.5..21.5 s covers "later" at 21.0 s
    await stream.close();
    await done;
    const finals = results.filter((r) => r.isFinal);
    expect(finals.map((r) => r.text)).toEqual(['hello there', 'later']);
    expect(finals[1]!.words[0]!.startSample).toBe(168000);
    expect(
      results
        .filter((r) => !r.isFinal)
        .every((r) => r.utteranceId === finals[0]!.utteranceId || r.utteranceId === finals[1]!.utteranceId),
    ).toBe(true);
  });
});
