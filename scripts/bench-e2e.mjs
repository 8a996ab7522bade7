#!/usr/bin/env node
/* global process, console, performance, setTimeout, fetch, TextDecoder, Buffer, AbortController */
/**
 * End-to-end latency benchmark (issues 4 and 7): from the audio frame that contains the end of an utterance (or of
 * the audio a partial covers) to a live-API client (GET /api/live, Server-Sent Events) receiving its transcript.
 *
 *   npm run bench:e2e                       # the three demo calls in real time, partials on, embedded engine
 *   npm run bench:e2e -- --partials false   # finals only
 *
 * It starts the built server (temp data dir, random port, 127.0.0.1, defaults: SQLite, in-process bus,
 * pocketsphinx), connects an SSE client, and streams each demo call with hookscribe-sim --realtime --verbose. The
 * stream clock t0 is the moment the sim logs `opened` (it sends frame 0 right then, 200 ms frames in real time), so
 * the frame holding stream second s left at t0 + 0.2·floor(s / 0.2). For every transcript event the latency is its
 * SSE arrival minus that send time for s = offset + duration. Both clocks are this process's: the sim's stderr lines
 * and the SSE chunks are time-stamped on arrival here (pipe delay ≪ 1 ms).
 *
 * Options: --partials true|false (default true)  --calls a,b,c (demo call names)  --json FILE
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startBenchServer } from './bench-server.mjs';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    partials: { type: 'string', default: 'true' },
    calls: { type: 'string', default: 'billing-dispute,address-change,cancellation-retention' },
    json: { type: 'string' },
  },
});
const partials = values.partials !== 'false';
const KEY = 'SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh';
const SECRET = Buffer.from('MySuperSecretKeyTellNo-1!2@3#4$5').toString('base64');
const TOKEN = 'bench-e2e-token';
const FRAME_S = 0.2;

function startServer(dataDir) {
  return startBenchServer({
    dataDir,
    audiohookKeys: { [KEY]: SECRET },
    env: { HOOKSCRIBE_API_TOKENS: TOKEN, HOOKSCRIBE_STT_PARTIALS: String(partials) },
  });
}

function liveClient(url, onEvent) {
  const controller = new AbortController();
  const ready = fetch(`${url}/api/live`, {
    headers: { Authorization: `Bearer ${TOKEN}` },
    signal: controller.signal,
  }).then(async (res) => {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          const at = performance.now();
          buffer += decoder.decode(value, { stream: true });
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = block
              .split('\n')
              .filter((l) => l.startsWith('data: '))
              .map((l) => l.slice(6))
              .join('\n');
            if (data) onEvent(JSON.parse(data), at);
          }
        }
      } catch {
        // aborted
      }
    })();
  });
  return { ready, close: () => controller.abort() };
}

function runSim(url, call) {
  return new Promise((resolvePromise) => {
    const child = spawn(
      process.execPath,
      [
        join(root, 'packages/sim/dist/cli.js'),
        '--url',
        `${url.replace('http', 'ws')}/api/v1/voicetranscription/ws`,
        '--api-key',
        KEY,
        '--secret',
        SECRET,
        '--wav',
        join(root, 'packages/server/demo-calls', `${call}.wav`),
        '--language',
        'en-US',
        '--realtime',
        '--verbose',
        '--json',
        '--timeout',
        '60',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let t0 = null;
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (t0 === null && line.includes('←') && line.includes('"opened"')) t0 = performance.now();
    });
    child.once('exit', (code) => resolvePromise({ code, t0, summary: JSON.parse(out) }));
  });
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return sorted.length === 0
    ? { count: 0 }
    : {
        count: sorted.length,
        p50: Math.round(q(0.5)),
        p90: Math.round(q(0.9)),
        max: Math.round(sorted.at(-1)),
      };
}

const dataDir = mkdtempSync(join(tmpdir(), 'hookscribe-bench-e2e-'));
const { child, url } = await startServer(dataDir);
const events = [];
const live = liveClient(url, (event, at) => events.push({ event, at }));
await live.ready;
const latencies = { partial: [], final: [] };
const calls = [];
try {
  for (const call of values.calls.split(',')) {
    const run = await runSim(url, call);
    await new Promise((r) => setTimeout(r, 1000)); // late SSE events of the call
    const id = run.summary.sessionId;
    let finals = 0;
    for (const { event, at } of events) {
      if (event.conversationId !== id) continue;
      const kind =
        event.type === 'transcript_available'
          ? 'final'
          : event.type === 'partial_transcript'
            ? 'partial'
            : null;
      if (!kind) continue;
      const end = event.data.offset + event.data.duration;
      const sentAt = run.t0 + Math.floor(end / FRAME_S) * FRAME_S * 1000;
      latencies[kind].push(at - sentAt);
      if (kind === 'final') finals++;
    }
    calls.push({ call, exitCode: run.code, finals });
    console.error(`${call}: sim exit ${run.code}, ${finals} finals`);
  }
} finally {
  live.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
const result = {
  date: new Date().toISOString(),
  partials,
  loadAverage1m: loadavg()[0],
  calls,
  finalLatencyMs: stats(latencies.final),
  partialLatencyMs: stats(latencies.partial),
};
console.log(JSON.stringify(result, null, 2));
if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2));
