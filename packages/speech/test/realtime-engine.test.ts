/**
 * The Realtime engine against a local fake of the Realtime API's WebSocket event flow (support/fake-realtime-server):
 * tested against a fake, not the service.
 */
import { AudioFrameEvent, encodeFrame, mulawDecode, mulawEncode } from '@hookscribe/audiohook';
import { createServer, type Socket, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RecognitionResult, SpeechEngine, SpeechStream } from '../src/engine.js';
import { FallbackEngine } from '../src/engines/fallback-engine.js';
import { RealtimeEngine, type RealtimeEngineOptions } from '../src/engines/realtime/realtime-engine.js';
import { parseServerEvent } from '../src/engines/realtime/realtime-events.js';
import { ScriptedEngine } from '../src/engines/scripted-engine.js';
import { CallTranscriber } from '../src/pipeline/call-transcriber.js';
import type { TranscriptEvent } from '../src/pipeline/transcript-event.js';
import { describeEngineContract } from './engine-contract.js';
import { FakeRealtimeServer } from './support/fake-realtime-server.js';
import { concat, loadFixture, noise, silence } from './support/fixtures.js';

const S = 8000;
const CHUNK = 1600;
const server = new FakeRealtimeServer();
beforeAll(() => server.start());
afterAll(() => server.stop());
beforeEach(() => server.reset());

const engine = (options: Partial<RealtimeEngineOptions> = {}) =>
  new RealtimeEngine({ url: server.url, apiKey: 'sk-test', ...options });

describeEngineContract('RealtimeEngine, server_vad (fake Realtime server)', () => Promise.resolve(engine()), {
  speech8k: loadFixture('hello'),
  mulawInput: true,
});
describeEngineContract(
  'RealtimeEngine, segmenter commits (fake Realtime server)',
  () => Promise.resolve(engine({ turnDetection: 'segmenter' })),
  { speech8k: loadFixture('hello'), mulawInput: true },
);
describeEngineContract(
  'FallbackEngine over RealtimeEngine (fake Realtime server)',
  () => Promise.resolve(new FallbackEngine({ engines: [engine()] })),
  { speech8k: loadFixture('hello'), mulawInput: true },
);

/**
 * µ-law as it comes out of an encoder, and its PCM, for the PCM path (write()). 0x7F (µ-law's negative zero) is
 * written as 0xFF: both decode to sample 0, which encodes back as 0xFF, so PCM cannot carry that code; writeMulaw
 * (below) sends it verbatim.
 */
function phoneAudio(pcm: Int16Array): { mulaw: Uint8Array; pcm: Int16Array } {
  const mulaw = mulawEncode(pcm).map((b) => (b === 0x7f ? 0xff : b));
  return { mulaw, pcm: mulawDecode(mulaw) };
}

function writeChunked(stream: SpeechStream, pcm: Int16Array, at: number, each?: (n: number) => void): void {
  for (let offset = 0, n = 0; offset < pcm.length; offset += CHUNK, n++) {
    stream.write(pcm.subarray(offset, Math.min(pcm.length, offset + CHUNK)), at + offset);
    each?.(n);
  }
}

