import { parseArgs } from 'node:util';
import { decodeClientSecret } from '@hookscribe/audiohook';
import { isScenarioName, scenarioNames, type ScenarioName } from './scenarios.js';

/** A command line that cannot run; main() turns it into exit code 2 with this message. */
export class UsageError extends Error {}

export type OfferedChannels = 'stereo' | 'external' | 'internal';
export type AudioInput =
  { kind: 'wav'; path: string; loop: boolean } | { kind: 'tone'; hz: number } | { kind: 'silence' };

export interface SimOptions {
  url: string;
  apiKey: string;
  /** base64 client secret as configured in the integration; null = send unsigned */
  secret: string | null;
  organizationId: string;
  audio: AudioInput;
  /** seconds of audio per session; for a WAV, null = the whole file */
  durationSeconds: number | null;
  format: 'PCMU' | 'L16';
  channels: OfferedChannels;
  language: string | null;
  frameMs: number;
  realtime: boolean;
  /** --realtime pacing multiple: 2 sends audio at twice real time (Genesys's acceptance runs at 2x) */
  speed: number;
  scenario: ScenarioName;
  /** load mode when sessions is set */
  sessions: number | null;
  rate: number;
  workers: number;
  json: boolean;
  timeoutSeconds: number;
  customConfig: Record<string, unknown> | null;
  supportedLanguages: boolean;
  verbose: boolean;
}

export const usage = `Usage: hookscribe-sim --url ws://host:port/api/v1/audiohook/ws [options]

Connection
  --url URL                 AudioHook endpoint (ws:// or wss://), required
  --api-key KEY             X-API-KEY header (default: dev-key)
  --secret BASE64           client secret; signs the upgrade request (HMAC-SHA256 HTTP message signature)
  --org-id UUID             Audiohook-Organization-Id (default: a fixed test organisation)
Audio
  --wav FILE                8 kHz WAV, mono or stereo (channel 0 = external/customer, 1 = internal/agent),
                            PCMU (mu-law) or 16-bit PCM
  --tone HZ                 sine tone instead of a WAV (default 440 Hz; internal channel at 1.5 x HZ)
  --silence                 digital silence instead (transport load without speech activity)
  --loop                    repeat the WAV (padded with silence to a whole second) for --duration seconds
  --duration S              seconds to stream (default: whole WAV, or 10 s of tone or silence)
  --format PCMU|L16         offered encoding (default PCMU)
  --channels stereo|external|internal   offered channels (default stereo)
  --language CODE           open.language (e.g. en-US)
  --frame-ms MS             audio frame length (default 200)
  --realtime | --fast       pace audio in real time (default) or as fast as the socket takes it
  --speed X                 with --realtime: X times real time (e.g. 2, as Genesys's acceptance tests stream)
Session
  --scenario NAME           ${scenarioNames.join(', ')} (default basic)
  --custom-config JSON      open.customConfig object
  --supported-languages     ask the server for its languages (open.supportedLanguages = true)
  --timeout S               give up on a session after S seconds beyond its audio (default 15)
Load
  --sessions N              load mode: N sessions, each in real time (basic scenario unless given)
  --rate R                  sessions started per second (default 10)
  --workers K               spread the sessions over K worker threads (default 1)
Output
  --json                    machine-readable summary on stdout; logs go to stderr
  --verbose                 log every protocol message
  --help                    this text

Exit codes: 0 every expectation met, 1 protocol violation or failed expectation, 2 usage error.`;

const defaultOrgId = 'd7934305-0972-4844-938e-9060eef73d05';

