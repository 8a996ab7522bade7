/**
 * The privacy services wired as main.ts wires them, over a real server and an AudioHook client: a caller reads out a
 * card number (scripted recognition), the transcript redaction masks it, and when the call ends the recording that
 * reaches the (encrypted) recording store has exactly those spans silenced — the audio redaction waits for the
 * call's finals (pipeline.settled) before the upload — while the rest of the audio is as streamed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { mulawEncodeSample } from '@hookscribe/audiohook';
import {
  FilesystemRecordingStore,
  RecordingUploader,
  SqliteConversationStore,
  TranscriptRedactor,
  parseRecordingKeys,
} from '@hookscribe/conversations';
import { EnergyVad, ScriptedEngine } from '@hookscribe/speech';
import { callPipeline } from '../src/pipeline/call-pipeline.js';
import { createPrivacyServices, privacyConfigFromEnv } from '../src/pipeline/privacy-services.js';
import { recordingKeyFor } from '../src/recording/call-recorder.js';
import { connectOk, startTestServer, type TestServer } from './support/audiohook-test-client.js';

const RATE = 8000;
const at = (seconds: number) => Math.round(seconds * RATE);
const SILENCE = mulawEncodeSample(0);

/**
 * 5 s of stereo µ-law: on the customer channel from 1 s to 4 s a speech-like signal, silence elsewhere and on the
 * agent channel. The tones have a syllable-rate envelope that dips to silence between syllables, as speech does: the
 * energy VAD's noise floor is the quietest frame of the last 2 s, and a signal that never dips becomes that floor
 * (from 3 s on, its frames fell below the VAD's start threshold and the last words were trimmed as padding).
 */
function callAudio(): Uint8Array {
  const frames = 5 * RATE;
  const bytes = new Uint8Array(frames * 2).fill(SILENCE);
  for (let frame = at(1); frame < at(4); frame++) {
    const t = frame / RATE;
    const envelope = Math.abs(Math.sin(2 * Math.PI * 2.5 * t));
    const voice = Math.sin(2 * Math.PI * 220 * t) + 0.5 * Math.sin(2 * Math.PI * 660 * t + 1);
    bytes[frame * 2] = mulawEncodeSample(Math.round(9_000 * envelope * voice));
  }
  return bytes;
}

const word = (text: string, start: number, end: number) => ({
  text,
  startSample: at(start),
  durationSamples: at(end) - at(start),
  confidence: 0.9,
});

