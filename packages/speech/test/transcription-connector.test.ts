import { describe, expect, it } from 'vitest';
import {
  eventEntitySchema,
  parseDuration,
  type EventEntity,
  type TranscriptEntityData,
} from '@hookscribe/audiohook';
import { RateLimitedEventSender } from '../src/connector/rate-limited-event-sender.js';
import { TranscriptEntityBuilder } from '../src/connector/transcript-entity-builder.js';
import { ScriptedEngine } from '../src/engines/scripted-engine.js';
import { CallTranscriber } from '../src/pipeline/call-transcriber.js';
import { FakeClock } from './support/fake-clock.js';
import { concat, loadFixture, silence } from './support/fixtures.js';

const S = 8000;

/** speech spans of a signal, as the compliance tooling would measure them (200 ms pauses split) */
function speechSpans(pcm: Int16Array, at: number): [number, number][] {
  const spans: [number, number][] = [];
  for (let i = 0; i < pcm.length; i += 80) {
    let loud = false;
    for (let j = i; j < Math.min(pcm.length, i + 80); j++) if (Math.abs(pcm[j]!) > 300) loud = true;
    if (!loud) continue;
    const last = spans[spans.length - 1];
    if (last && i + at - last[1] < 0.2 * S) last[1] = i + at + 80;
    else spans.push([i + at, i + at + 80]);
  }
  return spans;
}

describe('Transcription Connector flow (CallTranscriber → TranscriptEntityBuilder → RateLimitedEventSender)', () => {
  it('sends valid finals per channel, each within ±0.5 s of the speech it transcribes, and flushes before closed', async () => {
    const clock = new FakeClock();
    const messages: EventEntity[][] = [];
    const sender = new RateLimitedEventSender({
      send: (entities) => messages.push(entities),
      now: clock.now,
      setTimeout: clock.setTimeout,
      clearTimeout: clock.clearTimeout,
      ratePerSecond: 0.2, // a stingy client: the bucket runs short and finals get batched
      burst: 1,
    });
    const builder = new TranscriptEntityBuilder();
    const transcriber = new CallTranscriber({
      engines: [new ScriptedEngine()],
      partials: true, // published internally, but the connector sends finals only
      onTranscript: (e) => sender.enqueue(builder.build(e)),
    });
    await transcriber.handle({
      type: 'opened',
      media: { channels: ['external', 'internal'] },
      language: 'en-US',
    });
    const external = concat(
      silence(S),
      loadFixture('two-sentences'),
      silence(2 * S),
      loadFixture('hello'),
      silence(S),
    );
    const internal = concat(
      silence(3 * S),
      loadFixture('account'),
      silence(S),
      loadFixture('hello'),
      silence(4 * S),
    );
    const length = Math.max(external.length, internal.length);
    for (let at = 0; at < length; at += 1600) {
      const slice = (pcm: Int16Array) => {
        const out = new Int16Array(1600);
        out.set(pcm.subarray(at, at + 1600));
        return out;
      };
      await transcriber.handle({
        type: 'audio',
        channels: [slice(external), slice(internal)],
        startSample: at,
      });
      clock.advance(200);
    }
    await transcriber.handle({ type: 'closing', atSample: length });
    let flushed = false;
    const flush = sender.flush().then(() => (flushed = true));
    while (!flushed) {
      clock.advance(200);
      await Promise.resolve();
    }
    await flush;

    const entities = messages.flat();
    const data = entities.map((e) => e.data as TranscriptEntityData);
    for (const entity of entities) expect(eventEntitySchema.safeParse(entity).success).toBe(true);
    for (const m of messages)
      expect(Buffer.byteLength(JSON.stringify({ entities: m }))).toBeLessThan(65536 - 160);
    expect(data.every((d) => d.isFinal)).toBe(true);
    expect(new Set(data.map((d) => d.id)).size).toBe(data.length);
    expect(messages.some((m) => m.length > 1)).toBe(true); // the bucket ran short at least once

    for (const [channel, pcm] of [
      [0, external],
      [1, internal],
    ] as const) {
      const spans = speechSpans(pcm, 0);
      const finals = data.filter((d) => d.channelId === channel);
      expect(finals).toHaveLength(spans.length);
      finals.forEach((d, i) => {
        const start = parseDuration(d.offset!);
        const end = start + parseDuration(d.duration!);
        expect(Math.abs(start - spans[i]![0] / S)).toBeLessThanOrEqual(0.5);
        expect(Math.abs(end - spans[i]![1] / S)).toBeLessThanOrEqual(0.5);
        const tokens = d.alternatives[0]!.interpretations[0]!.tokens!;
        expect(tokens.length).toBeGreaterThan(0);
        const offsets = tokens.map((t) => parseDuration(t.offset));
        expect(new Set(offsets).size).toBe(offsets.length);
        expect(offsets[0]).toBeGreaterThanOrEqual(start); // absolute, not relative to the utterance
      });
    }
  });
});
