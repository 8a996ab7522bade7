import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RecognitionResult, SpeechStream } from '../src/engine.js';
import {
  OpenAiTranscriptionEngine,
  type OpenAiTranscriptionEngineOptions,
} from '../src/engines/openai-transcription-engine.js';
import { EngineFailure } from '../src/errors.js';
import { describeEngineContract } from './engine-contract.js';
import { FakeOpenAiServer } from './support/fake-openai-server.js';
import { concat, loadFixture, noise, silence } from './support/fixtures.js';

const S = 8000;
const server = new FakeOpenAiServer();
beforeAll(() => server.start());
afterAll(() => server.stop());
beforeEach(() => {
  server.behaviours = ['words'];
  server.requests.length = 0;
});

const engine = (options: Partial<OpenAiTranscriptionEngineOptions> = {}) =>
  new OpenAiTranscriptionEngine({
    url: server.url,
    apiKey: 'sk-test',
    sleep: () => Promise.resolve(),
    ...options,
  });

describeEngineContract('OpenAiTranscriptionEngine (fake server)', () => Promise.resolve(engine()), {
  speech8k: loadFixture('hello'),
});

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

const open = (e: OpenAiTranscriptionEngine) =>
  e.openStream({ language: 'en-US', sampleRate: 8000, partials: false });

describe('OpenAiTranscriptionEngine', () => {
  it('posts a 16-bit WAV with verbose_json word timestamps and maps word times onto the stream timeline', async () => {
    const e = engine({ model: 'whisper-1' });
    const stream = open(e);
    const speech = loadFixture('hello');
    const at = 30 * S;
    const results = await run(stream, async () => {
      stream.write(speech, at);
      await stream.flush();
    });
    expect(server.requests).toHaveLength(1);
    const request = server.requests[0]!;
    expect(request.headers.authorization).toBe('Bearer sk-test');
    expect(request.fields).toMatchObject({
      model: 'whisper-1',
      language: 'en',
      response_format: 'verbose_json',
      'timestamp_granularities[]': 'word',
    });
    expect(request.sampleRate).toBe(8000);
    expect(request.samples).toBe(speech.length);
    const [result] = results;
    expect(result!.text.startsWith('hello world')).toBe(true);
    expect(result!.timingsEstimated).toBeUndefined();
    const firstLoud = speech.findIndex((s) => Math.abs(s) > 1000);
    expect(Math.abs(result!.words[0]!.startSample - (at + firstLoud))).toBeLessThan(0.05 * S);
    expect(result!.confidence).toBeCloseTo(Math.exp(-0.2), 5);
  });

  it('falls back to text with evenly estimated word times when verbose_json is refused (gpt-4o-transcribe)', async () => {
    server.behaviours = ['text-only'];
    const e = engine({ model: 'gpt-4o-transcribe' });
    const stream = open(e);
    const results = await run(stream, async () => {
      stream.write(concat(silence(S), loadFixture('hello')), 0);
      await stream.flush();
      stream.write(loadFixture('hello'), 10 * S);
      await stream.flush();
    });
    expect(server.requests.map((r) => r.fields.response_format)).toEqual(['verbose_json', 'json', 'json']);
    expect(e.capabilities.wordTimings).toBe(false);
    expect(results).toHaveLength(2);
    for (const r of results) {
      expect(r.timingsEstimated).toBe(true);
      expect(r.words.map((w) => w.text).join(' ')).toBe(r.text);
    }
    // estimated words cover the voiced part, not the leading second of silence
    expect(results[0]!.startSample).toBeGreaterThanOrEqual(S);
  });

  it('retries 500 and 429 with back-off, then succeeds', async () => {
    server.behaviours = [500, 429, 'words'];
    const sleeps: number[] = [];
    const e = engine({ backoffMs: 100, sleep: (ms) => (sleeps.push(ms), Promise.resolve()) });
    const stream = open(e);
    const results = await run(stream, async () => {
      stream.write(loadFixture('hello'), 0);
      await stream.flush();
    });
    expect(server.requests).toHaveLength(3);
    expect(sleeps).toEqual([100, 200]);
    expect(results).toHaveLength(1);
    expect(stream.failed).toBeNull();
  });

  it('fails the stream after the retries are spent, and on a non-retryable status', async () => {
    for (const [behaviours, pattern] of [
      [[500], /HTTP 500/],
      [[401], /HTTP 401/],
    ] as const) {
      server.behaviours = [...behaviours];
      const stream = open(engine({ retries: 1 }));
      const results = await run(stream, async () => {
        stream.write(loadFixture('hello'), 0);
        await stream.flush();
      });
      expect(results).toEqual([]);
      expect(stream.failed).toBeInstanceOf(EngineFailure);
      expect(stream.failed!.message).toMatch(pattern);
    }
  });

  it('fails the stream when the service hangs past the timeout', async () => {
    server.behaviours = ['hang'];
    const stream = open(engine({ timeoutMs: 150 }));
    const results = await run(stream, async () => {
      stream.write(loadFixture('hello'), 0);
      await stream.flush();
    });
    expect(results).toEqual([]);
    expect(stream.failed?.message).toMatch(/no answer within 150 ms/);
  });

  it('sends Azure OpenAI style auth and api-version', async () => {
    const stream = open(engine({ apiVersion: '2025-03-01-preview', apiKey: 'azure-key' }));
    await run(stream, async () => {
      stream.write(loadFixture('hello'), 0);
      await stream.flush();
    });
    expect(server.requests[0]!.headers['api-key']).toBe('azure-key');
    expect(server.requests[0]!.headers.authorization).toBeUndefined();
    expect(server.requests[0]!.path).toContain('api-version=2025-03-01-preview');
  });

  it('never posts silence or quiet noise, and splits a segment at a long gap', async () => {
    const stream = open(engine());
    const results = await run(stream, async () => {
      stream.write(silence(5 * S), 0);
      await stream.flush();
      stream.write(noise(5 * S, -55), 5 * S);
      await stream.flush();
      stream.write(loadFixture('hello'), 20 * S);
      stream.write(loadFixture('hello'), 40 * S); // 17.75 s gap without a flush
      await stream.flush();
    });
    expect(server.requests).toHaveLength(2);
    expect(results.map((r) => Math.floor(r.startSample / S))).toEqual([20, 40]);
  });
});