describe('privacy services in the call pipeline', () => {
  let server: TestServer;
  let store: SqliteConversationStore;
  let recordings: FilesystemRecordingStore;
  let root: string;
  const pending: Promise<unknown>[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'hookscribe-privacy-pipeline-'));
    store = new SqliteConversationStore({ path: ':memory:' });
    recordings = new FilesystemRecordingStore(join(root, 'store'), {
      keyring: parseRecordingKeys(`k:${randomBytes(32).toString('base64')}`),
    });
    const engine = new ScriptedEngine({
      mode: 'script',
      script: [
        {
          words: [
            word('my', 1.2, 1.4),
            word('card', 1.5, 1.8),
            word('4111', 2.0, 2.4),
            word('1111', 2.5, 2.9),
            word('1111', 3.0, 3.4),
            word('1111', 3.5, 3.9),
          ],
        },
      ],
    });
    // the pipeline's final-segment writes take a while (a remote database under load): the audio redaction must
    // wait for them rather than find an empty transcript
    const slowStore = new Proxy(store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        if (property !== 'appendSegment') return value.bind(target);
        return async (...args: unknown[]) => {
          await new Promise((resolve) => setTimeout(resolve, 300));
          return (value as (...a: unknown[]) => Promise<void>).apply(target, args);
        };
      },
    });
    const pipeline = callPipeline({
      engines: [engine],
      transcriber: { partials: false, defaultLanguage: 'en-US', createVad: () => new EnergyVad() },
      store: slowStore,
      redactor: new TranscriptRedactor(['card']),
    });
    const logger = pino({ level: 'silent' });
    // eslint-disable-next-line prefer-const -- the uploader's prepare step needs the services built after it
    let privacy: ReturnType<typeof createPrivacyServices>;
    const uploader = new RecordingUploader({
      store: recordings,
      conversations: store,
      prepare: (job) => privacy.prepareRecording(job),
    });
    privacy = createPrivacyServices({
      config: privacyConfigFromEnv({}),
      store,
      recordings: uploader,
      recordingKey: (c) => recordingKeyFor(c.id, c.startedAt),
      logger,
      settled: (id) => pipeline.settled(id),
    });
    server = await startTestServer(
      {},
      {
        subscribers: [pipeline.subscriber, privacy.subscriber],
        onRecordingFinalized: (call, recording) => {
          if (recording.wavPath)
            pending.push(
              uploader.enqueue({
                conversationId: call.sessionId,
                key: recordingKeyFor(call.sessionId, call.openedAt),
                wavPath: recording.wavPath,
                jsonPath: recording.jsonPath,
              }),
            );
        },
      },
    );
  });
  afterAll(async () => {
    await server?.stop();
    await store?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it.each([
    ['closed normally', 'close'],
    // a dropped socket: the finals are only flushed at `ended`, concurrently with the recording's finalisation
    ['dropped', 'drop'],
  ])(
    'call %s: the stored recording has the spoken card number silenced, and only that',
    async (_how, end) => {
      pending.length = 0;
      const client = await connectOk({ server, target: '/api/v1/voicetranscription/ws' });
      expect((await client.open()).type).toBe('opened');
      const audio = callAudio();
      for (let offset = 0; offset < audio.length; offset += 320)
        client.audio(audio.subarray(offset, offset + 320), 160);
      if (end === 'close') {
        client.send('close', { reason: 'end' });
        await client.next('closed');
        client.ws.close();
      } else {
        await client.ping(); // every frame has arrived
        client.ws.terminate();
      }
      await client.closed;
      for (;;) {
        if (pending.length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await Promise.all(pending);

      const id = client.ids.sessionId;
      const conversation = await store.getConversation(id);
      const masked = conversation!.transcript.flatMap((s) => s.words).filter((w) => w.redacted);
      expect(masked).toHaveLength(1);
      expect(conversation?.recordingRedaction?.spans).toEqual([
        { start: 1.75, end: 4.15, reason: 'redaction' },
      ]);

      const read = await recordings.get(recordingKeyFor(id, conversation!.startedAt));
      const chunks: Buffer[] = [];
      for await (const chunk of read!.stream) chunks.push(chunk as Buffer);
      const stored = Buffer.concat(chunks);
      const header = stored.length - audio.length;
      const data = stored.subarray(header);
      expect(data.subarray(at(1.75) * 2, at(4.15) * 2).every((byte) => byte === SILENCE)).toBe(true);
      // the sidecar logged the transcript sent to Genesys: its copy is masked like the stored transcript
      const sidecarRead = await recordings.get(
        recordingKeyFor(id, conversation!.startedAt),
        undefined,
        'sidecar',
      );
      const sidecarChunks: Buffer[] = [];
      for await (const chunk of sidecarRead!.stream) sidecarChunks.push(chunk as Buffer);
      const sidecar = Buffer.concat(sidecarChunks).toString();
      expect(sidecar).toContain('"value":"[redacted]"');
      expect(sidecar).toContain('"value":"card"');
      // not a bare toContain('4111'): a random session UUID can hold those digits
      expect(sidecar).not.toMatch(/"(value|transcript)":"[^"]*4111/);
      // "my card" (1.0–1.75 s) is still there, byte for byte
      expect(
        data.subarray(at(1) * 2, at(1.75) * 2).equals(Buffer.from(audio.subarray(at(1) * 2, at(1.75) * 2))),
      ).toBe(true);
      expect(data.subarray(0, at(1) * 2).equals(Buffer.from(audio.subarray(0, at(1) * 2)))).toBe(true);
    },
  );
});
