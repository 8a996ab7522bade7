/** The web UI plugin: built files, SPA fallback for UI paths, and server paths never answered with the UI. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webUi } from '../src/web-ui/web-ui-plugin.js';

const INDEX = '<!doctype html><div id="root"></div>';

describe('web UI plugin', () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookscribe-webui-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    app = Fastify();
    // a stand-in for the API plugin registered next to the UI
    app.get('/api/conversations', async () => ({ items: [], nextCursor: null }));
    app.get('/health', async () => ({ status: 'ok' }));
    await app.register(webUi, { root: dir });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / without long caching', async () => {
    const res = await app.inject('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toBe(INDEX);
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('answers UI deep links with index.html (SPA fallback)', async () => {
    for (const path of ['/calls/3f2a-b1', '/history', '/history?id=x']) {
      const res = await app.inject(path);
      expect(res.statusCode, path).toBe(200);
      expect(res.body, path).toBe(INDEX);
    }
  });

  it('serves fingerprinted assets as immutable', async () => {
    const res = await app.inject('/assets/index-abc123.js');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toContain('immutable');
  });

  it('a missing asset is a 404, not the app', async () => {
    const res = await app.inject('/assets/gone-999.js');
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('<div id="root">');
  });

  it('leaves server paths alone: API routes still answer, unknown API paths are JSON 404s', async () => {
    expect((await app.inject('/api/conversations')).json()).toEqual({ items: [], nextCursor: null });
    expect((await app.inject('/health')).json()).toEqual({ status: 'ok' });
    const res = await app.inject('/api/nope');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect((await app.inject('/metrics/x')).statusCode).toBe(404);
  });

  it('without a built UI, / explains how to build it', async () => {
    const bare = Fastify();
    await bare.register(webUi, { root: join(dir, 'does-not-exist') });
    const res = await bare.inject('/');
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build -w packages/web');
    await bare.close();
  });
});
