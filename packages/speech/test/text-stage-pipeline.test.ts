import { describe, expect, it } from 'vitest';
import { eventEntitySchema, parseDuration, type TranscriptEntityData } from '@hookscribe/audiohook';
import { TranscriptEntityBuilder } from '../src/connector/transcript-entity-builder.js';
import type { EngineCapabilities } from '../src/engine.js';
import { ScriptedEngine, type ScriptedWord } from '../src/engines/scripted-engine.js';
import { CallTranscriber } from '../src/pipeline/call-transcriber.js';
import type { TranscriptEvent } from '../src/pipeline/transcript-event.js';

const S = 8000;

/** "that will be forty nine dollars on march third", one word every 0.4 s from 1 s */
const SPOKEN = 'that will be forty nine dollars on march third'.split(' ');
const SCRIPT: ScriptedWord[] = SPOKEN.map((text, i) => ({
  text,
  startSample: S + i * 0.4 * S,
  durationSamples: 0.3 * S,
  confidence: 0.9 - i * 0.05,
}));

/** one call, customer channel only speaking, through the CallTranscriber; returns its finals */
async function transcribe(
  options: { formatText?: boolean; capabilities?: Partial<EngineCapabilities> } = {},
): Promise<TranscriptEvent[]> {
  const finals: TranscriptEvent[] = [];
  const transcriber = new CallTranscriber({
    engines: [
      new ScriptedEngine({
        mode: 'script',
        script: [{ words: SCRIPT }],
        capabilities: { endpointing: true, ...options.capabilities },
      }),
    ],
    ...(options.formatText === undefined ? {} : { formatText: options.formatText }),
    onTranscript: (event) => {
      if (event.type === 'final') finals.push(event);
    },
  });
  await transcriber.handle({ type: 'opened', media: { channels: ['external'] }, language: 'en-US' });
  await transcriber.handle({ type: 'audio', channels: [new Int16Array(6 * S)], startSample: 0 });
  await transcriber.handle({ type: 'closing', atSample: 6 * S });
  return finals;
}

describe('the text stage in the pipeline', () => {
  it('sends Genesys the display text with tokens that span their spoken words (Transcription Connector)', async () => {
    const finals = await transcribe();
    expect(finals).toHaveLength(1);
    const entities = new TranscriptEntityBuilder().build(finals[0]!);
    expect(entities).toHaveLength(1);
    expect(eventEntitySchema.safeParse(entities[0]).success).toBe(true);
    const data = entities[0]!.data as TranscriptEntityData;
    const display = data.alternatives[0]!.interpretations[0]!;
    expect(display.transcript).toBe('That will be $49 on March 3.');
    const tokens = display.tokens!;
    expect(tokens.map((t) => t.value)).toEqual(['That', 'will', 'be', '$49', 'on', 'March', '3.']);
    expect(display.transcript).toBe(tokens.map((t) => t.value).join(' '));
    const offsets = tokens.map((t) => parseDuration(t.offset));
    const ends = tokens.map((t, i) => offsets[i]! + parseDuration(t.duration));
    // "$49" starts with "forty" (word 3) and ends with "dollars" (word 5), at its lowest confidence ("dollars")
    expect(offsets[3]).toBeCloseTo(SCRIPT[3]!.startSample / S, 6);
    expect(ends[3]).toBeCloseTo((SCRIPT[5]!.startSample + SCRIPT[5]!.durationSamples) / S, 6);
    expect(tokens[3]!.confidence).toBeCloseTo(SCRIPT[5]!.confidence!, 6);
    // absolute, strictly increasing, non-overlapping, inside the utterance
    const start = parseDuration(data.offset!);
    const end = start + parseDuration(data.duration!);
    for (let i = 0; i < tokens.length; i++) {
      expect(offsets[i]).toBeGreaterThanOrEqual(start);
      expect(ends[i]).toBeLessThanOrEqual(end + 1e-6);
      if (i > 0) expect(offsets[i]).toBeGreaterThanOrEqual(ends[i - 1]!);
    }
    // the recogniser's words stay available in-process
    expect(finals[0]!.rawText).toBe(SPOKEN.join(' '));
  });

  it('leaves the words alone with HOOKSCRIBE_STT_TEXT_FORMAT=off (formatText: false)', async () => {
    const [final] = await transcribe({ formatText: false });
    expect(final!.text).toBe(SPOKEN.join(' '));
    expect(final!.words.map((w) => w.text)).toEqual(SPOKEN);
    expect(final!.rawText).toBeUndefined();
  });

  it('leaves an engine that writes display text itself alone (capabilities.displayText)', async () => {
    const [final] = await transcribe({ capabilities: { displayText: true } });
    expect(final!.text).toBe(SPOKEN.join(' '));
    expect(final!.rawText).toBeUndefined();
  });
});
