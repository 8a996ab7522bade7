/** Prometheus metrics of live decode capacity and post-call transcription, on the server's (or worker's) registry. */
import type { TranscriptionBacklog } from '@hookscribe/conversations';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type NotLiveCause = 'over-capacity' | 'preempted' | 'engine';

export function notLiveCause(reason: string): NotLiveCause {
  if (reason.startsWith('live capacity full')) return 'over-capacity';
  if (reason.startsWith('live capacity taken')) return 'preempted';
  return 'engine';
}

export class TranscriptionCapacityMetrics {
  readonly notLive: Counter<'endpoint' | 'cause'>;
  readonly postCallJobs: Counter<'kind' | 'result'>;
  readonly postCallAudio: Counter<'kind'>;
  readonly postCallJobDuration: Histogram<'kind'>;

  constructor(
    registry: Registry,
    sources: {
      live?: { capacity: number; inUse: () => number };
      backlog?: () => Promise<TranscriptionBacklog>;
    },
  ) {
    const registers = [registry];
    const { live, backlog } = sources;
    if (live) {
      new Gauge({
        name: 'hookscribe_stt_live_channels_capacity',
        help: 'Channels this instance decodes live (HOOKSCRIBE_STT_LIVE_CHANNELS or derived from cores)',
        registers,
        collect() {
          this.set(live.capacity);
        },
      });
      new Gauge({
        name: 'hookscribe_stt_live_channels_in_use',
        help: 'Live decode channel slots held by calls now',
        registers,
        collect() {
          this.set(live.inUse());
        },
      });
    }
    this.notLive = new Counter({
      name: 'hookscribe_stt_not_live_total',
      help: 'Calls whose live transcript is missing or incomplete (transcript pending), by cause',
      labelNames: ['endpoint', 'cause'],
      registers,
    });
    if (backlog) {
      // one backlog query per scrape feeds the three gauges
      let pending: Promise<TranscriptionBacklog | null> | null = null;
      const read = () => {
        pending ??= backlog()
          .catch(() => null)
          .finally(() => setTimeout(() => (pending = null), 0));
        return pending;
      };
      new Gauge({
        name: 'hookscribe_stt_postcall_backlog_jobs',
        help: 'Post-call transcription jobs queued or in progress',
        registers,
        async collect() {
          const b = await read();
          if (b) this.set(b.jobs);
        },
      });
      new Gauge({
        name: 'hookscribe_stt_postcall_backlog_audio_seconds',
        help: 'Seconds of call audio waiting for post-call transcription',
        registers,
        async collect() {
          const b = await read();
          if (b) this.set(b.audioSeconds);
        },
      });
      new Gauge({
        name: 'hookscribe_stt_postcall_oldest_job_age_seconds',
        help: 'Age of the oldest queued post-call job (0 when none)',
        registers,
        async collect() {
          const b = await read();
          if (b) this.set(b.oldestEnqueuedAt ? (Date.now() - Date.parse(b.oldestEnqueuedAt)) / 1000 : 0);
        },
      });
    }
    this.postCallJobs = new Counter({
      name: 'hookscribe_stt_postcall_jobs_total',
      help: 'Post-call jobs finished by this process, by kind and result (stored, already-stored, retrying, gave-up, abandoned)',
      labelNames: ['kind', 'result'],
      registers,
    });
    this.postCallAudio = new Counter({
      name: 'hookscribe_stt_postcall_audio_seconds_total',
      help: 'Seconds of call audio transcribed after the call by this process (throughput)',
      labelNames: ['kind'],
      registers,
    });
    this.postCallJobDuration = new Histogram({
      name: 'hookscribe_stt_postcall_job_seconds',
      help: 'Wall time of one post-call job',
      labelNames: ['kind'],
      buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
      registers,
    });
    // idle is 0, not absent: every known series exists from the start
    for (const endpoint of ['monitor', 'transcription'])
      for (const cause of ['over-capacity', 'preempted', 'engine']) this.notLive.inc({ endpoint, cause }, 0);
    for (const kind of ['recover', 'accurate']) {
      this.postCallAudio.inc({ kind }, 0);
      for (const result of ['stored', 'already-stored', 'retrying', 'gave-up', 'abandoned'])
        this.postCallJobs.inc({ kind, result }, 0);
    }
  }
}
