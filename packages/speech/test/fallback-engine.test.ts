import { mulawDecode, mulawEncode } from '@hookscribe/audiohook';
import { describe, expect, it } from 'vitest';
import type { RecognitionResult, SpeechEngine, SpeechStream } from '../src/engine.js';
import { FallbackEngine } from '../src/engines/fallback-engine.js';
import { ScriptedEngine } from '../src/engines/scripted-engine.js';
import { ResultQueue } from '../src/result-queue.js';
import { CallTranscriber } from '../src/pipeline/call-transcriber.js';
import type { TranscriberStatus, TranscriptEvent } from '../src/pipeline/transcript-event.js';
import { describeEngineContract } from './engine-contract.js';
import { concat, loadFixture, silence } from './support/fixtures.js';

const S = 8000;
const speech8k = loadFixture('hello');

describeEngineContract(
  'FallbackEngine (healthy primary)',
  () =>
    Promise.resolve(
      new FallbackEngine({ engines: [new ScriptedEngine({ name: 'a' }), new ScriptedEngine({ name: 'b' })] }),
    ),
  { speech8k },
);
describeEngineContract(
  'FallbackEngine (primary fails at once)',
  () =>
    Promise.resolve(
      new FallbackEngine({
        engines: [new ScriptedEngine({ name: 'a', failAfterSamples: 1 }), new ScriptedEngine({ name: 'b' })],
      }),
    ),
  { speech8k },
);

async function run(stream: SpeechStream, feed: () => Promise<void>): Promise<RecognitionResult[]> {
  const results: RecognitionResult[] = [];
  const done = (async () => {
    for await (const r of stream.results()) results.push(r);
  })();
  await feed();
  await stream.close();
  await done;
  return results;
}

function feed(stream: SpeechStream, pcm: Int16Array, at: number): void {
  for (let o = 0; o < pcm.length; o += 1600)
    stream.write(pcm.subarray(o, Math.min(pcm.length, o + 1600)), at + o);
}

const open = (engine: SpeechEngine, language = 'en-US') =>
  engine.openStream({ language, sampleRate: 8000, partials: false });

