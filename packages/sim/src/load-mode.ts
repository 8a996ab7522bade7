import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { AudioSource } from './audio-source.js';
import { LatencyStats } from './latency-stats.js';
import { formatLoadSummary, progressLine, runLoadSessions, type LoadSummary } from './load-run.js';
import { LoadTally, type LoadCounts } from './load-tally.js';
import type { LoadWorkerData, LoadWorkerMessage } from './load-worker.js';
import type { SimOptions } from './options.js';
import type { Output } from './output.js';
import { streamDurationMs } from './single-run.js';

/**
 * --sessions N --rate R: N real-time sessions started at R per second, a progress line every second on stderr,
 * and a summary. With --workers K the sessions are split over K worker threads, each with its own frame clock.
 */
export async function runLoad(options: SimOptions, source: AudioSource, out: Output): Promise<LoadSummary> {
  const sessions = options.sessions ?? 1;
  const workers = Math.min(options.workers, sessions);
  const startedAt = performance.now();
  const cpuAtStart = process.cpuUsage();
  let lastCpu = cpuAtStart;
  let lastCpuAt = startedAt;

  // the simulator's own event-loop delay tells its latency apart from the server's (single-thread runs)
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const view = workers > 1 ? new WorkerTallies(workers) : null;
  const local = view ? null : new LoadTally();
  const counts = (): LoadCounts => (view ? view.counts() : local!.counts);
  const rtt = () => (view ? view.rtt : local!.rtt);
  const opened = () => (view ? view.opened : local!.opened);
  // RTT while every session is up: after the last opened, before the first session ends (the ramp and the
  // tail are left out, so this is the figure for "N concurrent sessions")
  const allActiveRtt = new LatencyStats();
  const onRtt = (ms: number) => {
    const c = counts();
    if (opened().count >= sessions && c.completed + c.errors === 0) allActiveRtt.add(ms);
  };
  if (view) view.onRtt = onRtt;
  else local!.onRtt = onRtt;

  const progress = setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    const cpuPercent = ((cpu.user + cpu.system) / 1000 / (now - lastCpuAt)) * 100;
    lastCpu = process.cpuUsage();
    lastCpuAt = now;
    out.log(progressLine((now - startedAt) / 1000, counts(), rtt().summary(), cpuPercent));
  }, 1000);

  try {
    if (view) await view.run(options, sessions);
    else await runLoadSessions(options, source, { sessions, rate: options.rate }, local!);
  } finally {
    clearInterval(progress);
    loopDelay.disable();
  }

  const wallMs = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuAtStart);
  const final = counts();
  return {
    mode: 'load',
    url: options.url,
    scenario: options.scenario,
    sessions,
    rate: options.rate,
    workers,
    sessionSeconds: streamDurationMs(options, source) / 1000,
    completed: final.completed,
    errors: final.errors,
    violations: Object.entries(final.violations)
      .map(([violation, n]) => ({ violation, sessions: n }))
      .sort((a, b) => b.sessions - a.sessions),
    rttMs: rtt().summary(),
    rttAllActiveMs: allActiveRtt.summary(),
    openedMs: opened().summary(),
    audioFramesSent: final.audioFramesSent,
    audioBytesSent: final.audioBytesSent,
    wallSeconds: Math.round(wallMs / 100) / 10,
    simCpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 10,
    simEventLoopDelayMs:
      workers > 1
        ? null
        : {
            p50: Math.round(loopDelay.percentile(50) / 1e4) / 100,
            p99: Math.round(loopDelay.percentile(99) / 1e4) / 100,
            max: Math.round(loopDelay.max / 1e4) / 100,
          },
    exitCode: final.errors === 0 && final.completed === sessions ? 0 : 1,
  };
}

export { formatLoadSummary };

/** Main-thread view of K worker threads' tallies. */
class WorkerTallies {
  readonly rtt = new LatencyStats();
  readonly opened = new LatencyStats();
  onRtt: ((ms: number) => void) | null = null;
  private readonly latest: LoadCounts[] = [];

  constructor(private readonly workers: number) {}

  counts(): LoadCounts {
    const sum: LoadCounts = {
      started: 0,
      completed: 0,
      errors: 0,
      audioFramesSent: 0,
      audioBytesSent: 0,
      violations: {},
    };
    for (const c of this.latest) {
      sum.started += c.started;
      sum.completed += c.completed;
      sum.errors += c.errors;
      sum.audioFramesSent += c.audioFramesSent;
      sum.audioBytesSent += c.audioBytesSent;
      for (const [v, n] of Object.entries(c.violations)) sum.violations[v] = (sum.violations[v] ?? 0) + n;
    }
    return sum;
  }

  async run(options: SimOptions, sessions: number): Promise<void> {
    const runs: Promise<void>[] = [];
    for (let k = 0; k < this.workers; k++) {
      // spread the remainder over the first workers; every worker starts its share at its share of the rate
      const share = Math.floor(sessions / this.workers) + (k < sessions % this.workers ? 1 : 0);
      const data: LoadWorkerData = { options, sessions: share, rate: (options.rate * share) / sessions };
      runs.push(this.runWorker(k, data));
    }
    await Promise.all(runs);
  }

  private runWorker(k: number, data: LoadWorkerData): Promise<void> {
    this.latest[k] = {
      started: 0,
      completed: 0,
      errors: 0,
      audioFramesSent: 0,
      audioBytesSent: 0,
      violations: {},
    };
    return new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./load-worker.js', import.meta.url), { workerData: data });
      worker.on('message', (m: LoadWorkerMessage) => {
        this.latest[k] = m.counts;
        this.opened.addAll(m.opened);
        this.rtt.addAll(m.rtt);
        if (this.onRtt) for (const ms of m.rtt) this.onRtt(ms);
        if (m.type === 'done') resolve();
      });
      worker.on('error', reject);
      worker.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`load worker ${k} exited with ${code}`)),
      );
    });
  }
}
