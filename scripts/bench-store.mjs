#!/usr/bin/env node
/* global process, console, performance, setTimeout */
/**
 * ConversationStore write benchmark (issue 4): write latency under 200 concurrent calls, SQLite and PostgreSQL.
 *
 *   npm run build && npm run bench:store                      # 200 calls, 30 s per scenario, sqlite + postgres
 *   npm run bench:store -- --calls 50 --duration 5             # quick run
 *   npm run bench:store -- --backends sqlite                   # one backend
 *   HOOKSCRIBE_POSTGRES_URL=postgres://… npm run bench:store   # use an existing server instead of a temp one
 *   BENCH_PG_OPTIONS='-c synchronous_commit=off' npm run bench:store  # extra postgres -c options for the temp server
 *   npm run bench:store -- --scenarios dashboard --dashboard-calls 100000   # analytics reads only
 *
 * Each simulated call: upsertConversation + session_started; then per channel (customer, agent) a final segment
 * every 3 s on average (uniform 1.5–4.5 s), each appendSegment carrying its transcript_available event in the same
 * transaction — 200 calls ≈ 133 segment writes/s. Scenario "with partials" also enqueues partial_transcript
 * events through the outbox at 4/s per channel (≈ 1,600 writes/s more), as if partials went through the outbox.
 * An outbox drainer claims 200 / acks every 50 ms (like the relay), so the outbox stays small as in production.
 * Latency = time from the write call until its promise resolves (committed). Without a URL, PostgreSQL is a temp
 * server (initdb + pg_ctl, fsync on, 127.0.0.1, random port) removed afterwards.
 *
 * Scenario "dashboard" (scripts/bench-store-dashboard.mjs): the call-analytics reads — dashboard aggregates, CSV
 * export page, Genesys-id lookup — over --dashboard-calls stored calls (default 100,000), --repeats runs each.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { createRequire } from 'node:module';
import { dashboardPlans, runDashboardScenario } from './bench-store-dashboard.mjs';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '200' },
    duration: { type: 'string', default: '30' },
    backends: { type: 'string', default: 'sqlite,postgres' },
    scenarios: { type: 'string', default: 'finals,partials,dashboard' },
    'dashboard-calls': { type: 'string', default: '100000' },
    repeats: { type: 'string', default: '20' },
  },
});
const calls = Number(values.calls);
const durationMs = Number(values.duration) * 1000;
const distEntry = join(root, 'packages/conversations/dist/index.js');
if (!existsSync(distEntry)) {
  console.error('packages/conversations is not built: run `npm run build` first');
  process.exit(1);
}
const conversations = await import(pathToFileURL(distEntry).href);
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

async function startPostgres() {
  const base = '/usr/lib/postgresql';
  const version = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a))[0] : undefined;
  const bin = process.env.HOOKSCRIBE_PG_BIN ?? (version ? join(base, version, 'bin') : null);
  if (!bin)
    throw new Error('PostgreSQL binaries not found (set HOOKSCRIBE_PG_BIN or HOOKSCRIBE_POSTGRES_URL)');
  const dir = mkdtempSync(join(tmpdir(), 'hookscribe-bench-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout);
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout);
    chownSync(dir, uid, gid);
  }
  const exec = (program, args) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, program), ...args], { cwd: dir })
      : run(join(bin, program), args, { cwd: dir });
  const data = join(dir, 'data');
  await exec('initdb', ['-D', data, '-U', 'hookscribe', '--auth=trust', '-E', 'UTF8', '--no-instructions']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=100 ${process.env.BENCH_PG_OPTIONS ?? ''}`;
  await exec('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', options, '-w', 'start']);
  return {
    url: `postgres://hookscribe@127.0.0.1:${port}/postgres`,
    async stop() {
      await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function event(type, conversationId, data) {
  return {
    schemaVersion: 1,
    eventId: randomUUID(),
    type,
    conversationId,
    time: new Date().toISOString(),
    data,
  };
}

function segment(channel, offset, isFinal) {
  const words = 'thanks for calling how can I help you with your account today'.split(' ');
  return {
    id: randomUUID(),
    channel,
    role: channel === 0 ? 'customer' : 'agent',
    text: words.join(' '),
    words: words.map((text, index) => ({
      text,
      offset: offset + index * 0.3,
      duration: 0.3,
      confidence: 0.9,
    })),
    offset,
    duration: words.length * 0.3,
    confidence: 0.9,
    isFinal,
    language: 'en-US',
    engine: 'bench',
  };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function runScenario(store, withPartials) {
  const latencies = [];
  const byKind = { partial: [], other: [] };
  let errors = 0;
  const timed = async (write, kind = 'other') => {
    const started = performance.now();
    try {
      await write();
      const took = performance.now() - started;
      latencies.push(took);
      byKind[kind].push(took);
    } catch (error) {
      errors++;
      if (errors <= 3) console.error('write failed:', error.message);
    }
  };
  const deadline = performance.now() + durationMs;
  let draining = true;
  const drainer = (async () => {
    while (draining) {
      const claimed = await store.claimOutbox(200, 30_000);
      if (claimed.length > 0) await store.ackOutbox(claimed.map((entry) => entry.id));
      await sleep(50);
    }
  })();
  const call = async (index) => {
    await sleep(Math.random() * 2000); // calls do not all start in the same millisecond
    const id = randomUUID();
    const summary = {
      id,
      conversationId: randomUUID(),
      organizationId: 'org',
      correlationId: 'corr',
      endpoint: 'transcription',
      ani: `tel:+1555${String(index).padStart(7, '0')}`,
      aniName: 'Bench',
      dnis: 'tel:+18005550100',
      participantId: randomUUID(),
      media: { format: 'PCMU', channels: ['external', 'internal'], rate: 8000 },
      language: 'en-US',
      startedAt: new Date().toISOString(),
      endedAt: null,
      state: 'active',
      closeReason: null,
      recording: null,
    };
    await timed(() => store.upsertConversation(summary, { events: [event('session_started', id, summary)] }));
    const channel = async (channelIndex) => {
      let offset = 0;
      while (performance.now() < deadline) {
        const gap = 1500 + Math.random() * 3000;
        if (withPartials) {
          // partials at ~4/s while the utterance is spoken
          for (let t = 0; t + 250 < gap && performance.now() < deadline; t += 250) {
            await sleep(250);
            const partial = segment(channelIndex, offset, false);
            void timed(() => store.enqueueEvents([event('partial_transcript', id, partial)]), 'partial');
          }
        } else await sleep(gap);
        offset += gap / 1000;
        const final = segment(channelIndex, offset, true);
        void timed(() =>
          store.appendSegment(id, final, { events: [event('transcript_available', id, final)] }),
        );
      }
    };
    await Promise.all([channel(0), channel(1)]);
    await timed(() =>
      store.endConversation(id, { state: 'ended', closeReason: 'end', endedAt: new Date().toISOString() }),
    );
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: calls }, (_, index) => call(index)));
  await sleep(500);
  draining = false;
  await drainer;
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  for (const list of Object.values(byKind)) list.sort((a, b) => a - b);
  return {
    partialP50: percentile(byKind.partial, 50),
    otherP50: percentile(byKind.other, 50),
    otherP99: percentile(byKind.other, 99),
    writes: latencies.length,
    errors,
    writesPerSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1],
  };
}

const requireFromStore = createRequire(join(root, 'packages/conversations/package.json'));
const results = [];
for (const backend of values.backends.split(',').map((s) => s.trim())) {
  for (const scenario of values.scenarios.split(',').map((s) => s.trim())) {
    let store;
    let cleanup;
    let raw = {};
    if (backend === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'hookscribe-bench-sqlite-'));
      store = new conversations.SqliteConversationStore({ path: join(dir, 'conversations.db') });
      if (scenario === 'dashboard') {
        const Database = requireFromStore('better-sqlite3');
        raw = { sqlite: new Database(join(dir, 'conversations.db')) };
      }
      cleanup = async () => {
        raw.sqlite?.close();
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      };
    } else if (backend === 'postgres') {
      const server = process.env.HOOKSCRIBE_POSTGRES_URL ? null : await startPostgres();
      store = new conversations.PostgresConversationStore({
        connectionString: process.env.HOOKSCRIBE_POSTGRES_URL ?? server.url,
        maxConnections: Number(process.env.BENCH_PG_POOL ?? 10),
      });
      if (scenario === 'dashboard') {
        const pg = requireFromStore('pg');
        raw = { postgres: new pg.Client(process.env.HOOKSCRIBE_POSTGRES_URL ?? server.url) };
        await raw.postgres.connect();
      }
      cleanup = async () => {
        await raw.postgres?.end();
        await store.close();
        await server?.stop();
      };
    } else throw new Error(`unknown backend ${backend}`);
    await store.init();
    if (scenario === 'dashboard') {
      const count = Number(values['dashboard-calls']);
      console.error(`${backend} / dashboard: seeding ${count} calls …`);
      await runDashboardScenario({
        backend,
        store,
        raw,
        count,
        repeats: Number(values.repeats),
        conversations,
      });
      await dashboardPlans({ backend, raw });
      await cleanup();
      continue;
    }
    console.error(`${backend} / ${scenario}: ${calls} calls for ${durationMs / 1000} s …`);
    const result = await runScenario(store, scenario === 'partials');
    await cleanup();
    results.push({ backend, scenario, ...result });
  }
}

if (results.length === 0) process.exit(0);
const ms = (value) => value.toFixed(2);
console.log(`\nstore write latency, ${calls} concurrent calls, ${durationMs / 1000} s per scenario`);
console.log(
  '| backend | scenario | writes | writes/s | p50 ms | p95 ms | p99 ms | max ms | errors | non-partial p50 / p99 ms | partial p50 ms |',
);
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of results)
  console.log(
    `| ${r.backend} | ${r.scenario === 'partials' ? 'finals + partials via outbox' : 'finals'} | ${r.writes} | ${r.writesPerSecond.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.p99)} | ${ms(r.max)} | ${r.errors} | ${ms(r.otherP50)} / ${ms(r.otherP99)} | ${Number.isNaN(r.partialP50) ? '—' : ms(r.partialP50)} |`,
  );
