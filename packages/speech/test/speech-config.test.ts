import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildSpeechEngines,
  speechConfigFromEnv,
  transcriberOptionsFromConfig,
} from '../src/config/speech-config.js';
import { AzureSpeechEngine } from '../src/engines/azure-speech-engine.js';
import { FallbackEngine } from '../src/engines/fallback-engine.js';
import { OpenAiTranscriptionEngine } from '../src/engines/openai-transcription-engine.js';
import { ScriptedEngine } from '../src/engines/scripted-engine.js';
import { EnergyVad } from '../src/vad/energy-vad.js';
import { ThreadedSileroVad } from '../src/vad/silero-vad-thread.js';

describe('speech configuration', () => {
  it('defaults to the embedded engine, finals only, 200 ms utterance silence, Silero VAD', async () => {
    const config = speechConfigFromEnv({});
    expect(config).toMatchObject({
      engines: ['embedded'],
      partials: false,
      utteranceSilenceMs: 200,
      vad: 'silero',
      defaultLanguage: 'en-US',
    });
    const embedded = new ScriptedEngine({ name: 'embedded' });
    const [only, ...none] = buildSpeechEngines(config, { embedded: () => embedded });
    expect(none).toEqual([]);
    expect((only as FallbackEngine).options.engines).toEqual([embedded]); // wrapped for its watchdog
    const options = transcriberOptionsFromConfig(config);
    expect(options.segmenter).toEqual({ trailingSilenceMs: 200, negThreshold: 0.35, paddingMs: 300 });
    const vad = await options.createVad!();
    expect(vad).toBeInstanceOf(ThreadedSileroVad); // off the event loop
    await vad.release();
    expect(
      transcriberOptionsFromConfig(speechConfigFromEnv({ HOOKSCRIBE_VAD: 'energy' })).createVad!(),
    ).toBeInstanceOf(EnergyVad);
  });

  it('HOOKSCRIBE_STT_SPEAKER_ADAPTATION: off by default; on where sphinxtrain is installed (CI installs it)', () => {
    expect(speechConfigFromEnv({}).speakerAdaptation).toBe(false);
    expect(existsSync('/usr/lib/sphinxtrain/bw')).toBe(true);
    expect(speechConfigFromEnv({ HOOKSCRIBE_STT_SPEAKER_ADAPTATION: 'true' }).speakerAdaptation).toBe(true);
    expect(() => speechConfigFromEnv({ HOOKSCRIBE_STT_SPEAKER_ADAPTATION: 'maybe' })).toThrow(
      /HOOKSCRIBE_STT_SPEAKER_ADAPTATION/,
    );
  });

  it('HOOKSCRIBE_STT_SPEAKER_WARP: on by default, off with false, anything else a clear error', () => {
    expect(speechConfigFromEnv({}).speakerWarp).toBe(true);
    expect(speechConfigFromEnv({ HOOKSCRIBE_STT_SPEAKER_WARP: 'false' }).speakerWarp).toBe(false);
    expect(() => speechConfigFromEnv({ HOOKSCRIBE_STT_SPEAKER_WARP: 'sometimes' })).toThrow(
      /HOOKSCRIBE_STT_SPEAKER_WARP/,
    );
  });

  it('builds a fallback chain in the configured order', () => {
    const config = speechConfigFromEnv({
      HOOKSCRIBE_STT_ENGINES: 'embedded, Azure ,openai',
      HOOKSCRIBE_AZURE_SPEECH_KEY: 'k',
      HOOKSCRIBE_AZURE_SPEECH_REGION: 'westeurope',
      HOOKSCRIBE_AZURE_SPEECH_LANGUAGES: 'en-US,de-DE',
      HOOKSCRIBE_OPENAI_STT_URL: 'http://127.0.0.1:9/v1/audio/transcriptions',
      HOOKSCRIBE_OPENAI_STT_MODEL: 'gpt-4o-transcribe',
      HOOKSCRIBE_STT_PARTIALS: 'true',
      HOOKSCRIBE_UTTERANCE_SILENCE_MS: '300',
    });
    const [engine, ...rest] = buildSpeechEngines(config, {
      embedded: () => new ScriptedEngine({ name: 'embedded' }),
    });
    expect(rest).toEqual([]);
    expect(engine).toBeInstanceOf(FallbackEngine);
    const inner = (engine as FallbackEngine).options.engines;
    expect(inner.map((e) => e.constructor)).toEqual([
      ScriptedEngine,
      AzureSpeechEngine,
      OpenAiTranscriptionEngine,
    ]);
    expect(engine!.capabilities.languages).toEqual(['en-US', 'de-DE']);
    expect((inner[1] as AzureSpeechEngine).options.segmentationSilenceMs).toBe(300);
    expect(config.partials).toBe(true);
  });

  it('HOOKSCRIBE_AZURE_SPEECH_RESOURCE_ID gives the Azure engine the caller-built token provider for that resource', () => {
    const config = speechConfigFromEnv({
      HOOKSCRIBE_STT_ENGINES: 'azure',
      HOOKSCRIBE_AZURE_SPEECH_RESOURCE_ID:
        '/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/a',
      HOOKSCRIBE_AZURE_SPEECH_REGION: 'westeurope',
    });
    const provider = { getToken: () => Promise.resolve({ token: 't', expiresOnTimestamp: 0 }) };
    const asked: string[] = [];
    const [engine] = buildSpeechEngines(config, {
      azureTokenProvider: (resourceId) => (asked.push(resourceId), provider),
    });
    const azure = (engine as FallbackEngine).options.engines[0] as AzureSpeechEngine;
    expect(asked).toEqual([config.azure.resourceId]);
    expect(azure.options.tokenProvider).toBe(provider);
  });

  it('HOOKSCRIBE_STT_ENGINES=none turns transcription off and builds no engine; none mixed with engines is an error', () => {
    const config = speechConfigFromEnv({ HOOKSCRIBE_STT_ENGINES: 'none' });
    expect(config.engines).toEqual([]);
    expect(buildSpeechEngines(config)).toEqual([]);
    expect(() => speechConfigFromEnv({ HOOKSCRIBE_STT_ENGINES: 'none,embedded' })).toThrow(
      /none cannot be combined/,
    );
  });

  it('says exactly what is wrong with a bad configuration', () => {
    expect(() => speechConfigFromEnv({ HOOKSCRIBE_STT_ENGINES: 'whisper' })).toThrow(
      /unknown engine "whisper"/,
    );
    expect(() =>
      speechConfigFromEnv({ HOOKSCRIBE_STT_ENGINES: 'azure', HOOKSCRIBE_AZURE_SPEECH_REGION: 'x' }),
    ).toThrow(
      /HOOKSCRIBE_AZURE_SPEECH_KEY, HOOKSCRIBE_AZURE_SPEECH_RESOURCE_ID \(managed identity\) or HOOKSCRIBE_AZURE_SPEECH_TOKEN/,
    );
    expect(() =>
      speechConfigFromEnv({ HOOKSCRIBE_STT_ENGINES: 'azure', HOOKSCRIBE_AZURE_SPEECH_KEY: 'k' }),
    ).toThrow(/REGION or/);
    expect(() => speechConfigFromEnv({ HOOKSCRIBE_STT_ENGINES: 'openai' })).toThrow(
      /HOOKSCRIBE_OPENAI_STT_URL/,
    );
    expect(() => speechConfigFromEnv({ HOOKSCRIBE_UTTERANCE_SILENCE_MS: '50' })).toThrow(/\[100, 5000\]/);
    expect(() => speechConfigFromEnv({ HOOKSCRIBE_STT_PARTIALS: 'maybe' })).toThrow(/true or false/);
    expect(() => speechConfigFromEnv({ HOOKSCRIBE_VAD: 'webrtc' })).toThrow(/energy or silero/);
    expect(() => speechConfigFromEnv({ HOOKSCRIBE_STT_VOCABULARY: '/nonexistent/vocabulary.txt' })).toThrow(
      /HOOKSCRIBE_STT_VOCABULARY: vocabulary file \/nonexistent\/vocabulary.txt not found/,
    );
    expect(() => buildSpeechEngines(speechConfigFromEnv({}))).toThrow(/no factory/);
  });
});
