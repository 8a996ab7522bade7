import Fastify from 'fastify';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, ErrorsOnlyRequestLog, redactUrl } from '../src/logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger('info', destination) };
}

describe('logging', () => {
  it('redacts credential query parameters and keeps the rest of the URL', () => {
    expect(redactUrl('/api/v1/conversations?key=abc123&limit=5')).toBe(
      '/api/v1/conversations?key=[redacted]&limit=5',
    );
    expect(redactUrl('/live?limit=5&KEY=abc#x')).toBe('/live?limit=5&KEY=[redacted]#x');
    expect(redactUrl('/api/v1/conversations?monkey=1')).toBe('/api/v1/conversations?monkey=1');
  });

  it('logs a failing request once, at error level, without the ?key= token; routine requests are not logged', async () => {
    const { lines, logger } = capture();
    const app = Fastify({ loggerInstance: logger, logController: new ErrorsOnlyRequestLog() });
    app.get('/ok', async () => ({ ok: true }));
    app.get('/boom', async () => {
      throw new Error('store unavailable');
    });
    await app.ready();
    await app.inject({ url: '/ok?key=tok-ok-secret' });
    await app.inject({ url: '/missing?key=tok-404-secret' });
    const response = await app.inject({ url: '/boom?key=tok-500-secret&page=2' });
    expect(response.statusCode).toBe(500);
    await app.close();

    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/tok-\w+-secret/);
    const errors = lines.filter((l) => l.level === 50);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors[0]).toMatchObject({
      req: { method: 'GET', url: '/boom?key=[redacted]&page=2' },
      err: { message: 'store unavailable' },
    });
    expect(lines.filter((l) => (l.req as { url?: string } | undefined)?.url?.startsWith('/ok'))).toEqual([]);
  });
});
