/**
 * Webhook signatures. Every POST carries
 *   X-Hookscribe-Timestamp: <unix seconds>
 *   X-Hookscribe-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 * A receiver recomputes the HMAC over the exact bytes it received, compares in constant time, and rejects
 * timestamps outside its tolerance (replay protection). Several "v1=" values separated by "," may be sent while a
 * secret is rotated; any match is valid.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-hookscribe-signature';
export const TIMESTAMP_HEADER = 'x-hookscribe-timestamp';

export function signWebhook(secret: string, timestampSeconds: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`;
}

export interface WebhookVerification {
  secret: string;
  /** raw request body, exactly as received */
  body: string;
  signatureHeader: string | undefined;
  timestampHeader: string | undefined;
  /** accepted clock difference (default 300 s) */
  toleranceSeconds?: number;
  nowSeconds?: number;
}

/** 'ok', or the reason the request must be rejected. */
export function verifyWebhookSignature(
  v: WebhookVerification,
): 'ok' | 'missing-headers' | 'stale-timestamp' | 'bad-signature' {
  if (!v.signatureHeader || !v.timestampHeader) return 'missing-headers';
  const timestamp = Number(v.timestampHeader);
  const now = v.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (!Number.isInteger(timestamp) || Math.abs(now - timestamp) > (v.toleranceSeconds ?? 300)) {
    return 'stale-timestamp';
  }
  const expected = Buffer.from(signWebhook(v.secret, timestamp, v.body));
  for (const candidate of v.signatureHeader.split(',')) {
    const given = Buffer.from(candidate.trim());
    if (given.length === expected.length && timingSafeEqual(given, expected)) return 'ok';
  }
  return 'bad-signature';
}
