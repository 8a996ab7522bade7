/**
 * Serves the built web UI (packages/web/dist) at `/`: hashed assets with long caching, index.html for every other
 * UI path (SPA fallback, so `/calls/<id>` and `/history` survive a reload). Paths under /api/ and the operational
 * endpoints are never answered with the UI. When the UI has not been built, `/` says how to build it.
 *   fastify.register(webUi, { root?: string })
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export interface WebUiOptions {
  /** directory holding index.html and assets/ (default: packages/web/dist next to this package) */
  root?: string;
}

/** packages/server/{src,dist}/web-ui → packages/web/dist */
export const DEFAULT_WEB_UI_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

/** Prefixes that belong to the server, not the UI: unknown paths there stay 404s. */
const SERVER_PREFIXES = ['/api/', '/health', '/ready', '/metrics'];

export async function webUi(fastify: FastifyInstance, options: WebUiOptions = {}): Promise<void> {
  const root = options.root ?? DEFAULT_WEB_UI_ROOT;
  if (!existsSync(join(root, 'index.html'))) {
    fastify.log.warn({ root }, 'web UI not built: `npm run build -w packages/web`');
    fastify.get('/', async (_request, reply) =>
      reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('hookscribe web UI is not built. Run: npm run build -w packages/web\n'),
    );
    return;
  }

  await fastify.register(fastifyStatic, {
    root,
    wildcard: false,
    index: false,
    // our cache-control (below) instead of send's default max-age=0
    cacheControl: false,
    setHeaders(response, path) {
      // Vite fingerprints everything under assets/: cache it for good; index.html must always be revalidated
      response.setHeader(
        'cache-control',
        path.includes(`${join(root, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });

  const sendIndex = (_request: unknown, reply: { sendFile(file: string): unknown }) =>
    reply.sendFile('index.html');
  fastify.get('/', sendIndex as never);
  fastify.get('/*', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    const isServerPath = SERVER_PREFIXES.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p));
    // a missing file (has an extension) is a 404, not the app: browsers would otherwise parse HTML as JS
    if (isServerPath || /\.[a-z0-9]+$/i.test(path) || request.method !== 'GET') {
      return reply
        .code(404)
        .type('application/json')
        .send({ error: 'not_found', message: `${path} not found` });
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
