/**
 * HTTP message signature primitives (digest §2.4, RFC 9421 subset): component canonicalisation, the signature base
 * and HMAC-SHA256. node:crypto is deterministic, so it is allowed in this pure library.
 */
import { createHmac } from 'node:crypto';

/** The six components Genesys covers, in the order it emits them (digest §2.2). */
export const AUDIOHOOK_SIGNATURE_COMPONENTS = [
  '@request-target',
  '@authority',
  'audiohook-organization-id',
  'audiohook-session-id',
  'audiohook-correlation-id',
  'x-api-key',
] as const;

export const SIGNATURE_ALGORITHM = 'hmac-sha256';
export const MIN_NONCE_LENGTH = 22;

/** Header value canonicalisation: trim, unfold obsolete line folding, join repeated instances with ", ". */
export function canonicalHeaderValue(value: string | string[]): string {
  const values = Array.isArray(value) ? value : [value];
  return values.map((v) => v.replace(/[ \t]*\r\n[ \t]+/g, ' ').trim()).join(', ');
}

/**
 * Builds the signature base: one `"<name>": <value>` line per covered component, then the `@signature-params`
 * line; lines joined by LF with no trailing newline. `signatureParams` must be the serialised inner list.
 */
export function buildSignatureBase(
  components: ReadonlyArray<readonly [string, string]>,
  signatureParams: string,
): string {
  const lines = components.map(([name, value]) => `"${name.toLowerCase()}": ${value}`);
  lines.push(`"@signature-params": ${signatureParams}`);
  return lines.join('\n');
}

export function hmacSha256(key: Uint8Array, message: string): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update(message, 'utf8').digest());
}

/** Decodes a client secret as configured in Genesys (base64) into the HMAC key bytes; throws on invalid base64. */
export function decodeClientSecret(base64: string): Uint8Array {
  const text = base64.trim();
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) {
    throw new RangeError('client secret is not valid base64');
  }
  return new Uint8Array(Buffer.from(text, 'base64'));
}
