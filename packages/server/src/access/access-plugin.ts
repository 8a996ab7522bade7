/**
 * Builds the accessControl registration from the environment: static tokens (or the development token when neither
 * tokens nor OIDC are configured), OIDC, the session secret (or a development one kept in the data dir), headers and
 * limits. The server registers it before every other plugin, so its hook covers all routes.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditLog } from '@hookscribe/conversations';
import { Redis } from 'ioredis';
import { ApiTokens } from '../api/api-auth.js';
import type { AppPlugin } from '../app.js';
import { accessSettingsFromEnv } from './access-config.js';
import { accessControl, type AccessControlOptions } from './access-control.js';
import { AuditRecorder } from './audit-recorder.js';
import { OidcIdentity } from './oidc-identity.js';

/** A development secret kept in the data dir (0600), like the development AudioHook key and API token. */
function loadOrCreateDevSecret(dataDir: string, file: string, bytes: number): string {
  const path = join(dataDir, file);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(bytes).toString('base64url');
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  return secret;
}

export interface AccessPlugin {
  plugin: AppPlugin;
  /** printed at start when HOOKSCRIBE_API_TOKENS and OIDC are both unset (an admin token) */
  devApiToken: string | null;
  /** flush it before closing the store, so entries still queued at shutdown are kept */
  recorder: AuditRecorder;
  /** releases the Redis connection of the shared failure counters, if any */
  close(): Promise<void>;
}

export function accessPluginFromEnv(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  audit: AuditLog,
  logger?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void },
): AccessPlugin {
  const settings = accessSettingsFromEnv(env);
  const devApiToken =
    settings.tokens === null && settings.oidc === null
      ? loadOrCreateDevSecret(dataDir, 'dev-api-token.txt', 24)
      : null;
  if (settings.sessionSecret === null && (settings.oidc !== null || settings.tokens !== null))
    logger?.warn(
      { file: join(dataDir, 'dev-session-secret.txt') },
      'HOOKSCRIBE_SESSION_SECRET is not set: web sessions are signed with a secret generated into the data dir, valid only on instances sharing it',
    );
  const recorder = new AuditRecorder({
    log: audit,
    onError: (err, entries) => logger?.warn({ err, entries }, 'audit entries not stored'),
    onDropped: (entries) => logger?.error({ entries }, 'audit queue full: oldest audit entries dropped'),
  });
  // with Redis (as for the bus), failed authentications are counted across instances
  const redisUrl = env.HOOKSCRIBE_REDIS_URL?.trim();
  const failureCounterRedis = redisUrl
    ? new Redis(redisUrl, { connectTimeout: 2_000, maxRetriesPerRequest: 1, enableOfflineQueue: false })
    : null;
  let redisDown = false; // log the outage once, not every reconnect attempt
  failureCounterRedis?.on('error', (err) => {
    if (!redisDown)
      logger?.warn({ err }, 'auth failure counters: Redis unavailable; limits skipped meanwhile');
    redisDown = true;
  });
  failureCounterRedis?.on('ready', () => (redisDown = false));
  const options: AccessControlOptions = {
    tokens: settings.tokens ?? new ApiTokens(devApiToken ? [{ token: devApiToken, role: 'admin' }] : []),
    oidc: settings.oidc ? new OidcIdentity(settings.oidc, `${settings.publicUrl}/api/auth/callback`) : null,
    sessionSecret: settings.sessionSecret ?? loadOrCreateDevSecret(dataDir, 'dev-session-secret.txt', 48),
    sessionTtlSeconds: settings.sessionTtlSeconds,
    publicUrl: settings.publicUrl,
    audit,
    recorder,
    sessionSameSite: settings.sessionSameSite,
    frameAncestors: settings.frameAncestors,
    authFailureLimit: settings.authFailureLimit,
    authFailureWindowSeconds: settings.authFailureWindowSeconds,
    failureCounterRedis,
  };
  return {
    plugin: { plugin: accessControl, options: options as unknown as Record<string, unknown> },
    devApiToken,
    recorder,
    close: async () => {
      await failureCounterRedis?.quit().catch(() => failureCounterRedis.disconnect());
    },
  };
}
