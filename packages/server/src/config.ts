/**
 * Server configuration: environment variables, optionally layered over a JSON file named by HOOKSCRIBE_CONFIG
 * (environment wins). Every value is validated at start; each problem names the variable (or file key) it came from.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** API key → base64 client secret ("" = key without secret, requests must then be unsigned). */
export type AudiohookKeys = Record<string, string>;

export interface ServerConfig {
  port: number;
  host: string;
  /** absolute path */
  dataDir: string;
  /** null = not configured: a development key is generated into the data dir */
  audiohookKeys: AudiohookKeys | null;
  logLevel: LogLevel;
  /** bound on concurrent WebSocket connections plus upgrades being authenticated */
  maxSessions: number;
  /** a connection that has not sent `open` by then gets `disconnect` (error) */
  openTimeoutMs: number;
  /** after our `disconnect` / `closed`, how long the client gets to answer before the socket is dropped */
  closeTimeoutMs: number;
  /** upper bound on the pipeline's `closing` work (flushing finals) before `closed` is sent anyway */
  closingTimeoutMs: number;
  /** on SIGTERM, how long live calls may continue before they get `disconnect` (completed) */
  drainTimeoutMs: number;
  recording: boolean;
  /** run the assist worker inside the server (false when separate hookscribe-assist workers share the bus) */
  assistInProcess: boolean;
  /** live decode channel slots; null = derived from cores and the engine (pipeline/transcription-capacity.ts) */
  sttLiveChannels: number | null;
  /** post-call transcription: off; recover (calls whose live transcript is missing or incomplete); all (+ an accurate second pass of every call) */
  sttPostCall: 'off' | 'recover' | 'all';
  /** where post-call jobs queue: the conversation store, or a Redis Streams consumer group */
  sttJobs: 'store' | 'redis';
  /** take post-call jobs in this process (false when hookscribe-stt workers take them) */
  sttWorkerInProcess: boolean;
  /** a post-call job's lease: a worker that dies holds its job this long before another takes it */
  sttLeaseMs: number;
  /** least wall time between two live call-metric writes per call (docs/analytics.md) */
  metricsIntervalMs: number;
  /** signed `@authority` when a proxy rewrites Host; null = the Host header as received */
  publicAuthority: string | null;
  /** prefix a proxy stripped from the path; prepended to the raw request target for signature checks */
  publicPathPrefix: string;
  signatureClockSkewSeconds: number;
  signatureMaxAgeSeconds: number;
  nonceCacheSize: number;
  /** which proxies' X-Forwarded-For to believe (fastify trustProxy): false, true, a hop count or addresses/CIDRs */
  trustProxy: boolean | number | string[];
  /** the JSON file the values were layered over, if any */
  configFile: string | null;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** A string from the environment or a JSON value from the file, coerced with one clear message per rule. */
const integer = (min: number, max: number) =>
  z
    .unknown()
    .transform((value, ctx) => {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)
            ? Number(value)
            : NaN;
      if (!Number.isInteger(n)) {
        ctx.addIssue({ code: 'custom', message: 'must be an integer' });
        return z.NEVER;
      }
      return n;
    })
    .pipe(
      z
        .number()
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    );

const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off'];
const boolean = z.unknown().transform((value, ctx) => {
  if (typeof value === 'boolean') return value;
  const word = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  ctx.addIssue({ code: 'custom', message: `must be one of ${[...TRUE_WORDS, ...FALSE_WORDS].join(', ')}` });
  return z.NEVER;
});

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const KEYS_SHAPE = 'must be a JSON object {"<api key>": "<base64 secret or empty>"}';
const audiohookKeys = z
  .unknown()
  .transform((value, ctx) => {
    let parsed = value;
    if (typeof value === 'string') {
      try {
        parsed = JSON.parse(value);
      } catch {
        parsed = undefined;
      }
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      ctx.addIssue({ code: 'custom', message: KEYS_SHAPE });
      return z.NEVER;
    }
    return parsed as Record<string, unknown>;
  })
  .pipe(
    z
      .record(
        z.string().min(1, { error: 'API keys must not be empty' }),
        z
          .string({ error: 'each secret must be a string (base64, or "" for no secret)' })
          .regex(BASE64, { error: 'each secret must be base64 (or "" for no secret)' }),
      )
      .refine((keys) => Object.keys(keys).length > 0, { error: 'must configure at least one API key' }),
  );

