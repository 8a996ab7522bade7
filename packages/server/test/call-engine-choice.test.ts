import { TranscriptRedactor } from '@hookscribe/conversations';
import type { OpenMessage } from '@hookscribe/audiohook';
import { CallEngineChoice, FallbackEngine, ScriptedEngine } from '@hookscribe/speech';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { callPipeline } from '../src/pipeline/call-pipeline.js';
import { SessionEventHub } from '../src/session-events.js';
import { acceptingControl, acceptingStore, pipelineTestCall } from './support/pipeline-test-call.js';

const S = 8000;

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
      pipelineTestCall('00000000-0000-4000-8000-000000000001', { sttEngine: 'Realtime' }),
      pipelineTestCall('00000000-0000-4000-8000-000000000002', {}),
      pipelineTestCall('00000000-0000-4000-8000-000000000003', { sttEngine: 'azure' }),
    ];
    const tone = new Int16Array(S).map((_, i) => Math.round(8000 * Math.sin(i / 3)));
    for (const call of calls) {
      hub.emit('opened', { call, open: {} as OpenMessage, control: acceptingControl, log });
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
