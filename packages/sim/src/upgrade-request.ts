import { randomBytes, randomUUID } from 'node:crypto';
import { decodeClientSecret, signRequest } from '@hookscribe/audiohook';

export interface UpgradeIdentity {
  apiKey: string;
  /** base64 client secret, or null for an unsigned request */
  secret: string | null;
  organizationId: string;
  sessionId: string;
}

/**
 * Headers of the WebSocket upgrade request as Genesys sends them (digest §1.3), signed per §2 when a secret is set:
 * fresh 18-byte nonce, created = now, expires = now + 30 s. `Host` is set explicitly to the value that was signed as
 * `@authority`, so what the server receives is exactly what was signed.
 */
export function upgradeHeaders(
  url: URL,
  identity: UpgradeIdentity,
  nowSeconds = Math.floor(Date.now() / 1000),
) {
  const correlationId = randomUUID();
  const headers: Record<string, string> = {
    Host: url.host,
    'User-Agent': 'hookscribe-sim',
    'Audiohook-Organization-Id': identity.organizationId,
    'Audiohook-Correlation-Id': correlationId,
    'Audiohook-Session-Id': identity.sessionId,
    'X-API-KEY': identity.apiKey,
  };
  if (identity.secret !== null) {
    const signed = signRequest({
      requestTarget: url.pathname + url.search,
      authority: url.host,
      organizationId: identity.organizationId,
      sessionId: identity.sessionId,
      correlationId,
      apiKey: identity.apiKey,
      secret: decodeClientSecret(identity.secret),
      nonce: randomBytes(18).toString('base64'),
      created: nowSeconds,
      expires: nowSeconds + 30,
    });
    headers['Signature-Input'] = signed.signatureInput;
    headers['Signature'] = signed.signature;
  }
  return headers;
}

/** A secret that is certainly not the configured one (bad-signature scenario). */
export function wrongSecret(secret: string | null): string {
  let wrong = randomBytes(32).toString('base64');
  while (wrong === secret) wrong = randomBytes(32).toString('base64');
  return wrong;
}
