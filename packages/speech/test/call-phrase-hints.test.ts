/**
 * Phrase hints per call (customConfig.sttPhrases): validation, and each cloud engine's native use of them at its
 * boundary — the Azure SDK's own WebSocket traffic to a local stand-in of the service, the multipart form the OpenAI
 * engine posts to a local fake, and the Realtime session settings sent to a local fake.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { AzureSpeechEngine } from '../src/engines/azure-speech-engine.js';
import { OpenAiTranscriptionEngine } from '../src/engines/openai-transcription-engine.js';
import { RealtimeEngine } from '../src/engines/realtime/realtime-engine.js';
import { ScriptedEngine } from '../src/engines/scripted-engine.js';
import {
  callPhraseHints,
  MAX_CALL_PHRASES,
  MAX_PHRASE_LENGTH,
  mergePhrases,
} from '../src/pipeline/call-phrase-hints.js';
import { CallTranscriber } from '../src/pipeline/call-transcriber.js';
import type { SpeechStreamOptions } from '../src/engine.js';
import { fakeAzureSdk } from './support/fake-azure-recognizer.js';
import { FakeOpenAiServer } from './support/fake-openai-server.js';
import { FakeRealtimeServer } from './support/fake-realtime-server.js';
import { loadFixture } from './support/fixtures.js';

const S = 8000;

describe('callPhraseHints (customConfig.sttPhrases)', () => {
  const many = Array.from({ length: MAX_CALL_PHRASES + 5 }, (_, i) => `term ${i}`);
  it.each([
    ['absent', {}, [], []],
    ['null customConfig', null, [], []],
    [
      'an array of phrases',
      { sttPhrases: ['Contoso', 'premium plus plan'] },
      ['Contoso', 'premium plus plan'],
      [],
    ],
    ['a single string is one phrase', { sttPhrases: 'premium plus plan' }, ['premium plus plan'], []],
    ['an empty array', { sttPhrases: [] }, [], []],
    [
      'control characters become spaces, whitespace collapses',
      { sttPhrases: ['Con\u0000to\u200bso', '  premium\n\tplus   plan '] },
      ['Con to so', 'premium plus plan'],
      [],
    ],
    [
      'repeats kept once (case-insensitive)',
      { sttPhrases: ['Contoso', 'contoso', 'CONTOSO'] },
      ['Contoso'],
      [],
    ],
    ['a number', { sttPhrases: 42 }, [], ['sttPhrases must be a string or an array of strings, got number']],
    [
      'an object',
      { sttPhrases: { a: 1 } },
      [],
      ['sttPhrases must be a string or an array of strings, got object'],
    ],
    [
      'non-strings and empty entries dropped, the rest kept',
      { sttPhrases: ['Contoso', 7, null, ' \u0007 ', 'Fabrikam'] },
      ['Contoso', 'Fabrikam'],
      [
        'sttPhrases[1] is not a string (number)',
        'sttPhrases[2] is not a string (null)',
        'sttPhrases[3] is empty',
      ],
    ],
    [
      'a phrase over the length cap dropped',
      { sttPhrases: ['x'.repeat(MAX_PHRASE_LENGTH + 1), 'Contoso'] },
      ['Contoso'],
      [`sttPhrases[0] is longer than ${MAX_PHRASE_LENGTH} characters`],
    ],
    [
      'more than the count cap: the first ones kept',
      { sttPhrases: many },
      many.slice(0, MAX_CALL_PHRASES),
      [`sttPhrases: more than ${MAX_CALL_PHRASES} phrases, 5 dropped`],
    ],
  ])('%s', (_name, customConfig, phrases, problems) => {
    expect(callPhraseHints(customConfig as Record<string, unknown> | null)).toEqual({ phrases, problems });
  });

  it('merges deployment vocabulary and call phrases, each once', () => {
    expect(mergePhrases(['IBAN', 'Contoso'], ['contoso', 'premium plus plan'])).toEqual([
      'IBAN',
      'Contoso',
      'premium plus plan',
    ]);
  });

  it('reaches every stream of the call through CallTranscriber, and only that call', async () => {
    const opened: SpeechStreamOptions[] = [];
    const engine = new ScriptedEngine({ name: 'scripted' });
    const openStream = engine.openStream.bind(engine);
    engine.openStream = (options) => {
      opened.push(options);
      return openStream(options);
    };
    const media = { type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: 8000 } as const;
    for (const phrases of [['Contoso'], undefined]) {
      const transcriber = new CallTranscriber({
        engines: [engine],
        onTranscript: () => undefined,
        ...(phrases ? { phrases } : {}),
      });
      await transcriber.handle({ type: 'opened', media, language: 'en-US' });
      await transcriber.handle({
        type: 'audio',
        channels: [new Int16Array(S), new Int16Array(S)],
        startSample: 0,
      });
      await transcriber.close();
    }
    expect(opened.map((o) => o.phrases)).toEqual([['Contoso'], ['Contoso'], undefined, undefined]);
  });
});

describe('Azure Speech: a phrase list on the recognizer', () => {
  it('hands the deployment vocabulary and the call phrases to the recognizer factory, per stream', () => {
    const fake = fakeAzureSdk();
    const engine = new AzureSpeechEngine({
      key: 'k',
      region: 'westeurope',
      phrases: ['IBAN', 'Contoso'],
      ...fake,
    });
    engine.openStream({
      language: 'en-US',
      sampleRate: 8000,
      partials: false,
      phrases: ['contoso', 'premium plus plan'],
    });
    engine.openStream({ language: 'en-US', sampleRate: 8000, partials: false });
    expect(fake.recognizers.map((r) => r.input.phrases)).toEqual([
      ['IBAN', 'Contoso', 'premium plus plan'],
      ['IBAN', 'Contoso'],
    ]);
  });

  // The SDK itself, against a local stand-in for the service: the phrase list travels in speech.context (dgi).
  let wss: WebSocketServer;
  const contexts: Record<string, unknown>[] = [];
  beforeAll(async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(wss, 'listening');
    wss.on('connection', (ws) =>
      ws.on('message', (data: Buffer, binary: boolean) => {
        // text frames: headers, blank line, JSON body; binary (audio) frames are not what this test reads
        if (binary) return;
        const text = data.toString();
        if (!text.startsWith('Path: speech.context')) return;
        contexts.push(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>);
      }),
    );
  });
  afterAll(async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => wss.close(resolve));
  });

  async function contextOf(
    phrases: string[] | undefined,
    vocabulary: string[],
  ): Promise<Record<string, unknown>> {
    const before = contexts.length;
    const { port } = wss.address() as AddressInfo;
    const engine = new AzureSpeechEngine({
      key: 'k',
      endpoint: `ws://127.0.0.1:${port}/stt`,
      phrases: vocabulary,
    });
    const stream = engine.openStream({
      language: 'en-US',
      sampleRate: 8000,
      partials: false,
      ...(phrases ? { phrases } : {}),
    });
    stream.write(new Int16Array(S), 0);
    for (let i = 0; i < 200 && contexts.length === before; i++) await new Promise((r) => setTimeout(r, 25));
    void stream.close();
    expect(contexts.length).toBe(before + 1);
    return contexts[before]!;
  }

  it('sends the phrase list to the service as a generic dynamic grammar', async () => {
    const context = await contextOf(['premium plus plan'], ['Contoso']);
    expect(context.dgi).toEqual({
      groups: [{ type: 'Generic', items: [{ text: 'Contoso' }, { text: 'premium plus plan' }] }],
      bias: 1,
    });
  });

  it('sends no grammar for a call without phrases on a deployment without vocabulary', async () => {
    const context = await contextOf(undefined, []);
    expect(context.dgi).toBeUndefined();
  });
});

describe('OpenAI-compatible /audio/transcriptions: the prompt field', () => {
  const server = new FakeOpenAiServer();
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it('sends vocabulary then the call phrases as the prompt of that call only', async () => {
    const engine = new OpenAiTranscriptionEngine({
      url: server.url,
      apiKey: 'sk-test',
      vocabulary: ['IBAN'],
      sleep: () => Promise.resolve(),
    });
    for (const phrases of [['Contoso', 'premium plus plan'], undefined]) {
      const stream = engine.openStream({
        language: 'en-US',
        sampleRate: 8000,
        partials: false,
        ...(phrases ? { phrases } : {}),
      });
      stream.write(loadFixture('hello'), 0);
      await stream.close();
    }
    expect(server.requests.map((r) => r.fields.prompt)).toEqual([
      'Vocabulary: IBAN, Contoso, premium plus plan.',
      'Vocabulary: IBAN.',
    ]);
    const bare = new OpenAiTranscriptionEngine({ url: server.url, sleep: () => Promise.resolve() });
    const stream = bare.openStream({ language: 'en-US', sampleRate: 8000, partials: false });
    stream.write(loadFixture('hello'), 0);
    await stream.close();
    expect(server.requests[2]!.fields).not.toHaveProperty('prompt');
  });
});

describe('Realtime: input_audio_transcription.prompt', () => {
  const server = new FakeRealtimeServer();
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it("adds the call's phrases to the configured prompt for that call's sessions only", async () => {
    const engine = new RealtimeEngine({
      url: server.url,
      apiKey: 'sk-test',
      prompt: 'Contoso Bank. Vocabulary: IBAN.',
    });
    await engine.start();
    const hinted = engine.openStream({
      language: 'en-US',
      sampleRate: 8000,
      partials: false,
      phrases: ['premium plus plan', 'Fabrikam'],
    });
    const plain = engine.openStream({ language: 'en-US', sampleRate: 8000, partials: false });
    for (let i = 0; i < 200 && server.sessions.filter((s) => s.settings).length < 2; i++)
      await new Promise((r) => setTimeout(r, 25));
    const prompts = server.sessions.map(
      (s) => (s.settings?.input_audio_transcription as { prompt?: string } | undefined)?.prompt,
    );
    expect(prompts).toEqual([
      'Contoso Bank. Vocabulary: IBAN. Vocabulary of this call: premium plus plan, Fabrikam.',
      'Contoso Bank. Vocabulary: IBAN.',
    ]);
    await Promise.all([hinted.close(), plain.close()]);
  });
});