const nonEmpty = z.string().trim().min(1, { error: 'must not be empty' });
const oneOf = <T extends readonly [string, ...string[]]>(words: T) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(words, { error: `must be one of ${words.join(', ')}` }));

/** false | true | hop count | comma-separated proxy addresses or CIDRs (the client address then comes from them) */
const trustProxy = z.unknown().transform((value, ctx): boolean | number | string[] => {
  if (typeof value === 'boolean' || (typeof value === 'number' && Number.isInteger(value) && value >= 0))
    return value;
  const text = typeof value === 'string' ? value.trim() : Array.isArray(value) ? value.join(',') : '';
  if (TRUE_WORDS.includes(text.toLowerCase())) return true;
  if (FALSE_WORDS.includes(text.toLowerCase()) && text !== '0') return false;
  if (/^\d+$/.test(text)) return Number(text);
  const addresses = text
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (addresses.length === 0 || addresses.some((a) => !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(a))) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be true, false, a hop count, or comma-separated proxy addresses/CIDRs',
    });
    return z.NEVER;
  }
  return addresses;
});

interface Setting<T> {
  env: string;
  file: keyof ServerConfig;
  schema: z.ZodType<T>;
  fallback: T;
  /** secrets are never echoed back in error messages */
  secret?: boolean;
}

function setting<T>(
  env: string,
  file: keyof ServerConfig,
  schema: z.ZodType<T>,
  fallback: T,
  secret = false,
) {
  return { env, file, schema, fallback, secret } satisfies Setting<T>;
}

