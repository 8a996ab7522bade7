import type { AudioSource } from './audio-source.js';
import { EncodedFrameCache } from './encoded-frame-cache.js';
import { FrameClock } from './frame-clock.js';
import type { LatencySummary } from './latency-stats.js';
import { LoadTally, type LoadCounts } from './load-tally.js';
import type { SimOptions } from './options.js';
import { scenario } from './scenarios.js';
import { SimSession } from './sim-session.js';
import { streamDurationMs } from './single-run.js';

/**
 * Starts `sessions` sessions at `rate` per second in this thread, all paced by one shared FrameClock, and waits
 * for every one of them to finish. Results land in `tally`.
 */
export async function runLoadSessions(
  options: SimOptions,
  source: AudioSource,
  plan: { sessions: number; rate: number },
  tally: LoadTally,
): Promise<void> {
  const clock = new FrameClock(options.frameMs / options.speed);
  const frameCache = new EncodedFrameCache();
  const url = new URL(options.url);
  const chosen = scenario(options.scenario);
  const durationMs = streamDurationMs(options, source);
  const running: Promise<void>[] = [];
  const startedAt = performance.now();

  const launchDue = () => {
    const due = Math.min(plan.sessions, Math.floor(((performance.now() - startedAt) / 1000) * plan.rate) + 1);
    while (tally.counts.started < due) {
      tally.counts.started++;
      const session = new SimSession({
        url,
        apiKey: options.apiKey,
        secret: options.secret,
        organizationId: options.organizationId,
        scenario: chosen,
        source,
        durationMs,
        format: options.format,
        channels: options.channels,
        language: options.language,
        frameMs: options.frameMs,
        realtime: options.realtime,
        speed: options.speed,
        timeoutMs: options.timeoutSeconds * 1000,
        customConfig: options.customConfig,
        supportedLanguages: options.supportedLanguages,
        clock,
        zeroMask: true,
        frameCache,
        onPingRtt: (ms) => tally.addRtt(ms),
        onOpenedLatency: (ms) => tally.addOpened(ms),
      });
      running.push(session.run().then((result) => tally.record(result)));
    }
  };

  await new Promise<void>((resolve) => {
    launchDue();
    if (tally.counts.started >= plan.sessions) return resolve();
    const launcher = setInterval(() => {
      launchDue();
      if (tally.counts.started >= plan.sessions) {
        clearInterval(launcher);
        resolve();
      }
    }, 5);
  });
  await Promise.all(running);
  clock.stop();
}

export interface LoadSummary {
  mode: 'load';
  url: string;
  scenario: string;
  sessions: number;
  rate: number;
  workers: number;
  /** seconds of audio per session */
  sessionSeconds: number;
  completed: number;
  errors: number;
  violations: { violation: string; sessions: number }[];
  rttMs: LatencySummary;
  /** pings answered while all sessions were up (after the last opened, before the first session ended) */
  rttAllActiveMs: LatencySummary;
  openedMs: LatencySummary;
  audioFramesSent: number;
  audioBytesSent: number;
  wallSeconds: number;
  /** CPU time of the simulator process (all threads) over the run, as % of one core */
  simCpuPercent: number;
  /** delay of the simulator's own event loop (main thread, single-thread runs only): its share of the RTT */
  simEventLoopDelayMs: { p50: number; p99: number; max: number } | null;
  exitCode: 0 | 1;
}

export function progressLine(
  elapsedSeconds: number,
  counts: LoadCounts,
  rtt: LatencySummary,
  cpuPercent: number,
): string {
  const active = counts.started - counts.completed - counts.errors;
  return (
    `[${elapsedSeconds.toFixed(0).padStart(4)} s] started ${counts.started} active ${active} ` +
    `completed ${counts.completed} errors ${counts.errors} ` +
    `rtt p50 ${ms(rtt.p50)} p99 ${ms(rtt.p99)} (${rtt.count} pings) sim cpu ${cpuPercent.toFixed(0)}%`
  );
}

export function formatLoadSummary(s: LoadSummary): string {
  const lines = [
    `${s.exitCode === 0 ? 'PASS' : 'FAIL'} load ${s.sessions} sessions (${s.scenario}, ${s.sessionSeconds} s each) ` +
      `at ${s.rate}/s against ${s.url}`,
    `  completed ${s.completed}, errors ${s.errors}`,
    `  ping rtt   p50 ${ms(s.rttMs.p50)}, p99 ${ms(s.rttMs.p99)}, max ${ms(s.rttMs.max)} (${s.rttMs.count} pings)`,
    `  while all ${s.sessions} up: p50 ${ms(s.rttAllActiveMs.p50)}, p99 ${ms(s.rttAllActiveMs.p99)}, ` +
      `max ${ms(s.rttAllActiveMs.max)} (${s.rttAllActiveMs.count} pings)`,
    `  opened in  p50 ${ms(s.openedMs.p50)}, p99 ${ms(s.openedMs.p99)}, max ${ms(s.openedMs.max)}`,
    `  audio ${s.audioFramesSent} frames, ${(s.audioBytesSent / 1e6).toFixed(1)} MB; wall ${s.wallSeconds.toFixed(1)} s; ` +
      `simulator cpu ${s.simCpuPercent.toFixed(1)}% of one core (${s.workers} thread${s.workers > 1 ? 's' : ''})`,
  ];
  if (s.simEventLoopDelayMs) {
    const d = s.simEventLoopDelayMs;
    lines.push(`  simulator event-loop delay p50 ${d.p50} ms, p99 ${d.p99} ms, max ${d.max} ms`);
  }
  if (s.violations.length > 0) {
    lines.push('  violations (sessions):');
    for (const v of s.violations.slice(0, 20))
      lines.push(`    ${String(v.sessions).padStart(6)}  ${v.violation}`);
  }
  return lines.join('\n');
}

function ms(value: number | null): string {
  return value === null ? '-' : `${value.toFixed(1)} ms`;
}
