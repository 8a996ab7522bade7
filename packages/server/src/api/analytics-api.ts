/**
 * Call analytics and export routes, registered by conversationApi inside its encapsulation (so its token check and
 * error handler cover them):
 *   GET /api/conversations/:id/metrics                   the call's metrics
 *   GET /api/conversations/:id/transcript?format=…       text | json | srt | vtt, as a download
 *   GET /api/conversations/by-genesys-id/:gcConversationId  the sessions of a Genesys conversation (embedded view)
 *   GET /api/analytics/dashboard?from&to&dnis&endpoint   dashboard aggregates
 *   GET /api/analytics/calls.csv?from&to&dnis&endpoint   calls with their metrics, streamed page by page
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  TRANSCRIPT_FORMATS,
  callsCsvHeader,
  callsCsvRows,
  transcriptFileOf,
  type ConversationStore,
} from '@hookscribe/conversations';
import { conversationIdParams, parseInput } from './api-schemas.js';
import './route-access.js';

export type AnalyticsStore = Pick<
  ConversationStore,
  'getConversation' | 'getCallMetrics' | 'listCallAnalytics' | 'callDashboard' | 'findByGenesysConversationId'
>;

const isoDateTime = z.iso.datetime({
  offset: true,
  message: 'ISO-8601 date-time, e.g. 2026-11-24T03:00:00Z',
});

export const analyticsFilterQuery = z
  .object({
    from: isoDateTime.optional(),
    to: isoDateTime.optional(),
    dnis: z.string().trim().min(1).max(100).optional(),
    endpoint: z.enum(['monitor', 'transcription']).optional(),
    key: z.string().optional(),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), {
    message: '"from" must be before "to"',
    path: ['from'],
  });

export const transcriptExportQuery = z.object({
  format: z.enum(TRANSCRIPT_FORMATS).default('text'),
  key: z.string().optional(),
});

/** Genesys conversation ids are UUIDs; accept the same charset as our own ids, nothing path-like. */
export const genesysIdParams = z.object({
  gcConversationId: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-" only'),
});

/** rows per store page while streaming the CSV */
const CSV_PAGE = 500;

function notFound(reply: FastifyReply, message: string) {
  return reply.code(404).type('application/json').send({ error: 'not_found', message });
}

export function registerAnalyticsRoutes(fastify: FastifyInstance, store: AnalyticsStore): void {
  fastify.get(
    '/api/conversations/:id/metrics',
    { config: { access: { role: 'viewer', audit: 'read' } } },
    async (request, reply) => {
      const { id } = parseInput(conversationIdParams, request.params);
      const metrics = await store.getCallMetrics(id);
      if (metrics) return metrics;
      if (!(await store.getConversation(id))) return notFound(reply, `conversation ${id} not found`);
      // a known call without metrics yet (they follow its first final): nothing to show, not an error
      return reply.code(204).send();
    },
  );

  fastify.get(
    '/api/conversations/:id/transcript',
    { config: { access: { role: 'supervisor', audit: 'export' } } },
    async (request, reply) => {
      const { id } = parseInput(conversationIdParams, request.params);
      const { format } = parseInput(transcriptExportQuery, request.query);
      const conversation = await store.getConversation(id);
      if (!conversation) return notFound(reply, `conversation ${id} not found`);
      const file = transcriptFileOf(conversation, await store.getCallMetrics(id), format);
      return reply
        .type(file.contentType)
        .header('content-disposition', `attachment; filename="${id}.${file.extension}"`)
        .header('cache-control', 'no-store')
        .send(file.body);
    },
  );

  fastify.get(
    '/api/conversations/by-genesys-id/:gcConversationId',
    // not audited: the embedded view polls it every few seconds; opening the session it finds is (a `read`)
    { config: { access: { role: 'viewer' } } },
    async (request) => {
      const { gcConversationId } = parseInput(genesysIdParams, request.params);
      return { items: await store.findByGenesysConversationId(gcConversationId) };
    },
  );

  fastify.get('/api/analytics/dashboard', { config: { access: { role: 'supervisor' } } }, async (request) => {
    const { key: _key, ...filter } = parseInput(analyticsFilterQuery, request.query);
    return store.callDashboard(filter);
  });

  fastify.get(
    '/api/analytics/calls.csv',
    { config: { access: { role: 'supervisor', audit: 'export' } } },
    async (request, reply) => {
      const { key: _key, ...filter } = parseInput(analyticsFilterQuery, request.query);
      // the first page is read before answering, so a store failure is still a clean 503
      const first = await store.listCallAnalytics({ ...filter, limit: CSV_PAGE });
      async function* csv() {
        yield callsCsvHeader();
        let page = first;
        for (;;) {
          yield callsCsvRows(page.items);
          if (page.nextCursor === null) return;
          page = await store.listCallAnalytics({ ...filter, limit: CSV_PAGE, cursor: page.nextCursor });
        }
      }
      const stream = Readable.from(csv());
      stream.on('error', (err) => request.log.error({ err }, 'calls CSV export failed mid-stream'));
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="calls.csv"')
        .header('cache-control', 'no-store')
        .send(stream);
    },
  );
}
