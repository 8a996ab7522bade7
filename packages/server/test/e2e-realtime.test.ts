/**
 * Issue 17 end to end: the built server with the realtime engine allowlisted next to the embedded default, against
 * the local fake of the Realtime API (tested against a fake, not the service). A call whose customConfig names
 * `realtime` streams both channels to it and gets its transcripts back through the Transcription Connector; a call
 * that names nothing stays on the embedded engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeRealtimeServer } from '../../speech/test/support/fake-realtime-server.js';
import { buildProductOnce } from './support/e2e-build.js';
import { demoCall, runSim, startServer, stopAll } from './support/e2e-stack.js';

buildProductOnce();
const fake = new FakeRealtimeServer();
beforeAll(() => fake.start());
afterAll(async () => {
  await stopAll();
  await fake.stop();
}, 60_000);

const FAKE_WORDS = new Set(['hello', 'world', 'this', 'is', 'a', 'test', 'call']);

describe('end to end, realtime engine chosen per call', () => {
  it('customConfig {"sttEngine": "realtime"} streams the call to the Realtime API; other calls keep the default engine', async () => {
    const server = await startServer({
      HOOKSCRIBE_STT_ENGINE_ALLOWLIST: 'realtime',
      HOOKSCRIBE_REALTIME_URL: fake.url,
      HOOKSCRIBE_REALTIME_KEY: 'sk-e2e',
    });
    const chosen = await runSim(server, '/api/v1/voicetranscription/ws', [
      '--wav',
      demoCall('address-change'),
      '--language',
      'en-US',
      '--custom-config',
      JSON.stringify({ sttEngine: 'realtime' }),
      '--timeout',
      '90',
    ]);
    expect(chosen.violations).toEqual([]);
    expect(chosen.exitCode).toBe(0);
    expect(fake.sessions).toHaveLength(2); // one per channel
    for (const session of fake.sessions) {
      expect(session.headers.authorization).toBe('Bearer sk-e2e');
      expect(session.settings).toMatchObject({
        input_audio_format: 'g711_ulaw',
        input_audio_transcription: { model: 'gpt-4o-transcribe', language: 'en' },
      });
      expect(session.audio.length).toBeGreaterThan(8000);
    }
    const finals = chosen.transcripts.filter((t) => t.isFinal);
    expect(new Set(finals.map((t) => t.channelId))).toEqual(new Set([0, 1]));
    // the fake's "recognition" came back through the Transcription Connector (cased and punctuated by the text
    // stage: the chain has the embedded engine behind the realtime one, so it is not display-form as a whole)
    for (const final of finals) {
      const words = final.text
        .toLowerCase()
        .split(/[^a-z]+/)
        .filter(Boolean);
      expect(words.length).toBeGreaterThan(0);
      for (const word of words) expect(FAKE_WORDS.has(word)).toBe(true);
    }

    const other = await runSim(server, '/api/v1/voicetranscription/ws', [
      '--wav',
      demoCall('address-change'),
      '--language',
      'en-US',
      '--timeout',
      '90',
    ]);
    expect(other.exitCode).toBe(0);
    expect(fake.sessions).toHaveLength(2); // no new Realtime session
    expect(other.transcripts.some((t) => t.isFinal)).toBe(true);
    expect(await server.stop()).toBe(0);
  }, 240_000);
});