/** The single table of settings; docs/configuration.md lists the same variables. */
const SETTINGS = {
  port: setting('HOOKSCRIBE_PORT', 'port', integer(0, 65535), 8080),
  host: setting('HOOKSCRIBE_HOST', 'host', nonEmpty, '0.0.0.0'),
  dataDir: setting('HOOKSCRIBE_DATA_DIR', 'dataDir', nonEmpty, './data'),
  audiohookKeys: setting<AudiohookKeys | null>(
    'HOOKSCRIBE_AUDIOHOOK_KEYS',
    'audiohookKeys',
    audiohookKeys,
    null,
    true,
  ),
  logLevel: setting<LogLevel>(
    'HOOKSCRIBE_LOG_LEVEL',
    'logLevel',
    z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })),
    'info',
  ),
  maxSessions: setting('HOOKSCRIBE_MAX_SESSIONS', 'maxSessions', integer(1, 1_000_000), 10_000),
  openTimeoutMs: setting('HOOKSCRIBE_OPEN_TIMEOUT_MS', 'openTimeoutMs', integer(1, 600_000), 10_000),
  closeTimeoutMs: setting('HOOKSCRIBE_CLOSE_TIMEOUT_MS', 'closeTimeoutMs', integer(1, 600_000), 5_000),
  closingTimeoutMs: setting('HOOKSCRIBE_CLOSING_TIMEOUT_MS', 'closingTimeoutMs', integer(1, 600_000), 5_000),
  drainTimeoutMs: setting('HOOKSCRIBE_DRAIN_TIMEOUT_MS', 'drainTimeoutMs', integer(0, 86_400_000), 300_000),
  recording: setting('HOOKSCRIBE_RECORDING', 'recording', boolean, true),
  assistInProcess: setting('HOOKSCRIBE_ASSIST_IN_PROCESS', 'assistInProcess', boolean, true),
  sttLiveChannels: setting<number | null>(
    'HOOKSCRIBE_STT_LIVE_CHANNELS',
    'sttLiveChannels',
    integer(0, 100_000),
    null,
  ),
  sttPostCall: setting(
    'HOOKSCRIBE_STT_POSTCALL',
    'sttPostCall',
    oneOf(['off', 'recover', 'all'] as const),
    'recover',
  ),
  sttJobs: setting('HOOKSCRIBE_STT_JOBS', 'sttJobs', oneOf(['store', 'redis'] as const), 'store'),
  sttWorkerInProcess: setting('HOOKSCRIBE_STT_WORKER_IN_PROCESS', 'sttWorkerInProcess', boolean, true),
  sttLeaseMs: setting('HOOKSCRIBE_STT_LEASE_MS', 'sttLeaseMs', integer(1_000, 3_600_000), 60_000),
  metricsIntervalMs: setting(
    'HOOKSCRIBE_METRICS_INTERVAL_MS',
    'metricsIntervalMs',
    integer(0, 3_600_000),
    5_000,
  ),
  publicAuthority: setting<string | null>(
    'HOOKSCRIBE_PUBLIC_AUTHORITY',
    'publicAuthority',
    nonEmpty.regex(/^[^\s/]+$/, { error: 'must be a host[:port] without scheme or path' }),
    null,
  ),
  publicPathPrefix: setting(
    'HOOKSCRIBE_PUBLIC_PATH_PREFIX',
    'publicPathPrefix',
    z
      .string()
      .trim()
      .regex(/^(\/[^\s?#]*[^\s?#/])?$/, { error: 'must be empty or start with "/" and not end with "/"' }),
    '',
  ),
  signatureClockSkewSeconds: setting(
    'HOOKSCRIBE_SIGNATURE_CLOCK_SKEW_S',
    'signatureClockSkewSeconds',
    integer(0, 300),
    5,
  ),
  signatureMaxAgeSeconds: setting(
    'HOOKSCRIBE_SIGNATURE_MAX_AGE_S',
    'signatureMaxAgeSeconds',
    integer(1, 3600),
    30,
  ),
  nonceCacheSize: setting('HOOKSCRIBE_NONCE_CACHE_SIZE', 'nonceCacheSize', integer(100, 10_000_000), 100_000),
  trustProxy: setting<boolean | number | string[]>('HOOKSCRIBE_TRUST_PROXY', 'trustProxy', trustProxy, false),
} as const;

export const CONFIG_FILE_ENV = 'HOOKSCRIBE_CONFIG';

/** The environment variable names the server reads (for docs and `.env.example` checks). */
export const CONFIG_ENV_VARS: readonly string[] = [
  CONFIG_FILE_ENV,
  ...Object.values(SETTINGS).map((s) => s.env),
];

type Env = Record<string, string | undefined>;

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([
      `${CONFIG_FILE_ENV}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? err})`,
    ]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([`${CONFIG_FILE_ENV}: ${path} is not valid JSON (${(err as Error).message})`]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError([`${CONFIG_FILE_ENV}: ${path} must contain a JSON object`]);
  }
  return parsed as Record<string, unknown>;
}

function describeValue(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Reads and validates the configuration. Throws ConfigError listing every problem; an empty environment variable
 * counts as unset. Relative data dirs resolve against `cwd`.
 */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): ServerConfig {
  const fileName = env[CONFIG_FILE_ENV]?.trim() || null;
  const filePath = fileName ? resolve(cwd, fileName) : null;
  const file = filePath ? readConfigFile(filePath) : {};
  const problems: string[] = [];

  const known = new Set<string>(Object.values(SETTINGS).map((s) => s.file));
  for (const key of Object.keys(file)) {
    if (!known.has(key))
      problems.push(`${filePath}: unknown setting "${key}" (known: ${[...known].join(', ')})`);
  }

  const values: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(SETTINGS) as [string, Setting<unknown>][]) {
    const fromEnv = env[s.env];
    let raw: unknown;
    let source: string;
    if (fromEnv !== undefined && fromEnv.trim() !== '') {
      raw = fromEnv;
      source = s.env;
    } else if (Object.prototype.hasOwnProperty.call(file, s.file) && file[s.file] !== null) {
      raw = file[s.file];
      source = `${filePath}: "${s.file}"`;
    } else {
      values[name] = s.fallback;
      continue;
    }
    const result = s.schema.safeParse(raw);
    if (result.success) {
      values[name] = result.data;
    } else {
      for (const issue of result.error.issues) {
        // a secret setting's path would name an API key: keep credentials out of the message
        const where = issue.path.length && !s.secret ? ` (at ${issue.path.map(String).join('.')})` : '';
        const got = s.secret ? '' : ` (got ${describeValue(raw)})`;
        problems.push(`${source}${where}: ${issue.message}${got}`);
      }
    }
  }
  if (problems.length) throw new ConfigError(problems);

  const config = values as Omit<ServerConfig, 'configFile'>;
  return { ...config, dataDir: resolve(cwd, config.dataDir), configFile: filePath };
}
