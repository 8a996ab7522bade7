import { describe, expect, it } from 'vitest';
import {
  NonceCache,
  buildSignatureBase,
  decodeClientSecret,
  hmacSha256,
  signRequest,
  verifyRequestSignature,
  type VerifyInput,
} from '../src/index.js';

const SECRET = decodeClientSecret('TXlTdXBlclNlY3JldEtleVRlbGxOby0xITJAMyM0JDU=');
const API_KEY = 'SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh';
const EXAMPLE_INPUT =
  'sig1=("@request-target" "@authority" "audiohook-organization-id" "audiohook-session-id" "audiohook-correlation-id" "x-api-key");keyid="SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh";nonce="VGhpc0lzQVVuaXF1ZU5vbmNl";alg="hmac-sha256";created=1641013200;expires=3282026430';
const EXAMPLE_SIGNATURE = 'sig1=:NZBwyBHRRyRoeLqy1IzOa9VYBuI8TgMFt2GRDkDuJh4=:';
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function exampleRequest(
  overrides: Partial<VerifyInput> = {},
  headerOverrides: Record<string, string | undefined> = {},
) {
  const headers: Record<string, string | undefined> = {
    'audiohook-organization-id': 'd7934305-0972-4844-938e-9060eef73d05',
    'audiohook-correlation-id': 'e160e428-53e2-487c-977d-96989bf5c99d',
    'audiohook-session-id': '30b0e395-84d3-4570-ac13-9a62d8f514c0',
    'x-api-key': API_KEY,
    'signature-input': EXAMPLE_INPUT,
    signature: EXAMPLE_SIGNATURE,
    ...headerOverrides,
  };
  const input: VerifyInput = {
    requestTarget: '/api/v1/voicebiometrics/ws',
    authority: 'audiohook.example.com',
    headers,
    secretForKey: (key) => (key === API_KEY ? SECRET : undefined),
    nowSeconds: 1641013200,
    randomBytes: (n) => new Uint8Array(n).fill(7),
    ...overrides,
  };
  return input;
}

function signed(now: number, extra: Partial<Parameters<typeof signRequest>[0]> = {}) {
  const sig = signRequest({
    requestTarget: '/api/v1/audiohook/ws?x=1',
    authority: 'hook.example.com:8443',
    organizationId: 'd7934305-0972-4844-938e-9060eef73d05',
    sessionId: '30b0e395-84d3-4570-ac13-9a62d8f514c0',
    correlationId: 'e160e428-53e2-487c-977d-96989bf5c99d',
    apiKey: API_KEY,
    secret: SECRET,
    nonce: 'bm9uY2Utbm9uY2Utbm9uY2Utbm9uY2U',
    created: now,
    expires: now + 30,
    ...extra,
  });
  return exampleRequest(
    { requestTarget: '/api/v1/audiohook/ws?x=1', authority: 'hook.example.com:8443', nowSeconds: now },
    { 'signature-input': sig.signatureInput, signature: sig.signature },
  );
}

