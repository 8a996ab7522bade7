import { describe, expect, it } from 'vitest';
import { DURATION_PATTERN, UUID_PATTERN, type TranscriptEntityData } from '@hookscribe/audiohook';
import { TranscriptEntityBuilder } from '../src/connector/transcript-entity-builder.js';
import type { TranscriptEvent } from '../src/pipeline/transcript-event.js';

const S = 8000;

function event(overrides: Partial<TranscriptEvent> = {}): TranscriptEvent {
  const words = [
    { text: 'My', at: 4.9, len: 0.2, confidence: 0.93 },
    { text: 'name', at: 5.12, len: 0.25, confidence: 1.2 },
    { text: 'is', at: 5.4, len: 0.15, confidence: -0.1 },
    { text: 'John.', at: 5.58, len: 0.34, confidence: 0.88 },
  ].map((w) => ({
    text: w.text,
    startSample: Math.round(w.at * S),
    durationSamples: Math.round(w.len * S),
    offsetSeconds: w.at,
    durationSeconds: w.len,
    confidence: w.confidence,
  }));
  return {
    type: 'final',
    callId: null,
    utteranceId: '5d1c2b7e-3f0a-4c1e-9b8d-7a6f5e4d3c2b',
    channel: 1,
    channelName: 'internal',
    role: 'agent',
    text: 'My name is John.',
    words,
    startSample: 4.9 * S,
    durationSamples: 1.02 * S,
    offsetSeconds: 4.9,
    durationSeconds: 1.02,
    confidence: 0.91,
    language: 'en-US',
    engine: 'scripted',
    ...overrides,
  };
}

const data = (entity: { data: unknown }) => entity.data as TranscriptEntityData;

describe('TranscriptEntityBuilder', () => {
  it('builds the digest §8.3 entity for a final', () => {
    const [entity, ...rest] = new TranscriptEntityBuilder().build(event());
    expect(rest).toEqual([]);
    expect(entity!.type).toBe('transcript');
    expect(data(entity!)).toEqual({
      id: '5d1c2b7e-3f0a-4c1e-9b8d-7a6f5e4d3c2b',
      channelId: 1,
      isFinal: true,
      offset: 'PT4.9S',
      duration: 'PT1.02S',
      alternatives: [
        {
          confidence: 0.91,
          languages: ['en-US'],
          interpretations: [
            {
              type: 'display',
              transcript: 'My name is John.',
              tokens: [
                {
                  type: 'word',
                  value: 'My',
                  confidence: 0.93,
                  offset: 'PT4.9S',
                  duration: 'PT0.2S',
                  language: 'en-US',
                },
                {
                  type: 'word',
                  value: 'name',
                  confidence: 1,
                  offset: 'PT5.12S',
                  duration: 'PT0.25S',
                  language: 'en-US',
                },
                {
                  type: 'word',
                  value: 'is',
                  confidence: 0,
                  offset: 'PT5.4S',
                  duration: 'PT0.15S',
                  language: 'en-US',
                },
                {
                  type: 'word',
                  value: 'John.',
                  confidence: 0.88,
                  offset: 'PT5.58S',
                  duration: 'PT0.34S',
                  language: 'en-US',
                },
              ],
            },
          ],
        },
      ],
    });
  });

  it('drops partials by default and keeps the utterance id when they are enabled', () => {
    const partial = event({ type: 'partial' });
    expect(new TranscriptEntityBuilder().build(partial)).toEqual([]);
    const [entity] = new TranscriptEntityBuilder({ partials: true }).build(partial);
    expect(data(entity!).isFinal).toBe(false);
    expect(data(entity!).id).toBe(partial.utteranceId);
  });

  it('makes colliding token offsets unique and never sends empty text', () => {
    const e = event();
    e.words[1]!.startSample = e.words[0]!.startSample;
    const tokens = data(new TranscriptEntityBuilder().build(e)[0]!).alternatives[0]!.interpretations[0]!
      .tokens!;
    expect(new Set(tokens.map((t) => t.offset)).size).toBe(tokens.length);
    expect(tokens[1]!.offset).toBe('PT4.900125S');
    expect(new TranscriptEntityBuilder().build(event({ text: '  ', words: [] }))).toEqual([]);
  });

  it('estimates tokens for a final without word timings and omits an invalid language code', () => {
    const [entity] = new TranscriptEntityBuilder().build(
      event({
        words: [],
        text: 'hello there',
        startSample: 8000,
        durationSamples: 8000,
        language: 'english',
      }),
    );
    const alternative = data(entity!).alternatives[0]!;
    expect(alternative.languages).toBeUndefined();
    expect(alternative.interpretations[0]!.tokens!.map((t) => [t.value, t.offset, t.duration])).toEqual([
      ['hello', 'PT1S', 'PT0.5S'],
      ['there', 'PT1.5S', 'PT0.5S'],
    ]);
  });

  it('splits a final too large for one message into several valid entities, first keeping the id', () => {
    const words = Array.from({ length: 2000 }, (_, i) => ({
      text: `word${i}`,
      startSample: i * 800,
      durationSamples: 700,
      offsetSeconds: i / 10,
      durationSeconds: 0.0875,
      confidence: 0.8,
    }));
    const big = event({
      words,
      text: words.map((w) => w.text).join(' '),
      startSample: 0,
      durationSamples: 2000 * 800,
    });
    const entities = new TranscriptEntityBuilder().build(big);
    expect(entities.length).toBeGreaterThan(1);
    expect(data(entities[0]!).id).toBe(big.utteranceId);
    const tokens = entities.flatMap((e) => data(e).alternatives[0]!.interpretations[0]!.tokens!);
    expect(tokens).toHaveLength(2000);
    for (const entity of entities) {
      expect(Buffer.byteLength(JSON.stringify(entity))).toBeLessThan(65535 - 160);
      const d = data(entity);
      expect(d.id).toMatch(UUID_PATTERN);
      expect(d.offset).toMatch(DURATION_PATTERN);
      expect(d.alternatives[0]!.interpretations[0]!.transcript.split(' ')).toHaveLength(
        d.alternatives[0]!.interpretations[0]!.tokens!.length,
      );
    }
  });
});
