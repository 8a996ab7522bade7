/** Prometheus metrics of the call pipeline (transcripts, outbox, dependencies), on the server's registry. */
import type { OutboxRelayMetrics } from '@hookscribe/conversations';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class PipelineMetrics {
  readonly transcripts: Counter<'endpoint' | 'kind' | 'engine'>;
  readonly finalLatency: Histogram<'endpoint' | 'engine'>;
  readonly outboxDepth: Gauge;
  readonly busLag: Gauge;
  readonly outboxDelivered: Gauge;
  readonly outboxFailed: Gauge;
  readonly dependencyDegraded: Gauge<'dependency'>;
  private dependencies: (() => Promise<{ name: string; status: string }[]>) | null = null;

  constructor(registry: Registry) {
    const registers = [registry];
    this.transcripts = new Counter({
      name: 'hookscribe_transcripts_total',
      help: 'Transcript results produced, by endpoint, kind (partial/final) and engine',
      labelNames: ['endpoint', 'kind', 'engine'],
      registers,
    });
    this.finalLatency = new Histogram({
      name: 'hookscribe_transcript_final_latency_seconds',
      help: 'From receiving the audio that ends an utterance to its final result (engine and pipeline)',
      labelNames: ['endpoint', 'engine'],
      buckets: [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30],
      registers,
    });
    this.outboxDepth = new Gauge({
      name: 'hookscribe_outbox_depth',
      help: 'Conversation events waiting in the outbox',
      registers,
    });
    this.busLag = new Gauge({
      name: 'hookscribe_bus_lag_seconds',
      help: 'Age of the oldest event of the last delivered batch when the bus accepted it',
      registers,
    });
    this.outboxDelivered = new Gauge({
      name: 'hookscribe_outbox_delivered',
      help: 'Events delivered to the bus since start',
      registers,
    });
    this.outboxFailed = new Gauge({
      name: 'hookscribe_outbox_refused',
      help: 'Event deliveries refused by the bus since start (retried)',
      registers,
    });
    // evaluated at every scrape, so the gauge is current without anyone calling /health
    const dependencies = () => this.dependencies;
    this.dependencyDegraded = new Gauge({
      name: 'hookscribe_dependency_degraded',
      help: '1 while a dependency (store, bus, outbox, recordings) reports degraded',
      labelNames: ['dependency'],
      registers,
      async collect() {
        const source = dependencies();
        if (!source) return;
        for (const d of await source().catch(() => []))
          this.set({ dependency: d.name }, d.status === 'ok' ? 0 : 1);
      },
    });
  }

  /** Series at 0 for every endpoint profile × result kind × configured engine, so idle is 0, not absent. */
  initialiseSeries(engineNames: readonly string[]): void {
    for (const endpoint of ['monitor', 'transcription']) {
      for (const engine of engineNames) {
        for (const kind of ['partial', 'final']) this.transcripts.inc({ endpoint, kind, engine }, 0);
        this.finalLatency.zero({ endpoint, engine });
      }
    }
  }

  /** Report these dependencies' state in `hookscribe_dependency_degraded` at every scrape. */
  watchDependencies(source: () => Promise<{ name: string; status: string }[]>): void {
    this.dependencies = source;
  }

  observeOutbox(m: OutboxRelayMetrics): void {
    this.outboxDepth.set(m.depth);
    this.busLag.set(m.lagMs / 1000);
    this.outboxDelivered.set(m.delivered);
    this.outboxFailed.set(m.failed);
  }
}
