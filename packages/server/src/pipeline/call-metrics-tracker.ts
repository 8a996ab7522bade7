/**
 * Per-call state for call metrics: the finals and stream gaps seen so far, and when live metrics are due. The
 * arithmetic is computeCallMetrics (pure, @hookscribe/conversations); this only collects its input from session
 * events and paces the live writes so a chatty call does not write metrics on every final.
 */
import {
  computeCallMetrics,
  type CallMetrics,
  type StreamGap,
  type TranscriptSegment,
} from '@hookscribe/conversations';

export interface CallMetricsTrackerOptions {
  /** samples per second of the stream timeline (the negotiated rate) */
  sampleRate: number;
  /** least wall time between two live metric writes; 0 = after every final */
  liveIntervalMs: number;
  now?: () => number;
}

export class CallMetricsTracker {
  private readonly finals = new Map<string, TranscriptSegment>();
  private readonly gaps: StreamGap[] = [];
  /** stream position (seconds) of a `paused` not yet resumed */
  private pausedAt: number | null = null;
  private positionSeconds = 0;
  private lastLiveAt: number | null = null;
  private readonly now: () => number;

  constructor(private readonly options: CallMetricsTrackerOptions) {
    this.now = options.now ?? Date.now;
  }

  private seconds(samples: number): number {
    return samples / this.options.sampleRate;
  }

  private reach(seconds: number): void {
    this.positionSeconds = Math.max(this.positionSeconds, seconds);
  }

  /** stream position just after the latest audio frame */
  audioUpTo(endSample: number): void {
    this.reach(this.seconds(endSample));
  }

  addFinal(segment: TranscriptSegment): void {
    this.finals.set(segment.id, segment); // a final replaced by id counts once
    this.reach(segment.offset + segment.duration);
  }

  paused(atSample: number): void {
    this.pausedAt ??= this.seconds(atSample);
    this.reach(this.pausedAt);
  }

  /** `resumed {start, discarded}`: the pause covered [start, start + discarded) */
  resumed(startSample: number, discardedSamples: number): void {
    this.pausedAt = null;
    this.addGap('paused', startSample, discardedSamples);
  }

  discarded(startSample: number, discardedSamples: number): void {
    this.addGap('discarded', startSample, discardedSamples);
  }

  private addGap(kind: StreamGap['kind'], startSample: number, samples: number): void {
    if (!(samples > 0)) return;
    const gap = { kind, start: this.seconds(startSample), duration: this.seconds(samples) };
    this.gaps.push(gap);
    this.reach(gap.start + gap.duration);
  }

  /** Live metrics when the interval since the last live write has passed (the caller stores them); else null. */
  liveIfDue(): CallMetrics | null {
    const now = this.now();
    if (this.lastLiveAt !== null && now - this.lastLiveAt < this.options.liveIntervalMs) return null;
    this.lastLiveAt = now;
    return this.compute('live', this.positionSeconds);
  }

  /** The call's final metrics; `endSample` is the stream position at the end. */
  final(endSample: number): CallMetrics {
    const end = Math.max(this.positionSeconds, this.seconds(endSample));
    return this.compute('final', end);
  }

  private compute(status: CallMetrics['status'], duration: number): CallMetrics {
    const gaps =
      this.pausedAt === null
        ? this.gaps
        : [
            ...this.gaps,
            {
              kind: 'paused' as const,
              start: this.pausedAt,
              duration: Math.max(0, duration - this.pausedAt),
            },
          ];
    return computeCallMetrics({
      segments: [...this.finals.values()],
      gaps,
      durationSeconds: duration,
      status,
      now: new Date(this.now()),
    });
  }
}