export function parseOptions(argv: string[]): SimOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        'api-key': { type: 'string' },
        secret: { type: 'string' },
        'org-id': { type: 'string' },
        wav: { type: 'string' },
        tone: { type: 'string' },
        silence: { type: 'boolean' },
        loop: { type: 'boolean' },
        duration: { type: 'string' },
        format: { type: 'string' },
        channels: { type: 'string' },
        language: { type: 'string' },
        'frame-ms': { type: 'string' },
        realtime: { type: 'boolean' },
        fast: { type: 'boolean' },
        speed: { type: 'string' },
        scenario: { type: 'string' },
        sessions: { type: 'string' },
        rate: { type: 'string' },
        workers: { type: 'string' },
        json: { type: 'boolean' },
        timeout: { type: 'string' },
        'custom-config': { type: 'string' },
        'supported-languages': { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';

  const url = values.url;
  if (!url) throw new UsageError('--url is required');
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(url);
  } catch {
    throw new UsageError(`--url is not a URL: ${url}`);
  }
  if (parsedUrl.protocol !== 'ws:' && parsedUrl.protocol !== 'wss:') {
    throw new UsageError(`--url must start with ws:// or wss:// (got ${parsedUrl.protocol}//)`);
  }

  const inputs = [values.wav !== undefined, values.tone !== undefined, values.silence === true].filter(
    Boolean,
  );
  if (inputs.length > 1) throw new UsageError('give one of --wav, --tone and --silence');
  const audio: AudioInput =
    values.wav !== undefined
      ? { kind: 'wav', path: values.wav, loop: values.loop ?? false }
      : values.silence
        ? { kind: 'silence' }
        : { kind: 'tone', hz: positiveNumber('--tone', values.tone ?? '440') };
  if (values.loop && audio.kind !== 'wav') throw new UsageError('--loop repeats a --wav file');
  if (values.loop && values.duration === undefined) throw new UsageError('--loop needs --duration');
  if (audio.kind === 'tone' && audio.hz >= 4000)
    throw new UsageError('--tone must be below 4000 Hz (8 kHz audio)');

  const format = values.format ?? 'PCMU';
  if (format !== 'PCMU' && format !== 'L16')
    throw new UsageError(`--format must be PCMU or L16 (got ${format})`);
  const channels = values.channels ?? 'stereo';
  if (channels !== 'stereo' && channels !== 'external' && channels !== 'internal') {
    throw new UsageError(`--channels must be stereo, external or internal (got ${channels})`);
  }
  const scenario = values.scenario ?? 'basic';
  if (!isScenarioName(scenario)) {
    throw new UsageError(`unknown --scenario ${scenario}; one of ${scenarioNames.join(', ')}`);
  }
  if (values.realtime && values.fast) throw new UsageError('give --realtime or --fast, not both');
  if (values.speed !== undefined && values.fast) throw new UsageError('--speed paces --realtime, not --fast');

  const language = values.language ?? null;
  if (language !== null && !/^[a-z]{2,3}-[A-Za-z]{2,3}$/.test(language)) {
    throw new UsageError(`--language must look like en-US (got ${language})`);
  }
  const orgId = values['org-id'] ?? defaultOrgId;
  if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(orgId)) {
    throw new UsageError(`--org-id must be a UUID (got ${orgId})`);
  }
  const secret = values.secret ?? null;
  if (secret !== null) {
    try {
      decodeClientSecret(secret);
    } catch {
      throw new UsageError('--secret must be base64 (the client secret as entered in Genesys)');
    }
  }

  let customConfig: Record<string, unknown> | null = null;
  if (values['custom-config'] !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(values['custom-config']);
    } catch {
      throw new UsageError('--custom-config is not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new UsageError('--custom-config must be a JSON object');
    }
    customConfig = parsed as Record<string, unknown>;
  }

  const frameMs = positiveInteger('--frame-ms', values['frame-ms'] ?? '200');
  if (frameMs < 10 || frameMs > 2000) throw new UsageError('--frame-ms must be between 10 and 2000');
  const sessions = values.sessions !== undefined ? positiveInteger('--sessions', values.sessions) : null;
  const workers = positiveInteger('--workers', values.workers ?? '1');
  if (sessions === null && (values.rate !== undefined || values.workers !== undefined)) {
    throw new UsageError('--rate and --workers need --sessions');
  }

  return {
    url,
    apiKey: values['api-key'] ?? 'dev-key',
    secret,
    organizationId: orgId,
    audio,
    durationSeconds:
      values.duration !== undefined
        ? positiveNumber('--duration', values.duration)
        : audio.kind === 'wav'
          ? null
          : 10,
    format,
    channels,
    language,
    frameMs,
    realtime: !values.fast,
    speed: positiveNumber('--speed', values.speed ?? '1'),
    scenario,
    sessions,
    rate: positiveNumber('--rate', values.rate ?? '10'),
    workers,
    json: values.json ?? false,
    timeoutSeconds: positiveNumber('--timeout', values.timeout ?? '15'),
    customConfig,
    supportedLanguages: values['supported-languages'] ?? false,
    verbose: values.verbose ?? false,
  };
}

function positiveNumber(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number (got ${text})`);
  return n;
}

function positiveInteger(name: string, text: string): number {
  const n = positiveNumber(name, text);
  if (!Number.isInteger(n)) throw new UsageError(`${name} must be a whole number (got ${text})`);
  return n;
}
