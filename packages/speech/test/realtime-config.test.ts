import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { azureRealtimeUrl, OPENAI_REALTIME_URL, realtimePrompt } from '../src/config/realtime-config.js';
import { buildCallEngineChoice, speechConfigFromEnv } from '../src/config/speech-config.js';
import { AzureSpeechEngine } from '../src/engines/azure-speech-engine.js';
import { FallbackEngine } from '../src/engines/fallback-engine.js';
import { OpenAiTranscriptionEngine } from '../src/engines/openai-transcription-engine.js';
import { RealtimeEngine } from '../src/engines/realtime/realtime-engine.js';
import { ScriptedEngine } from '../src/engines/scripted-engine.js';
import { requestedSttEngine } from '../src/pipeline/call-engine-choice.js';

const dir = mkdtempSync(join(tmpdir(), 'hookscribe-realtime-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const innerNames = (engines: readonly unknown[]) =>
  (engines[0] as FallbackEngine).options.engines.map((e) => e.name);

describe('realtime engine configuration', () => {
  it('defaults to OpenAI, gpt-4o-transcribe, the service VAD and near-field noise reduction', () => {
    const config = speechConfigFromEnv({ HOOKSCRIBE_STT_ENGINES: 'realtime', HOOKSCRIBE_REALTIME_KEY: 'sk' });
    expect(config.realtime).toEqual({
      url: OPENAI_REALTIME_URL,
      key: 'sk',
      auth: undefined,
      model: 'gpt-4o-transcribe',
      prompt: '',
      languages: ['en-US'],
      turnDetection: 'server_vad',
      noiseReduction: 'near_field',
      sessionMaxMs: 30 * 60_000,
      silenceMs: 500,
    });
    const [chain] = buildCallEngineChoice(config).defaults;
    const engine = (chain as FallbackEngine).options.engines[0] as RealtimeEngine;
    expect(engine).toBeInstanceOf(RealtimeEngine);
    expect(engine.auth).toBe('bearer');
    expect(engine.capabilities).toMatchObject({ endpointing: true, displayText: true, partials: true });
  });

  it('builds the Azure OpenAI URL from the endpoint and deployment, and uses the managed identity without a key', async () => {
    const config = speechConfigFromEnv({
      HOOKSCRIBE_STT_ENGINES: 'realtime',
      HOOKSCRIBE_REALTIME_ENDPOINT: 'https://contoso-openai.openai.azure.com/',
      HOOKSCRIBE_REALTIME_DEPLOYMENT: 'gpt-4o-mini-transcribe',
      HOOKSCRIBE_REALTIME_TURN_DETECTION: 'segmenter',
      HOOKSCRIBE_REALTIME_LANGUAGES: 'en-US, es-ES',
    });
    expect(config.realtime!.url).toBe(
      'wss://contoso-openai.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&intent=transcription&deployment=gpt-4o-mini-transcribe',
    );
    let asked = 0;
    const choice = buildCallEngineChoice(config, {
      openAiTokenProvider: () => ({
        getToken: () => Promise.resolve({ token: `t${++asked}`, expiresOnTimestamp: Date.now() + 3600_000 }),
      }),
    });
    const engine = (choice.defaults[0] as FallbackEngine).options.engines[0] as RealtimeEngine;
    expect(engine.auth).toBe('entra');
    expect(engine.capabilities).toMatchObject({ endpointing: false, languages: ['en-US', 'es-ES'] });
    await engine.start();
    expect(engine.headers().authorization).toBe('Bearer t1');
    await engine.stop();
    expect(azureRealtimeUrl('http://127.0.0.1:8080', 'd', 'v')).toBe(
      'ws://127.0.0.1:8080/openai/realtime?api-version=v&intent=transcription&deployment=d',
    );
  });

  it('rejects missing credentials and bad values at start-up', () => {
    const base = { HOOKSCRIBE_STT_ENGINES: 'realtime', HOOKSCRIBE_REALTIME_KEY: 'sk' };
    expect(() => speechConfigFromEnv({ HOOKSCRIBE_STT_ENGINES: 'realtime' })).toThrow(
      /HOOKSCRIBE_REALTIME_KEY/,
    );
    expect(() => speechConfigFromEnv({ ...base, HOOKSCRIBE_REALTIME_URL: 'https://x' })).toThrow(/ws:\/\//);
    expect(() => speechConfigFromEnv({ ...base, HOOKSCRIBE_REALTIME_TURN_DETECTION: 'semantic' })).toThrow(
      /server_vad, segmenter/,
    );
    expect(() => speechConfigFromEnv({ ...base, HOOKSCRIBE_REALTIME_SESSION_MINUTES: '1' })).toThrow(
      /\[2, 240\]/,
    );
    expect(() => speechConfigFromEnv({ ...base, HOOKSCRIBE_STT_ENGINE_ALLOWLIST: 'whisperx' })).toThrow(
      /HOOKSCRIBE_STT_ENGINE_ALLOWLIST: unknown engine "whisperx"/,
    );
    // not used: its settings are not checked
    expect(speechConfigFromEnv({}).realtime).toBeUndefined();
  });

  it('prompts with the configured text and the deployment vocabulary file', () => {
    const file = join(dir, 'vocabulary.txt');
    writeFileSync(file, '# product names\nContoso\nIBAN  # bank account number\n\nContoso\nsort   code\n');
    expect(realtimePrompt('Bank customer calls.', file)).toBe(
      'Bank customer calls. Vocabulary: Contoso, IBAN, sort code.',
    );
    expect(realtimePrompt(undefined, undefined)).toBe('');
    const config = speechConfigFromEnv({
      HOOKSCRIBE_STT_ENGINES: 'realtime',
      HOOKSCRIBE_REALTIME_KEY: 'sk',
      HOOKSCRIBE_STT_VOCABULARY: file,
    });
    expect(config.realtime!.prompt).toBe('Vocabulary: Contoso, IBAN, sort code.');
    expect(() => realtimePrompt('', join(dir, 'missing.txt'))).toThrow(/cannot read/);
  });

  it('gives the Azure and OpenAI engines the vocabulary terms with their case (phrase list, prompt)', () => {
    const file = join(dir, 'cloud-vocabulary.txt');
    writeFileSync(file, 'Contoso\nIBAN # bank\nsort code\n');
    const config = speechConfigFromEnv({
      HOOKSCRIBE_STT_ENGINES: 'azure,openai',
      HOOKSCRIBE_AZURE_SPEECH_KEY: 'k',
      HOOKSCRIBE_AZURE_SPEECH_REGION: 'westeurope',
      HOOKSCRIBE_OPENAI_STT_URL: 'http://127.0.0.1:1/v1/audio/transcriptions',
      HOOKSCRIBE_STT_VOCABULARY: file,
    });
    expect(config.vocabularyTerms).toEqual(['Contoso', 'IBAN', 'sort code']);
    const chain = buildCallEngineChoice(config).defaults[0] as FallbackEngine;
    const [azure, openai] = chain.options.engines as [AzureSpeechEngine, OpenAiTranscriptionEngine];
    expect(azure.options.phrases).toEqual(['Contoso', 'IBAN', 'sort code']);
    expect(openai.promptFor(['premium plus plan'])).toBe(
      'Vocabulary: Contoso, IBAN, sort code, premium plus plan.',
    );
    expect(() =>
      speechConfigFromEnv({
        HOOKSCRIBE_STT_ENGINES: 'openai',
        HOOKSCRIBE_OPENAI_STT_URL: 'http://127.0.0.1:1/v1/audio/transcriptions',
        HOOKSCRIBE_STT_VOCABULARY: join(dir, 'missing.txt'),
      }),
    ).toThrow(/HOOKSCRIBE_STT_VOCABULARY: cannot read/);
  });
});

describe('per-call engine choice', () => {
  const env = {
    HOOKSCRIBE_STT_ENGINES: 'embedded',
    HOOKSCRIBE_STT_ENGINE_ALLOWLIST: 'realtime',
    HOOKSCRIBE_REALTIME_KEY: 'sk',
  };

  it('reads customConfig.sttEngine, any case, strings only', () => {
    expect(requestedSttEngine({ sttEngine: ' Realtime ' })).toBe('realtime');
    expect(requestedSttEngine({ sttEngine: 3 })).toBeNull();
    expect(requestedSttEngine({ sttEngine: '' })).toBeNull();
    expect(requestedSttEngine({})).toBeNull();
    expect(requestedSttEngine(null)).toBeNull();
  });

  it('gives an allowlisted engine first with the defaults behind it, and the defaults to everyone else', () => {
    const embedded = new ScriptedEngine({ name: 'embedded' });
    const choice = buildCallEngineChoice(speechConfigFromEnv(env), { embedded: () => embedded });
    expect(choice.allowed).toEqual(['realtime']);
    const chosen = choice.forCall({ sttEngine: 'realtime' });
    expect(chosen.chosen).toBe('realtime');
    expect(innerNames(chosen.engines)).toEqual(['realtime', 'embedded']);
    expect((chosen.engines[0] as FallbackEngine).options.engines[1]).toBe(embedded); // built once, shared
    expect(innerNames(choice.forCall({}).engines)).toEqual(['embedded']);
    const refused = choice.forCall({ sttEngine: 'azure' });
    expect(innerNames(refused.engines)).toEqual(['embedded']);
    expect(refused.refused).toEqual({ requested: 'azure', allowed: ['realtime'] });
    expect(choice.all).toHaveLength(2);
  });

  it('needs transcription on for an allowlist', () => {
    expect(() => speechConfigFromEnv({ ...env, HOOKSCRIBE_STT_ENGINES: 'none' })).toThrow(
      /needs transcription on/,
    );
  });
});
