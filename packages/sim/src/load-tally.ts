import { LatencyStats } from './latency-stats.js';
import type { SessionResult } from './sim-session.js';

/** Counters of a load run; numbers only, so a worker thread can post them to the main thread. */
export interface LoadCounts {
  started: number;
  completed: number;
  errors: number;
  audioFramesSent: number;
  audioBytesSent: number;
  /** violation text (session-specific numbers stripped) → sessions that had it */
  violations: Record<string, number>;
}

/** Aggregates session results of a load run (in one thread). */
export class LoadTally {
  readonly counts: LoadCounts = {
    started: 0,
    completed: 0,
    errors: 0,
    audioFramesSent: 0,
    audioBytesSent: 0,
    violations: {},
  };
  readonly rtt = new LatencyStats();
  readonly opened = new LatencyStats();
  /** samples not yet collected by drainSamples() (worker → main thread) */
  private pendingRtt: number[] = [];
  private pendingOpened: number[] = [];

  get active(): number {
    return this.counts.started - this.counts.completed - this.counts.errors;
  }

  /** called with every RTT sample as it is recorded */
  onRtt: ((ms: number) => void) | null = null;

  /** live RTT sample, recorded as soon as the pong arrives so that progress lines are current */
  addRtt(ms: number): void {
    this.rtt.add(ms);
    this.pendingRtt.push(ms);
    this.onRtt?.(ms);
  }

  addOpened(ms: number): void {
    this.opened.add(ms);
    this.pendingOpened.push(ms);
  }

  record(result: SessionResult): void {
    if (result.ok) this.counts.completed++;
    else this.counts.errors++;
    this.counts.audioFramesSent += result.audioFramesSent;
    this.counts.audioBytesSent += result.audioBytesSent;
    for (const v of new Set(result.violations.map(generalise))) {
      this.counts.violations[v] = (this.counts.violations[v] ?? 0) + 1;
    }
  }

  drainSamples(): { rtt: number[]; opened: number[] } {
    const drained = { rtt: this.pendingRtt, opened: this.pendingOpened };
    this.pendingRtt = [];
    this.pendingOpened = [];
    return drained;
  }
}

/** Groups violations that differ only in numbers (seq values, milliseconds, close codes). */
function generalise(violation: string): string {
  return violation.replace(/\d+/g, 'N');
}
