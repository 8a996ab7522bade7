#!/usr/bin/env node
/* global process, console, setTimeout, fetch, Buffer */
/**
 * Server-side figures the load benchmark cannot see from the client: `open` → `opened` latency as measured inside the
 * server (hookscribe_open_latency_seconds), and the CPU cost of recording (same load with HOOKSCRIBE_RECORDING on and
 * off). Drives the built server (packages/server/dist/main.js) with hookscribe-sim in a separate process.
 *
 *   npm run build && node packages/server/bench/server-bench.mjs [--sessions 500] [--rate 100] [--seconds 10]
 *
 * Prints a JSON summary and a markdown table (for docs/benchmarks/server.md).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '500' },
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '10' },
  },
});
const sessions = Number(values.sessions);
const rate = Number(values.rate);
const steadySeconds = Number(values.seconds);
const apiKey = 'bench-key';
const secret = Buffer.from('hookscribe-bench-secret-32-bytes').toString('base64');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime, in 1/100 s
}

/** Quantile from a Prometheus histogram (upper bound of the bucket holding it). */
function quantile(buckets, count, q) {
  const target = q * count;
  for (const [le, n] of buckets) if (n >= target) return le;
  return Infinity;
}

async function run(recording) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'hookscribe-server-bench-'));
  const server = spawn(process.execPath, [join(root, 'packages/server/dist/main.js')], {
    env: {
      ...process.env,
      HOOKSCRIBE_PORT: String(port),
      HOOKSCRIBE_HOST: '127.0.0.1',
      HOOKSCRIBE_DATA_DIR: dataDir,
      HOOKSCRIBE_AUDIOHOOK_KEYS: JSON.stringify({ [apiKey]: secret }),
      HOOKSCRIBE_RECORDING: String(recording),
      HOOKSCRIBE_LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) break;
      } catch {
        if (i > 300) throw new Error('server did not start');
      }
      await sleep(100);
    }
    const rampSeconds = sessions / rate;
    const sim = spawn(
      process.execPath,
      [
        join(root, 'packages/sim/dist/cli.js'),
        ...['--url', `ws://127.0.0.1:${port}/api/v1/audiohook/ws`, '--api-key', apiKey, '--secret', secret],
        ...['--sessions', String(sessions), '--rate', String(rate)],
        ...['--duration', String(Math.ceil(rampSeconds + steadySeconds + 3))],
        ...['--tone', '440', '--format', 'PCMU', '--channels', 'stereo', '--frame-ms', '200', '--json'],
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let simOut = '';
    sim.stdout.on('data', (d) => (simOut += d));
    const simExit = new Promise((r) => sim.on('exit', r));
    await sleep((rampSeconds + 2) * 1000);
    const t0 = cpuTicks(server.pid);
    await sleep(steadySeconds * 1000);
    // ticks are 1/100 s, so ticks per second = percent of one core
    const cpu = ((cpuTicks(server.pid) - t0) / steadySeconds).toFixed(1);
    const simCode = await simExit;
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const buckets = [
      ...metrics.matchAll(/^hookscribe_open_latency_seconds_bucket\{le="([^"]+)"[^}]*\} (\d+)$/gm),
    ].map((m) => [m[1] === '+Inf' ? Infinity : Number(m[1]) * 1000, Number(m[2])]);
    const count = buckets.at(-1)?.[1] ?? 0;
    const within = (ms) => (buckets.find(([le]) => le === ms)?.[1] ?? 0) / Math.max(1, count);
    let summary = {};
    try {
      summary = JSON.parse(simOut.trim().split('\n').at(-1));
    } catch {
      // summary missing: reported as errors below
    }
    return {
      recording,
      sessions,
      simExitCode: simCode,
      completed: summary.completed ?? 0,
      errors: summary.errors ?? sessions,
      serverCpuPercentOfOneCore: Number(cpu),
      openLatencyMs: {
        count,
        p50AtMost: quantile(buckets, count, 0.5),
        p99AtMost: quantile(buckets, count, 0.99),
        within1ms: Number(within(1).toFixed(3)),
        within10ms: Number(within(10).toFixed(3)),
      },
      loadAverage1m: Number(loadavg()[0].toFixed(1)),
    };
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.on('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const results = [await run(true), await run(false)];
console.log(JSON.stringify(results, null, 2));
console.log(
  [
    '| recording | sessions | completed / errors | server CPU (% of one core) | open→opened p50 / p99 (bucket bound) | ≤ 1 ms | ≤ 10 ms | load avg |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.recording ? 'on' : 'off'} | ${r.sessions} | ${r.completed} / ${r.errors} | ${r.serverCpuPercentOfOneCore} | ` +
        `≤ ${r.openLatencyMs.p50AtMost} / ≤ ${r.openLatencyMs.p99AtMost} ms | ${(r.openLatencyMs.within1ms * 100).toFixed(1)}% | ` +
        `${(r.openLatencyMs.within10ms * 100).toFixed(1)}% | ${r.loadAverage1m} |`,
    ),
  ].join('\n'),
);
process.exit(results.every((r) => r.errors === 0) ? 0 : 1);
