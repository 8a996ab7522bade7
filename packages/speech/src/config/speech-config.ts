import type { SpeechEngine } from '../engine.js';
import { AzureSpeechEngine, type AzureTokenProvider } from '../engines/azure-speech-engine.js';
import { FallbackEngine } from '../engines/fallback-engine.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readVocabulary } from '../pocketsphinx/domain-lm.js';
import { DEFAULT_SPEAKER_ADAPTATION } from '../pocketsphinx/speaker-adaptation.js';
import { OpenAiTranscriptionEngine } from '../engines/openai-transcription-engine.js';
import { RealtimeEngine } from '../engines/realtime/realtime-engine.js';
import { CallEngineChoice } from '../pipeline/call-engine-choice.js';
import type { CallTranscriberOptions } from '../pipeline/call-transcriber.js';
import { EnergyVad } from '../vad/energy-vad.js';
import { DEFAULT_TRAILING_SILENCE_MS } from '../vad/segmenter.js';
import { SILERO_SEGMENTER } from '../vad/silero-vad.js';
import { ThreadedSileroVad } from '../vad/silero-vad-thread.js';
import {
  readVocabularyTerms,
  realtimeConfigFromEnv,
  RealtimeConfigError,
  type RealtimeConfig,
} from './realtime-config.js';

/** Speech settings from the environment (docs/speech.md lists every variable). */
export interface SpeechConfig {
  /** engine names in order of preference: embedded | azure | openai | realtime; empty = transcription off (`none`) */
  engines: string[];
  /** engines a call may ask for in customConfig.sttEngine (HOOKSCRIBE_STT_ENGINE_ALLOWLIST) */
  allowlist: string[];
  partials: boolean;
  /** HOOKSCRIBE_STT_TEXT_FORMAT: display form for engines that return spoken-form words */
  textFormat: boolean;
  utteranceSilenceMs: number;
  vad: 'energy' | 'silero';
  /** HOOKSCRIBE_STT_VOCABULARY: the embedded engine's deployment vocabulary (words and phrases), read at start */
  vocabulary: string[];
  /** the same file's terms with their case, for the cloud engines (Azure phrase list, OpenAI prompt) */
  vocabularyTerms: string[];
  /**
   * HOOKSCRIBE_STT_SPEAKER_ADAPTATION: the accurate post-call pass re-decodes each channel with an MLLR transform
   * estimated from its own first decode (embedded engine only; off by default)
   */
  speakerAdaptation: boolean;
  /**
   * HOOKSCRIBE_STT_SPEAKER_WARP: the embedded engine warps the filterbank (VTLN) of channels whose voice is pitched
   * high (on by default)
   */
  speakerWarp: boolean;
  defaultLanguage: string;
  azure: {
    key?: string;
    token?: string;
    /** ARM resource id of the Speech account: Entra ID tokens through the managed identity (renewed) */
    resourceId?: string;
    region?: string;
    endpoint?: string;
    languages: string[];
    languageIdentification: boolean;
  };
  openai: {
    url?: string;
    key?: string;
    model: string;
    apiVersion?: string;
    languages: string[];
    wordTimestamps: boolean;
    timeoutMs: number;
  };
  /** set when the realtime engine is listed or allowlisted */
  realtime?: RealtimeConfig;
}

const ENGINE_NAMES = ['embedded', 'azure', 'openai', 'realtime'];

export class SpeechConfigError extends Error {
  override readonly name = 'SpeechConfigError';
}

const list = (value: string | undefined, fallback: string[]) =>
  value === undefined || value.trim() === ''
    ? fallback
    : value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

/**
 * HOOKSCRIBE_STT_SPEAKER_ADAPTATION: on only where its tools are, so a missing install is a start-up error naming
 * the variable, not a warning on every post-call job.
 */
function speakerAdaptationFrom(value: string | undefined): boolean {
  const on = flag('HOOKSCRIBE_STT_SPEAKER_ADAPTATION', value, false);
  if (on && !existsSync(join(DEFAULT_SPEAKER_ADAPTATION.sphinxtrainDir, 'bw')))
    throw new SpeechConfigError(
      `HOOKSCRIBE_STT_SPEAKER_ADAPTATION=true needs sphinxtrain (${DEFAULT_SPEAKER_ADAPTATION.sphinxtrainDir}/bw not found): ` +
        'bash scripts/install-system-deps.sh --speaker-adaptation',
    );
  return on;
}

