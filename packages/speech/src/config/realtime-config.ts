import { readFileSync } from 'node:fs';
import type { RealtimeAuth } from '../engines/realtime/realtime-engine.js';
import type { RealtimeNoiseReduction, RealtimeTurnDetection } from '../engines/realtime/realtime-events.js';

/** The `realtime` engine's settings (HOOKSCRIBE_REALTIME_*), docs/speech.md. */
export interface RealtimeConfig {
  url: string;
  key?: string;
  /** undefined: decided from the URL and key (RealtimeEngine) */
  auth?: RealtimeAuth;
  model: string;
  /** configured prompt plus the deployment vocabulary, '' when neither is set */
  prompt: string;
  languages: string[];
  turnDetection: RealtimeTurnDetection;
  noiseReduction: RealtimeNoiseReduction;
  sessionMaxMs: number;
  /** server_vad: the silence that ends a turn */
  silenceMs: number;
}

export class RealtimeConfigError extends Error {
  override readonly name = 'RealtimeConfigError';
}

export const OPENAI_REALTIME_URL = 'wss://api.openai.com/v1/realtime?intent=transcription';
/** the Realtime API version whose transcription sessions this engine speaks (Azure OpenAI) */
export const AZURE_REALTIME_API_VERSION = '2025-04-01-preview';

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined || value === '') return fallback;
  const lower = value.toLowerCase() as T;
  if (!allowed.includes(lower)) {
    throw new RealtimeConfigError(
      `${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return lower;
}

/**
 * HOOKSCRIBE_REALTIME_URL is the full WebSocket URL; for Azure OpenAI, HOOKSCRIBE_REALTIME_ENDPOINT (the resource
 * endpoint, as Bicep outputs it) and HOOKSCRIBE_REALTIME_DEPLOYMENT build it instead.
 */
export function realtimeConfigFromEnv(env: Record<string, string | undefined>): RealtimeConfig {
  const model = env.HOOKSCRIBE_REALTIME_MODEL || 'gpt-4o-transcribe';
  let url = env.HOOKSCRIBE_REALTIME_URL || '';
  if (!url && env.HOOKSCRIBE_REALTIME_ENDPOINT) {
    url = azureRealtimeUrl(
      env.HOOKSCRIBE_REALTIME_ENDPOINT,
      env.HOOKSCRIBE_REALTIME_DEPLOYMENT || model,
      env.HOOKSCRIBE_REALTIME_API_VERSION || AZURE_REALTIME_API_VERSION,
    );
  }
  url ||= OPENAI_REALTIME_URL;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'wss:' && parsed.protocol !== 'ws:') throw new Error(parsed.protocol);
  } catch {
    throw new RealtimeConfigError(
      `HOOKSCRIBE_REALTIME_URL must be a ws:// or wss:// URL, got ${JSON.stringify(url)}`,
    );
  }
  const minutes = Number(env.HOOKSCRIBE_REALTIME_SESSION_MINUTES || 30);
  if (!Number.isInteger(minutes) || minutes < 2 || minutes > 240) {
    throw new RealtimeConfigError('HOOKSCRIBE_REALTIME_SESSION_MINUTES must be an integer in [2, 240]');
  }
  const silenceMs = Number(env.HOOKSCRIBE_REALTIME_SILENCE_MS || 500);
  if (!Number.isInteger(silenceMs) || silenceMs < 200 || silenceMs > 3000) {
    throw new RealtimeConfigError('HOOKSCRIBE_REALTIME_SILENCE_MS must be an integer in [200, 3000]');
  }
  const authValue = env.HOOKSCRIBE_REALTIME_AUTH;
  const auth =
    authValue === undefined || authValue === ''
      ? undefined
      : oneOf('HOOKSCRIBE_REALTIME_AUTH', authValue, ['bearer', 'api-key', 'entra'] as const, 'bearer');
  const key = env.HOOKSCRIBE_REALTIME_KEY || undefined;
  const azure = new URL(url).searchParams.has('api-version');
  if (!key && auth !== 'entra' && !(azure && auth === undefined)) {
    throw new RealtimeConfigError(
      'realtime engine: set HOOKSCRIBE_REALTIME_KEY, or use an Azure OpenAI endpoint with the managed identity (HOOKSCRIBE_REALTIME_AUTH=entra)',
    );
  }
  return {
    url,
    key,
    auth,
    model,
    prompt: realtimePrompt(env.HOOKSCRIBE_REALTIME_PROMPT, env.HOOKSCRIBE_STT_VOCABULARY),
    languages: (env.HOOKSCRIBE_REALTIME_LANGUAGES || 'en-US')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    turnDetection: oneOf(
      'HOOKSCRIBE_REALTIME_TURN_DETECTION',
      env.HOOKSCRIBE_REALTIME_TURN_DETECTION,
      ['server_vad', 'segmenter'] as const,
      'server_vad',
    ),
    noiseReduction: oneOf(
      'HOOKSCRIBE_REALTIME_NOISE_REDUCTION',
      env.HOOKSCRIBE_REALTIME_NOISE_REDUCTION,
      ['near_field', 'far_field', 'none'] as const,
      'near_field',
    ),
    sessionMaxMs: minutes * 60_000,
    silenceMs,
  };
}

/** `wss://<resource>/openai/realtime?api-version=…&intent=transcription&deployment=…` from the resource endpoint */
export function azureRealtimeUrl(endpoint: string, deployment: string, apiVersion: string): string {
  let base: URL;
  try {
    base = new URL(endpoint);
  } catch {
    throw new RealtimeConfigError(`HOOKSCRIBE_REALTIME_ENDPOINT is not a URL: ${JSON.stringify(endpoint)}`);
  }
  const url = new URL('/openai/realtime', base);
  url.protocol = base.protocol === 'http:' ? 'ws:' : 'wss:';
  url.searchParams.set('api-version', apiVersion);
  url.searchParams.set('intent', 'transcription');
  url.searchParams.set('deployment', deployment);
  return url.toString();
}

/** The service's prompt: the configured text, then the deployment vocabulary as a list of terms to expect. */
export function realtimePrompt(prompt: string | undefined, vocabularyFile: string | undefined): string {
  const terms = vocabularyFile ? readVocabularyTerms(vocabularyFile) : [];
  const parts = [prompt?.trim() ?? ''];
  if (terms.length > 0) parts.push(`Vocabulary: ${terms.join(', ')}.`);
  return parts.filter(Boolean).join(' ');
}

/**
 * HOOKSCRIBE_STT_VOCABULARY's file, as the embedded engine reads it: one word or phrase per line, `#` starts a
 * comment. The terms keep their case here: the prompt is read by a model that writes "IBAN", not "iban".
 */
export function readVocabularyTerms(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RealtimeConfigError(
      `HOOKSCRIBE_STT_VOCABULARY: cannot read ${path}: ${(error as Error).message}`,
    );
  }
  const terms = text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*/, '').trim().replace(/\s+/g, ' '))
    .filter((line) => line !== '');
  return [...new Set(terms)];
}
