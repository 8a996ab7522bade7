/**
 * Verifies the HTTP message signature on an AudioHook upgrade (digest §2, MUST 2-4). Pure: clock, randomness and the
 * replay cache are injected. Checks run in this order: headers, key, signature presence, structure, components,
 * parameters (keyid, alg, nonce, time), HMAC (constant-time), then the nonce replay check (only for signatures that
 * verified, so forged requests cannot fill the cache).
 */
import { timingSafeEqual } from 'node:crypto';
import {
  parseDictionary,
  serializeInnerList,
  type BareItem,
  type InnerList,
  type Item,
} from 'structured-headers';
import type { AuthFailureReason, AuthResult, VerifyInput } from './contract.js';
import {
  AUDIOHOOK_SIGNATURE_COMPONENTS,
  MIN_NONCE_LENGTH,
  SIGNATURE_ALGORITHM,
  buildSignatureBase,
  canonicalHeaderValue,
  hmacSha256,
} from './signature-base.js';
import { isUuid } from './uuid.js';

export const DEFAULT_CLOCK_SKEW_SECONDS = 5;
export const DEFAULT_MAX_SIGNATURE_AGE_SECONDS = 30;

const ALLOWED_PARAMS = new Set(['keyid', 'nonce', 'alg', 'created', 'expires']);
const DERIVED_COMPONENTS = new Set(['@request-target', '@authority']);

function header(input: VerifyInput, name: string): string | undefined {
  const value = input.headers[name];
  return value === undefined ? undefined : canonicalHeaderValue(value);
}

function fail(reason: AuthFailureReason): AuthResult {
  return { ok: false, reason };
}

function isInnerList(member: Item | InnerList): member is InnerList {
  return Array.isArray(member[0]);
}

/** Picks the Signature-Input / Signature pair: the first label present in both headers. */
function pairByLabel(
  signatureInput: string,
  signature: string,
): { label: string; covered: InnerList; mac: Uint8Array } | null {
  let inputs: Map<string, Item | InnerList>;
  let signatures: Map<string, Item | InnerList>;
  try {
    inputs = parseDictionary(signatureInput);
    signatures = parseDictionary(signature);
  } catch {
    return null;
  }
  for (const [label, member] of inputs) {
    const sig = signatures.get(label);
    if (!sig || !isInnerList(member) || isInnerList(sig)) continue;
    const value = sig[0];
    if (!(value instanceof ArrayBuffer)) return null;
    return { label, covered: member, mac: new Uint8Array(value) };
  }
  return null;
}

export function verifyRequestSignature(input: VerifyInput): AuthResult {
  const apiKey = header(input, 'x-api-key');
  if (
    !apiKey ||
    !isUuid(header(input, 'audiohook-organization-id')) ||
    !isUuid(header(input, 'audiohook-session-id')) ||
    !isUuid(header(input, 'audiohook-correlation-id'))
  ) {
    return fail('missing-headers');
  }
  const configuredSecret = input.secretForKey(apiKey);
  const knownKey = configuredSecret !== undefined;
  // Unknown key: still run the full check with a random dummy key so timing does not reveal which keys exist.
  const secret = configuredSecret ?? input.randomBytes(32);

  const signatureInputHeader = header(input, 'signature-input');
  const signatureHeader = header(input, 'signature');
  if (signatureInputHeader === undefined && signatureHeader === undefined) {
    if (!knownKey) return fail('unknown-key');
    return secret.length === 0 ? { ok: true, apiKey, signed: false, nonce: null } : fail('unsigned');
  }
  if (signatureInputHeader === undefined || signatureHeader === undefined) return fail('malformed-signature');
  const paired = pairByLabel(signatureInputHeader, signatureHeader);
  if (!paired) return fail('malformed-signature');
  const [items, params] = paired.covered;

  // Components: plain strings, no parameters, no duplicates, no @signature-params / signature, all six present.
  const components: [string, string][] = [];
  const seen = new Set<string>();
  for (const [value, itemParams] of items) {
    if (typeof value !== 'string' || itemParams.size > 0) return fail('missing-components');
    const name = value;
    if (name !== name.toLowerCase() || seen.has(name)) return fail('missing-components');
    seen.add(name);
    if (name.startsWith('@')) {
      if (!DERIVED_COMPONENTS.has(name)) return fail('missing-components');
      components.push([
        name,
        name === '@request-target' ? input.requestTarget : input.authority.toLowerCase(),
      ]);
    } else {
      if (name === 'signature' || name === 'signature-input') return fail('missing-components');
      const value = header(input, name);
      if (value === undefined) return fail('missing-components');
      components.push([name, value]);
    }
  }
  if (AUDIOHOOK_SIGNATURE_COMPONENTS.some((name) => !seen.has(name))) return fail('missing-components');

  // Parameters.
  for (const key of params.keys()) if (!ALLOWED_PARAMS.has(key)) return fail('malformed-signature');
  const str = (v: BareItem | undefined) => (typeof v === 'string' ? v : undefined);
  const int = (v: BareItem | undefined) => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
  const keyid = str(params.get('keyid'));
  const alg = str(params.get('alg'));
  const nonce = str(params.get('nonce'));
  const created = int(params.get('created'));
  const expires = int(params.get('expires'));
  if (params.has('created') && created === undefined) return fail('malformed-signature');
  if (params.has('expires') && expires === undefined) return fail('malformed-signature');
  if (keyid !== apiKey) return fail(knownKey ? 'keyid-mismatch' : 'unknown-key');
  if (alg !== SIGNATURE_ALGORITHM) return fail('unsupported-alg');
  if (nonce === undefined || nonce.length < MIN_NONCE_LENGTH) return fail('missing-nonce');
  if (created === undefined) return fail('malformed-signature');
  const skew = input.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  const maxAge = input.maxAgeSeconds ?? DEFAULT_MAX_SIGNATURE_AGE_SECONDS;
  if (created > input.nowSeconds + skew) return fail('not-yet-valid');
  if (expires !== undefined && expires < input.nowSeconds - skew) return fail('expired');
  if (created + maxAge + skew < input.nowSeconds) return fail('expired');

  const base = buildSignatureBase(components, serializeInnerList(paired.covered));
  const expected = hmacSha256(secret, base);
  const matches = expected.length === paired.mac.length && timingSafeEqual(expected, paired.mac);
  if (!knownKey) return fail('unknown-key');
  if (!matches) return fail('bad-signature');
  if (input.rememberNonce && !input.rememberNonce(nonce)) return fail('replayed-nonce');
  return { ok: true, apiKey, signed: true, nonce };
}