describe('HTTP message signatures', () => {
  it('decodes the client secret from base64 (the HMAC key is the decoded bytes)', () => {
    expect(Buffer.from(SECRET).toString('ascii')).toBe('MySuperSecretKeyTellNo-1!2@3#4$5');
    expect(() => decodeClientSecret('not base64!')).toThrow(RangeError);
  });

  it('MUST 4: the digest §2.7 worked example verifies to NZBwyBHRRyRoeLqy1IzOa9VYBuI8TgMFt2GRDkDuJh4=', () => {
    expect(verifyRequestSignature(exampleRequest())).toEqual({
      ok: true,
      apiKey: API_KEY,
      signed: true,
      nonce: 'VGhpc0lzQVVuaXF1ZU5vbmNl',
    });
  });

  it('MUST 4: signature base is LF-joined, no trailing newline, @signature-params byte-exact (host variant)', () => {
    const components = [
      ['@request-target', '/api/v1/voicebiometrics/ws'],
      ['@authority', 'audiohook.example.com'],
      ['audiohook-organization-id', 'd7934305-0972-4844-938e-9060eef73d05'],
      ['audiohook-session-id', '30b0e395-84d3-4570-ac13-9a62d8f514c0'],
      ['audiohook-correlation-id', 'e160e428-53e2-487c-977d-96989bf5c99d'],
      ['x-api-key', API_KEY],
    ] as const;
    const params = EXAMPLE_INPUT.slice('sig1='.length);
    const base = buildSignatureBase(components, params);
    expect(base.endsWith('\n')).toBe(false);
    expect(base.split('\n')).toHaveLength(7);
    expect(b64(hmacSha256(SECRET, base))).toBe('NZBwyBHRRyRoeLqy1IzOa9VYBuI8TgMFt2GRDkDuJh4=');
    const hostComponents = components.map(([n, v]) => [n === '@authority' ? 'host' : n, v] as const);
    const hostBase = buildSignatureBase(hostComponents, params.replace('"@authority"', '"host"'));
    expect(b64(hmacSha256(SECRET, hostBase))).toBe('zupMJUMfd/kMuvKc5zhRyfJPE3jTROuz1S1hn8SCTpE=');
  });

  it('reproduces the RFC draft-11 B.2.5 HMAC test vector', () => {
    const key = decodeClientSecret(
      'uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ==',
    );
    const base = buildSignatureBase(
      [
        ['date', 'Tue, 20 Apr 2021 02:07:55 GMT'],
        ['@authority', 'example.com'],
        ['content-type', 'application/json'],
      ],
      '("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"',
    );
    expect(b64(hmacSha256(key, base))).toBe('pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=');
  });

  it('MUST 2: sign → verify round trip (raw target with query, authority with port)', () => {
    const now = 1_700_000_000;
    const result = verifyRequestSignature(signed(now));
    expect(result).toMatchObject({ ok: true, signed: true, apiKey: API_KEY });
    const sig = signRequest({
      requestTarget: '/ws',
      authority: 'a',
      organizationId: 'd7934305-0972-4844-938e-9060eef73d05',
      sessionId: '30b0e395-84d3-4570-ac13-9a62d8f514c0',
      correlationId: 'e160e428-53e2-487c-977d-96989bf5c99d',
      apiKey: API_KEY,
      secret: SECRET,
      nonce: 'VGhpc0lzQVVuaXF1ZU5vbmNl',
      created: 1641013200,
      expires: 3282026430,
    });
    expect(sig.signatureInput).toBe(EXAMPLE_INPUT);
  });

  it('MUST 4: @request-target must be the raw path + query as received', () => {
    expect(
      verifyRequestSignature({ ...signed(1_700_000_000), requestTarget: '/api/v1/audiohook/ws' }),
    ).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    expect(verifyRequestSignature({ ...signed(1_700_000_000), authority: 'other.example.com' })).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('canonicalises header values (trim, obs-fold, repeated headers joined with ", ")', () => {
    const now = 1_700_000_000;
    const req = signed(now);
    req.headers['x-api-key'] = `  ${API_KEY} `;
    expect(verifyRequestSignature(req).ok).toBe(true);
  });

  it('MUST 2: rejects a request with missing or non-UUID AudioHook headers', () => {
    expect(verifyRequestSignature(exampleRequest({}, { 'x-api-key': undefined }))).toEqual({
      ok: false,
      reason: 'missing-headers',
    });
    expect(verifyRequestSignature(exampleRequest({}, { 'audiohook-session-id': 'nope' })).ok).toBe(false);
    expect(verifyRequestSignature(exampleRequest({}, { 'audiohook-correlation-id': undefined }))).toEqual({
      ok: false,
      reason: 'missing-headers',
    });
  });

  it('MUST 2: rejects an unknown key after running the HMAC with a dummy random key', () => {
    let randomCalls = 0;
    const req = exampleRequest({
      secretForKey: () => undefined,
      randomBytes: (n) => {
        randomCalls++;
        return new Uint8Array(n);
      },
    });
    expect(verifyRequestSignature(req)).toEqual({ ok: false, reason: 'unknown-key' });
    expect(randomCalls).toBe(1);
    const unsigned = exampleRequest(
      { secretForKey: () => undefined },
      { signature: undefined, 'signature-input': undefined },
    );
    expect(verifyRequestSignature(unsigned)).toEqual({ ok: false, reason: 'unknown-key' });
  });

  it('MUST 2: requires a signature when the key has a secret; accepts unsigned only for a key without secret', () => {
    const unsigned = { signature: undefined, 'signature-input': undefined };
    expect(verifyRequestSignature(exampleRequest({}, unsigned))).toEqual({ ok: false, reason: 'unsigned' });
    expect(
      verifyRequestSignature(exampleRequest({ secretForKey: () => new Uint8Array(0) }, unsigned)),
    ).toEqual({
      ok: true,
      apiKey: API_KEY,
      signed: false,
      nonce: null,
    });
  });

  it('a key configured without secret that receives a signed request is verified with a zero-length key', () => {
    const now = 1_700_000_000;
    const empty = new Uint8Array(0);
    const req = signed(now, { secret: empty });
    expect(verifyRequestSignature({ ...req, secretForKey: () => empty })).toMatchObject({
      ok: true,
      signed: true,
    });
    expect(verifyRequestSignature({ ...signed(now), secretForKey: () => empty })).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('rejects a lone Signature or Signature-Input, unparsable fields and unpaired labels', () => {
    expect(verifyRequestSignature(exampleRequest({}, { signature: undefined }))).toEqual({
      ok: false,
      reason: 'malformed-signature',
    });
    expect(verifyRequestSignature(exampleRequest({}, { 'signature-input': undefined })).ok).toBe(false);
    expect(verifyRequestSignature(exampleRequest({}, { signature: 'sig1=:not base64' }))).toEqual({
      ok: false,
      reason: 'malformed-signature',
    });
    expect(
      verifyRequestSignature(exampleRequest({}, { signature: EXAMPLE_SIGNATURE.replace('sig1', 'sig2') })),
    ).toEqual({ ok: false, reason: 'malformed-signature' });
  });

  it('pairs Signature-Input and Signature by label (any label)', () => {
    const now = 1_700_000_000;
    expect(verifyRequestSignature(signed(now, { label: 'genesys' })).ok).toBe(true);
  });

  it('MUST 2: requires all six components and rejects component params, @signature-params and unknown derived ones', () => {
    const drop = EXAMPLE_INPUT.replace(' "x-api-key"', '');
    expect(verifyRequestSignature(exampleRequest({}, { 'signature-input': drop }))).toEqual({
      ok: false,
      reason: 'missing-components',
    });
    for (const extra of [
      '"@signature-params"',
      '"@method"',
      '"signature"',
      '"x-api-key";sf',
      '"x-api-key"',
    ]) {
      const withExtra = EXAMPLE_INPUT.replace('"x-api-key")', `"x-api-key" ${extra})`);
      expect(verifyRequestSignature(exampleRequest({}, { 'signature-input': withExtra }))).toEqual({
        ok: false,
        reason: 'missing-components',
      });
    }
  });

  it('rejects unknown signature parameters', () => {
    const withTag = EXAMPLE_INPUT + ';tag="x"';
    expect(verifyRequestSignature(exampleRequest({}, { 'signature-input': withTag }))).toEqual({
      ok: false,
      reason: 'malformed-signature',
    });
  });

  it('MUST 3: enforces keyid == X-API-KEY', () => {
    const other = EXAMPLE_INPUT.replace(`keyid="${API_KEY}"`, 'keyid="someone-else"');
    expect(verifyRequestSignature(exampleRequest({}, { 'signature-input': other }))).toEqual({
      ok: false,
      reason: 'keyid-mismatch',
    });
  });

  it('MUST 3: enforces alg == "hmac-sha256"', () => {
    const rsa = EXAMPLE_INPUT.replace('hmac-sha256', 'rsa-pss-sha512');
    expect(verifyRequestSignature(exampleRequest({}, { 'signature-input': rsa }))).toEqual({
      ok: false,
      reason: 'unsupported-alg',
    });
  });

  it('MUST 3: requires a nonce of at least 22 characters', () => {
    const short = EXAMPLE_INPUT.replace('VGhpc0lzQVVuaXF1ZU5vbmNl', 'short');
    expect(verifyRequestSignature(exampleRequest({}, { 'signature-input': short }))).toEqual({
      ok: false,
      reason: 'missing-nonce',
    });
    const none = EXAMPLE_INPUT.replace(';nonce="VGhpc0lzQVVuaXF1ZU5vbmNl"', '');
    expect(verifyRequestSignature(exampleRequest({}, { 'signature-input': none }))).toEqual({
      ok: false,
      reason: 'missing-nonce',
    });
  });

  it('MUST 3: created/expires within the skew window (default skew 5 s, max age 30 s)', () => {
    const now = 1_700_000_000;
    expect(verifyRequestSignature(signed(now + 5, { created: now + 10 })).ok).toBe(true); // 5 s ahead: tolerated
    expect(verifyRequestSignature({ ...signed(now, { created: now + 6 }) })).toEqual({
      ok: false,
      reason: 'not-yet-valid',
    });
    expect(verifyRequestSignature({ ...signed(now, { expires: now - 6 }) })).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(verifyRequestSignature({ ...signed(now, { created: now - 36, expires: now + 100 }) })).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(verifyRequestSignature({ ...signed(now, { created: now - 34, expires: now + 100 }) }).ok).toBe(
      true,
    );
    const strict = {
      ...signed(now, { created: now - 12, expires: now + 100 }),
      maxAgeSeconds: 5,
      clockSkewSeconds: 1,
    };
    expect(verifyRequestSignature(strict)).toEqual({ ok: false, reason: 'expired' });
  });

  it('MUST 2: rejects a wrong MAC (constant-time compare)', () => {
    const wrong = 'sig1=:' + Buffer.alloc(32, 1).toString('base64') + ':';
    expect(verifyRequestSignature(exampleRequest({}, { signature: wrong }))).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    const short = 'sig1=:AAAA:';
    expect(verifyRequestSignature(exampleRequest({}, { signature: short }))).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    expect(verifyRequestSignature(exampleRequest({ secretForKey: () => new Uint8Array(32) }))).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('MUST 3: rejects a replayed nonce via the injected cache (only after the MAC verified)', () => {
    const cache = new NonceCache({ maxEntries: 10, ttlSeconds: 60 });
    const now = 1_700_000_000;
    const remember = (nonce: string) => cache.checkAndRemember(nonce, now);
    expect(verifyRequestSignature({ ...signed(now), rememberNonce: remember }).ok).toBe(true);
    expect(verifyRequestSignature({ ...signed(now), rememberNonce: remember })).toEqual({
      ok: false,
      reason: 'replayed-nonce',
    });
    const forged = exampleRequest(
      { nowSeconds: now, rememberNonce: remember },
      { signature: 'sig1=:' + Buffer.alloc(32).toString('base64') + ':' },
    );
    expect(verifyRequestSignature(forged).ok).toBe(false);
    expect(cache.size).toBe(1);
  });
});

describe('NonceCache', () => {
  it('detects replays within ttl, forgets after ttl, and stays bounded', () => {
    const cache = new NonceCache({ maxEntries: 3, ttlSeconds: 10 });
    expect(cache.checkAndRemember('a', 100)).toBe(true);
    expect(cache.checkAndRemember('a', 105)).toBe(false);
    expect(cache.checkAndRemember('a', 111)).toBe(true); // expired, accepted again
    for (const n of ['b', 'c', 'd', 'e']) cache.checkAndRemember(n, 112);
    expect(cache.size).toBe(3);
    expect(cache.checkAndRemember('e', 113)).toBe(false);
    expect(cache.checkAndRemember('b', 113)).toBe(true); // evicted (oldest) when full
  });
});
