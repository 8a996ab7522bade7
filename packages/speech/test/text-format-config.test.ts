import { describe, expect, it } from 'vitest';
import { speechConfigFromEnv, transcriberOptionsFromConfig } from '../src/config/speech-config.js';
import { AzureSpeechEngine } from '../src/engines/azure-speech-engine.js';
import { FallbackEngine } from '../src/engines/fallback-engine.js';
import { OpenAiTranscriptionEngine } from '../src/engines/openai-transcription-engine.js';
import { ScriptedEngine } from '../src/engines/scripted-engine.js';

describe('HOOKSCRIBE_STT_TEXT_FORMAT and the displayText capability', () => {
  it('is on by default, off with off/false, and rejects anything else', () => {
    expect(transcriberOptionsFromConfig(speechConfigFromEnv({})).formatText).toBe(true);
    expect(speechConfigFromEnv({ HOOKSCRIBE_STT_TEXT_FORMAT: 'on' }).textFormat).toBe(true);
    for (const off of ['off', 'false', '0'])
      expect(
        transcriberOptionsFromConfig(speechConfigFromEnv({ HOOKSCRIBE_STT_TEXT_FORMAT: off })).formatText,
      ).toBe(false);
    expect(() => speechConfigFromEnv({ HOOKSCRIBE_STT_TEXT_FORMAT: 'sometimes' })).toThrow(
      /HOOKSCRIBE_STT_TEXT_FORMAT/,
    );
  });

  it('marks the engines that write display text themselves; a chain counts as formatting only if all do', () => {
    const azure = new AzureSpeechEngine({ key: 'k', region: 'westeurope' });
    const openai = new OpenAiTranscriptionEngine({ url: 'http://127.0.0.1:9/v1/audio/transcriptions' });
    const embedded = new ScriptedEngine({ name: 'embedded' });
    expect(azure.capabilities.displayText).toBe(true);
    expect(openai.capabilities.displayText).toBe(true);
    expect(embedded.capabilities.displayText).toBeUndefined();
    expect(new FallbackEngine({ engines: [azure, openai] }).capabilities.displayText).toBe(true);
    expect(new FallbackEngine({ engines: [azure, embedded] }).capabilities.displayText).toBe(false);
  });
});
