/**
 * zod schemas for every AudioHook message, both directions (digest §3, §4, §8.3). Strict on the envelope and on the
 * documented parameter types; lenient on unknown members (loose objects keep them, nothing rejects them).
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
export const mediaParameterSchema = z.looseObject({
  type: z.literal('audio'),
  format: z.enum(['PCMU', 'L16']),
  channels: z
    .array(channelNameSchema)
    .min(1)
    .max(2)
    .refine((c) => new Set(c).size === c.length, 'duplicate channel'),
  rate: z.literal(8000),
});

export const clientEnvelopeSchema = z.looseObject({
  version: z.literal('2'),
  id: uuidSchema,
  type: z.string().min(1),
  seq: seqSchema,
  serverseq: seqSchema,
  position: durationSchema,
  parameters: z.looseObject({}),
});

export const serverEnvelopeSchema = z.looseObject({
  version: z.literal('2'),
  id: uuidSchema,
  type: z.string().min(1),
  seq: seqSchema,
  clientseq: seqSchema,
  parameters: z.looseObject({}),
});

export const clientParameterSchemas = {
  open: z.looseObject({
    organizationId: uuidSchema,
    conversationId: uuidSchema,
    participant: z.looseObject({ id: uuidSchema, ani: z.string(), aniName: z.string(), dnis: z.string() }),
    media: z.array(mediaParameterSchema),
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
export const transcriptEntityDataSchema = z.looseObject({
  id: uuidSchema,
  channelId: z.int().min(0).max(1),
  isFinal: z.boolean(),
  offset: durationSchema.optional(),
  duration: durationSchema.optional(),
  alternatives: z
    .array(
      z.looseObject({
        confidence: confidenceSchema,
        languages: z.array(languageSchema).optional(),
        interpretations: z
          .array(
            z.looseObject({
              type: z.literal('display'),
              transcript: z.string(),
              tokens: z
                .array(
                  z.looseObject({
                    type: z.literal('word'),
                    value: z.string(),
                    confidence: confidenceSchema,
                    offset: durationSchema,
                    duration: durationSchema,
                    language: languageSchema.optional(),
                  }),
                )
                .optional(),
            }),
          )
          .min(1),
      }),
    )
    .min(1),
});

export const agentAssistEntityDataSchema = z.looseObject({
  id: uuidSchema,
  utterances: z
    .array(
      z.looseObject({
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
    .array(z.looseObject({ type: z.string(), id: uuidSchema, confidence: confidenceSchema }))
    .optional(),
});

export const eventEntitySchema = z
  .looseObject({ type: z.string().min(1), data: z.unknown() })
  .superRefine((entity, ctx) => {
    const schema =
      entity.type === 'transcript'
        ? transcriptEntityDataSchema
        : entity.type === 'agentassist'
          ? agentAssistEntityDataSchema
          : null;
    if (!schema) return;
    const result = schema.safeParse(entity.data);
    if (!result.success) {
      for (const issue of result.error.issues)
        ctx.addIssue({ ...issue, path: ['data', ...issue.path] } as never);
    }
  });

export const serverParameterSchemas = {
  opened: z.looseObject({
    media: z.array(mediaParameterSchema),
    startPaused: z.boolean().optional(),
    discardTo: durationSchema.optional(),
    supportedLanguages: z.array(languageSchema).optional(),
  }),
  pong: emptyParameters,
  pause: emptyParameters,
  resume: emptyParameters,
  updated: emptyParameters,
  event: z.looseObject({ entities: z.array(eventEntitySchema).min(1) }),
  disconnect: z.looseObject({
    reason: z.enum(['completed', 'unauthorized', 'error']),
    info: z.string().optional(),
  }),
  reconnect: z.looseObject({ info: z.string().optional() }),
  closed: emptyParameters,
} as const;

export type ServerMessageType = keyof typeof serverParameterSchemas;
