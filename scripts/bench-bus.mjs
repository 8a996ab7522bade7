#!/usr/bin/env node
/* global console, process, performance, setTimeout, setImmediate */
/**
 * Events per second through each EventBus adapter, end to end (publish → subscriber handler), plus the outbox relay.
 *   npm run bench:bus            (root script; needs `npx tsc -b packages/conversations` first)
 *   BENCH_EVENTS=20000 node scripts/bench-bus.mjs
 * Redis: starts its own redis-server on a random loopback port (no persistence). Webhooks: a local node:http server.
 * Prints a markdown table (paste into docs/benchmarks/bus.md).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createServer as createNetServer, connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import {
  InProcessEventBus,
  OutboxRelay,
  RedisStreamsEventBus,
  SqliteConversationStore,
  WebhookEventBus,
} from '../packages/conversations/dist/index.js';

const N = Number(process.env.BENCH_EVENTS ?? 20000);

function makeEvents(count, conversations = 50) {
  const ids = Array.from({ length: conversations }, () => randomUUID());
  return Array.from({ length: count }, (_, n) => ({
    schemaVersion: 1,
    eventId: randomUUID(),
    type: 'partial_transcript',
    conversationId: ids[n % conversations],
    time: new Date().toISOString(),
    data: {
      id: randomUUID(),
      channel: 0,
      role: 'customer',
      text: 'i would like to ask about my last invoice please',
      words: [],
      offset: n * 0.1,
      duration: 1.5,
      confidence: 0.9,
      isFinal: false,
      language: 'en-US',
      engine: 'bench',
    },
  }));
}

const rows = [];
function record(adapter, mode, count, ms, note = '') {
  rows.push({ adapter, mode, count, ms, rate: Math.round((count / ms) * 1000), note });
  console.error(`${adapter} ${mode}: ${Math.round((count / ms) * 1000)} events/s`);
}

/** publish with at most `inFlight` concurrent publishes; resolve when `received()` reached count */
async function run(bus, events, inFlight, received) {
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < events.length) await bus.publish(events[next++]);
    }),
  );
  while (received() < events.length) await new Promise((r) => setImmediate(r));
  return performance.now() - start;
}

async function freePort() {
  return new Promise((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bench-redis-'));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  for (;;) {
    const ok = await new Promise((r) => {
      const c = connect(port, '127.0.0.1')
        .once('connect', () => (c.destroy(), r(true)))
        .once('error', () => r(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () => (child.kill('SIGKILL'), rmSync(dir, { recursive: true, force: true })),
  };
}

// in-process
{
  const bus = new InProcessEventBus();
  let got = 0;
  await bus.subscribe(() => void got++);
  record('in-process', 'fan-out, 1 subscriber', N * 5, await run(bus, makeEvents(N * 5), 1, () => got));
  await bus.close();
}

// Redis Streams
const redis = await startRedis();
try {
  for (const [mode, inFlight, group] of [
    ['group, publish 1 at a time', 1, 'g1'],
    ['group, 64 publishes in flight', 64, 'g2'],
    ['fan-out, 64 publishes in flight', 64, undefined],
  ]) {
    const stream = `bench:${randomUUID()}`;
    const bus = new RedisStreamsEventBus({ url: redis.url, stream });
    while ((await bus.health()).status !== 'ok') await new Promise((r) => setTimeout(r, 20));
    let got = 0;
    await bus.subscribe(() => void got++, group ? { group } : {});
    record(
      'Redis Streams',
      mode,
      N,
      await run(bus, makeEvents(N), inFlight, () => got),
      'XADD + XREADGROUP/XACK or XREAD',
    );
    await bus.close();
  }
  {
    // two consumers sharing a group
    const stream = `bench:${randomUUID()}`;
    const a = new RedisStreamsEventBus({ url: redis.url, stream });
    const b = new RedisStreamsEventBus({ url: redis.url, stream });
    while ((await a.health()).status !== 'ok' || (await b.health()).status !== 'ok')
      await new Promise((r) => setTimeout(r, 20));
    let got = 0;
    await a.subscribe(() => void got++, { group: 'shared' });
    await b.subscribe(() => void got++, { group: 'shared' });
    record(
      'Redis Streams',
      'group of 2 consumers, 64 in flight',
      N,
      await run(a, makeEvents(N), 64, () => got),
    );
    await a.close();
    await b.close();
  }
} finally {
  redis.stop();
}

// Webhooks to a local server
{
  let got = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      got++;
      res.writeHead(204).end();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/hook`;
  const bus = new WebhookEventBus({ urls: [url], secret: 'bench-secret-0123456789' });
  const count = Math.min(N, 5000);
  record(
    'webhook',
    '1 target, signed POST, serial per target',
    count,
    await run(bus, makeEvents(count), 64, () => got),
  );
  await bus.close();
  server.close();
}

// Outbox relay: SQLite outbox → in-process bus
{
  const dir = mkdtempSync(join(tmpdir(), 'bench-outbox-'));
  const store = new SqliteConversationStore({ path: join(dir, 'bench.db') });
  const bus = new InProcessEventBus();
  let got = 0;
  await bus.subscribe(() => void got++);
  const events = makeEvents(N);
  for (let i = 0; i < events.length; i += 100) await store.enqueueEvents(events.slice(i, i + 100));
  const relay = new OutboxRelay({ store, bus, batchSize: 500, idleIntervalMs: 5 });
  const start = performance.now();
  relay.start();
  while (got < N) await new Promise((r) => setTimeout(r, 5));
  record(
    'outbox relay',
    'SQLite file → in-process (claim/publish/ack)',
    N,
    performance.now() - start,
    'batch 500',
  );
  await relay.stop();
  await bus.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

console.log(
  `\n${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${new Date().toISOString()}\n`,
);
console.log('| adapter | mode | events | events/s | notes |');
console.log('| --- | --- | ---: | ---: | --- |');
for (const r of rows) console.log(`| ${r.adapter} | ${r.mode} | ${r.count} | ${r.rate} | ${r.note} |`);
