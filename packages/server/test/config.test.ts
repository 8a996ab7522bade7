import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFIG_ENV_VARS, ConfigError, loadConfig } from '../src/config.js';
import { makeTempDir } from './support/temp-dirs.js';

const SECRET = Buffer.from('MySuperSecretKeyTellNo-1!2@3#4$5').toString('base64');

function problemsOf(env: Record<string, string>, cwd = '/srv'): string[] {
  try {
    loadConfig(env, cwd);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadConfig({}, '/srv');
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      dataDir: '/srv/data',
      audiohookKeys: null,
      logLevel: 'info',
      maxSessions: 10_000,
      openTimeoutMs: 10_000,
      closeTimeoutMs: 5_000,
      closingTimeoutMs: 5_000,
      drainTimeoutMs: 300_000,
      recording: true,
      publicAuthority: null,
      publicPathPrefix: '',
      signatureClockSkewSeconds: 5,
      signatureMaxAgeSeconds: 30,
      configFile: null,
    });
  });

  it('reads every variable from the environment', () => {
    const config = loadConfig(
      {
        HOOKSCRIBE_PORT: '9000',
        HOOKSCRIBE_HOST: '127.0.0.1',
        HOOKSCRIBE_DATA_DIR: '/var/lib/hookscribe',
        HOOKSCRIBE_AUDIOHOOK_KEYS: JSON.stringify({ key1: SECRET, key2: '' }),
        HOOKSCRIBE_LOG_LEVEL: 'DEBUG',
        HOOKSCRIBE_MAX_SESSIONS: '50',
        HOOKSCRIBE_OPEN_TIMEOUT_MS: '2000',
        HOOKSCRIBE_CLOSE_TIMEOUT_MS: '3000',
        HOOKSCRIBE_CLOSING_TIMEOUT_MS: '4000',
        HOOKSCRIBE_DRAIN_TIMEOUT_MS: '0',
        HOOKSCRIBE_RECORDING: 'off',
        HOOKSCRIBE_ASSIST_IN_PROCESS: 'false',
        HOOKSCRIBE_METRICS_INTERVAL_MS: '0',
        HOOKSCRIBE_PUBLIC_AUTHORITY: 'audiohook.example.com',
        HOOKSCRIBE_PUBLIC_PATH_PREFIX: '/hookscribe',
        HOOKSCRIBE_SIGNATURE_CLOCK_SKEW_S: '3',
        HOOKSCRIBE_SIGNATURE_MAX_AGE_S: '10',
        HOOKSCRIBE_NONCE_CACHE_SIZE: '1000',
      },
      '/srv',
    );
    expect(config).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
      dataDir: '/var/lib/hookscribe',
      audiohookKeys: { key1: SECRET, key2: '' },
      logLevel: 'debug',
      maxSessions: 50,
      openTimeoutMs: 2000,
      closeTimeoutMs: 3000,
      closingTimeoutMs: 4000,
      drainTimeoutMs: 0,
      recording: false,
      assistInProcess: false,
      metricsIntervalMs: 0,
      publicAuthority: 'audiohook.example.com',
      publicPathPrefix: '/hookscribe',
      signatureClockSkewSeconds: 3,
      signatureMaxAgeSeconds: 10,
      nonceCacheSize: 1000,
    });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ HOOKSCRIBE_PORT: '', HOOKSCRIBE_AUDIOHOOK_KEYS: ' ' }, '/srv')).toMatchObject({
      port: 8080,
      audiohookKeys: null,
    });
  });

  it('layers the environment over a JSON config file', () => {
    const dir = makeTempDir('hookscribe-config-');
    const file = join(dir, 'hookscribe.json');
    writeFileSync(
      file,
      JSON.stringify({
        port: 7000,
        host: '::',
        audiohookKeys: { fromFile: '' },
        recording: false,
        dataDir: 'rec',
      }),
    );
    const config = loadConfig({ HOOKSCRIBE_CONFIG: file, HOOKSCRIBE_PORT: '7100' }, dir);
    expect(config.port).toBe(7100);
    expect(config.host).toBe('::');
    expect(config.audiohookKeys).toEqual({ fromFile: '' });
    expect(config.recording).toBe(false);
    expect(config.dataDir).toBe(join(dir, 'rec'));
    expect(config.configFile).toBe(file);
  });

  it('names the variable, the rule and the value in each problem, and reports all of them', () => {
    const problems = problemsOf({
      HOOKSCRIBE_PORT: 'eighty',
      HOOKSCRIBE_MAX_SESSIONS: '0',
      HOOKSCRIBE_RECORDING: 'maybe',
      HOOKSCRIBE_LOG_LEVEL: 'loud',
      HOOKSCRIBE_PUBLIC_AUTHORITY: 'https://x.example.com/',
    });
    expect(problems).toEqual([
      'HOOKSCRIBE_PORT: must be an integer (got "eighty")',
      'HOOKSCRIBE_LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
      'HOOKSCRIBE_MAX_SESSIONS: must be at least 1 (got "0")',
      'HOOKSCRIBE_RECORDING: must be one of true, 1, yes, on, false, 0, no, off (got "maybe")',
      'HOOKSCRIBE_PUBLIC_AUTHORITY: must be a host[:port] without scheme or path (got "https://x.example.com/")',
    ]);
  });

  it('HOOKSCRIBE_ASSIST_IN_PROCESS defaults to true and rejects anything but a boolean word', () => {
    expect(loadConfig({}, '/srv').assistInProcess).toBe(true);
    expect(problemsOf({ HOOKSCRIBE_ASSIST_IN_PROCESS: 'maybe' })).toEqual([
      'HOOKSCRIBE_ASSIST_IN_PROCESS: must be one of true, 1, yes, on, false, 0, no, off (got "maybe")',
    ]);
  });

  it('rejects a port out of range', () => {
    expect(problemsOf({ HOOKSCRIBE_PORT: '70000' })).toEqual([
      'HOOKSCRIBE_PORT: must be at most 65535 (got "70000")',
    ]);
  });

  it('rejects malformed AudioHook keys without echoing secrets', () => {
    expect(problemsOf({ HOOKSCRIBE_AUDIOHOOK_KEYS: '{not json' })).toEqual([
      'HOOKSCRIBE_AUDIOHOOK_KEYS: must be a JSON object {"<api key>": "<base64 secret or empty>"}',
    ]);
    expect(problemsOf({ HOOKSCRIBE_AUDIOHOOK_KEYS: '["a"]' })).toEqual([
      'HOOKSCRIBE_AUDIOHOOK_KEYS: must be a JSON object {"<api key>": "<base64 secret or empty>"}',
    ]);
    expect(problemsOf({ HOOKSCRIBE_AUDIOHOOK_KEYS: '{}' })).toEqual([
      'HOOKSCRIBE_AUDIOHOOK_KEYS: must configure at least one API key',
    ]);
    const problems = problemsOf({ HOOKSCRIBE_AUDIOHOOK_KEYS: '{"topsecretkey":"not base64!!"}' });
    expect(problems).toEqual(['HOOKSCRIBE_AUDIOHOOK_KEYS: each secret must be base64 (or "" for no secret)']);
    expect(problems.join()).not.toContain('not base64!!');
    expect(problems.join()).not.toContain('topsecretkey');
  });

  it('reports problems in the config file by file and key, including unknown keys', () => {
    const dir = makeTempDir('hookscribe-config-');
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ prot: 1, port: 'x', drainTimeoutMs: -1 }));
    expect(problemsOf({ HOOKSCRIBE_CONFIG: file })).toEqual([
      expect.stringMatching(new RegExp(`^${file}: unknown setting "prot"`)),
      `${file}: "port": must be an integer (got "x")`,
      `${file}: "drainTimeoutMs": must be at least 0 (got -1)`,
    ]);
  });

  it('reports an unreadable or invalid config file under HOOKSCRIBE_CONFIG', () => {
    const dir = makeTempDir('hookscribe-config-');
    expect(problemsOf({ HOOKSCRIBE_CONFIG: join(dir, 'missing.json') })).toEqual([
      `HOOKSCRIBE_CONFIG: cannot read ${join(dir, 'missing.json')} (ENOENT)`,
    ]);
    writeFileSync(join(dir, 'broken.json'), '{');
    expect(problemsOf({ HOOKSCRIBE_CONFIG: join(dir, 'broken.json') })[0]).toMatch(
      /^HOOKSCRIBE_CONFIG: .*broken\.json is not valid JSON/,
    );
    writeFileSync(join(dir, 'array.json'), '[]');
    expect(problemsOf({ HOOKSCRIBE_CONFIG: join(dir, 'array.json') })).toEqual([
      `HOOKSCRIBE_CONFIG: ${join(dir, 'array.json')} must contain a JSON object`,
    ]);
  });
});

describe('configuration documentation', () => {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  it.each(['docs/configuration.md', '.env.example'])('%s names every variable the server reads', (file) => {
    const text = readFileSync(join(repoRoot, file), 'utf8');
    expect(CONFIG_ENV_VARS.filter((name) => !text.includes(name))).toEqual([]);
  });
});