describe('FallbackEngine', () => {
  it('continues mid-utterance on the next engine, replaying the audio since the last flush, and marks the switch', async () => {
    const engine = new FallbackEngine({
      engines: [
        new ScriptedEngine({ name: 'a', failAfterSamples: 4 * S }),
        new ScriptedEngine({ name: 'b' }),
      ],
    });
    const stream = open(engine);
    const results = await run(stream, async () => {
      feed(stream, concat(silence(S / 2), speech8k), 0); // utterance 1 on a
      await stream.flush();
      feed(stream, speech8k, 10 * S); // a fails 1.25 s into utterance 2
      await stream.flush();
    });
    expect(results.map((r) => r.engine)).toEqual(['a', 'b']);
    expect(results[0]!.gap).toBeUndefined();
    // nothing was lost: the whole second utterance was replayed into b
    expect(results[1]!.gap).toEqual({
      startSample: 10 * S,
      endSample: 10 * S,
      fromEngine: 'a',
      toEngine: 'b',
    });
    expect(results[1]!.startSample).toBeLessThan(10 * S + 0.2 * S);
    expect(results[1]!.text).toBe(results[0]!.text);
    expect(stream.failed).toBeNull();
  });

  it('takes µ-law when one of its engines does, and decodes it, replay included, for engines that do not', async () => {
    const pcmOnly = new FallbackEngine({ engines: [new ScriptedEngine({ name: 'b' })] });
    expect(pcmOnly.capabilities.mulawInput).toBe(false);
    // `a` declares µ-law input but its stream has no writeMulaw: it is written PCM, like `b`
    const a = new ScriptedEngine({ name: 'a', failAfterSamples: 4 * S, capabilities: { mulawInput: true } });
    const engine = new FallbackEngine({ engines: [a, new ScriptedEngine({ name: 'b' })] });
    expect(engine.capabilities.mulawInput).toBe(true);
    const bytes = mulawEncode(speech8k);
    const stream = open(engine);
    const results = await run(stream, async () => {
      for (let o = 0; o < bytes.length; o += 1600) stream.writeMulaw!(bytes.subarray(o, o + 1600), o);
      await stream.flush();
      for (let o = 0; o < bytes.length; o += 1600) {
        const piece = bytes.subarray(o, o + 1600);
        stream.writeMulaw!(piece, 10 * S + o, mulawDecode(piece)); // with the samples the caller decoded
      }
      await stream.flush();
    });
    expect(results.map((r) => r.engine)).toEqual(['a', 'b']);
    expect(results[1]!.gap).toMatchObject({ startSample: 10 * S, endSample: 10 * S });
    expect(results[1]!.text).toBe(results[0]!.text);
    expect(results[1]!.startSample - 10 * S).toBe(results[0]!.startSample);
  });

  it('treats a flush that hangs past the watchdog as a failure and switches', async () => {
    const engine = new FallbackEngine({
      engines: [new ScriptedEngine({ name: 'a', hangAfterSamples: S }), new ScriptedEngine({ name: 'b' })],
      watchdogMs: 30,
    });
    const stream = open(engine);
    const results = await run(stream, async () => {
      feed(stream, speech8k, 0);
      await stream.flush();
    });
    expect(results.map((r) => [r.engine, r.gap?.fromEngine])).toEqual([['b', 'a']]);
  });

  it('marks the span it could not replay when the utterance outgrew the replay buffer', async () => {
    const engine = new FallbackEngine({
      engines: [
        new ScriptedEngine({ name: 'a', failAfterSamples: 6 * S }),
        new ScriptedEngine({ name: 'b' }),
      ],
      maxReplaySeconds: 2,
    });
    const stream = open(engine);
    const long = concat(speech8k, speech8k, speech8k); // 6.75 s without a flush
    const results = await run(stream, async () => {
      feed(stream, long, 0);
      await stream.flush();
    });
    const gap = results[0]!.gap!;
    expect(gap.fromEngine).toBe('a');
    expect(gap.startSample).toBe(0);
    expect(gap.endSample).toBe(6 * S - 2 * S); // the last 2 s before the failure were replayed
  });

  it('fails quietly when every engine is down, and the call carries on', async () => {
    const engine = new FallbackEngine({
      engines: [
        new ScriptedEngine({ name: 'a', failAfterSamples: S }),
        new ScriptedEngine({ name: 'b', failAfterSamples: S }),
      ],
    });
    const stream = open(engine);
    const results = await run(stream, async () => {
      feed(stream, speech8k, 0);
      await stream.flush();
      feed(stream, speech8k, 10 * S); // no throw after the failure
    });
    expect(results).toEqual([]);
    expect(stream.failed?.message).toMatch(/no engine left after b failed/);

    const statuses: TranscriberStatus[] = [];
    const transcripts: TranscriptEvent[] = [];
    const call = new CallTranscriber({
      engines: [
        new FallbackEngine({
          engines: [
            new ScriptedEngine({ name: 'a', failAfterSamples: S }),
            new ScriptedEngine({ name: 'b', failAfterSamples: S }),
          ],
        }),
      ],
      onTranscript: (e) => transcripts.push(e),
      onStatus: (s) => statuses.push(s),
    });
    await call.handle({ type: 'opened', media: { channels: ['external'] }, language: 'en-US' });
    await call.handle({ type: 'audio', channels: [concat(speech8k, silence(S))], startSample: 0 });
    await call.handle({ type: 'closing', atSample: 0 });
    expect(transcripts).toEqual([]);
    expect(statuses.at(-1)).toMatchObject({ type: 'transcription-unavailable', channel: 0 });
  });

  it('picks the first engine that supports the language and skips engines that fail to start', async () => {
    const broken: SpeechEngine = {
      ...new ScriptedEngine({ name: 'broken' }),
      name: 'broken',
      capabilities: new ScriptedEngine().capabilities,
      start: () => Promise.reject(new Error('model missing')),
      openStream: () => {
        throw new Error('not started');
      },
      stop: () => Promise.resolve(),
    };
    const engine = new FallbackEngine({
      engines: [
        broken,
        new ScriptedEngine({ name: 'german', languages: ['de-DE'] }),
        new ScriptedEngine({ name: 'b' }),
      ],
    });
    await engine.start();
    expect([...engine.down].map((e) => e.name)).toEqual(['broken']);
    expect(engine.capabilities.languages).toEqual(['en-US', 'de-DE']);
    const stream = open(engine);
    const results = await run(stream, async () => {
      feed(stream, speech8k, 0);
      await stream.flush();
    });
    expect(results.map((r) => r.engine)).toEqual(['b']);
    await expect(new FallbackEngine({ engines: [broken] }).start()).rejects.toThrow(
      /no engine could be started/,
    );
  });
});

