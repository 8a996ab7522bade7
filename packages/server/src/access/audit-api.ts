/**
 * GET /api/audit (admin): the audit log, newest first, filtered by conversation, subject, action and time range,
 * paged with an opaque cursor. See docs/api.md.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AuditLog } from '@hookscribe/conversations';
import { AUDIT_ACTIONS } from '../api/route-access.js';

export interface AuditApiOptions {
  log: Pick<AuditLog, 'listAudit'> | null;
}

const time = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), { error: 'must be an ISO-8601 time' })
  .optional();

const auditQuery = z.object({
  conversationId: z.string().min(1).max(200).optional(),
  subject: z.string().min(1).max(512).optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  from: time,
  to: time,
  cursor: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

export async function auditApi(fastify: FastifyInstance, options: AuditApiOptions): Promise<void> {
  fastify.get('/api/audit', { config: { access: { role: 'admin' } } }, async (request, reply) => {
    const parsed = auditQuery.safeParse(request.query);
    if (!parsed.success) {
      return reply.code(400).send({
        error: 'bad_request',
        message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      });
    }
    if (!options.log)
      return reply.code(503).send({ error: 'unavailable', message: 'no audit log is configured' });
    const q = parsed.data;
    try {
      return await options.log.listAudit({
        ...(q.conversationId ? { conversationId: q.conversationId } : {}),
        ...(q.subject ? { subject: q.subject } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(q.from ? { from: q.from } : {}),
        ...(q.to ? { to: q.to } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
      });
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'StoreInputError')
        return reply.code(400).send({ error: 'bad_request', message: (error as Error).message });
      if (name === 'StoreUnavailableError')
        return reply
          .code(503)
          .send({ error: 'unavailable', message: 'the store is unavailable; retry later' });
      throw error;
    }
  });
}
