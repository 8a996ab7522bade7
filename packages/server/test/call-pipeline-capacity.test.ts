/**
 * The call pipeline with live capacity (issue 13), on a real SessionEventHub with the scripted engine and an
 * in-memory store: calls beyond capacity and preempted Monitor calls are stored "transcript pending" with the reason
 * and handed to post-call transcription as incomplete; admitted calls are transcribed live and complete.
 */
import { randomUUID } from 'node:crypto';
import { SqliteConversationStore, TranscriptRedactor } from '@hookscribe/conversations';
import { ScriptedEngine } from '@hookscribe/speech';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { callPipeline, type LiveTranscriptOutcome } from '../src/pipeline/call-pipeline.js';
import { LiveDecodeCapacity } from '../src/pipeline/live-capacity.js';
import { SessionEventHub, type CallControl, type CallInfo } from '../src/session-events.js';
import { concat, noise, silence } from '../../speech/test/support/fixtures.js';

const log = pino({ level: 'silent' });
const control: CallControl = {
  sendEvent: () => true,
  pause: () => true,
  resume: () => true,
  disconnect: () => true,
};

function callOf(profile: 'monitor' | 'transcription'): CallInfo {
  return {
    sessionId: randomUUID(),
    conversationId: randomUUID(),
    organizationId: randomUUID(),
    correlationId: 'corr',
    participant: { id: randomUUID(), ani: 'tel:+1555', aniName: 'A', dnis: 'tel:+1800' },
    media: { type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: 8000 },
    language: 'en-US',
    endpoint: profile === 'monitor' ? '/api/v1/audiohook/ws' : '/api/v1/voicetranscription/ws',
    profile,
    isProbe: false,
    startPaused: false,
    openedAt: new Date().toISOString(),
    customConfig: {},
  } as CallInfo;
}

/** 0.5 s of loud noise on both channels (the scripted engine hears a word in it), then 1.5 s of silence */
function speech(): Int16Array[] {
  const pcm = concat(silence(4000), noise(4000, -12), silence(12000));
  return [pcm, pcm.slice()];
}

describe('call pipeline with live capacity', () => {
  const stores: SqliteConversationStore[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });

  it('admits what fits, a connector call preempts a Monitor call, the rest is transcript pending', async () => {
    const store = new SqliteConversationStore({ path: ':memory:' });
    stores.push(store);
    const capacity = new LiveDecodeCapacity(2);
    const ended = new Map<string, LiveTranscriptOutcome>();
    const notLive: string[] = [];
    const pipeline = callPipeline({
      engines: [new ScriptedEngine()],
      transcriber: {},
      store,
      redactor: new TranscriptRedactor([]),
      capacity,
      onNotLive: (call, reason) => notLive.push(`${call.profile}: ${reason}`),
      onCallEnded: (call, outcome) => ended.set(call.sessionId, outcome),
    });
    const hub = new SessionEventHub({ logger: log, waitTimeoutMs: 10_000 });
    pipeline.subscriber(hub);
    const open = (call: CallInfo) => hub.emit('opened', { call, open: {} as never, control, log });
    const end = async (call: CallInfo) => {
      await hub.emitAndWait('closing', { call, reason: 'end', atSample: 20000 });
      await hub.emitAndWait('ended', { call, outcome: 'closed', atSample: 20000, endedAt: new Date() });
    };

    const monitor = callOf('monitor');
    const connector = callOf('transcription');
    const late = callOf('monitor');
    open(monitor);
    expect(capacity.inUse).toBe(2);
    open(connector); // full: takes the Monitor call's slots
    open(late); // full, and a Monitor call preempts nobody
    expect(capacity.inUse).toBe(2);
    for (const call of [monitor, connector, late]) {
      const channels = speech();
      const samples = channels[0]!.length;
      hub.emit('audio', { call, channels, raw: new Uint8Array(0), mulaw: null, samples, startSample: 0 });
    }
    for (const call of [monitor, connector, late]) await end(call);

    expect(notLive).toEqual([
      `monitor: live capacity taken by Transcription Connector call ${connector.sessionId}`,
      'monitor: live capacity full: 2 of 2 channels decoding, the call needs 2',
    ]);
    expect(ended.get(connector.sessionId)).toEqual({ complete: true, reason: null });
    expect(ended.get(monitor.sessionId)).toMatchObject({
      complete: false,
      reason: expect.stringMatching(/taken by/),
    });
    expect(ended.get(late.sessionId)).toMatchObject({
      complete: false,
      reason: expect.stringMatching(/full/),
    });
    expect(capacity.inUse).toBe(0);

    const stored = async (call: CallInfo) => (await store.getConversation(call.sessionId))!;
    expect((await stored(connector)).transcription).toMatchObject({ status: 'live', reason: null });
    expect((await stored(connector)).transcript.length).toBeGreaterThan(0);
    expect((await stored(monitor)).transcription).toMatchObject({
      status: 'pending',
      reason: expect.stringMatching(/taken by/),
    });
    expect((await stored(late)).transcription).toMatchObject({ status: 'pending', version: 'live' });
    expect((await stored(late)).transcript).toEqual([]);
    expect((await stored(late)).state).toBe('ended');
  });

  it('does not decode the audio of a call over capacity (reading channels is the decode)', async () => {
    const store = new SqliteConversationStore({ path: ':memory:' });
    stores.push(store);
    const pipeline = callPipeline({
      engines: [new ScriptedEngine()],
      transcriber: {},
      store,
      redactor: new TranscriptRedactor([]),
      capacity: new LiveDecodeCapacity(2),
    });
    const hub = new SessionEventHub({ logger: log, waitTimeoutMs: 10_000 });
    pipeline.subscriber(hub);
    const admitted = callOf('monitor');
    const over = callOf('monitor');
    const decoded = new Map<string, number>();
    for (const call of [admitted, over]) {
      hub.emit('opened', { call, open: {} as never, control, log });
      decoded.set(call.sessionId, 0);
      const pcm = speech();
      hub.emit('audio', {
        call,
        raw: new Uint8Array(0),
        startSample: 0,
        get channels() {
          decoded.set(call.sessionId, decoded.get(call.sessionId)! + 1);
          return pcm;
        },
      });
    }
    expect(decoded.get(admitted.sessionId)).toBeGreaterThan(0);
    expect(decoded.get(over.sessionId)).toBe(0);
    for (const call of [admitted, over]) {
      await hub.emitAndWait('closing', { call, reason: 'end', atSample: 20000 });
      await hub.emitAndWait('ended', { call, outcome: 'closed', atSample: 20000, endedAt: new Date() });
    }
  });
});
