/**
 * Authenticates an AudioHook upgrade request before any WebSocket exists: headers, API key, HTTP message signature
 * and nonce replay, all through verifyRequestSignature of @hookscribe/audiohook. `@request-target` is the raw
 * request target exactly as received (plus the configured prefix a proxy stripped) and `@authority` the Host header
 * as received, unless the deployment overrides it.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  isUuid,
  verifyRequestSignature,
  type AuthFailureReason,
  type NonceCache,
} from '@hookscribe/audiohook';

export interface UpgradeIdentity {
  sessionId: string;
  organizationId: string;
  correlationId: string;
}

export type UpgradeAuthResult =
  | { ok: true; identity: UpgradeIdentity; signed: boolean }
  | { ok: false; status: 400 | 401; reason: AuthFailureReason };

export interface UpgradeAuthSettings {
  /** API key → decoded secret (empty = key without secret) */
  secrets: ReadonlyMap<string, Uint8Array>;
  nonceCache: NonceCache;
  publicAuthority: string | null;
  publicPathPrefix: string;
  clockSkewSeconds: number;
  maxAgeSeconds: number;
  nowSeconds(): number;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
}

export function authenticateUpgrade(req: IncomingMessage, settings: UpgradeAuthSettings): UpgradeAuthResult {
  // every repeated header as an array, as the signature rules want them (joined with ", ")
  const headers = req.headersDistinct as Record<string, string[] | undefined>;
  const sessionId = single(headers['audiohook-session-id'])?.trim();
  // no session id, no session: a malformed request rather than an authentication failure
  if (!isUuid(sessionId)) return { ok: false, status: 400, reason: 'missing-headers' };

  const nowSeconds = settings.nowSeconds();
  const result = verifyRequestSignature({
    requestTarget: settings.publicPathPrefix + (req.url ?? ''),
    authority: settings.publicAuthority ?? single(headers.host) ?? '',
    headers,
    secretForKey: (apiKey) => settings.secrets.get(apiKey),
    nowSeconds,
    clockSkewSeconds: settings.clockSkewSeconds,
    maxAgeSeconds: settings.maxAgeSeconds,
    rememberNonce: (nonce) => settings.nonceCache.checkAndRemember(nonce, nowSeconds),
    randomBytes: (n) => randomBytes(n),
  });
  if (!result.ok) return { ok: false, status: 401, reason: result.reason };
  return {
    ok: true,
    signed: result.signed,
    identity: {
      sessionId,
      organizationId: single(headers['audiohook-organization-id'])!.trim(),
      correlationId: single(headers['audiohook-correlation-id'])!.trim(),
    },
  };
}
