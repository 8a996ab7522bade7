import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import {
  EventSchemaError,
  conversationEventJsonSchema,
  parseConversationEvent,
} from '../src/bus/event-schema.js';
import { sampleEvents } from './bus-sample-events.js';

const published = JSON.parse(
  readFileSync(new URL('../../../docs/events.schema.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(published);

describe('event JSON Schema (docs/events.schema.json)', () => {
  it('is in sync with the runtime schema (regenerate it after changing event-schema.ts)', () => {
    expect(published).toEqual(conversationEventJsonSchema());
  });

  it('accepts one sample event of every type', () => {
    const events = sampleEvents();
    expect(events.map((e) => e.type).sort()).toEqual([
      'assist_update',
      'call_metrics',
      'partial_transcript',
      'recording_available',
      'session_ended',
      'session_started',
      'transcript_available',
      'transcript_replaced',
    ]);
    for (const event of events) {
      expect(validate(event), JSON.stringify(validate.errors)).toBe(true);
      expect(parseConversationEvent(JSON.parse(JSON.stringify(event)))).toEqual(event);
    }
  });

  it('accepts additive fields within a version (forward compatible)', () => {
    const event = { ...sampleEvents()[0]!, traceId: 'abc' };
    expect(validate(event)).toBe(true);
    expect(parseConversationEvent(event)).toMatchObject({ traceId: 'abc' });
  });

  it.each([
    ['another schema version', { schemaVersion: 2 }],
    ['an unknown type', { type: 'call_exploded' }],
    ['no event id', { eventId: undefined }],
    ['data of the wrong shape', { data: { text: 42 } }],
  ])('rejects %s (JSON Schema and runtime agree)', (_what, change) => {
    const event = { ...sampleEvents()[2]!, ...change };
    expect(validate(JSON.parse(JSON.stringify(event)))).toBe(false);
    expect(() => parseConversationEvent(JSON.parse(JSON.stringify(event)))).toThrow(EventSchemaError);
  });
});
