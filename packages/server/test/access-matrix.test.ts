/**
 * The route × role matrix, over the routes the real server registers (buildApp + startPipelineServices, speech off):
 * a collector registered first sees every route through onRoute — including routes other features add later — and
 * every caller (none, a wrong token, a viewer / supervisor / admin token, a viewer signed in with a cookie) calls
 * every /api route with an existing conversation id and with a guessed one. A route under /api must declare
 * config.access; callers below its role are refused identically whether the id exists or not.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, roleAllows, type Role, type RouteAccess } from '../src/api/route-access.js';
import { buildApp, type HookscribeApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startPipelineServices, type PipelineServices } from '../src/pipeline/pipeline-services.js';
import { summary } from './api-fixture.js';

const TOKENS: Record<Role, string> = {
  viewer: 'matrix-viewer-token-1',
  supervisor: 'matrix-supervisor-token-2',
  admin: 'matrix-admin-token-3',
};

/** what the access hook (not a route) answers without credentials */
const HOOK_401 = 'present a valid API token or bearer JWT';

interface Registered {
  method: string;
  url: string;
  access: RouteAccess | undefined;
}

type Caller = { name: string; role: Role | null; headers: () => Record<string, string> };

let dir: string;
let app: HookscribeApp;
let services: PipelineServices;
let base: string;
let existingId: string;
const routes: Registered[] = [];
let viewerCookie = '';

