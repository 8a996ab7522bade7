#!/usr/bin/env node
/* global process, console, setTimeout, fetch, Buffer */
/**
 * Live decode capacity and post-call transcription under load (issue 13):
 *
 *   npm run bench:stt-capacity                     # 12 concurrent real-speech calls, Transcription Connector
 *   npm run bench:stt-capacity -- --calls 100 --rate 5
 *
 * Starts the built server with embedded defaults (temp data dir, 127.0.0.1, random port; live capacity derived from
 * the cores unless --live-channels), streams one call alone as the baseline, then N copies of the same call at once
 * in real time (hookscribe-sim load mode), and waits until every call's transcript is stored — live, or from the
 * recording after the call. It reports:
 *  - calls decoded live, and the share of the audio transcribed live (live words / N × the baseline's words);
 *  - each admitted call's live words against the baseline (target ≥ 90 %), each call's stored words (≥ 90 %);
 *  - the time from the end of the calls until every transcript is stored;
 *  - the server's CPU (all threads, % of one core) while the calls ran and while post-call work drained;
 *  - ping RTT p99 while every call was up (the simulator's side, machine contention included) and the server's own
 *    event-loop delay p99 while the calls ran; protocol violations; the load average before and after.
 *
 * Options: --calls N (12)  --rate R calls/s (4)  --wav FILE (demo billing-dispute)  --live-channels N
 *          --endpoint transcription|monitor (transcription)  --json FILE
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBenchServer } from './bench-server.mjs';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '12' },
    rate: { type: 'string', default: '4' },
    wav: { type: 'string', default: join(root, 'packages/server/demo-calls/billing-dispute.wav') },
    'live-channels': { type: 'string' },
    endpoint: { type: 'string', default: 'transcription' },
    json: { type: 'string' },
  },
});
const calls = Number(values.calls);
const path = values.endpoint === 'monitor' ? '/api/v1/audiohook/ws' : '/api/v1/voicetranscription/ws';
const KEY = 'SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh';
const SECRET = Buffer.from('MySuperSecretKeyTellNo-1!2@3#4$5').toString('base64');
const TOKEN = 'bench-stt-capacity-token';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function startServer(dataDir) {
  return startBenchServer({
    dataDir,
    audiohookKeys: { [KEY]: SECRET },
    env: {
      HOOKSCRIBE_API_TOKENS: TOKEN,
      ...(values['live-channels'] ? { HOOKSCRIBE_STT_LIVE_CHANNELS: values['live-channels'] } : {}),
    },
  });
}

function runSim(url, args) {
  const child = spawn(
    process.execPath,
    [
      join(root, 'packages/sim/dist/cli.js'),
      '--url',
      `${url.replace('http', 'ws')}${path}`,
      '--api-key',
      KEY,
      '--secret',
      SECRET,
      '--wav',
      values.wav,
      '--language',
      'en-US',
      '--realtime',
      '--json',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const out = [];
  child.stdout.setEncoding('utf8').on('data', (c) => out.push(c));
  child.stderr.resume();
  return new Promise((r) => child.once('exit', () => r(JSON.parse(out.join('') || '{}'))));
}

/** CPU seconds of a process, all threads (utime + stime, clock ticks of 1/100 s) */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function api(url, route) {
  const res = await fetch(`${url}${route}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  return res.ok ? res.json() : null;
}
const wordsOf = (segments) => segments.reduce((n, s) => n + s.text.split(/\s+/).filter(Boolean).length, 0);
/**
 * Stored for good: ended, and settled after the call (done/failed) or complete live — a live call's last finals may
 * be stored a little after it ended (decoders behind), so its word count must have held for three polls.
 */
const stableSince = new Map();
const settled = (c) => {
  if (c.state === 'active') return false;
  const status = c.transcription?.status ?? 'live';
  if (status === 'done' || status === 'failed') return true;
  if (status !== 'live') return false;
  const words = wordsOf(c.transcript);
  const seen = stableSince.get(c.id);
  if (!seen || seen.words !== words) {
    stableSince.set(c.id, { words, polls: 1 });
    return false;
  }
  seen.polls++;
  return seen.polls >= 3;
};

const dataDir = mkdtempSync(join(tmpdir(), 'bench-stt-capacity-'));
const load = {
  before: loadavg()
    .map((l) => l.toFixed(2))
    .join(' '),
};
const server = await startServer(dataDir);
try {
  const capacityLine = await (await fetch(`${server.url}/metrics`)).text();
  const liveChannels = Number(/hookscribe_stt_live_channels_capacity (\d+)/.exec(capacityLine)?.[1]);
  console.error(
    `server up, live capacity ${liveChannels} channels (${availableParallelism()} cores); baseline call…`,
  );

  const alone = await runSim(server.url, []);
  let baseline;
  for (;;) {
    const c = await api(server.url, `/api/conversations/${alone.sessionId}`);
    if (c && settled(c)) {
      baseline = wordsOf(c.transcript);
      break;
    }
    await sleep(2000);
  }
  console.error(`baseline: ${baseline} words; ${calls} calls at ${values.rate}/s…`);

  // prom-client's event-loop delay histogram restarts at every scrape: this one opens the window of the calls
  const loopDelayP99 = async () =>
    Number(
      /^nodejs_eventloop_lag_p99_seconds (\S+)$/m.exec(
        await (await fetch(`${server.url}/metrics`)).text(),
      )?.[1],
    );
  await loopDelayP99();
  const cpu0 = cpuSeconds(server.child.pid);
  const t0 = Date.now();
  const run = await runSim(server.url, [
    '--sessions',
    String(calls),
    '--rate',
    values.rate,
    '--timeout',
    '60',
  ]);
  const t1 = Date.now();
  const cpu1 = cpuSeconds(server.child.pid);
  const serverLoopDelayP99Ms = Math.round((await loopDelayP99()) * 1e4) / 10;
  console.error(`calls done in ${((t1 - t0) / 1000).toFixed(1)} s; waiting for every transcript…`);

  const ids = [];
  for (let cursor = null; ;) {
    const page = await api(server.url, `/api/conversations?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
    ids.push(...page.items.map((c) => c.id).filter((id) => id !== alone.sessionId));
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  let details;
  for (;;) {
    details = await Promise.all(ids.map((id) => api(server.url, `/api/conversations/${id}`)));
    if (details.every((c) => c && settled(c))) break;
    if (Date.now() - t1 > 3_600_000) throw new Error('transcripts not stored within an hour');
    await sleep(2000);
  }
  const t2 = Date.now();
  const cpu2 = cpuSeconds(server.child.pid);
  load.after = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

  const perCall = await Promise.all(
    details.map(async (c) => {
      const live = await api(server.url, `/api/conversations/${c.id}/transcripts/live`);
      return {
        id: c.id,
        decodedLive: c.transcription?.status === 'live',
        status: c.transcription?.status ?? 'live',
        reason: c.transcription?.reason ?? null,
        liveWords: live ? wordsOf(live.segments) : 0,
        storedWords: wordsOf(c.transcript),
      };
    }),
  );
  const pct = (n) => Math.round((n / baseline) * 1000) / 10;
  const admitted = perCall.filter((c) => c.decodedLive);
  const summary = {
    calls,
    conversationsFound: perCall.length,
    cores: availableParallelism(),
    liveChannels,
    baselineWords: baseline,
    callsDecodedLive: admitted.length,
    shareOfAudioTranscribedLivePct: pct(perCall.reduce((n, c) => n + c.liveWords, 0) / calls),
    admittedLiveWordsPctMin: admitted.length ? Math.min(...admitted.map((c) => pct(c.liveWords))) : null,
    storedWordsPctMin: Math.min(...perCall.map((c) => pct(c.storedWords))),
    storedWordsPctMedian: perCall.map((c) => pct(c.storedWords)).sort((a, b) => a - b)[
      Math.floor(perCall.length / 2)
    ],
    statuses: Object.fromEntries(
      [...new Set(perCall.map((c) => c.status))].map((s) => [
        s,
        perCall.filter((c) => c.status === s).length,
      ]),
    ),
    callsWallSeconds: (t1 - t0) / 1000,
    secondsUntilEveryTranscriptStored: (t2 - t1) / 1000,
    serverCpuPctWhileCalls: Math.round(((cpu1 - cpu0) / ((t1 - t0) / 1000)) * 1000) / 10,
    serverCpuPctAfterCalls: t2 > t1 ? Math.round(((cpu2 - cpu1) / ((t2 - t1) / 1000)) * 1000) / 10 : 0,
    serverCpuSecondsTotal: Math.round((cpu2 - cpu0) * 10) / 10,
    serverEventLoopDelayP99MsWhileCalls: serverLoopDelayP99Ms,
    pingRttP99MsAllUp: run.rttAllActiveMs?.p99 ?? null,
    pingRttP99Ms: run.rttMs?.p99 ?? null,
    violations: run.violations ?? [],
    simErrors: run.errors ?? null,
    loadAverage: load,
  };
  console.log(JSON.stringify(summary, null, 2));
  if (values.json) writeFileSync(values.json, `${JSON.stringify({ summary, perCall }, null, 2)}\n`);
} finally {
  server.child.kill('SIGTERM');
  await new Promise((r) => server.child.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
