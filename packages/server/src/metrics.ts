/**
 * Prometheus metrics of one server instance (own registry, so several instances can live in one process in tests).
 * Label values are bounded: endpoint paths from the fixed route table, outcomes and reasons from closed enums.
 */
import type { AuthFailureReason } from '@hookscribe/audiohook';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CallOutcome } from './session-events.js';

const CALL_OUTCOMES = [
  'closed',
  'dropped',
  'unauthorized',
  'error',
] as const satisfies readonly CallOutcome[];
const AUTH_FAILURE_REASONS = [
  'missing-headers',
  'unknown-key',
  'unsigned',
  'malformed-signature',
  'missing-components',
  'keyid-mismatch',
  'unsupported-alg',
  'missing-nonce',
  'replayed-nonce',
  'expired',
  'not-yet-valid',
  'bad-signature',
] as const satisfies readonly AuthFailureReason[];
const UPGRADE_REJECTION_REASONS = ['not-found', 'draining', 'capacity'] as const;

export interface ReceiveTally {
  frames: number;
  bytes: number;
}

export class ServerMetrics {
  readonly registry = new Registry();

  readonly sessionsActive = new Gauge({
    name: 'hookscribe_sessions_active',
    help: 'AudioHook WebSocket sessions currently connected',
    labelNames: ['endpoint'] as const,
    registers: [this.registry],
  });
  readonly sessionsTotal = new Counter({
    name: 'hookscribe_sessions_total',
    help: 'AudioHook sessions ended, by outcome (closed, dropped, error, unauthorized)',
    labelNames: ['endpoint', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly probesTotal = new Counter({
    name: 'hookscribe_probes_total',
    help: 'Connection probes (nil conversation id) answered',
    labelNames: ['endpoint'] as const,
    registers: [this.registry],
  });
  readonly framesReceived = new Counter({
    name: 'hookscribe_frames_received_total',
    help: 'WebSocket messages received from clients',
    labelNames: ['endpoint', 'kind'] as const,
    registers: [this.registry],
    collect: () => this.flushReceiveTallies(),
  });
  readonly bytesReceived = new Counter({
    name: 'hookscribe_bytes_received_total',
    help: 'Payload bytes received from clients',
    labelNames: ['endpoint', 'kind'] as const,
    registers: [this.registry],
    collect: () => this.flushReceiveTallies(),
  });
  /** per-frame counting is a hot path: plain numbers here, moved into the counters when scraped */
  private readonly receiveTallies = new Map<string, ReceiveTally & { endpoint: string; kind: string }>();
  readonly authFailures = new Counter({
    name: 'hookscribe_auth_failures_total',
    help: 'Rejected AudioHook upgrade requests and post-upgrade authorisation failures, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly upgradeRejections = new Counter({
    name: 'hookscribe_upgrade_rejections_total',
    help: 'Upgrade requests refused before authentication (not-found, draining, capacity)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly protocolViolations = new Counter({
    name: 'hookscribe_protocol_violations_total',
    help: 'Client protocol violations answered with disconnect, by violation code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly openLatency = new Histogram({
    name: 'hookscribe_open_latency_seconds',
    help: 'Time from receiving `open` to sending `opened`',
    labelNames: ['endpoint'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    registers: [this.registry],
  });
  readonly recordingErrors = new Counter({
    name: 'hookscribe_recording_errors_total',
    help: 'Recording write failures (the call continues without the affected file)',
    labelNames: ['file'] as const,
    registers: [this.registry],
  });
  readonly subscriberFailures = new Counter({
    name: 'hookscribe_session_subscriber_failures_total',
    help: 'Session event handlers that threw, rejected or timed out',
    labelNames: ['event', 'kind'] as const,
    registers: [this.registry],
  });

  /** The tally a connection increments for every frame it receives (flushed into the counters on scrape). */
  receiveTally(endpoint: string, kind: 'text' | 'binary'): ReceiveTally {
    const key = `${endpoint}\n${kind}`;
    let tally = this.receiveTallies.get(key);
    if (!tally) {
      tally = { endpoint, kind, frames: 0, bytes: 0 };
      this.receiveTallies.set(key, tally);
    }
    return tally;
  }

  private flushReceiveTallies(): void {
    for (const tally of this.receiveTallies.values()) {
      const labels = { endpoint: tally.endpoint, kind: tally.kind };
      if (tally.frames) this.framesReceived.inc(labels, tally.frames);
      if (tally.bytes) this.bytesReceived.inc(labels, tally.bytes);
      tally.frames = 0;
      tally.bytes = 0;
    }
  }

  constructor() {
    // includes nodejs_eventloop_lag_seconds and the event-loop delay percentiles
    collectDefaultMetrics({ register: this.registry });
  }

  /**
   * Gives every known label set a series at 0, so an idle server reports "0 sessions" rather than nothing (a
   * dashboard or alert on an absent series cannot tell idle from broken).
   */
  initialiseSeries(endpointPaths: readonly string[]): void {
    for (const endpoint of endpointPaths) {
      this.sessionsActive.set({ endpoint }, 0);
      this.probesTotal.inc({ endpoint }, 0);
      this.openLatency.zero({ endpoint });
      for (const outcome of CALL_OUTCOMES) this.sessionsTotal.inc({ endpoint, outcome }, 0);
      for (const kind of ['text', 'binary'] as const) {
        this.framesReceived.inc({ endpoint, kind }, 0);
        this.bytesReceived.inc({ endpoint, kind }, 0);
      }
    }
    for (const reason of [...AUTH_FAILURE_REASONS, 'org-mismatch']) this.authFailures.inc({ reason }, 0);
    for (const reason of UPGRADE_REJECTION_REASONS) this.upgradeRejections.inc({ reason }, 0);
  }
}
