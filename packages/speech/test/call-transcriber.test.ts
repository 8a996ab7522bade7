import { describe, expect, it } from 'vitest';
import { ScriptedEngine } from '../src/engines/scripted-engine.js';
import { CallTranscriber } from '../src/pipeline/call-transcriber.js';
import type { CallInputEvent } from '../src/pipeline/call-input.js';
import type { TranscriberStatus, TranscriptEvent } from '../src/pipeline/transcript-event.js';
import { concat, loadFixture, noise, silence } from './support/fixtures.js';

const S = 8000;
const FRAME = 1600;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function setup(options: Partial<ConstructorParameters<typeof CallTranscriber>[0]> = {}) {
  const transcripts: TranscriptEvent[] = [];
  const statuses: TranscriberStatus[] = [];
  const transcriber = new CallTranscriber({
    engines: [new ScriptedEngine()],
    onTranscript: (e) => transcripts.push(e),
    onStatus: (s) => statuses.push(s),
    callId: 'call-1',
    ...options,
  });
  return { transcriber, transcripts, statuses };
}

const opened = (language: string | null): CallInputEvent => ({
  type: 'opened',
  media: { channels: ['external', 'internal'] },
  language,
});

/** stereo audio in 200 ms frames from `at`; returns the position after it */
async function stream(
  t: CallTranscriber,
  external: Int16Array,
  internal: Int16Array,
  at: number,
): Promise<number> {
  const length = Math.max(external.length, internal.length);
  for (let o = 0; o < length; o += FRAME) {
    const slice = (pcm: Int16Array) => {
      const out = new Int16Array(Math.min(FRAME, length - o));
      out.set(pcm.subarray(o, o + out.length));
      return out;
    };
    await t.handle({ type: 'audio', channels: [slice(external), slice(internal)], startSample: at + o });
  }
  return at + length;
}

const finals = (events: TranscriptEvent[]) => events.filter((e) => e.type === 'final');

