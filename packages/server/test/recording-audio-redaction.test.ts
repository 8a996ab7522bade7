/**
 * Post-call audio redaction: the bytes under the masked words (plus margin) are silenced or toned over in the WAV —
 * after subtracting the paused/discarded spans the WAV does not hold — and nothing else changes; the sidecar and
 * the conversation carry the report. Then through the uploader into an encrypted filesystem store and into Blob
 * (Azurite): the stored copy is the redacted one.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWavHeader, mulawEncodeSample } from '@hookscribe/audiohook';
import {
  AzureBlobRecordingStore,
  FilesystemRecordingStore,
  RecordingUploader,
  SqliteConversationStore,
  parseRecordingKeys,
  type RecordingStore,
  type TranscriptSegment,
} from '@hookscribe/conversations';
import {
  maskSidecarTranscripts,
  redactRecordingAudio,
  redactedSpans,
} from '../src/recording/recording-audio-redaction.js';
import {
  openCustomConfigOf,
  parseSidecarText,
  recordingSecondsOf,
  streamGapsOfSidecar,
} from '../src/recording/recording-sidecar.js';
import { ProtocolLogWriter } from '../src/recording/protocol-log-writer.js';
import { startAzurite } from '../../conversations/test/support/services-azurite.js';
import { summary } from './api-fixture.js';

const RATE = 8000;
const SECONDS = 10;
const HEADER = buildWavHeader({ format: 'PCMU', channels: 2, sampleRate: RATE }, 0).length;

/** A stereo PCMU WAV whose every byte is 0x12 (not silence), like the recorder writes it. */
function writeCallWav(path: string): Buffer {
  const data = Buffer.alloc(RATE * 2 * SECONDS, 0x12);
  const file = Buffer.concat([
    Buffer.from(buildWavHeader({ format: 'PCMU', channels: 2, sampleRate: RATE }, data.length)),
    data,
  ]);
  writeFileSync(path, file);
  return file;
}

/** "my card is [redacted] [redacted] thanks" with the masked words at 4.0–4.5 s and 4.6–5.0 s (stream time) */
function cardSegment(): TranscriptSegment {
  const word = (text: string, offset: number, duration: number, redacted = false) => ({
    text,
    offset,
    duration,
    confidence: 0.9,
    ...(redacted ? { redacted: true } : {}),
  });
  return {
    id: randomUUID(),
    channel: 0,
    role: 'customer',
    text: 'my card is [redacted] [redacted] thanks',
    words: [
      word('my', 3, 0.2),
      word('card', 3.2, 0.3),
      word('is', 3.6, 0.2),
      word('[redacted]', 4, 0.5, true),
      word('[redacted]', 4.6, 0.4, true),
      word('thanks', 6, 0.4),
    ],
    offset: 3,
    duration: 3.4,
    confidence: 0.9,
    isFinal: true,
    language: 'en-US',
    engine: 'test',
  };
}

/** The sidecar of a call that was paused 1.0–3.0 s on the stream timeline (2 s not in the WAV). */
function writeSidecar(path: string): void {
  writeFileSync(
    path,
    JSON.stringify({
      call: {},
      messages: [
        { at: 'x', direction: 'in', message: { type: 'paused', parameters: {} } },
        {
          at: 'x',
          direction: 'in',
          message: { type: 'resumed', parameters: { start: 'PT1S', discarded: 'PT2S' } },
        },
      ],
      ended: {},
    }),
  );
}

