#!/usr/bin/env node
/* global process, console, performance, setTimeout, clearTimeout, fetch, Buffer */
/**
 * Load benchmark (issue 2): the real hookscribe server, recording on, driven by hookscribe-sim in a separate process.
 *
 *   npm run bench:load                                  # full size: 1,000 then 5,000 sessions, 60 s steady state
 *   npm run bench:load -- --sessions 50 --duration 10   # quick run
 *
 * For every phase (one entry of --sessions) it starts a fresh server (temp data dir, random port, 127.0.0.1 only),
 * records its idle RSS, runs `hookscribe-sim --sessions N --rate R` so that all N real-time stereo PCMU sessions
 * (200 ms frames, a ping every 5 s) overlap for --duration seconds, samples the server's CPU (/proc/<pid>/stat
 * utime+stime) and RSS (/proc/<pid>/status VmRSS) once a second during that overlap, and reports:
 * server CPU % of one core, RSS growth per session, ping RTT p50/p99/max, opened latency, errors.
 *
 * Both children get `ulimit -n` raised to 65,536 (root, or a hard limit that allows it) or else to the hard limit:
 * N sessions need N sockets in each process, and the
 * server also holds two recording files per call.
 *
 * Options: --sessions 1000,5000  --duration 60 (steady seconds)  --rate 250 (sessions/s)  --workers 1 (sim threads)
 *          --audio silence|tone|speech, or a list such as silence,speech (default silence): every kind runs
 *            for every --sessions entry, back to back, so they are compared under the same conditions
 *          --wav FILE (the call --audio speech repeats; default the demo billing-dispute call, 21 s stereo PCMU)
 *          --cpu-prof DIR (V8 CPU profiles of the server's threads, in DIR/server-<sessions>-<audio>/)
 *          --json FILE (write results)  --server path/to/main.js
 *          --call-seconds S: churn (soak) mode. Every session lasts S seconds and new ones keep starting at --rate
 *            until --sessions were started, so about rate × S calls are up at any time and every call opens,
 *            records and ends inside the run (per-call leaks show). The window runs from S + 2 s until the last
 *            session starts; --duration is ignored. `npm run bench:soak` is 30 min at 1,000 concurrent calls.
 *
 * Every phase also reports the RSS trend over its window (least-squares slope after the first 3 minutes, in MB per
 * hour, with the per-minute medians), the figure a soak is judged by.
 *
 * No transcription (the issue's condition): the server runs with HOOKSCRIBE_STT_ENGINES=none unless the environment
 * says otherwise, so it records and stores calls without a speech pipeline. --audio silence streams digital silence,
 * --audio tone makes every call "speak" a tone, --audio speech streams a real call (the frames of real speech differ
 * in every byte, unlike silence).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '1000,5000' },
    duration: { type: 'string', default: '60' },
    rate: { type: 'string', default: '250' },
    workers: { type: 'string', default: '1' },
    audio: { type: 'string', default: 'silence' },
    wav: { type: 'string', default: join(root, 'packages/server/demo-calls/billing-dispute.wav') },
    'cpu-prof': { type: 'string' },
    'call-seconds': { type: 'string' },
    json: { type: 'string' },
    server: { type: 'string', default: join(root, 'packages/server/dist/main.js') },
  },
});
const phases = values.sessions.split(',').map((s) => Number(s.trim()));
const audios = values.audio.split(',').map((a) => a.trim());
const steadySeconds = Number(values.duration);
const rate = Number(values.rate);
if (
  phases.some((n) => !Number.isInteger(n) || n <= 0) ||
  !(steadySeconds > 0) ||
  !(rate > 0) ||
  audios.some((a) => !['silence', 'tone', 'speech'].includes(a))
) {
  console.error(
    'usage: bench-load.mjs [--sessions 1000,5000] [--duration 60] [--rate 250] [--workers 1] [--audio silence,speech]',
  );
  process.exit(2);
}
const simCli = join(root, 'packages/sim/dist/cli.js');
const CLK_TCK = 100; // Linux USER_HZ; /proc/<pid>/stat times are in these ticks
const apiKey = 'bench-key';
const secret = Buffer.from('hookscribe-bench-secret-32-bytes').toString('base64');

const results = [];
// the audio kinds of one session count run back to back, so they share the machine's conditions
for (const sessions of phases) for (const audio of audios) results.push(await runPhase(sessions, audio));

console.log('\n' + table(results));
if (values.json)
  writeFileSync(values.json, JSON.stringify({ when: new Date().toISOString(), results }, null, 2));
process.exit(results.every((r) => r.errors === 0 && r.completed === r.sessions) ? 0 : 1);

async function runPhase(sessions, audio) {
  const rampSeconds = sessions / rate;
  const callSeconds = values['call-seconds'] === undefined ? null : Number(values['call-seconds']);
  // every session lasts the whole ramp plus the steady window, so all of them overlap during the window; in churn
  // mode sessions last callSeconds and the window is the time in which starts and ends balance
  const sessionSeconds = callSeconds ?? Math.ceil(rampSeconds + steadySeconds + 2);
  const windowStartSeconds = callSeconds === null ? rampSeconds + 2 : callSeconds + 2;
  const windowSeconds = callSeconds === null ? Math.max(1, steadySeconds - 3) : rampSeconds - callSeconds - 2;
  if (!(windowSeconds > 0)) throw new Error('--call-seconds must be shorter than sessions / rate');
  const dataDir = mkdtempSync(join(tmpdir(), 'hookscribe-bench-'));
  const port = await freePort();
  console.error(
    `\n== ${sessions} sessions of ${audio}: ramp ${rampSeconds.toFixed(1)} s, steady ${steadySeconds} s, port ${port}`,
  );
  const profile = values['cpu-prof']
    ? // one directory per phase: every thread (main, disk writer, workers) writes its own profile there
      ['--cpu-prof', '--cpu-prof-dir', join(values['cpu-prof'], `server-${sessions}-${audio}`)]
    : [];
  const server = spawnWithFdLimit(process.execPath, [...profile, values.server], {
    ...process.env,
    HOOKSCRIBE_PORT: String(port),
    HOOKSCRIBE_HOST: '127.0.0.1',
    HOOKSCRIBE_DATA_DIR: dataDir,
    HOOKSCRIBE_AUDIOHOOK_KEYS: JSON.stringify({ [apiKey]: secret }),
    HOOKSCRIBE_RECORDING: process.env.HOOKSCRIBE_RECORDING ?? 'true',
    // issue 2's load target: recording on, no transcription (set HOOKSCRIBE_STT_ENGINES=embedded to include it)
    HOOKSCRIBE_STT_ENGINES: process.env.HOOKSCRIBE_STT_ENGINES ?? 'none',
    HOOKSCRIBE_LOG_LEVEL: process.env.HOOKSCRIBE_LOG_LEVEL ?? 'warn',
  });
  let serverLog = '';
  server.stdout.on('data', (d) => (serverLog = (serverLog + d).slice(-4000)));
  server.stderr.on('data', (d) => (serverLog = (serverLog + d).slice(-4000)));
  try {
    await waitForHealth(port, server);
    await sleep(1000);
    const idleRssKb = rssKb(server.pid);

    const sim = spawnWithFdLimit(
      process.execPath,
      [
        simCli,
        '--url',
        `ws://127.0.0.1:${port}/api/v1/audiohook/ws`,
        '--api-key',
        apiKey,
        '--secret',
        secret,
        '--sessions',
        String(sessions),
        '--rate',
        String(rate),
        '--workers',
        values.workers,
        '--duration',
        String(sessionSeconds),
        ...audioArgs(audio),
        '--format',
        'PCMU',
        '--channels',
        'stereo',
        '--frame-ms',
        '200',
        '--timeout',
        '30',
        '--json',
      ],
      process.env,
    );
    let simOut = '';
    sim.stdout.on('data', (d) => (simOut += d));
    sim.stderr.on('data', (d) => process.stderr.write(d));
    const simExit = new Promise((res) => sim.on('exit', (code) => res(code)));

    const simStartedAt = Date.now();
    // steady window: after the ramp (+2 s for the last opens), until 1 s before the first session ends. A loaded
    // server opens calls more slowly than --rate; the window then waits until it has opened them all, or else
    // the CPU of the opens (about 10 ms each) would be counted as the cost of streaming.
    await sleep(windowStartSeconds * 1000);
    let openedAfterSeconds = null;
    let windowEnd = Date.now() + windowSeconds * 1000;
    if (callSeconds === null) {
      while ((await openedCount(port)) < sessions && Date.now() < simStartedAt + (sessionSeconds - 5) * 1000)
        await sleep(500);
      openedAfterSeconds = round((Date.now() - simStartedAt) / 1000);
      if (openedAfterSeconds > windowStartSeconds) await sleep(2000);
      windowEnd = simStartedAt + (sessionSeconds - 2) * 1000;
    }
    const samples = [];
    let prev = cpuTicks(server.pid);
    let prevMain = cpuTicks(server.pid, server.pid);
    let prevAt = performance.now();
    while (Date.now() < windowEnd) {
      await sleep(1000);
      const ticks = cpuTicks(server.pid);
      const mainTicks = cpuTicks(server.pid, server.pid);
      const at = performance.now();
      samples.push({
        cpuPercent: (((ticks - prev) / CLK_TCK) * 100000) / (at - prevAt),
        mainCpuPercent: (((mainTicks - prevMain) / CLK_TCK) * 100000) / (at - prevAt),
        rssKb: rssKb(server.pid),
        atSeconds: samples.length + 1,
      });
      prev = ticks;
      prevMain = mainTicks;
      prevAt = at;
    }
    const simCode = await simExit;
    let summary;
    try {
      summary = JSON.parse(simOut.trim().split('\n').pop());
    } catch {
      throw new Error(`hookscribe-sim exited ${simCode} without a JSON summary`);
    }
    const cpu = samples.map((s) => s.cpuPercent);
    const steadyRssKb = median(samples.map((s) => s.rssKb));
    const result = {
      sessions,
      audio,
      sessionSeconds,
      steadySeconds: samples.length,
      openedAfterSeconds,
      completed: summary.completed,
      errors: summary.errors,
      violations: summary.violations,
      serverCpuPercent: round(mean(cpu)),
      serverCpuPercentMax: round(Math.max(...cpu)),
      // the event loop's own thread (the one answering ping and open), without workers and V8 helpers
      serverMainThreadCpuPercent: round(mean(samples.map((s) => s.mainCpuPercent))),
      serverIdleRssMb: round(idleRssKb / 1024),
      serverSteadyRssMb: round(steadyRssKb / 1024),
      rssPerSessionKb: round(
        (steadyRssKb - idleRssKb) /
          (callSeconds === null ? sessions : Math.min(sessions, rate * callSeconds)),
      ),
      callSeconds,
      rssTrend: rssTrend(samples),
      rttMs: summary.rttMs,
      rttAllActiveMs: summary.rttAllActiveMs,
      openedMs: summary.openedMs,
      simCpuPercent: summary.simCpuPercent,
      simEventLoopDelayMs: summary.simEventLoopDelayMs,
      // other work on the machine during the window distorts every figure: say how busy it was
      loadAverage1m: round(loadavg()[0]),
      simExitCode: simCode,
    };
    console.error(JSON.stringify(result));
    return result;
  } catch (err) {
    console.error(`server output (tail):\n${serverLog}`);
    throw err;
  } finally {
    server.kill('SIGTERM');
    await new Promise((res) => {
      const t = setTimeout(() => (server.kill('SIGKILL'), res()), 15000);
      server.on('exit', () => (clearTimeout(t), res()));
      if (server.exitCode !== null) res();
    });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function audioArgs(audio) {
  if (audio === 'tone') return ['--tone', '440'];
  // a real call, repeated for the session's length (the frames are shared between sessions in the simulator)
  if (audio === 'speech') return ['--wav', values.wav, '--loop'];
  return ['--silence'];
}

/** `exec` keeps the pid, so /proc/<pid> is the node process itself. */
function spawnWithFdLimit(command, args, env) {
  const quoted = [command, ...args].map((a) => `'${String(a).replaceAll("'", `'\\''`)}'`).join(' ');
  return spawn('sh', ['-c', `ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec ${quoted}`], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** calls the server has opened (answered `open` with `opened`) since it started, from its /metrics */
async function openedCount(port) {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return [...text.matchAll(/^hookscribe_open_latency_seconds_count\{[^}]*\} (\d+)/gm)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
  } catch {
    return 0;
  }
}

/** utime + stime of the process, or of one of its threads (`tid`: the pid is the main thread) */
function cpuTicks(pid, tid) {
  // fields after the parenthesised command name; utime and stime are fields 14 and 15
  const stat = readFileSync(
    tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`,
    'utf8',
  );
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rssKb(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : NaN;
}

async function waitForHealth(port, child) {
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error('server did not become healthy within 30 s');
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/**
 * Per-minute RSS medians and the least-squares slope (MB/hour) after a 3-minute warm-up. Windows under 10 minutes
 * get no slope: the heap is still growing into its working size and the slope would extrapolate that.
 */
function rssTrend(samples) {
  const perMinuteMb = [];
  for (let i = 0; i < samples.length; i += 60)
    perMinuteMb.push(round(median(samples.slice(i, i + 60).map((s) => s.rssKb)) / 1024));
  if (samples.length < 600) return { slopeMbPerHour: null, perMinuteMb };
  const settled = samples.slice(180);
  const xs = settled.map((s) => s.atSeconds / 3600);
  const ys = settled.map((s) => s.rssKb / 1024);
  const mx = mean(xs);
  const my = mean(ys);
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const sxy = xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0);
  return { slopeMbPerHour: sxx > 0 ? round(sxy / sxx) : null, perMinuteMb };
}

function table(rows) {
  const lines = [
    '| sessions | audio | completed | errors | server CPU (% of one core, mean / max) | main thread CPU | server RSS idle → steady | RSS per session | RSS trend | ping RTT, all sessions up: p50 / p99 / max | ping RTT, whole run: p99 | opened p50 / p99 | sim CPU | sim loop delay p99 | all opened after | load avg |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.sessions} | ${r.audio} | ${r.completed} | ${r.errors} | ${r.serverCpuPercent} / ${r.serverCpuPercentMax} | ${r.serverMainThreadCpuPercent} % | ` +
        `${r.serverIdleRssMb} → ${r.serverSteadyRssMb} MB | ${r.rssPerSessionKb} KB | ` +
        `${r.rssTrend.slopeMbPerHour === null ? '–' : `${r.rssTrend.slopeMbPerHour} MB/h`} | ` +
        (r.rttAllActiveMs.count
          ? `${r.rttAllActiveMs.p50} / ${r.rttAllActiveMs.p99} / ${r.rttAllActiveMs.max} ms |`
          : `never all up${r.callSeconds === null ? '' : ' (churn)'} |`) +
        ` ${r.rttMs.p99} ms | ${r.openedMs.p50} / ${r.openedMs.p99} ms | ${r.simCpuPercent}% | ${r.simEventLoopDelayMs?.p99 ?? '-'} ms | ${r.openedAfterSeconds ?? '–'} s | ${r.loadAverage1m} |`,
    );
  }
  return lines.join('\n');
}

function sleep(ms) {
  return new Promise((res) => setTimeout(res, ms));
}
function mean(xs) {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}
function median(xs) {
  return xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN;
}
function round(x) {
  return Math.round(x * 10) / 10;
}
