/**
 * Runtime schema of ConversationEvent (events.ts), used to validate events arriving from a transport (Redis, Event
 * Hubs, outbox rows written by another version) and to generate docs/events.schema.json. Objects are "loose":
 * additive fields within a schemaVersion are allowed and passed through, so older consumers keep working.
 */
import { z } from 'zod';
import { EVENT_SCHEMA_VERSION, type ConversationEvent } from '../events.js';

const isoTime = z.string().min(1).describe('ISO-8601 date-time');
const role = z.enum(['customer', 'agent']);

const transcriptWord = z.looseObject({
  text: z.string(),
  offset: z.number().describe('seconds on the stream timeline'),
  duration: z.number(),
  confidence: z.number(),
  redacted: z.boolean().optional().describe('the word was replaced by a redaction marker'),
});

const transcriptSegment = z.looseObject({
  id: z.string().min(1).describe('utterance id, stable from partial to final'),
  channel: z.number().int().nonnegative(),
  role,
  text: z.string(),
  words: z.array(transcriptWord),
  offset: z.number().describe('seconds on the stream timeline'),
  duration: z.number(),
  confidence: z.number(),
  isFinal: z.boolean(),
  language: z.string(),
  engine: z.string(),
});

const conversationSummary = z.looseObject({
  id: z.string().min(1).describe('hookscribe conversation id = AudioHook session id'),
  conversationId: z.string(),
  organizationId: z.string(),
  correlationId: z.string(),
  endpoint: z.enum(['monitor', 'transcription']),
  ani: z.string(),
  aniName: z.string(),
  dnis: z.string(),
  participantId: z.string(),
  media: z.looseObject({ format: z.string(), channels: z.array(z.string()), rate: z.number() }).nullable(),
  language: z.string().nullable(),
  startedAt: isoTime,
  endedAt: isoTime.nullable(),
  state: z.enum(['active', 'ended', 'failed']),
  closeReason: z.string().nullable(),
  recording: z.string().nullable(),
  transcription: z
    .looseObject({
      status: z.enum(['live', 'pending', 'working', 'done', 'failed']),
      reason: z.string().nullable(),
      version: z.enum(['live', 'recovered', 'accurate']),
      updatedAt: isoTime,
    })
    .optional()
    .describe('how the call is transcribed: live, or pending/working/done from its recording'),
});

const transcriptReplaced = z.looseObject({
  version: z.enum(['recovered', 'accurate']),
  reason: z.string().nullable().describe('why the live transcript was replaced'),
  segments: z.array(transcriptSegment).describe('the whole new transcript, final segments by offset'),
});

const recordingAvailable = z.looseObject({
  uri: z.string(),
  bytes: z.number().int().nonnegative(),
  durationSeconds: z.number().nonnegative(),
});

const assistResult = z.looseObject({
  summary: z
    .looseObject({
      issue: z.string(),
      customerNeed: z.string(),
      actions: z.array(z.string()),
      text: z.string(),
      intent: z.string().optional().describe('id of the call reason recognised so far'),
    })
    .optional(),
  sentiment: z
    .looseObject({
      segmentId: z.string(),
      role,
      score: z.number(),
      label: z.enum(['negative', 'neutral', 'positive']),
      trend: z.number(),
    })
    .optional(),
  suggestions: z
    .array(
      z.looseObject({
        id: z.string(),
        title: z.string(),
        excerpt: z.string(),
        source: z.string(),
        score: z.number(),
      }),
    )
    .optional(),
  alerts: z
    .array(
      z.looseObject({
        id: z.string(),
        rule: z.string(),
        severity: z.enum(['info', 'warning', 'critical']),
        text: z.string(),
        segmentId: z.string(),
      }),
    )
    .optional(),
  finalSummary: z.looseObject({ text: z.string(), nextSteps: z.array(z.string()) }).optional(),
  mode: z.enum(['local', 'llm']),
});