describe('redacted spans and timeline gaps', () => {
  it('widens masked words by the margin and merges what overlaps', () => {
    expect(redactedSpans([cardSegment()], 0.25)).toEqual([{ start: 3.75, end: 5.25, reason: 'redaction' }]);
    expect(redactedSpans([cardSegment()], 0)).toEqual([
      { start: 4, end: 4.5, reason: 'redaction' },
      { start: 4.6, end: 5, reason: 'redaction' },
    ]);
    expect(redactedSpans([{ ...cardSegment(), words: [] }], 0.25)).toEqual([]);
  });

  it('reads the paused and discarded spans of the sidecar; ignores malformed ones', () => {
    expect(
      streamGapsOfSidecar({
        messages: [
          {
            direction: 'in',
            message: { type: 'discarded', parameters: { start: 'PT5S', discarded: 'PT0.5S' } },
          },
          { direction: 'in', message: { type: 'resumed', parameters: { start: 'PT1S', discarded: 'PT2S' } } },
          {
            direction: 'in',
            message: { type: 'resumed', parameters: { start: 'bogus', discarded: 'PT2S' } },
          },
          {
            direction: 'out',
            message: { type: 'resumed', parameters: { start: 'PT9S', discarded: 'PT2S' } },
          },
        ],
      }),
    ).toEqual([
      { kind: 'paused', start: 1, length: 2 },
      { kind: 'discarded', start: 5, length: 0.5 },
    ]);
    expect(streamGapsOfSidecar(null)).toEqual([]);
    expect(streamGapsOfSidecar({ messages: 'not a list' })).toEqual([]);
    expect(streamGapsOfSidecar({ messages: [null, 7] })).toEqual([]);
  });

  it('reads the gaps of a finalised sidecar, and of one a crash left unclosed, as the writer writes them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookscribe-sidecar-'));
    try {
      const path = join(dir, 'call.json');
      const writer = new ProtocolLogWriter(path, { call: { id: 'c' } }, (err) => {
        throw err;
      });
      const at = new Date('2026-01-01T00:00:00Z');
      const customConfig = { sttPhrases: ['Contoso'] };
      writer.append('in', JSON.stringify({ type: 'open', parameters: { customConfig } }), at);
      writer.append('in', JSON.stringify({ type: 'paused', position: 'PT1S' }), at);
      writer.append(
        'in',
        JSON.stringify({ type: 'resumed', parameters: { start: 'PT1S', discarded: 'PT2S' } }),
        at,
      );
      writer.append('in', 'not json', at);
      writer.append(
        'in',
        JSON.stringify({ type: 'discarded', parameters: { start: 'PT5S', discarded: 'PT1S' } }),
        at,
      );
      await writer.finalize({ outcome: 'closed' });
      const text = readFileSync(path, 'utf8');
      const expected = [
        { kind: 'paused', start: 1, length: 2 },
        { kind: 'discarded', start: 5, length: 1 },
      ];
      expect(streamGapsOfSidecar(parseSidecarText(text))).toEqual(expected);
      // cut inside the `ended` summary, and cut inside the last message
      const unclosed = text.slice(0, text.indexOf('],"ended"') + 4);
      expect(streamGapsOfSidecar(parseSidecarText(unclosed))).toEqual(expected);
      const cutMidMessage = text.slice(0, text.lastIndexOf('"discarded":') + 5);
      expect(streamGapsOfSidecar(parseSidecarText(cutMidMessage))).toEqual(expected.slice(0, 1));
      // the call's customConfig (its phrase hints) from the `open`, closed or not
      expect(openCustomConfigOf(parseSidecarText(text))).toEqual(customConfig);
      expect(openCustomConfigOf(parseSidecarText(unclosed))).toEqual(customConfig);
      expect(openCustomConfigOf({ messages: [{ direction: 'in', message: { type: 'open' } }] })).toBeNull();
      expect(
        openCustomConfigOf({
          messages: [{ direction: 'in', message: { type: 'open', parameters: { customConfig: ['x'] } } }],
        }),
      ).toBeNull();
      expect(openCustomConfigOf(null)).toBeNull();
      expect(parseSidecarText('')).toEqual({ messages: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('maps stream time to recording time: the gaps before a moment are not in the file', () => {
    const gaps = [
      { kind: 'paused' as const, start: 1, length: 2 },
      { kind: 'discarded' as const, start: 5, length: 0.5 },
    ];
    expect(recordingSecondsOf(0.5, gaps)).toBe(0.5);
    expect(recordingSecondsOf(2, gaps)).toBe(1); // inside the pause: where the file resumes
    expect(recordingSecondsOf(4, gaps)).toBe(2);
    expect(recordingSecondsOf(6, gaps)).toBe(3.5);
  });
});

describe('the sidecar copy of the transcripts sent to Genesys', () => {
  const transcriptEvent = (data: Record<string, unknown>) => ({
    at: 'x',
    direction: 'out',
    message: { type: 'event', parameters: { entities: [{ type: 'transcript', data }] } },
  });
  const token = (value: string, offset: number) => ({
    type: 'word',
    value,
    confidence: 0.9,
    offset: `PT${offset}S`,
    duration: 'PT0.3S',
  });

  it('masks the tokens inside the spans and rebuilds the text; a token-less transcript over a span goes whole', () => {
    const sidecar = {
      messages: [
        transcriptEvent({
          offset: 'PT3S',
          duration: 'PT2S',
          alternatives: [
            {
              confidence: 0.9,
              interpretations: [
                {
                  type: 'display',
                  transcript: 'card 4111 1111',
                  tokens: [token('card', 3.2), token('4111', 4), token('1111', 4.6)],
                },
              ],
            },
          ],
        }),
        transcriptEvent({
          offset: 'PT4S',
          duration: 'PT1S',
          alternatives: [{ confidence: 0.5, interpretations: [{ type: 'display', transcript: '4111 11' }] }],
        }),
        transcriptEvent({
          offset: 'PT8S',
          duration: 'PT1S',
          alternatives: [{ confidence: 0.5, interpretations: [{ type: 'display', transcript: 'thanks' }] }],
        }),
        { at: 'x', direction: 'in', message: { type: 'ping', parameters: {} } },
      ],
    };
    expect(maskSidecarTranscripts(sidecar, [{ start: 3.75, end: 5.25, reason: 'redaction' }])).toBe(2);
    const text = JSON.stringify(sidecar);
    expect(text).not.toContain('4111');
    expect(text).toContain('"transcript":"card [redacted] [redacted]"');
    expect(text).toContain('"transcript":"thanks"');
  });
});

describe('post-call audio redaction of a recording', () => {
  let dir: string;
  let store: SqliteConversationStore;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hookscribe-audio-redaction-'));
    store = new SqliteConversationStore({ path: ':memory:' });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function callWithCard() {
    const id = randomUUID();
    await store.upsertConversation(summary(id));
    await store.appendSegment(id, cardSegment());
    const wavPath = join(dir, `${id}.wav`);
    const jsonPath = join(dir, `${id}.json`);
    const original = writeCallWav(wavPath);
    writeSidecar(jsonPath);
    return { id, conversationId: id, wavPath, jsonPath, original };
  }

  /** byte range of stream seconds [a, b) in the WAV, after the 2 s pause at 1 s */
  const bytesOf = (a: number, b: number) => [HEADER + (a - 2) * RATE * 2, HEADER + (b - 2) * RATE * 2];

  it('silences exactly the masked span (stream time minus the pause) on both channels, nothing else', async () => {
    const call = await callWithCard();
    const report = await redactRecordingAudio(call, { store, method: 'silence', marginSeconds: 0.25 });
    expect(report).toMatchObject({ method: 'silence', marginSeconds: 0.25 });
    expect(report?.spans).toEqual([{ start: 3.75, end: 5.25, reason: 'redaction' }]);

    const after = readFileSync(call.wavPath);
    const [from, to] = bytesOf(3.75, 5.25);
    expect(after.length).toBe(call.original.length);
    expect(after.subarray(from, to).every((byte) => byte === 0xff)).toBe(true); // µ-law silence
    expect(after.subarray(0, from).equals(call.original.subarray(0, from))).toBe(true);
    expect(after.subarray(to).equals(call.original.subarray(to))).toBe(true);

    const sidecar = JSON.parse(readFileSync(call.jsonPath, 'utf8'));
    expect(sidecar.audioRedaction).toEqual(report);
    expect(sidecar.messages).toHaveLength(2);
    const conversation = await store.getConversation(call.id);
    expect(conversation?.recordingRedaction).toEqual(report);
    expect((await store.listEvents(call.id)).map((e) => e.event.type)).toEqual(['recording_redacted']);

    // a second run (restart) changes nothing and reports nothing new
    expect(await redactRecordingAudio(call, { store, method: 'silence', marginSeconds: 0.25 })).toBeNull();
    expect(readFileSync(call.wavPath).equals(after)).toBe(true);
  });

  it('tone: the span carries a 1 kHz tone instead of silence', async () => {
    const call = await callWithCard();
    await redactRecordingAudio(call, { store, method: 'tone', marginSeconds: 0 });
    const after = readFileSync(call.wavPath);
    const [from] = bytesOf(4, 4.5);
    // frame 2 of a 1 kHz tone at 8 kHz is the sine's peak (sample index 2 → sin(π/2))
    const frame = (from - HEADER) / 2; // stereo µ-law: 2 bytes per frame
    const peakFrame = frame + ((2 - (frame % 8) + 8) % 8);
    expect(after[HEADER + peakFrame * 2]).toBe(mulawEncodeSample(3277));
    expect(after[HEADER + peakFrame * 2 + 1]).toBe(mulawEncodeSample(3277));
    expect(after.subarray(from, from + 16).some((byte) => byte === 0x12)).toBe(false);
  });

  it('a call without masked words is left as it was, with no report', async () => {
    const id = randomUUID();
    await store.upsertConversation(summary(id));
    await store.appendSegment(id, { ...cardSegment(), words: [], text: 'hello' });
    const wavPath = join(dir, `${id}.wav`);
    const original = writeCallWav(wavPath);
    expect(
      await redactRecordingAudio(
        { conversationId: id, wavPath, jsonPath: null },
        { store, method: 'silence', marginSeconds: 0.25 },
      ),
    ).toBeNull();
    expect(readFileSync(wavPath).equals(original)).toBe(true);
    expect((await store.getConversation(id))?.recordingRedaction).toBeUndefined();
  });

  describe.each([
    [
      'the filesystem store, encrypted at rest',
      async () => {
        const root = join(dir, `store-${randomUUID()}`);
        const keyring = parseRecordingKeys(`k:${randomBytes(32).toString('base64')}`);
        return {
          recordings: new FilesystemRecordingStore(root, { keyring }) as RecordingStore,
          stop: async () => undefined,
        };
      },
    ],
    [
      'Azure Blob (Azurite)',
      async () => {
        const azurite = await startAzurite();
        return {
          recordings: new AzureBlobRecordingStore({
            connectionString: azurite.connectionString,
            container: 'rec',
          }) as RecordingStore,
          stop: () => azurite.destroy(),
        };
      },
    ],
  ])('through the uploader into %s', (_name, open) => {
    let target: { recordings: RecordingStore; stop: () => Promise<void> };
    beforeAll(async () => {
      target = await open();
    });
    afterAll(async () => {
      await target?.stop();
    });

    it('the stored recording and sidecar are the redacted ones', async () => {
      const call = await callWithCard();
      const uploader = new RecordingUploader({
        store: target.recordings,
        conversations: store,
        prepare: async (job) => {
          await redactRecordingAudio(job, { store, method: 'silence', marginSeconds: 0.25 });
        },
      });
      const key = `2026-11-20/${call.id}`;
      await uploader.enqueue({
        conversationId: call.id,
        key,
        wavPath: call.wavPath,
        jsonPath: call.jsonPath,
      });
      const read = await target.recordings.get(key);
      const chunks: Buffer[] = [];
      for await (const chunk of read!.stream) chunks.push(chunk as Buffer);
      const stored = Buffer.concat(chunks);
      const [from, to] = bytesOf(3.75, 5.25);
      expect(stored.length).toBe(call.original.length);
      expect(stored.subarray(from, to).every((byte) => byte === 0xff)).toBe(true);
      expect(stored.subarray(HEADER, from).every((byte) => byte === 0x12)).toBe(true);
      const sidecar = await target.recordings.get(key, undefined, 'sidecar');
      const text: Buffer[] = [];
      for await (const chunk of sidecar!.stream) text.push(chunk as Buffer);
      expect(JSON.parse(Buffer.concat(text).toString()).audioRedaction.spans).toHaveLength(1);
    });
  });
});
