/** Request validation for the conversation API (zod). Every failure becomes a 400 naming the offending field. */
import { z } from 'zod';

export const MAX_PAGE_SIZE = 200;
export const MAX_EVENTS_PAGE = 5000;

/** Conversation ids are AudioHook session ids (UUIDs); accept the recording key charset, nothing path-like. */
export const conversationIdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-" only'),
});

export const transcriptVersionParams = conversationIdParams.extend({
  version: z.enum(['live', 'recovered', 'accurate'], { error: 'live, recovered or accurate' }),
});

const isoDateTime = z.iso.datetime({
  offset: true,
  message: 'ISO-8601 date-time, e.g. 2026-11-24T03:00:00Z',
});

/** Page sizes above the cap are clamped, not refused (a client asking for 10 000 gets 200 and a cursor). */
const pageSize = (max: number) =>
  z.coerce
    .number({ message: 'a positive integer' })
    .int('a positive integer')
    .min(1, 'a positive integer')
    .transform((n) => Math.min(n, max));

export const listConversationsQuery = z
  .object({
    state: z.enum(['active', 'ended', 'failed']).optional(),
    from: isoDateTime.optional(),
    to: isoDateTime.optional(),
    q: z.string().trim().min(1).max(200).optional(),
    ani: z.string().min(1).max(100).optional(),
    cursor: z.string().min(1).max(500).optional(),
    limit: pageSize(MAX_PAGE_SIZE).optional(),
    key: z.string().optional(),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), {
    message: '"from" must be before "to"',
    path: ['from'],
  });

export const listEventsQuery = z.object({
  after: z.coerce.number().int().min(0).optional(),
  limit: pageSize(MAX_EVENTS_PAGE).optional(),
  key: z.string().optional(),
});

export const liveQuery = z.object({
  /** for clients that cannot send the Last-Event-ID header */
  lastEventId: z.string().min(1).max(200).optional(),
  types: z
    .string()
    .max(500)
    .optional()
    .transform((s) =>
      s
        ? s
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean)
        : undefined,
    ),
  key: z.string().optional(),
});

export class ApiInputError extends Error {
  override name = 'ApiInputError';
  constructor(readonly details: { path: string; message: string }[]) {
    super(details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; '));
  }
}

export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ApiInputError(
      result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    );
  }
  return result.data;
}