describe('CallTranscriber', () => {
  it('transcribes both channels with roles, channel indexes and stream-timeline offsets; closing waits for finals', async () => {
    const { transcriber, transcripts, statuses } = setup();
    await transcriber.handle(opened('en-US'));
    expect(statuses).toEqual([{ type: 'transcribing', language: 'en-US', engine: 'scripted' }]);
    const customer = concat(silence(S), loadFixture('hello'), silence(3 * S));
    const agent = concat(silence(4 * S), loadFixture('account'), silence(S));
    await stream(transcriber, customer, agent, 0);
    expect(transcriber.stats()).toEqual([
      { channel: 0, engine: 'scripted', speaking: false, utterances: 1, droppedSamples: 0 },
      { channel: 1, engine: 'scripted', speaking: false, utterances: 1, droppedSamples: 0 },
    ]);
    await transcriber.handle({ type: 'closing', atSample: agent.length });
    const f = finals(transcripts);
    expect(f.map((e) => [e.channel, e.channelName, e.role])).toEqual([
      [0, 'external', 'customer'],
      [1, 'internal', 'agent'],
    ]);
    expect(f[0]!.offsetSeconds).toBeGreaterThan(1.0);
    expect(f[0]!.offsetSeconds).toBeLessThan(1.2);
    expect(f[1]!.offsetSeconds).toBeGreaterThanOrEqual(3.9);
    expect(f[1]!.offsetSeconds).toBeLessThan(4.2);
    for (const e of f) {
      expect(e.utteranceId).toMatch(UUID_V4);
      expect(e.callId).toBe('call-1');
      expect(e.language).toBe('en-US');
      expect(e.engine).toBe('scripted');
      expect(e.offsetSeconds).toBe(e.startSample / S);
      expect(e.words[0]!.offsetSeconds).toBe(e.words[0]!.startSample / S);
    }
  });

  it('finalises at a pause and reports speech after an 8 s pause at its stream time', async () => {
    const { transcriber, transcripts } = setup();
    await transcriber.handle(opened('en-US'));
    const hello = loadFixture('hello');
    await stream(transcriber, hello.subarray(0, 9600), silence(9600), 0);
    await transcriber.handle({ type: 'paused', atSample: 9600 });
    expect(finals(transcripts)).toHaveLength(1); // utterance in progress was finalised at the pause
    await transcriber.handle({ type: 'resumed', startSample: 9600, discardedSamples: 8 * S });
    const firstWord = hello.findIndex((s) => Math.abs(s) > 300);
    const resumeAt = 9600 + 8 * S;
    const lead = 21 * S - firstWord - resumeAt;
    await stream(transcriber, concat(silence(lead), hello, silence(S)), silence(0), resumeAt);
    await transcriber.handle({ type: 'closing', atSample: 0 });
    const f = finals(transcripts);
    expect(f).toHaveLength(2);
    expect(f[1]!.words[0]!.offsetSeconds).toBeCloseTo(21.0, 1);
  });

  it('reports an unsupported language, ignores audio, and starts when an update brings a supported one', async () => {
    const { transcriber, transcripts, statuses } = setup();
    await transcriber.handle({
      ...opened(null),
      open: { parameters: { language: 'fr-FR' } },
    } as CallInputEvent);
    expect(statuses).toEqual([{ type: 'unsupported-language', language: 'fr-FR', supported: ['en-US'] }]);
    expect(transcriber.activeLanguage).toBeNull();
    let at = await stream(transcriber, concat(loadFixture('hello'), silence(S)), silence(0), 0);
    expect(transcripts).toEqual([]);
    await transcriber.handle({ type: 'update', language: 'EN-us', atSample: at });
    expect(statuses.at(-1)).toEqual({ type: 'transcribing', language: 'EN-us', engine: 'scripted' });
    at = await stream(transcriber, concat(loadFixture('hello'), silence(S)), silence(0), at);
    await transcriber.handle({ type: 'closing', atSample: at });
    expect(finals(transcripts)).toHaveLength(1);
  });

  it('switches engine on a language update, splitting the utterance in progress', async () => {
    const english = new ScriptedEngine({ name: 'en-engine', languages: ['en-US'] });
    const german = new ScriptedEngine({ name: 'de-engine', languages: ['de-DE'] });
    const { transcriber, transcripts } = setup({ engines: [english, german] });
    await transcriber.handle(opened('en-US'));
    const hello = loadFixture('hello');
    let at = await stream(transcriber, hello.subarray(0, 9600), silence(0), 0);
    await transcriber.handle({ type: 'update', language: 'de-DE', atSample: at });
    at = await stream(transcriber, concat(hello.subarray(9600), silence(S)), silence(0), at);
    await transcriber.handle({ type: 'closing', atSample: at });
    const f = finals(transcripts);
    expect(f.map((e) => [e.engine, e.language])).toEqual([
      ['en-engine', 'en-US'],
      ['de-engine', 'de-DE'],
    ]);
    expect(f[0]!.startSample + f[0]!.durationSamples).toBeLessThanOrEqual(9600);
    expect(f[1]!.startSample).toBeGreaterThanOrEqual(9600);
  });

  it('§8.2: an update with the same language splits the utterance at the update position; in silence nothing splits', async () => {
    const { transcriber, transcripts } = setup();
    await transcriber.handle(opened('en-US'));
    const hello = loadFixture('hello');
    let at = await stream(transcriber, hello.subarray(0, 9600), silence(0), 0);
    await transcriber.handle({ type: 'update', language: 'EN-us', atSample: at }); // same language, mid-utterance
    at = await stream(transcriber, concat(hello.subarray(9600), silence(S)), silence(0), at);
    await transcriber.handle({ type: 'update', language: 'en-US', atSample: at }); // in silence
    at = await stream(transcriber, concat(hello, silence(S)), silence(0), at);
    await transcriber.handle({ type: 'closing', atSample: at });
    const f = finals(transcripts);
    expect(f).toHaveLength(3);
    expect(f[0]!.startSample + f[0]!.durationSamples).toBeLessThanOrEqual(9600);
    expect(f[1]!.startSample).toBeGreaterThanOrEqual(9600);
    expect(f[1]!.startSample).toBeLessThan(9600 + 0.2 * S); // the second part starts at the update
    expect(f.map((e) => e.engine)).toEqual(['scripted', 'scripted', 'scripted']);
  });

  it('§8.2: an update naming an unsupported language (null from the session) splits too', async () => {
    const { transcriber, transcripts } = setup();
    await transcriber.handle(opened('en-US'));
    const hello = loadFixture('hello');
    let at = await stream(transcriber, hello.subarray(0, 9600), silence(0), 0);
    await transcriber.handle({ type: 'update', language: null, atSample: at });
    expect(finals(transcripts)).toHaveLength(1);
    at = await stream(transcriber, concat(hello.subarray(9600), silence(S)), silence(0), at);
    await transcriber.handle({ type: 'closing', atSample: at });
    expect(finals(transcripts)).toHaveLength(2);
  });

  it('§8.2: a discarded span inside an utterance gives one final spanning it', async () => {
    const { transcriber, transcripts } = setup();
    await transcriber.handle(opened('en-US'));
    const hello = loadFixture('hello');
    await stream(transcriber, hello.subarray(0, 9600), silence(9600), 0);
    await transcriber.handle({ type: 'discarded', startSample: 9600, discardedSamples: 4000 });
    const at = await stream(
      transcriber,
      concat(hello.subarray(9600), silence(S)),
      silence(hello.length - 9600 + S),
      13600,
    );
    await transcriber.handle({ type: 'closing', atSample: at });
    const f = finals(transcripts);
    expect(f).toHaveLength(1);
    expect(f[0]!.startSample).toBeLessThan(9600);
    expect(f[0]!.startSample + f[0]!.durationSamples).toBeGreaterThan(13600); // the duration includes the gap
  });

  it('publishes partials only when enabled, with the id of their final', async () => {
    const { transcriber, transcripts } = setup({ partials: true });
    await transcriber.handle(opened('en-US'));
    await stream(transcriber, concat(loadFixture('hello'), silence(S)), silence(0), 0);
    await transcriber.close();
    const partials = transcripts.filter((e) => e.type === 'partial');
    expect(partials.length).toBeGreaterThan(0);
    const finalIds = new Set(finals(transcripts).map((e) => e.utteranceId));
    for (const p of partials) expect(finalIds.has(p.utteranceId)).toBe(true);

    const quiet = setup();
    await quiet.transcriber.handle(opened('en-US'));
    await stream(quiet.transcriber, concat(loadFixture('hello'), silence(S)), silence(0), 0);
    await quiet.transcriber.close();
    expect(quiet.transcripts.every((e) => e.type === 'final')).toBe(true);
  });

  it('keeps the call alive when the engine fails, and says transcription is unavailable', async () => {
    const { transcriber, transcripts, statuses } = setup({
      engines: [new ScriptedEngine({ failAfterSamples: 2 * S })],
    });
    await transcriber.handle(opened('en-US'));
    await stream(transcriber, concat(loadFixture('hello'), silence(2 * S)), silence(4 * S), 0);
    await transcriber.handle({ type: 'closing', atSample: 0 });
    expect(transcripts).toEqual([]); // the scripted engine fails before its first final
    const unavailable = statuses.filter((s) => s.type === 'transcription-unavailable');
    expect(unavailable.map((s) => (s as { channel: number }).channel)).toEqual([0]);
  });

  it('resolves closing after flushTimeoutMs when the engine hangs (watchdog)', async () => {
    const { transcriber, statuses } = setup({
      engines: [new ScriptedEngine({ hangAfterSamples: S })],
      flushTimeoutMs: 50,
    });
    await transcriber.handle(opened('en-US'));
    await stream(transcriber, concat(loadFixture('hello'), silence(S)), silence(0), 0);
    await transcriber.handle({ type: 'closing', atSample: 0 });
    expect(statuses.at(-1)).toEqual({ type: 'flush-timeout', pendingChannels: [0, 1] });
  });

  it('produces nothing for a silent or noisy call, nor for a probe', async () => {
    const { transcriber, transcripts } = setup({ engines: [new ScriptedEngine({ speechThresholdDb: -70 })] });
    await transcriber.handle(opened('en-US'));
    await stream(transcriber, noise(30 * S, -35), silence(30 * S), 0);
    await transcriber.handle({ type: 'closing', atSample: 30 * S });
    expect(transcripts).toEqual([]);

    const probe = setup();
    await probe.transcriber.handle({ ...opened('en-US'), isProbe: true } as CallInputEvent);
    await stream(probe.transcriber, loadFixture('hello'), silence(0), 0);
    await probe.transcriber.close();
    expect(probe.transcripts).toEqual([]);
    expect(probe.statuses).toEqual([]);
  });

  it('reports bad audio and keeps transcribing', async () => {
    const { transcriber, transcripts, statuses } = setup();
    await transcriber.handle(opened('en-US'));
    await transcriber.handle({
      type: 'audio',
      channels: [new Float32Array(160) as never, new Int16Array(160)],
      startSample: 0,
    });
    expect(statuses.at(-1)).toMatchObject({ type: 'audio-rejected' });
    await stream(transcriber, concat(loadFixture('hello'), silence(S)), silence(0), 160);
    await transcriber.handle({ type: 'ended', atSample: 0 });
    expect(finals(transcripts)).toHaveLength(1);
    // after the end nothing is taken in any more, without errors
    await transcriber.handle({
      type: 'audio',
      channels: [new Int16Array(160), new Int16Array(160)],
      startSample: 10 * S,
    });
  });

  it('stays bounded over a two-hour stereo call of silence with a pause in the middle', async () => {
    const { transcriber, transcripts } = setup();
    await transcriber.handle(opened('en-US'));
    const frame = [new Int16Array(FRAME), new Int16Array(FRAME)];
    const heapBefore = process.memoryUsage().heapUsed;
    let at = 0;
    for (; at < 2 * 3600 * S; at += FRAME) {
      if (at === 3600 * S) {
        await transcriber.handle({ type: 'paused', atSample: at });
        at += 600 * S; // ten paused minutes
      }
      await transcriber.handle({ type: 'audio', channels: frame, startSample: at });
    }
    const channels = (transcriber as unknown as { channels: { recognizer: { bufferedSamples: number } }[] })
      .channels;
    for (const c of channels) expect(c.recognizer.bufferedSamples).toBeLessThanOrEqual(0.3 * S + 160);
    await transcriber.handle({ type: 'closing', atSample: at });
    expect(transcripts).toEqual([]);
    // two hours of 8 kHz stereo PCM would be 230 MB if anything kept it
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(50 * 1024 * 1024);
  });
});
