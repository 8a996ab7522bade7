import { afterEach, describe, expect, it, vi } from 'vitest';
import * as sdk from 'microsoft-cognitiveservices-speech-sdk';
import type { RecognitionResult, SpeechStream } from '../src/engine.js';
import { AzureSpeechEngine } from '../src/engines/azure-speech-engine.js';
import { describeEngineContract } from './engine-contract.js';
import { fakeAzureSdk } from './support/fake-azure-recognizer.js';
import { loadFixture } from './support/fixtures.js';

const S = 8000;

describeEngineContract(
  'AzureSpeechEngine (fake SDK recognizer)',
  () => Promise.resolve(new AzureSpeechEngine({ key: 'k', region: 'westeurope', ...fakeAzureSdk() })),
  { speech8k: loadFixture('hello') },
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

const ticks = (seconds: number) => seconds * 10_000_000;

describe('AzureSpeechEngine at the SDK boundary', () => {
  it('configures mu-law 8 kHz push audio, detailed output with word timestamps, 200 ms segmentation', () => {
    const fake = fakeAzureSdk();
    const engine = new AzureSpeechEngine({ key: 'k', region: 'westeurope', ...fake });
    engine.openStream({ language: 'de-DE', sampleRate: 8000, partials: true });
    const { speechConfig, autoDetect, format } = fake.recognizers[0]!.input;
    expect([format.samplesPerSec, format.bitsPerSample, format.channels]).toEqual([8000, 8, 1]);
    expect(speechConfig.speechRecognitionLanguage).toBe('de-DE');
    expect(speechConfig.outputFormat).toBe(sdk.OutputFormat.Detailed);
    expect(speechConfig.getProperty(sdk.PropertyId.Speech_SegmentationSilenceTimeoutMs)).toBe('200');
    expect(speechConfig.getProperty('SpeechServiceResponse_RequestWordLevelTimestamps')).toBe('true');
    expect(speechConfig.region).toBe('westeurope');
    expect(autoDetect).toBeNull();
    expect(fake.recognizers[0]!.started).toBe(true);
  });

  it('uses language identification over several locales when asked, and token or endpoint auth', () => {
    const fake = fakeAzureSdk();
    new AzureSpeechEngine({
      authorizationToken: 'token',
      region: 'westeurope',
      languages: ['en-US', 'de-DE', 'fr-FR'],
      languageIdentification: true,
      ...fake,
    }).openStream({ language: 'de-DE', sampleRate: 8000, partials: false });
    const { speechConfig, autoDetect } = fake.recognizers[0]!.input;
    expect(autoDetect).toBeInstanceOf(sdk.AutoDetectSourceLanguageConfig);
    expect(speechConfig.authorizationToken).toBe('token');
    expect(speechConfig.getProperty(sdk.PropertyId.SpeechServiceConnection_LanguageIdMode)).toBe(
      'Continuous',
    );

    const viaEndpoint = fakeAzureSdk();
    new AzureSpeechEngine({ key: 'k', endpoint: 'wss://example.invalid/stt', ...viaEndpoint }).openStream({
      language: 'en-US',
      sampleRate: 8000,
      partials: false,
    });
    expect(
      viaEndpoint.recognizers[0]!.input.speechConfig.getProperty(
        sdk.PropertyId.SpeechServiceConnection_Endpoint,
      ),
    ).toBe('wss://example.invalid/stt');
  });

  it('rejects start() without credentials or location, and a 16 kHz stream', async () => {
    await expect(new AzureSpeechEngine({ region: 'westeurope' }).start()).rejects.toThrow(
      /needs a key, an authorization token or a token provider/,
    );
    await expect(new AzureSpeechEngine({ key: 'k' }).start()).rejects.toThrow(/region or an endpoint/);
    expect(() =>
      new AzureSpeechEngine({ key: 'k', region: 'x', ...fakeAzureSdk() }).openStream({
        language: 'en-US',
        sampleRate: 16000,
        partials: false,
      }),
    ).toThrow(/8 kHz/);
  });

  it('maps SDK tick offsets (relative to pushed audio) onto the stream timeline across a pause', async () => {
    const fake = fakeAzureSdk();
    const engine = new AzureSpeechEngine({
      key: 'k',
      region: 'westeurope',
      languageIdentification: true,
      languages: ['en-US', 'de-DE'],
      ...fake,
    });
    const stream = engine.openStream({ language: 'en-US', sampleRate: 8000, partials: true });
    const recognizer = fake.recognizers[0]!;
    const results = await run(stream, async () => {
      stream.write(new Int16Array(2 * S), 10 * S); // pushed 0..2 s = stream 10..12 s
      stream.write(new Int16Array(2 * S), 20 * S); // pushed 2..4 s = stream 20..22 s (8 s paused in between)
      const detail = JSON.stringify({
        PrimaryLanguage: { Language: 'de-DE' },
        NBest: [
          {
            Confidence: 0.93,
            Words: [
              { Word: 'guten', Offset: ticks(3.0), Duration: ticks(0.3), Confidence: 1.7 },
              { Word: 'tag', Offset: ticks(3.4), Duration: ticks(0.2) },
            ],
          },
        ],
      });
      recognizer.emit('recognizing', {
        reason: sdk.ResultReason.RecognizingSpeech,
        text: 'guten',
        offset: ticks(3.0),
        duration: ticks(0.3),
      });
      recognizer.emit('recognized', {
        reason: sdk.ResultReason.RecognizedSpeech,
        text: 'Guten Tag.',
        offset: ticks(3.0),
        duration: ticks(0.6),
        language: 'de-DE',
        properties: {
          getProperty: (id) => (id === sdk.PropertyId.SpeechServiceResponse_JsonResult ? detail : ''),
        },
      });
      recognizer.emit('recognized', {
        reason: sdk.ResultReason.NoMatch,
        text: '',
        offset: ticks(3.8),
        duration: 0,
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
    });
    const [partial, final] = results;
    expect(results).toHaveLength(2);
    expect(partial!.isFinal).toBe(false);
    expect(partial!.utteranceId).toBe(final!.utteranceId);
    expect(final!.startSample).toBe(21 * S); // pushed 3.0 s → stream 21.0 s
    expect(final!.words.map((w) => [w.text, w.startSample, w.durationSamples, w.confidence])).toEqual([
      ['guten', 21 * S, 0.3 * S, 1],
      ['tag', 21.4 * S, 0.2 * S, 0.93],
    ]);
    expect(final!.text).toBe('Guten Tag.');
    expect(final!.language).toBe('de-DE');
    expect(final!.confidence).toBe(0.93);
    expect(recognizer.stopped && recognizer.closedRecognizer).toBe(true);
  });

  it('fails the stream on a cancellation and ends its results', async () => {
    const fake = fakeAzureSdk();
    const stream = new AzureSpeechEngine({ key: 'k', region: 'westeurope', ...fake }).openStream({
      language: 'en-US',
      sampleRate: 8000,
      partials: false,
    });
    const results: RecognitionResult[] = [];
    const done = (async () => {
      for await (const r of stream.results()) results.push(r);
    })();
    stream.write(loadFixture('hello'), 0);
    fake.recognizers[0]!.cancel('WebSocket upgrade failed: Authentication error (401)');
    await done; // the iterator ends by itself
    expect(stream.failed?.message).toMatch(/canceled.*401/);
    stream.write(new Int16Array(160), 10 * S); // ignored, no throw
    await stream.flush();
    await stream.close();
  });
});

describe('AzureSpeechEngine with renewed tokens (managed identity)', () => {
  afterEach(() => vi.useRealTimers());

  it('starts recognizers with the provider token and hands renewed tokens to open ones 5 minutes before expiry', async () => {
    vi.useFakeTimers();
    const start = Date.now();
    let issued = 0;
    const provider = {
      getToken: vi.fn(async () => {
        issued += 1;
        return { token: `aad#res#t${issued}`, expiresOnTimestamp: Date.now() + 60 * 60_000 };
      }),
    };
    const fake = fakeAzureSdk();
    const engine = new AzureSpeechEngine({ tokenProvider: provider, region: 'westeurope', ...fake });
    await engine.start();
    engine.openStream({ language: 'en-US', sampleRate: 8000, partials: false });
    expect(fake.recognizers[0]!.input.speechConfig.authorizationToken).toBe('aad#res#t1');

    await vi.advanceTimersByTimeAsync(54 * 60_000);
    expect(provider.getToken).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(60_000 + 1);
    expect(provider.getToken).toHaveBeenCalledTimes(2);
    expect(fake.recognizers[0]!.authorizationToken).toBe('aad#res#t2');
    engine.openStream({ language: 'en-US', sampleRate: 8000, partials: false });
    expect(fake.recognizers[1]!.input.speechConfig.authorizationToken).toBe('aad#res#t2');
    expect(Date.now() - start).toBeGreaterThanOrEqual(55 * 60_000);
    await engine.stop();
  });

  it('keeps the current token when a renewal fails and retries after 30 s; a failing first token fails start()', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const provider = {
      getToken: vi.fn(async () => {
        calls += 1;
        if (calls === 2) throw new Error('IMDS unavailable');
        return { token: `aad#res#t${calls}`, expiresOnTimestamp: Date.now() + 10 * 60_000 };
      }),
    };
    const fake = fakeAzureSdk();
    const engine = new AzureSpeechEngine({ tokenProvider: provider, region: 'westeurope', ...fake });
    await engine.start();
    engine.openStream({ language: 'en-US', sampleRate: 8000, partials: false });
    await vi.advanceTimersByTimeAsync(5 * 60_000 + 1); // renewal due 5 min before expiry: fails
    expect(provider.getToken).toHaveBeenCalledTimes(2);
    expect(fake.recognizers[0]!.authorizationToken).toBe('');
    expect(engine.currentToken()).toBe('aad#res#t1');
    await vi.advanceTimersByTimeAsync(30_000 + 1);
    expect(provider.getToken).toHaveBeenCalledTimes(3);
    expect(fake.recognizers[0]!.authorizationToken).toBe('aad#res#t3');
    await engine.stop();

    const broken = new AzureSpeechEngine({
      tokenProvider: { getToken: () => Promise.reject(new Error('no identity')) },
      region: 'westeurope',
    });
    await expect(broken.start()).rejects.toThrow(/could not get a token: no identity/);
  });
});
