import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SIGNED_KEY,
  UNSIGNED_KEY,
  audiohookHeaders,
  connect,
  connectOk,
  getJson,
  newCallIds,
  startTestServer,
  type ConnectOptions,
  type TestServer,
} from './support/audiohook-test-client.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

/** Connects, expecting a refusal; returns status and the time it took as seen by the client. */
async function refused(options: Omit<ConnectOptions, 'server'>) {
  const started = performance.now();
  const outcome = await connect({ server, ...options });
  const elapsedMs = performance.now() - started;
  if (outcome.upgraded) {
    outcome.client.terminate();
    throw new Error('the upgrade was accepted');
  }
  return { status: outcome.status, body: outcome.body, elapsedMs };
}

const now = () => Math.floor(Date.now() / 1000);

describe('authentication before the upgrade (protocol answer: HTTP 401/400, never a WebSocket)', () => {
  it('unknown API key → 401 answered no sooner than 500 ms after the request', async () => {
    const r = await refused({ apiKey: 'no-such-key' });
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toEqual({ error: 'unauthorized' });
    // protocol rule (digest §1.4): failures are delayed to at least 500 ms; not a speed target
    expect(r.elapsedMs).toBeGreaterThanOrEqual(500);
  });

  it('unknown API key without signature → 401 after the delay', async () => {
    const r = await refused({ apiKey: 'no-such-key', secret: null });
    expect(r.status).toBe(401);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(500);
  });

  it('key with a secret but no signature → 401', async () => {
    const r = await refused({ secret: null });
    expect(r.status).toBe(401);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(500);
  });

  it('signature made with the wrong secret → 401', async () => {
    expect((await refused({ secret: randomBytes(32) })).status).toBe(401);
  });

  it('signature over a different request target → 401', async () => {
    const ids = newCallIds();
    const host = `127.0.0.1:${server.port}`;
    const headers = audiohookHeaders({ target: '/api/v1/voicetranscription/ws', authority: host, ids });
    expect((await refused({ target: '/api/v1/audiohook/ws', ids, headers })).status).toBe(401);
  });

  it('signature over a different authority → 401', async () => {
    expect((await refused({ authority: 'evil.example.com' })).status).toBe(401);
  });

  it('keyid that does not match X-API-KEY → 401', async () => {
    expect((await refused({ keyid: UNSIGNED_KEY })).status).toBe(401);
  });

  it('expired signature → 401', async () => {
    expect((await refused({ created: now() - 600, expires: now() - 570 })).status).toBe(401);
  });

  it('signature created in the future → 401', async () => {
    expect((await refused({ created: now() + 600, expires: now() + 630 })).status).toBe(401);
  });

  it('replayed nonce → 401 (the first use is accepted)', async () => {
    const ids = newCallIds();
    const host = `127.0.0.1:${server.port}`;
    const headers = audiohookHeaders({ target: '/api/v1/audiohook/ws', authority: host, ids });
    const first = await connectOk({ server, ids, headers });
    const second = await refused({ ids, headers });
    expect(second.status).toBe(401);
    first.terminate();
  });

  it('lone Signature header without Signature-Input → 401', async () => {
    expect((await refused({ omitHeaders: ['Signature-Input'] })).status).toBe(401);
  });

  it('signed request for a key configured without secret is verified (and fails with a non-empty secret)', async () => {
    expect((await refused({ apiKey: UNSIGNED_KEY })).status).toBe(401);
  });

  it('missing Audiohook-Session-Id → 400 after the delay', async () => {
    const r = await refused({ omitHeaders: ['Audiohook-Session-Id'] });
    expect(r.status).toBe(400);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(500);
  });

  it('Audiohook-Session-Id that is not a UUID → 400', async () => {
    const r = await refused({ extraHeaders: { 'Audiohook-Session-Id': 'not-a-uuid' } });
    expect(r.status).toBe(400);
  });

  it.each(['Audiohook-Organization-Id', 'Audiohook-Correlation-Id', 'X-API-KEY'])(
    'missing %s → 401',
    async (header) => {
      expect((await refused({ omitHeaders: [header] })).status).toBe(401);
    },
  );

  it('unknown path → 404 before any authentication', async () => {
    const r = await refused({ target: '/api/v1/other/ws' });
    expect(r.status).toBe(404);
  });

  it('counts failures by reason in the metrics, and never logs into them the key', async () => {
    const { body } = await getJson(server, '/metrics');
    expect(body).toMatch(/hookscribe_auth_failures_total\{reason="unknown-key"\} [1-9]/);
    expect(body).toMatch(/hookscribe_auth_failures_total\{reason="replayed-nonce"\} 1/);
    expect(body).toMatch(/hookscribe_auth_failures_total\{reason="bad-signature"\} [1-9]/);
    expect(body).toMatch(/hookscribe_auth_failures_total\{reason="expired"\} 1/);
    expect(body).toMatch(/hookscribe_auth_failures_total\{reason="keyid-mismatch"\} 1/);
    expect(body).toMatch(/hookscribe_upgrade_rejections_total\{reason="not-found"\} 1/);
    expect(body).not.toContain(SIGNED_KEY);
  });

  it('MUST 1 (§1.1): selects the first subprotocol a client offers (real handshake) and the call runs', async () => {
    const client = await connectOk({ server, protocols: ['audiohook', 'other'] });
    expect(client.ws.protocol).toBe('audiohook'); // the ws client fails the handshake when none comes back
    expect(await client.open()).toMatchObject({ type: 'opened', seq: 1 });
    expect(await client.close()).toMatchObject({ type: 'closed' });
  });

  it('MUST 1 (§1.1): never requires a subprotocol: a client offering none gets none and the call runs', async () => {
    const client = await connectOk({ server });
    expect(client.ws.protocol).toBe('');
    expect(await client.open()).toMatchObject({ type: 'opened', seq: 1 });
    expect(await client.close()).toMatchObject({ type: 'closed' });
  });
});