function flag(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new SpeechConfigError(`${name} must be true or false, got ${JSON.stringify(value)}`);
}

function integer(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new SpeechConfigError(
      `${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

function vocabularyFrom(path: string | undefined): string[] {
  if (!path) return [];
  try {
    return readVocabulary(path);
  } catch (err) {
    throw new SpeechConfigError(`HOOKSCRIBE_STT_VOCABULARY: ${(err as Error).message}`);
  }
}

function vocabularyTermsFrom(path: string | undefined): string[] {
  if (!path) return [];
  try {
    return readVocabularyTerms(path);
  } catch (err) {
    throw new SpeechConfigError((err as Error).message);
  }
}

/** Parses and checks the HOOKSCRIBE_STT_* / _AZURE_SPEECH_* / _OPENAI_STT_* variables; throws SpeechConfigError. */
export function speechConfigFromEnv(env: Record<string, string | undefined>): SpeechConfig {
  const listed = list(env.HOOKSCRIBE_STT_ENGINES, ['embedded']).map((e) => e.toLowerCase());
  // `none` turns transcription off (recording and storage only)
  if (listed.includes('none') && listed.length > 1)
    throw new SpeechConfigError('HOOKSCRIBE_STT_ENGINES: none cannot be combined with engines');
  const engines = listed.includes('none') ? [] : listed;
  const allowlist = list(env.HOOKSCRIBE_STT_ENGINE_ALLOWLIST, []).map((e) => e.toLowerCase());
  for (const [variable, names] of [
    ['HOOKSCRIBE_STT_ENGINES', engines],
    ['HOOKSCRIBE_STT_ENGINE_ALLOWLIST', allowlist],
  ] as const) {
    for (const engine of names) {
      if (!ENGINE_NAMES.includes(engine)) {
        throw new SpeechConfigError(
          `${variable}: unknown engine ${JSON.stringify(engine)} (${ENGINE_NAMES.join(', ')})`,
        );
      }
    }
  }
  if (engines.length === 0 && allowlist.length > 0) {
    throw new SpeechConfigError(
      'HOOKSCRIBE_STT_ENGINE_ALLOWLIST needs transcription on (HOOKSCRIBE_STT_ENGINES)',
    );
  }
  const used = [...new Set([...engines, ...allowlist])];
  // Silero by default: it never fires on hold music, tones or line noise (docs/speech-embedded.md, bench:stt)
  const vad = (env.HOOKSCRIBE_VAD || 'silero').toLowerCase();
  if (vad !== 'energy' && vad !== 'silero')
    throw new SpeechConfigError(`HOOKSCRIBE_VAD must be energy or silero, got ${vad}`);
  const config: SpeechConfig = {
    engines,
    allowlist,
    partials: flag('HOOKSCRIBE_STT_PARTIALS', env.HOOKSCRIBE_STT_PARTIALS, false),
    textFormat: flag('HOOKSCRIBE_STT_TEXT_FORMAT', env.HOOKSCRIBE_STT_TEXT_FORMAT, true),
    utteranceSilenceMs: integer(
      'HOOKSCRIBE_UTTERANCE_SILENCE_MS',
      env.HOOKSCRIBE_UTTERANCE_SILENCE_MS,
      DEFAULT_TRAILING_SILENCE_MS,
      100,
      5000,
    ),
    vad,
    // read (and checked) only where the embedded engine uses it; the realtime engine reads the file its own way
    vocabulary: used.includes('embedded') ? vocabularyFrom(env.HOOKSCRIBE_STT_VOCABULARY) : [],
    vocabularyTerms:
      used.includes('azure') || used.includes('openai')
        ? vocabularyTermsFrom(env.HOOKSCRIBE_STT_VOCABULARY)
        : [],
    // off by default: large gain on the synthetic dev voices, none on the held-out human recordings (bench:stt-accurate)
    speakerAdaptation: speakerAdaptationFrom(env.HOOKSCRIBE_STT_SPEAKER_ADAPTATION),
    // on by default: real telephone prompts in a female voice 37.9% → 33.9% (docs/benchmarks/stt.md)
    speakerWarp: flag('HOOKSCRIBE_STT_SPEAKER_WARP', env.HOOKSCRIBE_STT_SPEAKER_WARP, true),
    defaultLanguage: env.HOOKSCRIBE_STT_DEFAULT_LANGUAGE || 'en-US',
    azure: {
      key: env.HOOKSCRIBE_AZURE_SPEECH_KEY || undefined,
      token: env.HOOKSCRIBE_AZURE_SPEECH_TOKEN || undefined,
      resourceId: env.HOOKSCRIBE_AZURE_SPEECH_RESOURCE_ID || undefined,
      region: env.HOOKSCRIBE_AZURE_SPEECH_REGION || undefined,
      endpoint: env.HOOKSCRIBE_AZURE_SPEECH_ENDPOINT || undefined,
      languages: list(env.HOOKSCRIBE_AZURE_SPEECH_LANGUAGES, ['en-US']),
      languageIdentification: flag('HOOKSCRIBE_AZURE_SPEECH_LID', env.HOOKSCRIBE_AZURE_SPEECH_LID, false),
    },
    openai: {
      url: env.HOOKSCRIBE_OPENAI_STT_URL || undefined,
      key: env.HOOKSCRIBE_OPENAI_STT_KEY || undefined,
      model: env.HOOKSCRIBE_OPENAI_STT_MODEL || 'whisper-1',
      apiVersion: env.HOOKSCRIBE_OPENAI_STT_API_VERSION || undefined,
      languages: list(env.HOOKSCRIBE_OPENAI_STT_LANGUAGES, ['en-US']),
      wordTimestamps: flag(
        'HOOKSCRIBE_OPENAI_STT_WORD_TIMESTAMPS',
        env.HOOKSCRIBE_OPENAI_STT_WORD_TIMESTAMPS,
        true,
      ),
      timeoutMs: integer(
        'HOOKSCRIBE_OPENAI_STT_TIMEOUT_MS',
        env.HOOKSCRIBE_OPENAI_STT_TIMEOUT_MS,
        15_000,
        1000,
        300_000,
      ),
    },
  };
  if (used.includes('realtime')) {
    try {
      config.realtime = realtimeConfigFromEnv(env);
    } catch (error) {
      if (error instanceof RealtimeConfigError) throw new SpeechConfigError(error.message);
      throw error;
    }
  }
  if (used.includes('azure')) {
    if (!config.azure.key && !config.azure.token && !config.azure.resourceId) {
      throw new SpeechConfigError(
        'azure engine: set HOOKSCRIBE_AZURE_SPEECH_KEY, HOOKSCRIBE_AZURE_SPEECH_RESOURCE_ID (managed identity) or HOOKSCRIBE_AZURE_SPEECH_TOKEN',
      );
    }
    if (!config.azure.region && !config.azure.endpoint) {
      throw new SpeechConfigError(
        'azure engine: set HOOKSCRIBE_AZURE_SPEECH_REGION or HOOKSCRIBE_AZURE_SPEECH_ENDPOINT',
      );
    }
  }
  if (used.includes('openai') && !config.openai.url) {
    throw new SpeechConfigError(
      'openai engine: set HOOKSCRIBE_OPENAI_STT_URL (e.g. https://api.openai.com/v1/audio/transcriptions)',
    );
  }
  return config;
}

export interface SpeechEngineFactories {
  embedded?: () => SpeechEngine;
  /** Entra ID tokens for the Speech resource (HOOKSCRIBE_AZURE_SPEECH_RESOURCE_ID), built by the caller */
  azureTokenProvider?: (resourceId: string) => AzureTokenProvider;
  /** Entra ID tokens for Azure OpenAI (the realtime engine without a key), built by the caller */
  openAiTokenProvider?: () => AzureTokenProvider;
  /** FallbackEngine watchdog: post-call decoders on idle CPU may make no progress for minutes without being hung */
  watchdogMs?: number;
}

/**
 * The configured engines as the CallTranscriber's engine list: one FallbackEngine over them in configured order (it
 * picks, per call, the first one supporting the call's language, and watches it). The embedded engine is built by the
 * caller (it lives in the pocketsphinx module and needs its model paths).
 */
export function buildSpeechEngines(
  config: SpeechConfig,
  factories: SpeechEngineFactories = {},
): SpeechEngine[] {
  return buildCallEngineChoice(config, factories).defaults.slice();
}

/**
 * The default engine chain plus, per allowlisted engine, a chain that starts with it and falls back to the defaults.
 * Each engine is built once and shared by the chains it is in.
 */
export function buildCallEngineChoice(
  config: SpeechConfig,
  factories: SpeechEngineFactories = {},
): CallEngineChoice {
  const built = createSpeechEngines(
    [...new Set([...config.engines, ...config.allowlist])],
    config,
    factories,
  );
  // Even a single engine goes through the FallbackEngine: its watchdog turns a hung engine into a reported failure.
  const watchdog = factories.watchdogMs !== undefined ? { watchdogMs: factories.watchdogMs } : {};
  const chain = (names: string[]) =>
    names.length === 0
      ? []
      : [new FallbackEngine({ engines: names.map((name) => built.get(name)!), ...watchdog })];
  const chains = new Map<string, SpeechEngine[]>();
  for (const name of config.allowlist) {
    chains.set(name, chain([name, ...config.engines.filter((n) => n !== name)]));
  }
  return new CallEngineChoice(chain(config.engines), chains);
}

function createSpeechEngines(
  names: string[],
  config: SpeechConfig,
  factories: SpeechEngineFactories,
): Map<string, SpeechEngine> {
  const engines = names.map((name): SpeechEngine => {
    switch (name) {
      case 'azure':
        return new AzureSpeechEngine({
          key: config.azure.key,
          authorizationToken: config.azure.token,
          tokenProvider:
            !config.azure.key && config.azure.resourceId && factories.azureTokenProvider
              ? factories.azureTokenProvider(config.azure.resourceId)
              : undefined,
          region: config.azure.region,
          endpoint: config.azure.endpoint,
          languages: config.azure.languages,
          languageIdentification: config.azure.languageIdentification,
          phrases: config.vocabularyTerms,
          segmentationSilenceMs: config.utteranceSilenceMs,
        });
      case 'openai':
        return new OpenAiTranscriptionEngine({
          url: config.openai.url!,
          apiKey: config.openai.key,
          apiVersion: config.openai.apiVersion,
          model: config.openai.model,
          languages: config.openai.languages,
          wordTimestamps: config.openai.wordTimestamps,
          timeoutMs: config.openai.timeoutMs,
          vocabulary: config.vocabularyTerms,
        });
      case 'realtime': {
        const realtime = config.realtime!;
        // the engine decides from URL and key whether it needs tokens; a provider costs nothing until used
        return new RealtimeEngine({
          url: realtime.url,
          apiKey: realtime.key,
          auth: realtime.auth,
          tokenProvider: factories.openAiTokenProvider?.(),
          model: realtime.model,
          prompt: realtime.prompt,
          languages: realtime.languages,
          turnDetection: realtime.turnDetection,
          noiseReduction: realtime.noiseReduction,
          silenceMs: realtime.silenceMs,
          sessionMaxMs: realtime.sessionMaxMs,
        });
      }
      default: {
        if (!factories.embedded)
          throw new SpeechConfigError('embedded engine requested but no factory given');
        return factories.embedded();
      }
    }
  });
  return new Map(names.map((name, i) => [name, engines[i]!]));
}

/** The CallTranscriber options that come from configuration (spread them into the constructor options). */
export function transcriberOptionsFromConfig(
  config: SpeechConfig,
): Pick<CallTranscriberOptions, 'partials' | 'formatText' | 'defaultLanguage' | 'createVad' | 'segmenter'> {
  return {
    partials: config.partials,
    formatText: config.textFormat,
    defaultLanguage: config.defaultLanguage,
    // Silero runs on its own thread: in-thread inference held the event loop (docs/benchmarks/load.md)
    createVad: config.vad === 'silero' ? () => ThreadedSileroVad.load() : () => new EnergyVad(),
    segmenter: {
      trailingSilenceMs: config.utteranceSilenceMs,
      ...(config.vad === 'silero' ? SILERO_SEGMENTER : {}),
    },
  };
}