async function run(stream: SpeechStream, feed: () => Promise<void>): Promise<RecognitionResult[]> {
  const results: RecognitionResult[] = [];
  const done = (async () => {
    for await (const r of stream.results()) results.push(r);
  })();
  await feed();
  await stream.close();
  await done;
  return results;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const open = (e: RealtimeEngine, partials = false, language = 'en-US') =>
  e.openStream({ language, sampleRate: 8000, partials });

describe('RealtimeEngine protocol', () => {
  it('opens no connection at start(), one per stream, configured by transcription_session.update', async () => {
    const e = engine({
      model: 'gpt-4o-mini-transcribe',
      prompt: 'Contoso Bank. Vocabulary: IBAN',
      silenceMs: 400,
    });
    await e.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.sessions).toHaveLength(0);
    const stream = open(e, false, 'es-ES');
    await until(() => server.sessions[0]?.settings !== null && server.sessions.length === 1, 'session');
    const session = server.sessions[0]!;
    expect(session.url).toContain('intent=transcription');
    expect(session.headers.authorization).toBe('Bearer sk-test');
    expect(session.headers['openai-beta']).toBe('realtime=v1');
    expect(session.settings).toEqual({
      input_audio_format: 'g711_ulaw',
      input_audio_transcription: {
        model: 'gpt-4o-mini-transcribe',
        language: 'es',
        prompt: 'Contoso Bank. Vocabulary: IBAN',
      },
      turn_detection: {
        type: 'server_vad',
        threshold: 0.5,
        prefix_padding_ms: 300,
        silence_duration_ms: 400,
      },
      input_audio_noise_reduction: { type: 'near_field' },
      include: ['item.input_audio_transcription.logprobs'],
    });
    await stream.close();
    await until(() => server.sessions[0]!.closedByClient, 'close');
  });

  it('uses the api-key header on Azure OpenAI URLs, and Entra ID tokens without a key', async () => {
    const azureUrl = `${server.url}&api-version=2025-04-01-preview&deployment=gpt-4o-transcribe`;
    const keyed = new RealtimeEngine({ url: azureUrl, apiKey: 'azure-key' });
    await keyed.start();
    const a = open(keyed);
    await until(() => server.sessions.length === 1, 'keyed session');
    expect(server.sessions[0]!.headers['api-key']).toBe('azure-key');
    expect(server.sessions[0]!.headers.authorization).toBeUndefined();
    await a.close();

    let issued = 0;
    const entra = new RealtimeEngine({
      url: azureUrl,
      tokenProvider: {
        getToken: () =>
          Promise.resolve({ token: `entra-${++issued}`, expiresOnTimestamp: Date.now() + 3600_000 }),
      },
    });
    expect(entra.auth).toBe('entra');
    await entra.start();
    await entra.start();
    const b = open(entra);
    await until(() => server.sessions.length === 2, 'entra session');
    expect(server.sessions[1]!.headers.authorization).toBe('Bearer entra-1');
    expect(server.sessions[1]!.headers['api-key']).toBeUndefined();
    await b.close();
    await entra.stop();
    await expect(new RealtimeEngine({ url: azureUrl }).start()).rejects.toThrow(/token provider/);
    await expect(new RealtimeEngine({ url: server.url }).start()).rejects.toThrow(/API key/);
  });

  it('sends the µ-law bytes of the frames unchanged, base64 in input_audio_buffer.append', async () => {
    const { mulaw, pcm } = phoneAudio(loadFixture('hello'));
    const stream = open(engine());
    await run(stream, async () => {
      writeChunked(stream, pcm, 0);
      await stream.flush();
    });
    expect(server.sessions).toHaveLength(1);
    expect(Buffer.compare(server.sessions[0]!.audio, Buffer.from(mulaw))).toBe(0);
  });

  it('appends what writeMulaw gets byte for byte, 0x7F included, and keeps it on the stream timeline', async () => {
    const mulaw = clientMulaw(concat(silence(S / 2), loadFixture('hello'), silence(S)), 1);
    expect(mulaw.filter((b) => b === 0x7f).length).toBeGreaterThan(100);
    const stream = open(engine());
    const at = 4 * S;
    const results = await run(stream, async () => {
      for (let offset = 0; offset < mulaw.length; offset += CHUNK) {
        stream.writeMulaw!(mulaw.subarray(offset, offset + CHUNK), at + offset);
      }
      await stream.flush();
    });
    expect(server.sessions).toHaveLength(1);
    expect(server.sessions[0]!.audio.equals(Buffer.from(mulaw))).toBe(true);
    const finals = results.filter((r) => r.isFinal);
    expect(finals.length).toBeGreaterThan(0);
    for (const f of finals) {
      expect(f.startSample).toBeGreaterThanOrEqual(at + S / 2);
      expect(f.startSample + f.durationSamples).toBeLessThanOrEqual(at + mulaw.length);
    }
  });

  it('puts finals on the stream timeline across a pause, with estimated word times inside each turn', async () => {
    const { pcm } = phoneAudio(loadFixture('hello'));
    const resumeAt = 2 * S + pcm.length + 10 * S; // 10 s paused
    const stream = open(engine());
    const results = await run(stream, async () => {
      writeChunked(stream, pcm, 2 * S);
      await stream.flush();
      writeChunked(stream, pcm, resumeAt);
      await stream.flush();
    });
    const finals = results.filter((r) => r.isFinal);
    expect(finals).toHaveLength(2);
    const [first, second] = finals as [RecognitionResult, RecognitionResult];
    expect(first.startSample).toBeGreaterThanOrEqual(2 * S);
    expect(first.startSample + first.durationSamples).toBeLessThanOrEqual(2 * S + pcm.length);
    expect(second.startSample).toBeGreaterThanOrEqual(resumeAt);
    expect(second.startSample + second.durationSamples).toBeLessThanOrEqual(resumeAt + pcm.length);
    for (const final of finals) {
      expect(final.timingsEstimated).toBe(true);
      expect(final.words.map((w) => w.text).join(' ')).toBe(final.text);
      expect(final.confidence).toBeCloseTo(Math.exp(-0.1), 5);
    }
    expect(first.utteranceId).not.toBe(second.utteranceId);
  });

  it('turns deltas into partials of the final’s id only when partials are on', async () => {
    const { pcm } = phoneAudio(loadFixture('two-sentences'));
    for (const partials of [true, false]) {
      const stream = open(engine(), partials);
      const results = await run(stream, async () => {
        writeChunked(stream, pcm, 0);
        await stream.flush();
      });
      const finals = results.filter((r) => r.isFinal);
      const partialResults = results.filter((r) => !r.isFinal);
      expect(finals.length).toBeGreaterThan(0);
      if (!partials) {
        expect(partialResults).toEqual([]);
        continue;
      }
      expect(partialResults.length).toBeGreaterThan(0);
      const ids = new Set(finals.map((f) => f.utteranceId));
      for (const p of partialResults) expect(ids.has(p.utteranceId)).toBe(true);
      // each partial is the complete words so far: a shorter prefix of its final, one more word each time
      for (const p of partialResults) {
        const final = finals.find((f) => f.utteranceId === p.utteranceId)!;
        expect(final.text.startsWith(`${p.text} `)).toBe(true);
      }
      for (const final of finals) {
        const own = partialResults.filter((p) => p.utteranceId === final.utteranceId).map((p) => p.text);
        const words = final.text.split(' ');
        expect(own).toEqual(words.slice(1).map((_, i) => words.slice(0, i + 1).join(' ')));
      }
    }
  });

  it('with segmenter commits: no turn detection, one commit per flush with voice, none for silence', async () => {
    const { pcm } = phoneAudio(loadFixture('hello'));
    const e = engine({ turnDetection: 'segmenter' });
    expect(e.capabilities.endpointing).toBe(false);
    const stream = open(e);
    const results = await run(stream, async () => {
      writeChunked(stream, silence(S), 0);
      await stream.flush();
      writeChunked(stream, pcm, 3 * S);
      await stream.flush();
    });
    const session = server.sessions[0]!;
    expect(session.settings!.turn_detection).toBeNull();
    expect(session.commits).toBe(1);
    const finals = results.filter((r) => r.isFinal);
    expect(finals).toHaveLength(1);
    expect(finals[0]!.startSample).toBeGreaterThanOrEqual(3 * S);
  });
});

