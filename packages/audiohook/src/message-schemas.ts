/**
 * zod schemas for every AudioHook message, both directions (digest §3, §4, §8.3, §8.4). Client messages: strict on the
 * envelope and the documented parameter types, lenient on unknown members (kept and ignored, MUST 29), and an `open`
 * offer may hold entries we cannot use (checked one by one in media-selection.ts). Server messages: closed objects,
 * exactly the members the protocol defines (digest §7.7).
 */
import { z } from 'zod';
import { DURATION_PATTERN } from './duration.js';
import { UUID_PATTERN } from './uuid.js';

export const LANGUAGE_PATTERN = /^[a-z]{2,3}-[A-Za-z]{2,3}$/;

export const uuidSchema = z.string().regex(UUID_PATTERN, 'not a UUID');
export const durationSchema = z.string().regex(DURATION_PATTERN, 'not a PT<seconds>S duration');
export const languageSchema = z.string().regex(LANGUAGE_PATTERN, 'not a language code like en-US');
export const seqSchema = z.int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const emptyParameters = z.looseObject({});

export const channelNameSchema = z.enum(['external', 'internal']);
const mediaParameterShape = {
  type: z.literal('audio'),
  format: z.enum(['PCMU', 'L16']),
  channels: z
    .array(channelNameSchema)
    .min(1)
    .max(2)
    .refine((c) => new Set(c).size === c.length, 'duplicate channel'),
  rate: z.literal(8000),
};
/** one usable entry of an `open` offer (unknown members tolerated) */
export const mediaParameterSchema = z.looseObject(mediaParameterShape);

export const clientEnvelopeSchema = z.looseObject({
  version: z.literal('2'),
  id: uuidSchema,
  type: z.string().min(1),
  seq: seqSchema,
  serverseq: seqSchema,
  position: durationSchema,
  parameters: z.looseObject({}),
});

export const clientParameterSchemas = {
  open: z.looseObject({
    organizationId: uuidSchema,
    conversationId: uuidSchema,
    participant: z.looseObject({ id: uuidSchema, ani: z.string(), aniName: z.string(), dnis: z.string() }),
    // each entry is checked on its own: an unusable one is skipped, not a reason to refuse the open (§7.7)
    media: z.array(z.unknown()),
    language: languageSchema.optional(),
    supportedLanguages: z.boolean().optional(),
    continuedSessions: z
      .array(z.looseObject({ id: uuidSchema, serverseq: seqSchema, clientseq: seqSchema }))
      .optional(),
    customConfig: z.looseObject({}).optional(),
  }),
  ping: z.looseObject({ rtt: durationSchema.optional() }),
  paused: emptyParameters,
  resumed: z.looseObject({ start: durationSchema, discarded: durationSchema }),
  discarded: z.looseObject({ start: durationSchema, discarded: durationSchema }),
  update: z.looseObject({ language: languageSchema.optional() }),
  error: z.looseObject({
    code: z.int().min(400).max(9999),
    message: z.string(),
    retryAfter: durationSchema.optional(),
  }),
  close: z.looseObject({ reason: z.enum(['end', 'error', 'disconnect', 'reconnect']) }),
} as const;

export type ClientMessageType = keyof typeof clientParameterSchemas;

const confidenceSchema = z.number().min(0).max(1);

// ---- what the server sends: closed (strict) objects. Genesys's client validates every server message against its
// own model and terminates the session on a member it does not know (digest §7.7, AUDIOHOOK-0009), so an unknown
// member here is an error, not something to tolerate.

export const transcriptTokenSchema = z.strictObject({
  type: z.literal('word'),
  value: z.string(),
  confidence: confidenceSchema,
  offset: durationSchema,
  duration: durationSchema,
  language: languageSchema.optional(),
});

export const transcriptEntityDataSchema = z.strictObject({
  id: uuidSchema,
  channelId: z.int().min(0).max(1),
  isFinal: z.boolean(),
  offset: durationSchema.optional(),
  duration: durationSchema.optional(),
  alternatives: z
    .array(
      z.strictObject({
        confidence: confidenceSchema,
        languages: z.array(languageSchema).optional(),
        interpretations: z
          .array(
            z.strictObject({
              type: z.literal('display'),
              transcript: z.string(),
              tokens: z.array(transcriptTokenSchema).optional(),
            }),
          )
          .min(1),
      }),
    )
    .min(1),
});

const faqSuggestionSchema = z.strictObject({
  type: z.literal('faq'),
  id: uuidSchema,
  confidence: confidenceSchema,
  position: durationSchema.optional(),
  question: z.string(),
  answer: z.string(),
});

const articleSuggestionSchema = z.strictObject({
  type: z.literal('article'),
  id: uuidSchema,
  confidence: confidenceSchema,
  position: durationSchema.optional(),
  title: z.string(),
  excerpts: z.array(z.string()),
  documentUri: z.string(),
  metadata: z.record(z.string(), z.string()).optional(),
});

export const agentAssistEntityDataSchema = z.strictObject({
  id: uuidSchema,
  utterances: z
    .array(
      z.strictObject({
        id: uuidSchema,
        position: durationSchema,
        duration: durationSchema.optional(),
        text: z.string(),
        language: z.string(),
        confidence: confidenceSchema,
        channel: channelNameSchema,
        isFinal: z.boolean(),
      }),
    )
    .optional(),
  suggestions: z
    .array(z.discriminatedUnion('type', [faqSuggestionSchema, articleSuggestionSchema]))
    .optional(),
});

/** The two entity types the protocol defines (§8.3, §8.4); the server sends no others. */
export const eventEntitySchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('transcript'), data: transcriptEntityDataSchema }),
  z.strictObject({ type: z.literal('agentassist'), data: agentAssistEntityDataSchema }),
]);

/** `opened.media[0]`: exactly the defined members, whatever else the offer carried (§4.2, §7.7). */
export const selectedMediaSchema = z.strictObject(mediaParameterShape);

export const serverEnvelopeSchema = z.strictObject({
  version: z.literal('2'),
  id: uuidSchema,
  type: z.string().min(1),
  seq: seqSchema.min(1),
  clientseq: seqSchema,
  parameters: z.looseObject({}),
});

const noParameters = z.strictObject({});

export const serverParameterSchemas = {
  opened: z.strictObject({
    media: z.array(selectedMediaSchema), // at most one: the client checks it and says so (MUST 11)
    startPaused: z.boolean().optional(),
    discardTo: durationSchema.optional(),
    supportedLanguages: z.array(languageSchema).optional(),
  }),
  pong: noParameters,
  pause: noParameters,
  resume: noParameters,
  updated: noParameters,
  event: z.strictObject({ entities: z.array(eventEntitySchema).min(1) }),
  disconnect: z.strictObject({
    reason: z.enum(['completed', 'unauthorized', 'error']),
    info: z.string().optional(),
  }),
  reconnect: z.strictObject({ info: z.string().optional() }),
  closed: noParameters,
} as const;

export type ServerMessageType = keyof typeof serverParameterSchemas;
