#!/usr/bin/env node
/* global console, process */
/**
 * What the access hook and the audit log cost a request, and how long an audit write holds the event loop (which the
 * AudioHook sessions share): `npm run bench:access`. In one process, sequential fastify.inject() calls against three
 * routes — public (no credential work), viewer with a static token, viewer with a token and an audited action whose
 * entries the recorder writes to a SQLite file store in batches — then the time one batch of 200 entries takes.
 *   node packages/server/bench/access-bench.mjs [requests=5000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Fastify from 'fastify';
import { SqliteConversationStore } from '@hookscribe/conversations';
import { accessControl } from '../dist/access/access-control.js';
import { AuditRecorder } from '../dist/access/audit-recorder.js';

const requests = Number(process.argv[2] ?? 5000);
const dir = mkdtempSync(join(tmpdir(), 'hookscribe-access-bench-'));
const store = new SqliteConversationStore({ path: join(dir, 'conversations.db') });
const recorder = new AuditRecorder({ log: store });
const app = Fastify();
await app.register(accessControl, {
  tokens: ['bench-viewer-token:viewer'],
  audit: store,
  recorder,
  authFailureLimit: 1_000_000,
});
app.get('/api/public', { config: { access: { role: 'public' } } }, async () => ({ ok: true }));
app.get('/api/plain/:id', { config: { access: { role: 'viewer' } } }, async () => ({ ok: true }));
app.get('/api/audited/:id', { config: { access: { role: 'viewer', audit: 'read' } } }, async () => ({
  ok: true,
}));
await app.ready();

const headers = { authorization: 'Bearer bench-viewer-token' };

async function perRequest(url, withHeaders) {
  const call = (i) => app.inject({ url: url.replace(':n', String(i)), headers: withHeaders ? headers : {} });
  for (let i = 0; i < 200; i++) await call(i); // warm-up
  const start = performance.now();
  for (let i = 0; i < requests; i++) {
    if ((await call(i)).statusCode !== 200) throw new Error(`${url}: not 200`);
  }
  const us = ((performance.now() - start) / requests) * 1000;
  await recorder.flush();
  return us;
}

const routes = {
  public: ['/api/public', false],
  'viewer token': ['/api/plain/:n', true],
  'viewer token + audited action': ['/api/audited/:n', true],
};
const rounds = {};
for (let round = 0; round < 3; round++) {
  for (const [name, [url, withHeaders]] of Object.entries(routes)) {
    (rounds[name] ??= []).push(await perRequest(url, withHeaders));
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// one recorder batch written to SQLite: this runs on the event loop (better-sqlite3 is synchronous), so it is the
// longest an AudioHook frame could wait behind an audit write
const batchMs = [];
for (let b = 0; b < 50; b++) {
  const batch = Array.from({ length: 200 }, (_, i) => ({
    id: `${b}-${i}-${Math.random()}`,
    at: new Date().toISOString(),
    subject: 'token:abcd1234',
    role: 'viewer',
    authMethod: 'token',
    action: 'read',
    conversationId: `c-${i}`,
    address: '127.0.0.1',
    route: 'GET /api/audited/:id',
  }));
  const start = performance.now();
  await store.appendAudit(batch);
  batchMs.push(performance.now() - start);
}
batchMs.sort((a, b) => a - b);

const stored = (await store.listAudit({ limit: 1 })).items.length > 0;
console.log(
  `${requests} sequential requests per route and round, 3 rounds (median); audit entries stored: ${stored ? 'yes' : 'NO'}`,
);
console.log('| route | µs per request (fastify.inject, median of 3) |');
console.log('| --- | --- |');
for (const [name, results] of Object.entries(rounds))
  console.log(`| ${name} | ${median(results).toFixed(1)} |`);
console.log(
  `audit batch of 200 entries into SQLite (file, WAL): p50 ${batchMs[25].toFixed(2)} ms, max ${batchMs[49].toFixed(2)} ms over 50 batches`,
);

await app.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