describe('RealtimeEngine long calls and failures', () => {
  it('re-sends the audio not yet committed to a new session after a dropped socket, once', async () => {
    const a = phoneAudio(loadFixture('hello'));
    const b = phoneAudio(loadFixture('account'));
    const chunksA = Math.ceil(a.pcm.length / CHUNK);
    server.plan = [{ dropAfterAppends: chunksA + 3 }, {}];
    const stream = open(engine());
    const at = a.pcm.length + S;
    const results = await run(stream, async () => {
      writeChunked(stream, a.pcm, 0);
      await stream.flush();
      // pace the second utterance so the drop lands in the middle of it
      for (let offset = 0; offset < b.pcm.length; offset += CHUNK) {
        stream.write(b.pcm.subarray(offset, Math.min(b.pcm.length, offset + CHUNK)), at + offset);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await stream.flush();
    });
    expect(stream.failed).toBeNull();
    expect(server.sessions).toHaveLength(2);
    // the new session got the second utterance from its start, exactly once
    expect(Buffer.compare(server.sessions[1]!.audio, Buffer.from(b.mulaw))).toBe(0);
    const finals = results.filter((r) => r.isFinal);
    expect(finals).toHaveLength(2);
    expect(finals[1]!.startSample).toBeGreaterThanOrEqual(at);
  });

  it('re-sends a committed turn still waiting for its transcript, under the same utterance id', async () => {
    const { pcm, mulaw } = phoneAudio(loadFixture('hello'));
    server.plan = [{ holdCompletions: true }, {}];
    const stream = open(engine({ turnDetection: 'segmenter' }), true);
    const results = await run(stream, async () => {
      writeChunked(stream, pcm, 4 * S);
      const flushed = stream.flush();
      await until(() => server.sessions[0]?.commits === 1, 'commit');
      await new Promise((resolve) => setTimeout(resolve, 20));
      server.sessions[0]!.socket.terminate();
      await flushed;
    });
    expect(server.sessions).toHaveLength(2);
    expect(server.sessions[1]!.commits).toBe(1);
    expect(Buffer.compare(server.sessions[1]!.audio, Buffer.from(mulaw))).toBe(0);
    const finals = results.filter((r) => r.isFinal);
    expect(finals).toHaveLength(1);
    expect(finals[0]!.startSample).toBeGreaterThanOrEqual(4 * S);
    for (const p of results.filter((r) => !r.isFinal)) expect(p.utteranceId).toBe(finals[0]!.utteranceId);
  });

  it('re-sends and commits again a turn whose commit was never answered before the drop', async () => {
    const { pcm, mulaw } = phoneAudio(loadFixture('hello'));
    server.plan = [{ ignoreCommits: true }, {}];
    const stream = open(engine({ turnDetection: 'segmenter' }));
    const results = await run(stream, async () => {
      writeChunked(stream, pcm, 2 * S);
      const flushed = stream.flush();
      await until(() => server.sessions[0]?.commits === 1, 'commit sent');
      server.sessions[0]!.socket.terminate();
      await flushed;
    });
    expect(server.sessions).toHaveLength(2);
    expect(server.sessions[1]!.commits).toBe(1);
    expect(Buffer.compare(server.sessions[1]!.audio, Buffer.from(mulaw))).toBe(0);
    expect(results.filter((r) => r.isFinal)).toHaveLength(1);
  });

  it('replaces the session before its maximum lifetime at a turn boundary, losing and repeating no audio', async () => {
    let clock = 0;
    const max = 30 * 60_000;
    const a = phoneAudio(loadFixture('hello'));
    const b = phoneAudio(loadFixture('account'));
    const stream = open(engine({ sessionMaxMs: max, now: () => clock }));
    const fed = phoneAudio(concat(a.pcm, silence(S), b.pcm));
    const results = await run(stream, async () => {
      writeChunked(stream, a.pcm, 0);
      await stream.flush();
      clock = max * 0.92; // due, and between turns
      writeChunked(stream, silence(S), a.pcm.length);
      writeChunked(stream, b.pcm, a.pcm.length + S);
      await stream.flush();
    });
    expect(server.sessions).toHaveLength(2);
    expect(server.sessions[0]!.clears).toBe(1);
    expect(Buffer.compare(server.allAudio(), Buffer.from(fed.mulaw))).toBe(0);
    expect(results.filter((r) => r.isFinal)).toHaveLength(2);
    await until(() => server.sessions[0]!.closedByClient, 'old session closed');
  });

  it('cuts a turn by force near the end of the lifetime: the old session commits its half, the new one the rest', async () => {
    let clock = 0;
    const max = 30 * 60_000;
    const { pcm, mulaw } = phoneAudio(loadFixture('two-sentences'));
    const half = Math.floor(pcm.length / CHUNK / 2) * CHUNK;
    const stream = open(engine({ turnDetection: 'segmenter', sessionMaxMs: max, now: () => clock }));
    const results = await run(stream, async () => {
      writeChunked(stream, pcm.subarray(0, half), 0);
      clock = max * 0.98;
      writeChunked(stream, pcm.subarray(half), half);
      await stream.flush();
    });
    expect(server.sessions).toHaveLength(2);
    expect(server.sessions[0]!.commits).toBe(1);
    expect(server.sessions[1]!.commits).toBe(1);
    expect(Buffer.compare(server.allAudio(), Buffer.from(mulaw))).toBe(0);
    const finals = results.filter((r) => r.isFinal);
    expect(finals).toHaveLength(2);
    expect(finals[0]!.startSample + finals[0]!.durationSamples).toBeLessThanOrEqual(half);
    expect(finals[1]!.startSample).toBeGreaterThanOrEqual(half);
  });

  it('after a forced cut, the new session owns everything from the cut: a drop there re-sends all of it', async () => {
    let clock = 0;
    const max = 30 * 60_000;
    const { pcm, mulaw } = phoneAudio(loadFixture('two-sentences'));
    const half = Math.floor(pcm.length / CHUNK / 2) * CHUNK;
    server.plan = [{}, { dropAfterAppends: 3 }, {}];
    const stream = open(engine({ turnDetection: 'segmenter', sessionMaxMs: max, now: () => clock }));
    await run(stream, async () => {
      writeChunked(stream, pcm.subarray(0, half), 0);
      clock = max * 0.98;
      writeChunked(stream, pcm.subarray(half), half);
      await until(() => server.sessions.length === 3, 'the third session');
      await stream.flush();
    });
    expect(stream.failed).toBeNull();
    expect(Buffer.compare(server.sessions[2]!.audio, Buffer.from(mulaw.subarray(half)))).toBe(0);
  });

  it('opens a new session when the service ends one (session_expired) and re-sends what it had not committed', async () => {
    const { pcm, mulaw } = phoneAudio(loadFixture('hello'));
    server.plan = [{ expireAfterAppends: 3 }, {}];
    const stream = open(engine());
    const results = await run(stream, async () => {
      writeChunked(stream, pcm, 0);
      await until(() => server.sessions.length === 2, 'second session');
      await stream.flush();
    });
    expect(stream.failed).toBeNull();
    expect(Buffer.compare(server.sessions[1]!.audio, Buffer.from(mulaw))).toBe(0);
    expect(results.filter((r) => r.isFinal)).toHaveLength(1);
  });

  it('fails the stream on an error event, a refused handshake (429, 401) or reconnects that keep failing', async () => {
    const { pcm } = phoneAudio(loadFixture('hello'));
    const cases: [typeof server.plan, RegExp][] = [
      [
        [{ errorAfterAppends: { appends: 2, code: 'rate_limit_exceeded' } }],
        /error event rate_limit_exceeded/,
      ],
      [[{ refuse: 429 }], /rate limited/],
      [[{ refuse: 401 }], /HTTP 401/],
      [[{ dropAfterAppends: 1 }], /not re-established/],
    ];
    for (const [plan, message] of cases) {
      server.reset();
      server.plan = plan;
      const stream = open(engine({ maxReconnects: 2 }));
      await run(stream, async () => {
        for (let offset = 0; offset < pcm.length && !stream.failed; offset += CHUNK) {
          stream.write(pcm.subarray(offset, offset + CHUNK), offset);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        await until(() => stream.failed !== null, `failure ${message}`);
        await stream.flush();
      });
      expect(stream.failed?.message).toMatch(message);
    }
  });

  it('falls back to the next engine on a service error, with the audio since the last flush replayed', async () => {
    const { pcm } = phoneAudio(loadFixture('hello'));
    server.plan = [{ errorAfterAppends: { appends: 2, code: 'server_error' } }];
    const fallback = new FallbackEngine({ engines: [engine(), new ScriptedEngine({ name: 'embedded' })] });
    await fallback.start();
    const stream = fallback.openStream({ language: 'en-US', sampleRate: 8000, partials: false });
    const results = await run(stream, async () => {
      for (let offset = 0; offset < pcm.length; offset += CHUNK) {
        stream.write(pcm.subarray(offset, offset + CHUNK), offset);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await stream.flush();
    });
    const finals = results.filter((r) => r.isFinal);
    expect(finals.length).toBeGreaterThan(0);
    expect(finals.every((f) => f.engine === 'embedded')).toBe(true);
    expect(finals[0]!.gap).toMatchObject({ fromEngine: 'realtime', toEngine: 'embedded' });
  });
});

describe('RealtimeEngine when the service does not answer', () => {
  it('never blocks writes; a handshake that never completes fails the stream and the fallback carries on', async () => {
    const silent = createServer(() => {}); // accepts TCP, never answers the upgrade
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const sockets = new Set<Socket>();
    silent.on('connection', (socket) => sockets.add(socket));
    try {
      const { port } = silent.address() as AddressInfo;
      const realtime = new RealtimeEngine({
        url: `ws://127.0.0.1:${port}/v1/realtime?intent=transcription`,
        apiKey: 'sk',
        handshakeTimeoutMs: 300,
        maxReconnects: 1,
      });
      const fallback = new FallbackEngine({ engines: [realtime, new ScriptedEngine({ name: 'embedded' })] });
      await fallback.start();
      const stream = fallback.openStream({ language: 'en-US', sampleRate: 8000, partials: false });
      const { pcm } = phoneAudio(loadFixture('hello'));
      const results = await run(stream, async () => {
        writeChunked(stream, pcm, 0); // returns although no socket is open
        await until(
          () => (stream as unknown as { currentEngine: string }).currentEngine === 'embedded',
          'switch',
        );
        await stream.flush();
      });
      const finals = results.filter((r) => r.isFinal);
      expect(finals.length).toBeGreaterThan(0);
      expect(finals.every((f) => f.engine === 'embedded')).toBe(true);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('RealtimeEngine in a call', () => {
  it('connects only once the call is opened, one session per channel, and publishes both channels', async () => {
    const events: TranscriptEvent[] = [];
    const transcriber = new CallTranscriber({
      engines: [engine()],
      onTranscript: (event) => events.push(event),
    });
    const { pcm } = phoneAudio(loadFixture('hello'));
    await transcriber.handle({ type: 'update', language: 'en-US', atSample: 0 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.sessions).toHaveLength(0);
    await transcriber.handle({
      type: 'opened',
      media: { channels: ['external', 'internal'] },
      language: 'en-US',
    });
    await until(() => server.sessions.length === 2, 'two sessions');
    for (let offset = 0; offset < pcm.length; offset += CHUNK) {
      const frame = pcm.subarray(offset, offset + CHUNK);
      await transcriber.handle({ type: 'audio', channels: [frame, frame], startSample: offset });
    }
    await transcriber.handle({ type: 'closing', atSample: pcm.length });
    const finals = events.filter((e) => e.type === 'final');
    expect(finals.map((f) => f.channel).sort()).toEqual([0, 1]);
  });
});

/**
 * µ-law as a client may send it, with many 0x7F codes: µ-law's negative zero, which an encoder writes for samples
 * −1…−3 and which decodes to 0 like 0xFF. PCM cannot carry it (0 encodes as 0xFF): here every other 0xFF of the
 * given parity becomes 0x7F.
 */
function clientMulaw(pcm: Int16Array, parity: 0 | 1): Uint8Array {
  const out = mulawEncode(pcm);
  for (let i = parity; i < out.length; i += 2) if (out[i] === 0xff) out[i] = 0x7f;
  return out;
}

/** the server's frame event, counting how often the transcriber asks it for PCM */
class CountingFrame extends AudioFrameEvent {
  static pcmReads = 0;
  override get channels(): Int16Array[] {
    CountingFrame.pcmReads++;
    return super.channels;
  }
}

const STEREO_PCMU = { format: 'PCMU', channels: ['external', 'internal'] } as const;
const STEREO_L16 = { format: 'L16', channels: ['external', 'internal'] } as const;

/** a stereo call, customer and agent speaking at different times, each with its own 0x7F pattern */
function stereoCall(): { mulaw: [Uint8Array, Uint8Array]; pcm: [Int16Array, Int16Array] } {
  const hello = loadFixture('hello');
  // a quiet line (−60 dBFS) between the words, so the pre-roll bytes differ from one place to the next
  const quiet = (samples: number, seed: number) => noise(samples, -60, seed);
  const customer = clientMulaw(concat(quiet(S / 2, 1), hello, quiet(2 * S, 2)), 0);
  const agent = clientMulaw(concat(quiet(2 * S, 3), hello, quiet(S / 2, 4)), 1);
  return { mulaw: [customer, agent], pcm: [mulawDecode(customer), mulawDecode(agent)] };
}

/** interleaved PCMU frames of 200 ms, as Genesys sends them */
function pcmuFrames(mulaw: [Uint8Array, Uint8Array]): CountingFrame[] {
  const frames: CountingFrame[] = [];
  for (let offset = 0; offset < mulaw[0].length; offset += CHUNK) {
    const [a, b] = mulaw.map((m) => m.subarray(offset, offset + CHUNK)) as [Uint8Array, Uint8Array];
    const raw = new Uint8Array(a.length * 2);
    for (let i = 0; i < a.length; i++) {
      raw[2 * i] = a[i]!;
      raw[2 * i + 1] = b[i]!;
    }
    frames.push(new CountingFrame(raw, offset, STEREO_PCMU));
  }
  return frames;
}

type AudioInput = { type: 'audio'; channels: Int16Array[]; startSample: number };

/** runs a stereo call through a CallTranscriber; returns its finals as (channel, span, text, engine) */
async function transcribeCall(
  engines: SpeechEngine[],
  frames: AudioInput[],
  samples: number,
): Promise<{ finals: TranscriptEvent[]; spans: string[] }> {
  const events: TranscriptEvent[] = [];
  const transcriber = new CallTranscriber({ engines, onTranscript: (event) => events.push(event) });
  await transcriber.handle({
    type: 'opened',
    media: { channels: ['external', 'internal'] },
    language: 'en-US',
  });
  for (const frame of frames) await transcriber.handle(frame);
  await transcriber.handle({ type: 'closing', atSample: samples });
  const finals = events.filter((e) => e.type === 'final');
  const spans = finals
    .map((f) => `${f.channel} ${f.startSample}+${f.durationSamples} ${f.text} (${f.engine})`)
    .sort();
  return { finals, spans };
}

/** the same call as PCM only (no µ-law): the pipeline as it was before µ-law passthrough */
function pcmFrames(pcm: [Int16Array, Int16Array]): AudioInput[] {
  const frames: AudioInput[] = [];
  for (let offset = 0; offset < pcm[0].length; offset += CHUNK) {
    frames.push({
      type: 'audio',
      channels: pcm.map((c) => c.subarray(offset, offset + CHUNK)),
      startSample: offset,
    });
  }
  return frames;
}

/** each append is the channel's bytes verbatim, at increasing positions (segmenter slices: pre-roll, utterances) */
function appendsAreSlicesOf(appends: Buffer[], source: Uint8Array): boolean {
  const whole = Buffer.from(source);
  let cursor = 0;
  for (const piece of appends) {
    const at = whole.indexOf(piece, cursor);
    if (at < 0) return false;
    cursor = at + piece.length;
  }
  return true;
}

describe('RealtimeEngine gets the µ-law of the frames, not a re-encoding', () => {
  it('server_vad: each channel’s bytes reach its session unchanged, no frame is decoded, finals where they were', async () => {
    const call = stereoCall();
    const samples = call.mulaw[0].length;
    const before = await transcribeCall(
      [new FallbackEngine({ engines: [engine()] })],
      pcmFrames(call.pcm),
      samples,
    );
    server.reset();

    CountingFrame.pcmReads = 0;
    const after = await transcribeCall(
      [new FallbackEngine({ engines: [engine()] })],
      pcmuFrames(call.mulaw),
      samples,
    );
    expect(CountingFrame.pcmReads).toBe(0);
    expect(server.sessions).toHaveLength(2);
    for (const channel of call.mulaw) {
      expect(channel.includes(0x7f)).toBe(true);
      expect(server.sessions.filter((s) => s.audio.equals(Buffer.from(channel)))).toHaveLength(1);
    }
    expect(after.finals.map((f) => f.channel).sort()).toEqual([0, 1]);
    expect(after.spans).toEqual(before.spans);
  });

  it('segmenting chain (realtime, then embedded): the segmenter’s slices are the frames’ bytes, finals where they were', async () => {
    const chain = () => [
      new FallbackEngine({ engines: [engine(), new ScriptedEngine({ name: 'embedded' })] }),
    ];
    const call = stereoCall();
    const samples = call.mulaw[0].length;
    const before = await transcribeCall(chain(), pcmFrames(call.pcm), samples);
    const pcmPath = server.sessions.map((s) => s.audio);
    server.reset();

    const after = await transcribeCall(chain(), pcmuFrames(call.mulaw), samples);
    expect(server.sessions).toHaveLength(2);
    const [customer, agent] = call.mulaw;
    const ofCustomer = server.sessions.filter((s) => appendsAreSlicesOf(s.appends, customer));
    const ofAgent = server.sessions.filter((s) => appendsAreSlicesOf(s.appends, agent));
    expect(ofCustomer).toHaveLength(1);
    expect(ofAgent).toHaveLength(1);
    expect(ofCustomer[0]).not.toBe(ofAgent[0]);
    for (const session of server.sessions) {
      // only utterances (and pre-roll) were sent, the quiet 0x7F bytes of the pre-roll among them
      expect(session.audio.length).toBeLessThan(samples);
      expect(session.audio.includes(0x7f)).toBe(true);
    }
    // the same cuts as the PCM path, whose bytes differ only where it turned 0x7F into 0xFF
    const normalised = server.sessions.map((s) => Buffer.from(s.audio.map((b) => (b === 0x7f ? 0xff : b))));
    expect(normalised.map((b) => b.toString('hex')).sort()).toEqual(
      pcmPath.map((b) => b.toString('hex')).sort(),
    );
    expect(after.finals.map((f) => f.engine)).toEqual(after.finals.map(() => 'realtime'));
    expect(after.spans).toEqual(before.spans);
  });

  it('falls back to a PCM engine mid-call: it hears the decoded µ-law, replay included, finals where they would be', async () => {
    // the fallback endpoints too, so the pipeline does not segment and the FallbackEngine decodes for it
    const embedded = () => new ScriptedEngine({ name: 'embedded', capabilities: { endpointing: true } });
    const call = stereoCall();
    const samples = call.mulaw[0].length;
    const alone = await transcribeCall(
      [new FallbackEngine({ engines: [embedded()] })],
      pcmFrames(call.pcm),
      samples,
    );

    server.plan = [{ errorAfterAppends: { appends: 3, code: 'server_error' } }];
    const chain = [new FallbackEngine({ engines: [engine(), embedded()] })];
    const after = await transcribeCall(chain, pcmuFrames(call.mulaw), samples);
    expect(after.finals.length).toBeGreaterThan(0);
    expect(after.finals.every((f) => f.engine === 'embedded')).toBe(true);
    for (const channel of [0, 1]) {
      expect(after.finals.find((f) => f.channel === channel)?.gap).toMatchObject({
        fromEngine: 'realtime',
        toEngine: 'embedded',
      });
    }
    expect(after.spans).toEqual(alone.spans);
  });

  it('L16 calls still reach the service, encoded to µ-law from their samples', async () => {
    const { pcm } = stereoCall();
    const frames: AudioFrameEvent[] = [];
    for (let offset = 0; offset < pcm[0].length; offset += CHUNK) {
      const slices = pcm.map((c) => c.subarray(offset, offset + CHUNK));
      frames.push(new AudioFrameEvent(encodeFrame(slices, 'L16'), offset, STEREO_L16));
    }
    const { finals } = await transcribeCall(
      [new FallbackEngine({ engines: [engine()] })],
      frames,
      pcm[0].length,
    );
    expect(finals.map((f) => f.channel).sort()).toEqual([0, 1]);
    for (const channel of pcm) {
      expect(server.sessions.filter((s) => s.audio.equals(Buffer.from(mulawEncode(channel))))).toHaveLength(
        1,
      );
    }
  });
});

describe('Realtime server events', () => {
  it('ignores frames that are not JSON, of unknown type or with fields of the wrong type', () => {
    expect(parseServerEvent('not json')).toBeNull();
    expect(parseServerEvent('[]')).toBeNull();
    expect(parseServerEvent('{"type":"response.created"}')).toBeNull();
    expect(
      parseServerEvent('{"type":"input_audio_buffer.speech_started","item_id":"i","audio_start_ms":"9"}'),
    ).toBeNull();
    expect(
      parseServerEvent('{"type":"conversation.item.input_audio_transcription.completed","item_id":"i"}'),
    ).toBeNull();
    expect(
      parseServerEvent(
        '{"type":"conversation.item.input_audio_transcription.delta","item_id":"i","delta":"hi"}',
      ),
    ).toEqual({ type: 'conversation.item.input_audio_transcription.delta', item_id: 'i', delta: 'hi' });
  });
});

describe('RealtimeEngine Entra ID tokens', () => {
  it('renews the token 5 minutes before it expires, and new connections use the renewed one', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let clock = 1_000_000;
      let issued = 0;
      const e = new RealtimeEngine({
        url: `${server.url}&api-version=2025-04-01-preview`,
        now: () => clock,
        tokenProvider: {
          getToken: () => Promise.resolve({ token: `t${++issued}`, expiresOnTimestamp: clock + 60 * 60_000 }),
        },
      });
      await e.start();
      expect(e.headers().authorization).toBe('Bearer t1');
      clock += 54 * 60_000;
      await vi.advanceTimersByTimeAsync(54 * 60_000);
      expect(e.headers().authorization).toBe('Bearer t1');
      clock += 60_000;
      await vi.advanceTimersByTimeAsync(60_000);
      expect(issued).toBe(2);
      expect(e.headers().authorization).toBe('Bearer t2');
      await e.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
