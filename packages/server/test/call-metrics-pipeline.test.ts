/**
 * Call metrics in the call pipeline: gaps from paused/resumed/discarded session events, live metrics paced per call,
 * final metrics stored after the end (so the analytics row says "ended") with a call_metrics event in the outbox.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  SqliteConversationStore,
  TranscriptRedactor,
  type TranscriptSegment,
} from '@hookscribe/conversations';
import { CallMetricsTracker } from '../src/pipeline/call-metrics-tracker.js';
import { callPipeline } from '../src/pipeline/call-pipeline.js';
import { SessionEventHub, type CallControl, type CallInfo } from '../src/session-events.js';

const call: CallInfo = {
  sessionId: '30b0e395-84d3-4570-ac13-9a62d8f514c0',
  conversationId: '1f3e52b0-6a4e-4d53-9a8f-2b8f2e9d7c11',
  organizationId: 'd7934305-0972-4844-938e-9060eef73d05',
  correlationId: 'e160e428-53e2-487c-977d-96989bf5c99d',
  participant: {
    id: '6b0a5c1e-1f2b-4c8e-9d3a-0e5f6a7b8c9d',
    ani: 'tel:+1555',
    aniName: '',
    dnis: 'tel:+1800',
  },
  media: { type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: 8000 },
  language: 'en-US',
  endpoint: '/api/v1/audiohook/ws',
  profile: 'monitor',
  isProbe: false,
  startPaused: false,
  openedAt: '2026-05-01T12:00:00.000Z',
  customConfig: {},
};

const control: CallControl = {
  sendEvent: () => false,
  pause: () => false,
  resume: () => false,
  disconnect: () => false,
};

function final(role: 'customer' | 'agent', start: number, seconds: number): TranscriptSegment {
  return {
    id: `${role}-${start}`,
    channel: role === 'customer' ? 0 : 1,
    role,
    text: 'word '.repeat(seconds).trim(),
    words: Array.from({ length: seconds }, (_, i) => ({
      text: 'word',
      offset: start + i,
      duration: 1,
      confidence: 1,
    })),
    offset: start,
    duration: seconds,
    confidence: 1,
    isFinal: true,
    language: 'en-US',
    engine: 'test',
  };
}

describe('call metrics in the call pipeline', () => {
  it('stores final metrics with the paused and discarded spans after the call ended, with a call_metrics event', async () => {
    const store = new SqliteConversationStore({ path: ':memory:' });
    const logger = pino({ level: 'silent' });
    const hub = new SessionEventHub({ logger, waitTimeoutMs: 5_000 });
    const pipeline = callPipeline({
      engines: [],
      transcriber: {},
      store,
      redactor: new TranscriptRedactor([]),
    });
    pipeline.subscriber(hub);
    hub.emit('opened', { call, open: {} as never, control, log: logger });
    // paused at 10 s, resumed having skipped 8 s; 0.5 s discarded at 25 s; ended at 30 s
    hub.emit('paused', { call, atSample: 80_000, serverInitiated: false });
    hub.emit('resumed', { call, startSample: 80_000, discardedSamples: 64_000, atSample: 144_000 });
    hub.emit('discarded', { call, startSample: 200_000, discardedSamples: 4_000 });
    await hub.emitAndWait('ended', {
      call,
      outcome: 'closed',
      atSample: 240_000,
      endedAt: new Date('2026-05-01T12:00:30.000Z'),
    });
    const metrics = await store.getCallMetrics(call.sessionId);
    expect(metrics).toMatchObject({
      status: 'final',
      durationSeconds: 30,
      pausedSeconds: 8,
      discardedSeconds: 0.5,
      silenceSeconds: 21.5,
      timeline: {
        gaps: [
          { kind: 'paused', start: 10, duration: 8 },
          { kind: 'discarded', start: 25, duration: 0.5 },
        ],
      },
    });
    const [row] = (await store.listCallAnalytics({ dnis: 'tel:+1800' })).items;
    expect(row?.conversation.state).toBe('ended');
    const types = (await store.listEvents(call.sessionId)).map((entry) => entry.event.type);
    expect(types).toEqual(['session_started', 'session_ended', 'call_metrics']);
    await store.close();
  });
});

describe('CallMetricsTracker', () => {
  it('paces live metrics per call and ends with final metrics over everything seen', () => {
    let now = 0;
    const tracker = new CallMetricsTracker({ sampleRate: 8000, liveIntervalMs: 5_000, now: () => now });
    tracker.addFinal(final('agent', 1, 4));
    expect(tracker.liveIfDue()).toMatchObject({
      status: 'live',
      durationSeconds: 5,
      talkSeconds: { agent: 4 },
    });
    now = 1_000;
    tracker.addFinal(final('customer', 6, 3));
    expect(tracker.liveIfDue()).toBeNull(); // within the interval
    now = 6_000;
    tracker.audioUpTo(80_000);
    expect(tracker.liveIfDue()).toMatchObject({
      durationSeconds: 10,
      talkSeconds: { customer: 3, agent: 4 },
    });
    tracker.addFinal(final('customer', 6, 3)); // the same final again counts once
    expect(tracker.final(96_000)).toMatchObject({
      status: 'final',
      durationSeconds: 12,
      talkSeconds: { customer: 3, agent: 4 },
      timeToFirstAgentWordSeconds: 1,
    });
  });

  it('a pause still open counts up to the current position', () => {
    const tracker = new CallMetricsTracker({ sampleRate: 8000, liveIntervalMs: 0 });
    tracker.paused(16_000);
    expect(tracker.final(40_000)).toMatchObject({
      pausedSeconds: 3,
      timeline: { gaps: [{ kind: 'paused', start: 2, duration: 3 }] },
    });
  });
});
