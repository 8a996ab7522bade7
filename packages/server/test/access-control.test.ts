/**
 * The access hook on a small app: static token roles, cookie sessions, the audit entries it records (who, what,
 * which conversation, from where — through a trusted proxy too), failed-authentication limits, security headers.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteConversationStore } from '@hookscribe/conversations';
import { Redis } from 'ioredis';
import { startRedis } from '../../conversations/test/support/services-redis.js';
import { accessControl, type AccessControlOptions } from '../src/access/access-control.js';
import { AuditRecorder } from '../src/access/audit-recorder.js';
import { OidcIdentity } from '../src/access/oidc-identity.js';
import { RoleMapping } from '../src/access/role-mapping.js';
import { accessSettingsFromEnv } from '../src/access/access-config.js';
import { ApiTokens, parseApiToken } from '../src/api/api-auth.js';
import { ConfigError } from '../src/config.js';

const TOKENS = ['viewer-token-aaaa:viewer', 'supervisor-token-bbbb:supervisor', 'admin-token-cccc'];
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

let app: FastifyInstance | null = null;
let store: SqliteConversationStore | null = null;
afterEach(async () => {
  await app?.close();
  await store?.close();
  app = null;
  store = null;
});

async function build(options: Partial<AccessControlOptions> = {}, trustProxy: boolean | string[] = false) {
  store = new SqliteConversationStore({ path: ':memory:' });
  const recorder = new AuditRecorder({ log: store, flushIntervalMs: 5 });
  app = Fastify({ trustProxy });
  await app.register(accessControl, { tokens: TOKENS, audit: store, recorder, ...options });
  app.get('/api/things/:id', { config: { access: { role: 'viewer', audit: 'read' } } }, async (request) => ({
    id: (request.params as { id: string }).id,
    principal: request.principal,
  }));
  app.get(
    '/api/things/:id/audio',
    { config: { access: { role: 'supervisor', audit: 'play' } } },
    async () => 'ok',
  );
  app.post(
    '/api/things/:id/erase',
    { config: { access: { role: 'admin', audit: 'erase' } } },
    async () => 'done',
  );
  app.get('/ui-page', async () => 'page');
  app.get('/*', async (_request, reply) => reply.code(404).send({ error: 'not_found' }));
  await app.ready();
  return { app, store, recorder };
}

describe('static tokens', () => {
  it('parse as token:role; a token without a role is admin; a bad role names no token', () => {
    expect(parseApiToken('abc:viewer')).toEqual({ token: 'abc', role: 'viewer' });
    expect(parseApiToken('abc')).toEqual({ token: 'abc', role: 'admin' });
    expect(() => ApiTokens.fromEnv('good:viewer,s3cret-value:owner')).toThrow(
      /entry 2: unknown role "owner"/,
    );
    expect(() => ApiTokens.fromEnv('s3cret-value:owner')).not.toThrow(/s3cret-value/);
    const tokens = ApiTokens.fromEnv('abc:supervisor');
    expect(tokens.lookup('abc')).toEqual({
      role: 'supervisor',
      subject: expect.stringMatching(/^token:[0-9a-f]{8}$/),
    });
    expect(tokens.lookup('abd')).toBeNull();
  });

  it('each token gets its role: a viewer reads but cannot play audio or erase', async () => {
    const { app } = await build();
    const id = randomUUID();
    const read = await app.inject({ url: `/api/things/${id}`, headers: bearer('viewer-token-aaaa') });
    expect(read.statusCode).toBe(200);
    expect(read.json().principal).toMatchObject({ role: 'viewer', method: 'token' });
    expect(read.json().principal.subject).not.toContain('viewer-token');
    const play = await app.inject({ url: `/api/things/${id}/audio`, headers: bearer('viewer-token-aaaa') });
    expect(play.statusCode).toBe(403);
    expect(play.json()).toEqual({ error: 'forbidden', message: 'this needs the supervisor role' });
    expect(
      (await app.inject({ url: `/api/things/${id}/audio`, headers: bearer('supervisor-token-bbbb') }))
        .statusCode,
    ).toBe(200);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: `/api/things/${id}/erase`,
          headers: bearer('supervisor-token-bbbb'),
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: `/api/things/${id}/erase`,
          headers: bearer('admin-token-cccc'),
        })
      ).statusCode,
    ).toBe(200);
  });

  it('paths outside /api are not under the policy (UI, health), nor is a catch-all route answering unknown paths', async () => {
    const { app } = await build();
    expect((await app.inject({ url: '/ui-page' })).statusCode).toBe(200);
    // like the web UI's `/*`: an unknown /api path stays the catch-all's 404, not a 403
    expect((await app.inject({ url: '/api/no-such-thing' })).statusCode).toBe(404);
  });
});

describe('cookie sessions', () => {
  it('a token typed into the login card opens an httpOnly SameSite session; sign-out ends it for good', async () => {
    const { app } = await build();
    const signIn = await app.inject({
      method: 'POST',
      url: '/api/auth/session',
      payload: { token: 'supervisor-token-bbbb' },
    });
    expect(signIn.statusCode).toBe(200);
    const setCookie = String(signIn.headers['set-cookie']);
    expect(setCookie).toMatch(/^hookscribe_session=/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).not.toContain('supervisor-token-bbbb');
    const cookie = setCookie.split(';')[0]!;
    const me = await app.inject({ url: '/api/auth/session', headers: { cookie } });
    expect(me.json().principal).toMatchObject({ role: 'supervisor', method: 'session' });
    expect((await app.inject({ url: '/api/things/x/audio', headers: { cookie } })).statusCode).toBe(200);

    // a cookie-authenticated change from another site is refused
    const crossSite = await app.inject({
      method: 'POST',
      url: '/api/things/x/erase',
      headers: { cookie, origin: 'https://evil.example' },
    });
    expect(crossSite.statusCode).toBe(403);
    // nor can another site sign the browser in with the attacker's token (login CSRF)
    const forcedSignIn = await app.inject({
      method: 'POST',
      url: '/api/auth/session',
      headers: { origin: 'https://evil.example' },
      payload: { token: 'admin-token-cccc' },
    });
    expect(forcedSignIn.statusCode).toBe(403);

    const out = await app.inject({ method: 'DELETE', url: '/api/auth/session', headers: { cookie } });
    expect(out.statusCode).toBe(200);
    expect(String(out.headers['set-cookie'])).toMatch(/hookscribe_session=;/);
    // the old cookie, replayed, no longer works on this instance
    expect((await app.inject({ url: '/api/things/x', headers: { cookie } })).statusCode).toBe(401);
  });

  it('a tampered cookie is refused', async () => {
    const { app } = await build();
    const signIn = await app.inject({
      method: 'POST',
      url: '/api/auth/session',
      payload: { token: 'viewer-token-aaaa' },
    });
    const [name, value] = String(signIn.headers['set-cookie']).split(';')[0]!.split('=');
    const [payload, signature] = decodeURIComponent(value!).split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'admin' }),
    ).toString('base64url');
    const res = await app.inject({
      url: '/api/things/x',
      headers: { cookie: `${name}=${forged}.${signature}` },
    });
    expect(res.statusCode).toBe(401);
  });
});

describe('audit entries', () => {
  it('record who, role, method, action, conversation, address and route for successful audited requests only', async () => {
    const { app, store, recorder } = await build();
    const id = randomUUID();
    await app.inject({
      url: `/api/things/${id}/audio`,
      headers: bearer('supervisor-token-bbbb'),
      remoteAddress: '198.51.100.4',
    });
    await app.inject({ url: `/api/things/${id}/audio`, headers: bearer('viewer-token-aaaa') }); // 403: not audited
    await app.inject({ url: `/api/things/${id}/audio` }); // 401: not audited
    await recorder.flush();
    const { items } = await store.listAudit({ conversationId: id });
    expect(items).toEqual([
      {
        id: expect.any(String),
        at: expect.any(String),
        subject: expect.stringMatching(/^token:[0-9a-f]{8}$/),
        role: 'supervisor',
        authMethod: 'token',
        action: 'play',
        conversationId: id,
        address: '198.51.100.4',
        route: 'GET /api/things/:id/audio',
      },
    ]);
  });

  it('behind a trusted proxy the client address comes from X-Forwarded-For; otherwise the header is ignored', async () => {
    for (const [trust, expected] of [
      [['127.0.0.1'], '203.0.113.9'],
      [false, '127.0.0.1'],
    ] as const) {
      const { app, store, recorder } = await build({}, trust as string[] | false);
      const id = randomUUID();
      await app.inject({
        url: `/api/things/${id}`,
        headers: { ...bearer('viewer-token-aaaa'), 'x-forwarded-for': '203.0.113.9' },
        remoteAddress: '127.0.0.1',
      });
      await recorder.flush();
      expect((await store.listAudit({ conversationId: id })).items.map((e) => e.address)).toEqual([expected]);
      await app.close();
      await store.close();
    }
    app = null;
    store = null;
  });

  it('GET /api/audit is for admins and filters by subject', async () => {
    const { app, recorder } = await build();
    const id = randomUUID();
    await app.inject({ url: `/api/things/${id}`, headers: bearer('viewer-token-aaaa') });
    await recorder.flush();
    expect(
      (await app.inject({ url: '/api/audit', headers: bearer('supervisor-token-bbbb') })).statusCode,
    ).toBe(403);
    const page = await app.inject({
      url: `/api/audit?conversationId=${id}`,
      headers: bearer('admin-token-cccc'),
    });
    expect(page.statusCode).toBe(200);
    expect(page.json().items.map((e: { action: string }) => e.action)).toEqual(['read']);
    const bad = await app.inject({ url: '/api/audit?action=sing', headers: bearer('admin-token-cccc') });
    expect(bad.statusCode).toBe(400);
  });

  it('the recorder never makes a request wait for the store', async () => {
    let release: () => void = () => undefined;
    const slow = { appendAudit: () => new Promise<void>((resolve) => (release = resolve)) };
    const recorder = new AuditRecorder({ log: slow, flushIntervalMs: 1, batchSize: 1 });
    recorder.record({
      id: randomUUID(),
      at: new Date().toISOString(),
      subject: 's',
      role: 'viewer',
      authMethod: 'token',
      action: 'read',
      conversationId: null,
      address: '127.0.0.1',
      route: 'GET /x',
    });
    // record() returned while the write is still pending
    let flushed = false;
    const flushing = recorder.flush().then(() => (flushed = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushed).toBe(false);
    release();
    await flushing;
    expect(flushed).toBe(true);
  });
});

describe('failed authentication limits', () => {
  it('after the limit an address gets 429 with Retry-After, even with a good token; other addresses are unaffected', async () => {
    const { app } = await build({ authFailureLimit: 3, authFailureWindowSeconds: 60 });
    const from = (remoteAddress: string, headers: Record<string, string>) =>
      app.inject({ url: '/api/things/x', headers, remoteAddress });
    for (let i = 0; i < 3; i++) expect((await from('192.0.2.1', bearer(`guess-${i}`))).statusCode).toBe(401);
    const limited = await from('192.0.2.1', bearer('viewer-token-aaaa'));
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const signIn = await app.inject({
      method: 'POST',
      url: '/api/auth/session',
      payload: { token: 'viewer-token-aaaa' },
      remoteAddress: '192.0.2.1',
    });
    expect(signIn.statusCode).toBe(429);
    expect((await from('192.0.2.2', bearer('viewer-token-aaaa'))).statusCode).toBe(200);
  });

  it('with Redis, failures count across instances; with Redis gone, requests are still served', async () => {
    const redisService = await startRedis();
    const clients: Redis[] = [];
    const apps: FastifyInstance[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const redis = new Redis(redisService.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
        redis.on('error', () => undefined);
        await new Promise((resolve) => redis.once('ready', resolve));
        clients.push(redis);
        const instance = Fastify();
        await instance.register(accessControl, {
          tokens: TOKENS,
          authFailureLimit: 3,
          failureCounterRedis: redis,
        });
        instance.get('/api/x', { config: { access: { role: 'viewer' } } }, async () => 'ok');
        await instance.ready();
        apps.push(instance);
      }
      const [a, b] = apps as [FastifyInstance, FastifyInstance];
      const from = (app: FastifyInstance, token: string) =>
        app.inject({ url: '/api/x', headers: bearer(token), remoteAddress: '192.0.2.77' });
      for (let i = 0; i < 3; i++) expect((await from(a, `guess-${i}`)).statusCode).toBe(401);
      expect((await from(b, 'viewer-token-aaaa')).statusCode).toBe(429); // the other instance knows
      await redisService.stop();
      expect((await from(b, 'viewer-token-aaaa')).statusCode).toBe(200); // counters unavailable: not a lockout
    } finally {
      for (const instance of apps) await instance.close();
      for (const redis of clients) redis.disconnect();
      await redisService.dispose();
    }
  });

  it('successful requests do not count', async () => {
    const { app } = await build({ authFailureLimit: 2 });
    for (let i = 0; i < 5; i++)
      expect(
        (await app.inject({ url: '/api/things/x', headers: bearer('viewer-token-aaaa') })).statusCode,
      ).toBe(200);
  });
});

describe('security headers', () => {
  it('CSP with frame-ancestors from configuration on API and UI responses alike', async () => {
    const { app } = await build({ frameAncestors: ["'self'", 'https://apps.mypurecloud.com'] });
    for (const url of ['/ui-page', '/api/auth/session']) {
      const res = await app.inject({ url });
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'self' https://apps.mypurecloud.com");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      // X-Frame-Options cannot name Genesys: not sent when frame-ancestors allows other origins
      expect(res.headers['x-frame-options']).toBeUndefined();
    }
  });

  it("default frame-ancestors is 'self' (and X-Frame-Options SAMEORIGIN)", async () => {
    const { app } = await build();
    const res = await app.inject({ url: '/ui-page' });
    expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'self'");
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });
});

describe('identity provider unreachable', () => {
  it('the server keeps serving: static tokens work, sign-in says the provider is unavailable, bearer JWTs get 503', async () => {
    // a port nothing listens on (bound, then closed)
    const probe = (await import('node:net')).createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const settings = accessSettingsFromEnv({
      HOOKSCRIBE_OIDC_ISSUER: `http://127.0.0.1:${port}`,
      HOOKSCRIBE_OIDC_CLIENT_ID: 'hookscribe-web',
      HOOKSCRIBE_PUBLIC_URL: 'http://127.0.0.1:8080',
    });
    const oidc = new OidcIdentity(settings.oidc!, 'http://127.0.0.1:8080/api/auth/callback');
    const { app } = await build({ oidc, publicUrl: settings.publicUrl });
    const login = await app.inject({ url: '/api/auth/login' });
    expect(login.statusCode).toBe(302);
    expect(login.headers.location).toBe('/?signin_error=unavailable');
    const fakeJwt = ['e30', 'e30', 'c2ln'].join('.');
    const jwt = await app.inject({ url: '/api/things/x', headers: bearer(fakeJwt) });
    expect(jwt.statusCode).toBe(503);
    expect(jwt.json().message).toMatch(/identity provider is unavailable/);
    expect(
      (await app.inject({ url: '/api/things/x', headers: bearer('viewer-token-aaaa') })).statusCode,
    ).toBe(200);
    const session = await app.inject({ url: '/api/auth/session' });
    expect(session.json().sso).toEqual({ enabled: true, label: 'Sign in with single sign-on' });
  });
});

describe('settings', () => {
  it('validate OIDC, session and frame-ancestors settings with every problem named', () => {
    expect(() =>
      accessSettingsFromEnv({
        HOOKSCRIBE_OIDC_ISSUER: 'http://idp.example.com',
        HOOKSCRIBE_SESSION_SECRET: 'short',
        HOOKSCRIBE_FRAME_ANCESTORS: "'self' javascript:alert(1)",
        HOOKSCRIBE_OIDC_ROLE_MAP: 'admins=root',
      }),
    ).toThrow(ConfigError);
    try {
      accessSettingsFromEnv({
        HOOKSCRIBE_OIDC_ISSUER: 'http://idp.example.com',
        HOOKSCRIBE_SESSION_SECRET: 'short',
        HOOKSCRIBE_FRAME_ANCESTORS: "'self' javascript:alert(1)",
        HOOKSCRIBE_OIDC_ROLE_MAP: 'admins=root',
      });
    } catch (error) {
      const text = (error as ConfigError).problems.join('\n');
      expect(text).toMatch(/HOOKSCRIBE_OIDC_CLIENT_ID: required/);
      expect(text).toMatch(/HOOKSCRIBE_PUBLIC_URL: required/);
      expect(text).toMatch(/HOOKSCRIBE_OIDC_ISSUER: must be https/);
      expect(text).toMatch(/HOOKSCRIBE_SESSION_SECRET: must be at least 32/);
      expect(text).toMatch(/HOOKSCRIBE_FRAME_ANCESTORS: "javascript:alert\(1\)"/);
      expect(text).toMatch(/HOOKSCRIBE_OIDC_ROLE_MAP: "admins" must map/);
    }
  });

  it('SameSite=None sessions (an embedded UI) need an https public URL, and are then Secure', async () => {
    expect(() => accessSettingsFromEnv({ HOOKSCRIBE_SESSION_SAMESITE: 'none' })).toThrow(/needs an https/);
    expect(() => accessSettingsFromEnv({ HOOKSCRIBE_PUBLIC_URL: 'https://example.com/hookscribe' })).toThrow(
      /without a path/,
    );
    const settings = accessSettingsFromEnv({
      HOOKSCRIBE_SESSION_SAMESITE: 'none',
      HOOKSCRIBE_PUBLIC_URL: 'https://hookscribe.example.com',
    });
    const { app } = await build({ sessionSameSite: settings.sessionSameSite, publicUrl: settings.publicUrl });
    const signIn = await app.inject({
      method: 'POST',
      url: '/api/auth/session',
      payload: { token: 'viewer-token-aaaa' },
    });
    expect(String(signIn.headers['set-cookie'])).toMatch(/SameSite=None/);
    expect(String(signIn.headers['set-cookie'])).toMatch(/Secure/);
  });

  it('roles from a claim: mapped values, the highest wins, dotted paths, default role', () => {
    const mapping = new RoleMapping({
      claim: 'realm_access.roles',
      map: { agents: 'viewer', leads: 'supervisor' },
      defaultRole: null,
    });
    expect(mapping.roleOf({ realm_access: { roles: ['agents', 'leads'] } })).toBe('supervisor');
    // with a map, an IdP group that happens to be called "admin" grants nothing
    expect(mapping.roleOf({ realm_access: { roles: ['admin'] } })).toBeNull();
    expect(new RoleMapping({ claim: 'roles', map: {}, defaultRole: 'viewer' }).roleOf({})).toBe('viewer');
    expect(new RoleMapping({ claim: 'roles', map: {}, defaultRole: null }).roleOf({ roles: 'admin' })).toBe(
      'admin',
    );
  });
});
