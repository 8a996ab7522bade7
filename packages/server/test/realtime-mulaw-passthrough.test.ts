/**
 * Issue 17: a PCMU call's µ-law reaches the Realtime API byte for byte. A real server (127.0.0.1, random port) with
 * the call pipeline on the realtime engine, an AudioHook client sending stereo frames, and the local fake of the
 * Realtime API (tested against a fake, not the service) recording every byte appended per session.
 */
import { mulawEncode } from '@hookscribe/audiohook';
import { TranscriptRedactor, type ConversationStore } from '@hookscribe/conversations';
import { FallbackEngine, RealtimeEngine, type TranscriptEvent } from '@hookscribe/speech';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeRealtimeServer } from '../../speech/test/support/fake-realtime-server.js';
import { concat, loadFixture, noise } from '../../speech/test/support/fixtures.js';
import { callPipeline } from '../src/pipeline/call-pipeline.js';
import { connectOk, startTestServer, type TestServer } from './support/audiohook-test-client.js';

const S = 8000;
const FRAME = 1600; // 200 ms per channel

/** a store that accepts every write: this test is about the audio the engine gets */
const acceptingStore = new Proxy({}, { get: () => () => Promise.resolve() }) as ConversationStore;

/**
 * A channel's µ-law as a client may send it: speech in a quiet line, and 0x7F (µ-law's negative zero, decoded to 0
 * like 0xFF) for every other 0xFF, which a decode and re-encode would turn into 0xFF.
 */
function channelMulaw(leadSeconds: number, seed: number): Uint8Array {
  const pcm = concat(
    noise(leadSeconds * S, -60, seed),
    loadFixture('hello'),
    noise((2.5 - leadSeconds) * S, -60, seed + 1),
  );
  const mulaw = mulawEncode(pcm);
  for (let i = seed % 2; i < mulaw.length; i += 2) if (mulaw[i] === 0xff) mulaw[i] = 0x7f;
  return mulaw;
}

describe('µ-law passthrough to the Realtime API through a real server socket', () => {
  const fake = new FakeRealtimeServer();
  const transcripts: TranscriptEvent[] = [];
  let server: TestServer;

  beforeAll(async () => {
    await fake.start();
    const realtime = new RealtimeEngine({ url: fake.url, apiKey: 'sk-test' });
    const pipeline = callPipeline({
      engines: [new FallbackEngine({ engines: [realtime] })], // as configured: a chain of one
      transcriber: { partials: false, defaultLanguage: 'en-US' },
      store: acceptingStore,
      redactor: new TranscriptRedactor([]),
      onTranscript: (_call, event) => transcripts.push(event),
    });
    server = await startTestServer({}, { subscribers: [pipeline.subscriber] });
  });
  afterAll(async () => {
    await server?.stop();
    await fake.stop();
  });

  it('each channel of a stereo PCMU call reaches its session unchanged, 0x7F codes included', async () => {
    const customer = channelMulaw(0.5, 1);
    const agent = channelMulaw(2, 2);
    expect(customer.includes(0x7f) && agent.includes(0x7f)).toBe(true);
    const client = await connectOk({ server, target: '/api/v1/voicetranscription/ws' });
    const opened = await client.open();
    expect(opened.parameters.media).toEqual([
      { type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: 8000 },
    ]);
    for (let offset = 0; offset < customer.length; offset += FRAME) {
      const samples = Math.min(FRAME, customer.length - offset);
      const frame = new Uint8Array(samples * 2);
      for (let i = 0; i < samples; i++) {
        frame[2 * i] = customer[offset + i]!; // external first, as negotiated
        frame[2 * i + 1] = agent[offset + i]!;
      }
      client.audio(frame, samples);
    }
    client.send('close', { reason: 'end' });
    await client.next('closed');
    client.ws.close();
    await client.closed;

    expect(fake.sessions).toHaveLength(2);
    const sessionOf = (bytes: Uint8Array) => fake.sessions.filter((s) => s.audio.equals(Buffer.from(bytes)));
    expect(sessionOf(customer)).toHaveLength(1);
    expect(sessionOf(agent)).toHaveLength(1);
    // and the transcripts came back on the channel that spoke, where it spoke
    const finals = transcripts.filter((t) => t.type === 'final');
    const customerFinal = finals.find((f) => f.channel === 0);
    const agentFinal = finals.find((f) => f.channel === 1);
    expect(customerFinal?.startSample).toBeGreaterThanOrEqual(0.5 * S - 0.3 * S);
    expect(customerFinal!.startSample).toBeLessThan(2 * S);
    expect(agentFinal?.startSample).toBeGreaterThanOrEqual(2 * S - 0.3 * S);
  });
});