describe('org id checked against open', () => {
  it('open with another organizationId → disconnect unauthorized, never opened; close still answered', async () => {
    const client = await connectOk({ server });
    const reply = await client.open({ organizationId: 'a7934305-0972-4844-938e-9060eef73d05' });
    expect(reply).toMatchObject({
      type: 'disconnect',
      seq: 1,
      clientseq: 1,
      parameters: { reason: 'unauthorized' },
    });
    const closed = await client.close('disconnect');
    expect(closed).toMatchObject({ type: 'closed', seq: 2, clientseq: 2 });
    expect(client.received.map((m) => m.type)).toEqual(['disconnect', 'closed']);
    const { body } = await getJson(server, '/metrics');
    expect(body).toMatch(/hookscribe_auth_failures_total\{reason="org-mismatch"\} 1/);
  });
});

describe('behind a proxy', () => {
  it('verifies against HOOKSCRIBE_PUBLIC_AUTHORITY and HOOKSCRIBE_PUBLIC_PATH_PREFIX when set', async () => {
    const proxied = await startTestServer({
      publicAuthority: 'audiohook.example.com',
      publicPathPrefix: '/hookscribe',
    });
    try {
      const ids = newCallIds();
      // Genesys signed the public URI; the proxy forwarded /api/v1/audiohook/ws with its own Host
      const headers = audiohookHeaders({
        target: '/hookscribe/api/v1/audiohook/ws?x=1',
        authority: 'audiohook.example.com',
        ids,
        apiKey: SIGNED_KEY,
      });
      const client = await connectOk({ server: proxied, target: '/api/v1/audiohook/ws?x=1', ids, headers });
      expect((await client.open()).type).toBe('opened');
      await client.close();
      const direct = await connect({ server: proxied });
      expect(direct.upgraded).toBe(false);
    } finally {
      await proxied.stop();
    }
  });
});