const perRole = <T extends z.ZodType>(value: T) => z.looseObject({ customer: value, agent: value });
const span = z.tuple([z.number(), z.number()]).describe('[start, end) seconds on the stream timeline');

const callMetrics = z.looseObject({
  status: z.enum(['live', 'final']),
  computedAt: isoTime,
  durationSeconds: z.number().nonnegative(),
  talkSeconds: perRole(z.number().nonnegative()),
  agentTalkShare: z.number().min(0).max(1).nullable(),
  silenceSeconds: z.number().nonnegative(),
  overtalkSeconds: z.number().nonnegative(),
  interruptions: perRole(z.number().int().nonnegative()),
  longestMonologueSeconds: perRole(z.number().nonnegative()),
  pausedSeconds: z.number().nonnegative(),
  discardedSeconds: z.number().nonnegative(),
  wordsPerMinute: perRole(z.number().nonnegative().nullable()),
  timeToFirstAgentWordSeconds: z.number().nonnegative().nullable(),
  timeline: z.looseObject({
    customer: z.array(span),
    agent: z.array(span),
    overtalk: z.array(span),
    gaps: z.array(
      z.looseObject({
        kind: z.enum(['paused', 'discarded']),
        start: z.number(),
        duration: z.number().nonnegative(),
      }),
    ),
  }),
});

function envelope<T extends string, D extends z.ZodType>(type: T, data: D, description: string) {
  return z
    .looseObject({
      schemaVersion: z.literal(EVENT_SCHEMA_VERSION),
      eventId: z.string().min(1).describe('unique event id (UUID); consumers dedupe on it'),
      type: z.literal(type),
      conversationId: z.string().min(1),
      time: isoTime.describe('ISO-8601 wall-clock time the event was produced'),
      data,
    })
    .describe(description);
}

export const conversationEventSchema = z
  .discriminatedUnion('type', [
    envelope('session_started', conversationSummary, 'A call was opened (never sent for probes).'),
    envelope(
      'partial_transcript',
      transcriptSegment,
      'Interim transcript; replaced later by the final with the same data.id.',
    ),
    envelope('transcript_available', transcriptSegment, 'Final transcript segment (stored).'),
    envelope('recording_available', recordingAvailable, 'The recording is stored at data.uri.'),
    envelope('session_ended', conversationSummary, 'The call ended or failed; data.closeReason says why.'),
    envelope('assist_update', assistResult, 'Agent-assist result (summary, sentiment, suggestions, alerts).'),
    envelope(
      'transcript_replaced',
      transcriptReplaced,
      'A transcript made from the recording after the call replaces the stored one (post-call transcription).',
    ),
    envelope(
      'call_metrics',
      callMetrics,
      'Call metrics (talk time, overtalk, interruptions, pauses…): live as finals arrive, final at call end.',
    ),
  ])
  .describe(`hookscribe conversation event, schemaVersion ${EVENT_SCHEMA_VERSION}`);

// Compile-time guard: the runtime schema's output stays assignable to the agreed TypeScript contract.
type SchemaOutput = z.output<typeof conversationEventSchema>;
const schemaMatchesContract: (e: SchemaOutput) => ConversationEvent = (e) => e;
void schemaMatchesContract;

export class EventSchemaError extends Error {
  override name = 'EventSchemaError';
}

/** Validate an unknown value (e.g. parsed JSON from a transport) as a ConversationEvent. Throws EventSchemaError. */
export function parseConversationEvent(value: unknown): ConversationEvent {
  const result = conversationEventSchema.safeParse(value);
  if (!result.success) {
    throw new EventSchemaError(`invalid conversation event: ${z.prettifyError(result.error)}`);
  }
  return result.data as ConversationEvent;
}

/** The JSON Schema (draft 2020-12) of a conversation event, as published in docs/events.schema.json. */
export function conversationEventJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(conversationEventSchema, { target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://hookscribe.dev/schemas/conversation-event.v${EVENT_SCHEMA_VERSION}.json`,
    title: 'ConversationEvent',
    ...schema,
  };
}
