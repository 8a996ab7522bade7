import { TranscriptRedactor, type ConversationStore } from '@hookscribe/conversations';
import type { OpenMessage } from '@hookscribe/audiohook';
import { CallEngineChoice, FallbackEngine, ScriptedEngine } from '@hookscribe/speech';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { callPipeline } from '../src/pipeline/call-pipeline.js';
import { SessionEventHub, type CallControl, type CallInfo } from '../src/session-events.js';

const S = 8000;

function callInfo(sessionId: string, customConfig: Record<string, unknown>): CallInfo {
  return {
    sessionId,
    conversationId: '1f3e52b0-6a4e-4d53-9a8f-2b8f2e9d7c11',
    organizationId: 'd7934305-0972-4844-938e-9060eef73d05',
    correlationId: 'e160e428-53e2-487c-977d-96989bf5c99d',
    participant: { id: '6b0a5c1e-1f2b-4c8e-9d3a-0e5f6a7b8c9d', ani: '', aniName: '', dnis: '' },
    media: { type: 'audio', format: 'PCMU', channels: ['external'], rate: 8000 },
    language: 'en-US',
    endpoint: '/api/v1/audiohook/ws',
    profile: 'monitor',
    isProbe: false,
    startPaused: false,
    openedAt: new Date().toISOString(),
    customConfig,
  };
}

/** a store that accepts every write: this test is about which engine transcribes */
const acceptingStore = new Proxy({}, { get: () => () => Promise.resolve() }) as ConversationStore;

const control: CallControl = {
  sendEvent: () => true,
  pause: () => true,
  resume: () => true,
  disconnect: () => true,
};

describe('per-call engine choice in the call pipeline', () => {
  it('transcribes a call that names an allowlisted engine with it, every other call with the defaults', async () => {
    const embedded = new ScriptedEngine({ name: 'embedded' });
    const realtime = new ScriptedEngine({ name: 'realtime' });
    const defaults = [new FallbackEngine({ engines: [embedded] })];
    const choice = new CallEngineChoice(
      defaults,
      new Map([['realtime', [new FallbackEngine({ engines: [realtime, embedded] })]]]),
    );
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const hub = new SessionEventHub({ logger: log, waitTimeoutMs: 5000 });
    const engineOf = new Map<string, string>();
    const { subscriber } = callPipeline({
      engines: defaults,
      engineChoice: choice,
      transcriber: {},
      store: acceptingStore,
      redactor: new TranscriptRedactor([]),
      onTranscript: (call, event) => engineOf.set(call.sessionId, event.engine),
    });
    subscriber(hub);
    const calls = [
      callInfo('00000000-0000-4000-8000-000000000001', { sttEngine: 'Realtime' }),
      callInfo('00000000-0000-4000-8000-000000000002', {}),
      callInfo('00000000-0000-4000-8000-000000000003', { sttEngine: 'azure' }),
    ];
    const tone = new Int16Array(S).map((_, i) => Math.round(8000 * Math.sin(i / 3)));
    for (const call of calls) {
      hub.emit('opened', { call, open: {} as OpenMessage, control, log });
      // quiet, a tone, quiet: speech to the VAD, whose noise floor is the quiet part
      [new Int16Array(S), tone, new Int16Array(S)].forEach((pcm, i) =>
        hub.emit('audio', {
          call,
          channels: [pcm],
          raw: new Uint8Array(0),
          mulaw: null,
          samples: pcm.length,
          startSample: i * S,
        }),
      );
      await hub.emitAndWait('closing', { call, reason: 'end', atSample: 3 * S });
    }
    expect(Object.fromEntries(engineOf)).toEqual({
      [calls[0]!.sessionId]: 'realtime',
      [calls[1]!.sessionId]: 'embedded',
      [calls[2]!.sessionId]: 'embedded',
    });
    expect(lines.find((l) => l.msg === 'customConfig.sttEngine not allowlisted')).toMatchObject({
      sttEngine: { requested: 'azure', allowed: ['realtime'] },
    });
  });
});
