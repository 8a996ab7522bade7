/**
 * Privacy routes (admin): delete a conversation, set or release its legal hold, erase every call of a caller number
 * (data-subject request), and see or run the retention sweep. Registered inside the conversation API plugin, so its
 * authentication and access hook apply. See docs/api.md and docs/security.md.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  describeRetentionPolicy,
  type ConversationEraser,
  type ConversationStore,
  type RetentionSweeper,
} from '@hookscribe/conversations';
import type { ApiRoutes } from './api-routes.js';
import { conversationIdParams, parseInput } from './api-schemas.js';
import { errorResponse, idParam, standardErrors } from './openapi.js';
import './route-access.js';

export interface PrivacyApiOptions {
  store: Pick<ConversationStore, 'setLegalHold' | 'getConversation'>;
  eraser: ConversationEraser;
  /** null when no retention period is configured on this instance */
  sweeper: RetentionSweeper | null;
}

const legalHoldBody = z.object({ hold: z.boolean({ message: 'true to hold, false to release' }) });
const erasureBody = z.object({
  ani: z
    .string({ message: 'the caller number (ANI), e.g. +14155550100 or tel:+14155550100' })
    .trim()
    .min(3)
    .max(100),
});

const problem = (error: string, message: string) => ({ error, message });

export function privacyApi(options: PrivacyApiOptions): ApiRoutes {
  const plugin = async (fastify: FastifyInstance): Promise<void> => {
    fastify.delete(
      '/api/conversations/:id',
      { config: { access: { role: 'admin', audit: 'delete' } } },
      async (request, reply) => {
        const { id } = parseInput(conversationIdParams, request.params);
        const outcome = await options.eraser.deleteConversation(id, 'request');
        if (outcome === 'not-found')
          return reply.code(404).send(problem('not_found', `conversation ${id} not found`));
        if (outcome === 'held')
          return reply
            .code(409)
            .send(
              problem('legal_hold', `conversation ${id} is on legal hold; release the hold to delete it`),
            );
        if (outcome === 'live')
          return reply
            .code(409)
            .send(problem('live', `conversation ${id} is still live; delete it once the call has ended`));
        return reply.code(204).send();
      },
    );

    fastify.put(
      '/api/conversations/:id/legal-hold',
      { config: { access: { role: 'admin', audit: 'hold' } } },
      async (request, reply) => {
        const { id } = parseInput(conversationIdParams, request.params);
        const { hold } = parseInput(legalHoldBody, request.body ?? {});
        try {
          await options.store.setLegalHold(id, hold);
        } catch (error) {
          if ((error as Error).name === 'StoreNotFoundError')
            return reply.code(404).send(problem('not_found', `conversation ${id} not found`));
          throw error;
        }
        return { id, legalHold: hold };
      },
    );

    fastify.post(
      '/api/erasure',
      { config: { access: { role: 'admin', audit: 'erase' } } },
      async (request) => {
        const { ani } = parseInput(erasureBody, request.body ?? {});
        return options.eraser.eraseByAni(ani);
      },
    );

    fastify.get('/api/retention', { config: { access: { role: 'admin' } } }, async () => ({
      policy: describeRetentionPolicy(options.sweeper?.policy ?? {}),
      sweeping: options.sweeper !== null,
      lastSweep: options.sweeper?.lastReport ?? null,
    }));

    fastify.post(
      '/api/retention/sweep',
      { config: { access: { role: 'admin', audit: 'delete' } } },
      async (_request, reply) => {
        if (options.sweeper === null)
          return reply
            .code(409)
            .send(problem('no_retention', 'no retention period is configured (HOOKSCRIBE_RETENTION)'));
        return options.sweeper.sweep();
      },
    );
  };
  return { plugin, openapiPaths: PRIVACY_PATHS };
}

const adminOnly = errorResponse('the caller is not an admin');

const SWEEP_REPORT = {
  type: 'object',
  properties: {
    at: { type: 'string', format: 'date-time' },
    recordings: { type: 'integer' },
    transcripts: { type: 'integer' },
    assist: { type: 'integer' },
    conversations: { type: 'integer' },
    audit: { type: 'integer' },
    failures: { type: 'integer' },
  },
};

const PRIVACY_PATHS: Record<string, unknown> = {
  '/api/conversations/{id}': {
    delete: {
      summary:
        'Delete a conversation everywhere (admin): row, transcript, search index, assist, events, recording',
      parameters: [idParam],
      responses: {
        ...standardErrors,
        '204': { description: 'deleted; a data_deleted event (reason request) is published' },
        '403': adminOnly,
        '404': errorResponse('no such conversation'),
        '409': errorResponse('on legal hold (error legal_hold), or the call is still live (error live)'),
      },
    },
  },
  '/api/conversations/{id}/legal-hold': {
    put: {
      summary:
        'Set or release the legal hold (admin); a held conversation is exempt from retention and erasure',
      parameters: [idParam],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: { type: 'object', required: ['hold'], properties: { hold: { type: 'boolean' } } },
          },
        },
      },
      responses: {
        ...standardErrors,
        '200': {
          description: 'the hold as now stored',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { id: { type: 'string' }, legalHold: { type: 'boolean' } },
              },
            },
          },
        },
        '403': adminOnly,
        '404': errorResponse('no such conversation'),
      },
    },
  },
  '/api/erasure': {
    post: {
      summary: 'Erase every conversation of a caller number (data-subject request; admin)',
      description:
        'Matches the ANI as given and with or without the tel: prefix. Conversations on legal hold are kept and listed in `held`; calls still live are listed in `live` (erase again once they have ended).',
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: { type: 'object', required: ['ani'], properties: { ani: { type: 'string' } } },
          },
        },
      },
      responses: {
        ...standardErrors,
        '200': {
          description: 'what was erased and what was kept for a legal hold',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  erased: { type: 'array', items: { type: 'string' } },
                  held: { type: 'array', items: { type: 'string' } },
                  live: { type: 'array', items: { type: 'string' } },
                },
              },
            },
          },
        },
        '403': adminOnly,
      },
    },
  },
  '/api/retention': {
    get: {
      summary: 'The retention policy in force and the last sweep (admin)',
      responses: {
        ...standardErrors,
        '200': {
          description:
            'policy per kind (e.g. 30d, or kept) and the last sweep report (null before the first)',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  policy: { type: 'object', additionalProperties: { type: 'string' } },
                  sweeping: { type: 'boolean' },
                  lastSweep: { oneOf: [SWEEP_REPORT, { type: 'null' }] },
                },
              },
            },
          },
        },
        '403': adminOnly,
      },
    },
  },
  '/api/retention/sweep': {
    post: {
      summary: 'Run a retention sweep now (admin)',
      responses: {
        ...standardErrors,
        '200': {
          description: 'what the sweep deleted',
          content: { 'application/json': { schema: SWEEP_REPORT } },
        },
        '403': adminOnly,
        '409': errorResponse('no retention period configured'),
      },
    },
  },
};
