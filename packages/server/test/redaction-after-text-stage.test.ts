import { describe, expect, it } from 'vitest';
import { TranscriptRedactor, type TranscriptSegment } from '@hookscribe/conversations';
import { CallTranscriber, ScriptedEngine, type TranscriptEvent } from '@hookscribe/speech';
import { transcriptSegmentOf } from '../src/pipeline/call-records.js';

const S = 8000;

/**
 * What the call pipeline stores for one spoken utterance: CallTranscriber (with or without the text stage) →
 * transcriptSegmentOf → TranscriptRedactor, the same steps as call-pipeline.ts.
 */
async function storedSegment(spoken: string, formatText: boolean): Promise<TranscriptSegment> {
  const words = spoken.split(' ').map((text, i) => ({
    text,
    startSample: S + i * 0.3 * S,
    durationSamples: 0.25 * S,
  }));
  const finals: TranscriptEvent[] = [];
  const transcriber = new CallTranscriber({
    engines: [
      new ScriptedEngine({ mode: 'script', script: [{ words }], capabilities: { endpointing: true } }),
    ],
    formatText,
    onTranscript: (event) => {
      if (event.type === 'final') finals.push(event);
    },
  });
  await transcriber.handle({ type: 'opened', media: { channels: ['external'] }, language: 'en-US' });
  const length = words.length * 0.3 * S + 2 * S;
  await transcriber.handle({ type: 'audio', channels: [new Int16Array(length)], startSample: 0 });
  await transcriber.handle({ type: 'closing', atSample: length });
  expect(finals).toHaveLength(1);
  return new TranscriptRedactor(['card']).redact(transcriptSegmentOf(finals[0]!)).segment;
}

const CARD_IN_WORDS = 'my card is four one one one one one one one one one one one one one one one thanks';

/** no digit of the card and no digit word may survive, in the text or in the words */
function expectNoCardLeft(segment: TranscriptSegment): void {
  const everything = [segment.text, ...segment.words.map((w) => w.text)].join(' ');
  expect(everything).not.toMatch(/\d{4}|\b(four|one|eleven|forty)\b/i);
}

describe('redaction sees the text the text stage wrote', () => {
  it('masks a card number spoken in words and shown in digits (stage on)', async () => {
    const segment = await storedSegment(CARD_IN_WORDS, true);
    expect(segment.text).toBe('My card is [redacted:card] thanks.');
    expect(segment.words.map((w) => w.text)).toEqual(['My', 'card', 'is', '[redacted:card]', 'thanks.']);
    // the mask keeps the span of the sixteen spoken digits
    const mask = segment.words[3]!;
    expect(mask.offset).toBeCloseTo(1 + 3 * 0.3, 6);
    expect(mask.offset + mask.duration).toBeCloseTo(1 + 18 * 0.3 + 0.25, 6);
    expectNoCardLeft(segment);
  });

  it('masks the same card number left in words (stage off)', async () => {
    const segment = await storedSegment(CARD_IN_WORDS, false);
    expect(segment.text).toBe('my card is [redacted:card] thanks');
    expect(segment.words.map((w) => w.text)).toEqual(['my', 'card', 'is', '[redacted:card]', 'thanks']);
    expectNoCardLeft(segment);
  });

  it('masks a card number read in pairs, which only the written form makes digits ("forty one eleven …")', async () => {
    const segment = await storedSegment(
      'it is forty one eleven eleven eleven eleven eleven eleven eleven',
      true,
    );
    expect(segment.text).toBe('It is [redacted:card].');
    expectNoCardLeft(segment);
  });
});