/** Registered first (skip-override: at the root), so onRoute sees every route of every later plugin. */
function routeCollector(fastify: FastifyInstance, _options: unknown, done: () => void) {
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      routes.push({ method, url: route.url, access: route.config?.access });
    }
  });
  done();
}
(routeCollector as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hookscribe-matrix-'));
  const env = {
    HOOKSCRIBE_DATA_DIR: dir,
    HOOKSCRIBE_PORT: '0',
    HOOKSCRIBE_HOST: '127.0.0.1',
    HOOKSCRIBE_LOG_LEVEL: 'silent',
    HOOKSCRIBE_STT_ENGINES: 'none',
    HOOKSCRIBE_ASSIST: 'off',
    HOOKSCRIBE_API_TOKENS: Object.entries(TOKENS)
      .map(([role, token]) => `${token}:${role}`)
      .join(','),
    HOOKSCRIBE_AUTH_FAILURE_LIMIT: '100000',
  };
  const config = loadConfig(env, dir);
  const logger = createLogger('silent');
  services = await startPipelineServices(config, env, logger);
  app = await buildApp(config, {
    logger,
    plugins: [routeCollector, ...services.plugins],
    onStopped: () => services.close(),
  });
  ({ url: base } = await app.start());
  existingId = randomUUID();
  // a conversation that exists, written through the running server's own store
  const { SqliteConversationStore } = await import('@hookscribe/conversations');
  const seed = new SqliteConversationStore({ path: join(dir, 'conversations.db') });
  await seed.upsertConversation(summary(existingId));
  await seed.close();
  const signIn = await fetch(`${base}/api/auth/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: TOKENS.viewer }),
  });
  expect(signIn.status).toBe(200);
  viewerCookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
});

afterAll(async () => {
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const callers: Caller[] = [
  { name: 'no credentials', role: null, headers: () => ({}) },
  { name: 'a wrong token', role: null, headers: () => ({ authorization: 'Bearer not-a-known-token' }) },
  ...ROLES.map((role) => ({
    name: `${role} token`,
    role,
    headers: () => ({ authorization: `Bearer ${TOKENS[role]}` }),
  })),
  { name: 'viewer session cookie', role: 'viewer', headers: () => ({ cookie: viewerCookie }) },
];

/** Status and body of one call; streams (SSE) are cut once the status is known. */
async function call(method: string, path: string, headers: Record<string, string>) {
  const abort = new AbortController();
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...headers,
      ...(method === 'GET' || method === 'DELETE' ? {} : { 'content-type': 'application/json' }),
    },
    ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }),
    redirect: 'manual',
    signal: abort.signal,
  });
  const streaming = res.headers.get('content-type')?.startsWith('text/event-stream') ?? false;
  const body = streaming ? '<stream>' : await res.text();
  abort.abort();
  return { status: res.status, body };
}

/** Every (method, full path) in fastify's printRoutes() tree: a line's path is its segment after its parents'. */
function printedRoutes(tree: string): { method: string; url: string }[] {
  const stack: string[] = [];
  const found: { method: string; url: string }[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([\s│]*)[├└]── (\S+) \(([^)]+)\)/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    for (const method of match[3]!.split(', ')) found.push({ method, url: stack.join('') });
  }
  return found;
}

const bearerOf = (role: Role) => ({ authorization: `Bearer ${TOKENS[role]}` });
const apiRoutes = () => routes.filter((r) => r.url === '/api' || r.url.startsWith('/api/'));
const pathOf = (url: string, id: string) =>
  url.replace(/:id\b/g, encodeURIComponent(id)).replace(/:(\w+)/g, 'x');

describe('route × role matrix', () => {
  it('collects the routes the server registers', () => {
    const urls = apiRoutes().map((r) => `${r.method} ${r.url}`);
    expect(urls).toContain('GET /api/conversations/:id/recording');
    expect(urls).toContain('GET /api/live');
    expect(urls).toContain('GET /api/audit');
  });

  it('every /api route declares config.access (default deny otherwise)', () => {
    expect(
      apiRoutes()
        .filter((r) => !r.access)
        .map((r) => `${r.method} ${r.url}`),
    ).toEqual([]);
  });

  it('each caller gets exactly what its role allows, on every route, for a real and a guessed id', async () => {
    const problems: string[] = [];
    // reads first; deletes last, so the conversation and the viewer's session exist for everything before them
    const order = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
    const sorted = [...apiRoutes()].sort((a, b) => order.indexOf(a.method) - order.indexOf(b.method));
    for (const route of sorted) {
      const access = route.access!;
      for (const caller of callers) {
        const real = await call(route.method, pathOf(route.url, existingId), caller.headers());
        const guessed = await call(route.method, pathOf(route.url, randomUUID()), caller.headers());
        const where = `${route.method} ${route.url} as ${caller.name}`;
        if (access.role === 'public') {
          // the route itself may answer 401 (POST /api/auth/session with a bad token); the hook must not refuse it
          if (real.status === 403 || real.body.includes(HOOK_401))
            problems.push(`${where}: public route refused (${real.status})`);
          continue;
        }
        const expected = caller.role === null ? 401 : roleAllows(caller.role, access.role) ? 'allowed' : 403;
        if (expected === 'allowed') {
          if (real.status === 401 || real.status === 403)
            problems.push(`${where}: refused with ${real.status} but the role allows it`);
        } else {
          if (real.status !== expected) problems.push(`${where}: expected ${expected}, got ${real.status}`);
          // no existence oracle: the refusal is the same whether the conversation exists or not
          if (guessed.status !== real.status || guessed.body !== real.body)
            problems.push(`${where}: refusal differs for a guessed id (${guessed.status} vs ${real.status})`);
        }
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it("routes the app registers before any plugin (the AudioHook endpoints' GET hint) are declared too", async () => {
    const { AUDIOHOOK_ENDPOINTS } = await import('../src/endpoints.js');
    for (const endpoint of AUDIOHOOK_ENDPOINTS) {
      const res = await call('GET', endpoint.path, {});
      expect(res.status, endpoint.path).toBe(426);
    }
  });

  it('refusals are counted in /metrics; audit losses are reported from 0', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    const value = (status: string) =>
      Number(
        new RegExp(`hookscribe_api_requests_refused_total\\{status="${status}"\\} (\\d+)`).exec(text)?.[1],
      );
    expect(value('401')).toBeGreaterThan(0);
    expect(value('403')).toBeGreaterThan(0);
    expect(value('429')).toBe(0);
    expect(text).toMatch(/hookscribe_audit_entries_lost_total\{reason="dropped"\} 0\n/);
  });

  it('no route under /api escapes the policy, even one registered before the collector', async () => {
    const listed = printedRoutes(app.fastify.printRoutes({ commonPrefix: false })).filter(
      (r) => r.url.startsWith('/api/') && r.method !== 'HEAD' && r.method !== 'OPTIONS',
    );
    expect(listed.length).toBeGreaterThanOrEqual(apiRoutes().length);
    const collected = new Set(routes.map((r) => `${r.method} ${r.url}`));
    for (const route of listed.filter((r) => !collected.has(`${r.method} ${r.url}`))) {
      const res = await call(route.method, pathOf(route.url, existingId), bearerOf('admin'));
      expect(res.body, `${route.method} ${route.url}`).not.toContain('declares no access policy');
    }
  });

  it('a route under /api without config.access is refused for every caller, admin included', async () => {
    const bare = (await import('fastify')).default();
    const { accessControl } = await import('../src/access/access-control.js');
    await bare.register(accessControl, { tokens: [`${TOKENS.admin}:admin`] });
    bare.get('/api/forgotten', async () => ({ secret: 'data' }));
    bare.get('/api/declared', { config: { access: { role: 'viewer' } } }, async () => ({ ok: true }));
    const admin = { authorization: `Bearer ${TOKENS.admin}` };
    const forgotten = await bare.inject({ url: '/api/forgotten', headers: admin });
    expect(forgotten.statusCode).toBe(403);
    expect(forgotten.json()).toEqual({ error: 'forbidden', message: 'this route declares no access policy' });
    expect((await bare.inject({ url: '/api/declared', headers: admin })).statusCode).toBe(200);
    await bare.close();
  });
});
