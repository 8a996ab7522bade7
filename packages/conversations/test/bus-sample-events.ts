/** Sample conversation events for bus, outbox and schema tests: one of each type. */
import { randomUUID } from 'node:crypto';
import type { ConversationEvent, ConversationSummary, TranscriptSegment } from '../src/events.js';
import { computeCallMetrics } from '../src/analytics/call-metrics.js';

export function sampleSummary(id: string, overrides: Partial<ConversationSummary> = {}): ConversationSummary {
  return {
    id,
    conversationId: `conv-${id}`,
    organizationId: 'org-1',
    correlationId: 'corr-1',
    endpoint: 'monitor',
    ani: 'tel:+14155550100',
    aniName: 'Ada Caller',
    dnis: 'tel:+18005550199',
    participantId: 'part-1',
    media: { format: 'PCMU', channels: ['external', 'internal'], rate: 8000 },
    language: 'en-US',
    startedAt: '2026-11-24T03:00:00.000Z',
    endedAt: null,
    state: 'active',
    closeReason: null,
    recording: null,
    ...overrides,
  };
}

export function sampleSegment(isFinal: boolean, text = 'my card number is redacted'): TranscriptSegment {
  return {
    id: randomUUID(),
    channel: 0,
    role: 'customer',
    text,
    words: text.split(' ').map((w, i) => ({ text: w, offset: 1 + i * 0.4, duration: 0.35, confidence: 0.9 })),
    offset: 1,
    duration: 0.4 * text.split(' ').length,
    confidence: 0.9,
    isFinal,
    language: 'en-US',
    engine: 'fake',
  };
}

function base(conversationId: string) {
  return { schemaVersion: 1 as const, eventId: randomUUID(), conversationId, time: new Date().toISOString() };
}

/** One event of every type for the given conversation, in a plausible order. */
export function sampleEvents(conversationId = randomUUID()): ConversationEvent[] {
  const summary = sampleSummary(conversationId);
  return [
    { ...base(conversationId), type: 'session_started', data: summary },
    { ...base(conversationId), type: 'partial_transcript', data: sampleSegment(false, 'my card') },
    { ...base(conversationId), type: 'transcript_available', data: sampleSegment(true) },
    {
      ...base(conversationId),
      type: 'assist_update',
      data: {
        mode: 'local',
        sentiment: { segmentId: 's1', role: 'customer', score: -0.4, label: 'negative', trend: -0.1 },
        alerts: [
          { id: 'a1', rule: 'escalation', severity: 'warning', text: 'asks for a manager', segmentId: 's1' },
        ],
      },
    },
    {
      ...base(conversationId),
      type: 'recording_available',
      data: { uri: `file:///data/recordings/${conversationId}.wav`, bytes: 128_044, durationSeconds: 8 },
    },
    {
      ...base(conversationId),
      type: 'transcript_replaced',
      data: { version: 'recovered', reason: 'live capacity full', segments: [] },
    },
    {
      ...base(conversationId),
      type: 'call_metrics',
      data: computeCallMetrics({
        segments: [sampleSegment(true)],
        gaps: [{ kind: 'paused', start: 3, duration: 2 }],
        durationSeconds: 8,
        status: 'final',
      }),
    },
    {
      ...base(conversationId),
      type: 'session_ended',
      data: { ...summary, state: 'ended', endedAt: '2026-11-24T03:05:00.000Z', closeReason: 'end' },
    },
  ];
}

/** `count` transcript events numbered in their text ("n=0", "n=1", …) for ordering checks. */
export function numberedEvents(count: number, conversationId = randomUUID()): ConversationEvent[] {
  return Array.from({ length: count }, (_, n) => ({
    ...base(conversationId),
    type: 'transcript_available' as const,
    data: sampleSegment(true, `n=${n}`),
  }));
}

export function eventNumber(event: ConversationEvent): number {
  if (event.type !== 'transcript_available') return -1;
  return Number(event.data.text.slice(2));
}

/** Poll until `check` is true (no timing assertion: the test timeout is the only bound). */
export async function until(check: () => boolean | Promise<boolean>, what = 'condition'): Promise<void> {
  for (;;) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
    if (process.env.DEBUG_UNTIL) console.log('waiting for', what);
  }
}
