import { TranscriptRedactor } from '@hookscribe/conversations';
import type { OpenMessage } from '@hookscribe/audiohook';
import { ScriptedEngine, type SpeechStreamOptions } from '@hookscribe/speech';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { callPipeline } from '../src/pipeline/call-pipeline.js';
import { SessionEventHub } from '../src/session-events.js';
import { acceptingControl, acceptingStore, pipelineTestCall } from './support/pipeline-test-call.js';

const S = 8000;

describe('phrase hints (customConfig.sttPhrases) in the call pipeline', () => {
  it("hands each call's valid phrases to its streams, warns about the rest, and transcribes every call", async () => {
    const opened = new Map<string, SpeechStreamOptions['phrases']>();
    const engine = new ScriptedEngine({ name: 'embedded' });
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const hub = new SessionEventHub({ logger: log, waitTimeoutMs: 5000 });
    const transcribed = new Set<string>();
    let current = '';
    const openStream = engine.openStream.bind(engine);
    engine.openStream = (options) => {
      opened.set(current, options.phrases);
      return openStream(options);
    };
    const { subscriber } = callPipeline({
      engines: [engine],
      transcriber: {},
      store: acceptingStore,
      redactor: new TranscriptRedactor([]),
      onTranscript: (call) => transcribed.add(call.sessionId),
    });
    subscriber(hub);
    const calls = [
      pipelineTestCall('00000000-0000-4000-8000-000000000001', {
        sttPhrases: ['Contoso', 42, 'premium plus plan'],
      }),
      pipelineTestCall('00000000-0000-4000-8000-000000000002', {}),
      pipelineTestCall('00000000-0000-4000-8000-000000000003', { sttPhrases: { not: 'a list' } }),
    ];
    const tone = new Int16Array(S).map((_, i) => Math.round(8000 * Math.sin(i / 3)));
    for (const call of calls) {
      current = call.sessionId;
      const callLog = log.child({ sessionId: call.sessionId });
      hub.emit('opened', { call, open: {} as OpenMessage, control: acceptingControl, log: callLog });
      [new Int16Array(S), tone, new Int16Array(S)].forEach((pcm, i) =>
        hub.emit('audio', { call, channels: [pcm], raw: new Uint8Array(0), startSample: i * S }),
      );
      await hub.emitAndWait('closing', { call, reason: 'end', atSample: 3 * S });
    }
    expect(opened.size).toBe(3);
    expect(Object.fromEntries(opened)).toEqual({
      [calls[0]!.sessionId]: ['Contoso', 'premium plus plan'],
      [calls[1]!.sessionId]: undefined,
      [calls[2]!.sessionId]: undefined,
    });
    // bad hints never cost a call its transcript
    expect([...transcribed].sort()).toEqual(calls.map((c) => c.sessionId));
    const warnings = lines.filter((l) => l.msg === 'customConfig.sttPhrases ignored in part');
    expect(warnings).toEqual([
      expect.objectContaining({
        level: 40,
        sessionId: calls[0]!.sessionId,
        sttPhrases: { problems: ['sttPhrases[1] is not a string (number)'], kept: 2 },
      }),
      expect.objectContaining({
        sessionId: calls[2]!.sessionId,
        sttPhrases: { problems: ['sttPhrases must be a string or an array of strings, got object'], kept: 0 },
      }),
    ]);
  });
});