/** An engine whose flush completes only when the test says so, bumping `progress` on demand (a slow decoder). */
class SlowEngine implements SpeechEngine {
  readonly capabilities = {
    streaming: true,
    partials: false,
    wordTimings: true,
    languages: ['en-US'],
    endpointing: false,
  };
  readonly streams: SlowStream[] = [];
  constructor(readonly name: string) {}
  start(): Promise<void> {
    return Promise.resolve();
  }
  openStream(): SpeechStream {
    const stream = new SlowStream(this.name);
    this.streams.push(stream);
    return stream;
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
}

class SlowStream implements SpeechStream {
  failed: Error | null = null;
  progress = 0;
  private finish: (() => void) | null = null;
  private readonly queue = new ResultQueue<RecognitionResult>();
  constructor(private readonly engine: string) {}
  write(): void {}
  flush(): Promise<void> {
    return new Promise((resolve) => {
      this.finish = () => {
        this.queue.push({
          utteranceId: 'u',
          isFinal: true,
          text: 'late but complete',
          words: [],
          startSample: 0,
          durationSamples: 0,
          confidence: 1,
          language: 'en-US',
          engine: this.engine,
        });
        resolve();
      };
    });
  }
  complete(): void {
    this.finish?.();
  }
  close(): Promise<void> {
    this.queue.end();
    return Promise.resolve();
  }
  results(): AsyncIterable<RecognitionResult> {
    return this.queue;
  }
}

describe('FallbackEngine watchdog and a slow engine', () => {
  function manualTimers() {
    const pending: (() => void)[] = [];
    return {
      pending,
      setTimeout: (cb: () => void) => pending.push(cb),
      clearTimeout: () => undefined,
      /** fire the armed watchdog timer(s) */
      expire: () => pending.splice(0).forEach((cb) => cb()),
    };
  }

  it('keeps an engine that is still making progress when its flush outlasts the watchdog', async () => {
    const timers = manualTimers();
    const slow = new SlowEngine('slow');
    const backup = new SlowEngine('backup');
    const engine = new FallbackEngine({ engines: [slow, backup], ...timers });
    const stream = engine.openStream({ language: 'en-US', sampleRate: 8000, partials: false });
    stream.write(new Int16Array(S), 0);
    const flushed = stream.flush();
    await Promise.resolve();
    for (let i = 0; i < 5; i++) {
      slow.streams[0]!.progress++; // decoding the backlog, one chunk per watchdog period
      timers.expire();
      await Promise.resolve();
    }
    slow.streams[0]!.complete();
    await flushed;
    expect(stream.failed).toBeNull();
    expect(backup.streams).toHaveLength(0); // never switched
    expect((stream as unknown as { currentEngine: string }).currentEngine).toBe('slow');
  });

  it('still switches when a progress-reporting engine stops progressing', async () => {
    const timers = manualTimers();
    const slow = new SlowEngine('slow');
    const backup = new SlowEngine('backup');
    const engine = new FallbackEngine({ engines: [slow, backup], ...timers });
    const stream = engine.openStream({ language: 'en-US', sampleRate: 8000, partials: false });
    stream.write(new Int16Array(S), 0);
    const flushed = stream.flush();
    await Promise.resolve();
    slow.streams[0]!.progress++;
    timers.expire(); // progressed since armed: re-armed
    await Promise.resolve();
    timers.expire(); // no progress in a whole period: hung
    for (let i = 0; i < 5 && backup.streams.length === 0; i++) await Promise.resolve();
    expect(backup.streams).toHaveLength(1); // switched to the next engine, which got the replay
    for (let i = 0; i < 5 && !backup.streams[0]!['finish']; i++) await Promise.resolve();
    backup.streams[0]!.complete();
    await flushed;
    expect((stream as unknown as { currentEngine: string }).currentEngine).toBe('backup');
  });
});
