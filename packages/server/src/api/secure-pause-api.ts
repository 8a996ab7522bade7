/**
 * Secure pause routes (supervisor, audited as `pause`): pause a live call's audio stream at Genesys (card capture)
 * and resume it. See pipeline/secure-pause.ts for the protocol side and docs/api.md for the answers.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ConversationStore } from '@hookscribe/conversations';
import type { SecurePause, SecurePauseResult } from '../pipeline/secure-pause.js';
import type { ApiRoutes } from './api-routes.js';
import { conversationIdParams, parseInput } from './api-schemas.js';
import { errorResponse, idParam, standardErrors } from './openapi.js';
import './route-access.js';

export interface SecurePauseApiOptions {
  securePause: SecurePause;
  store: Pick<ConversationStore, 'getConversation'>;
}

export function securePauseApi(options: SecurePauseApiOptions): ApiRoutes {
  const { securePause, store } = options;

  /**
   * Not held here: unknown (404), over (409 not_live), or live on another instance — then routed over the bus
   * (202) when one is shared, else 409 not_on_this_instance.
   */
  const notHere = async (id: string, reply: FastifyReply, action: 'pause' | 'resume' | null) => {
    const conversation = await store.getConversation(id);
    if (conversation === null)
      return reply.code(404).send({ error: 'not_found', message: `conversation ${id} not found` });
    if (conversation.state !== 'active')
      return reply.code(409).send({ error: 'not_live', message: `conversation ${id} has ended` });
    if (action !== null && securePause.routable) {
      await securePause.route(id, action);
      return reply.code(202).send({ id, routed: true, paused: action === 'pause', autoResumeAt: null });
    }
    return reply.code(409).send({
      error: 'not_on_this_instance',
      message: `conversation ${id} is streaming to another hookscribe instance; send the request there`,
    });
  };

  const answer = async (
    id: string,
    action: 'pause' | 'resume',
    result: SecurePauseResult,
    reply: FastifyReply,
  ) => {
    switch (result.outcome) {
      case 'sent':
        return { id, paused: result.paused, autoResumeAt: result.autoResumeAt };
      case 'not-live':
        return notHere(id, reply, action);
      case 'rate-limited':
        return reply.code(429).header('retry-after', '1').send({
          error: 'rate_limited',
          message: 'AudioHook allows 2 pause/resume messages per second (burst 4); try again shortly',
        });
      case 'refused':
        return reply.code(409).send({
          error: 'not_live',
          message: `conversation ${id} is not in a state that can be paused or resumed (opening or closing)`,
        });
    }
  };

  const plugin = async (fastify: FastifyInstance): Promise<void> => {
    fastify.get(
      '/api/conversations/:id/pause',
      { config: { access: { role: 'supervisor' } } },
      async (request, reply) => {
        const { id } = parseInput(conversationIdParams, request.params);
        const status = securePause.status(id);
        if (status === null) return notHere(id, reply, null);
        return { id, ...status };
      },
    );
    fastify.post(
      '/api/conversations/:id/pause',
      { config: { access: { role: 'supervisor', audit: 'pause' } } },
      async (request, reply) => {
        const { id } = parseInput(conversationIdParams, request.params);
        return answer(id, 'pause', securePause.pause(id), reply);
      },
    );
    fastify.post(
      '/api/conversations/:id/resume',
      { config: { access: { role: 'supervisor', audit: 'pause' } } },
      async (request, reply) => {
        const { id } = parseInput(conversationIdParams, request.params);
        return answer(id, 'resume', securePause.resume(id), reply);
      },
    );
  };
  return { plugin, openapiPaths: SECURE_PAUSE_PATHS };
}

const pauseState = {
  description: 'the pause as requested',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          paused: { type: 'boolean' },
          secure: { type: 'boolean' },
          autoResumeAt: { type: ['string', 'null'], format: 'date-time' },
        },
      },
    },
  },
};

const routedState = {
  description:
    'the call streams to another instance: the request was passed to it over the shared bus (`routed: true`); the stream_paused / stream_resumed events tell when it took effect',
};

const pauseErrors = {
  ...standardErrors,
  '403': errorResponse('the caller is not a supervisor or admin'),
  '404': errorResponse('no such conversation'),
  '409': errorResponse(
    'not live (not_live), or live on another instance and no shared bus to route it (not_on_this_instance)',
  ),
};

const SECURE_PAUSE_PATHS: Record<string, unknown> = {
  '/api/conversations/{id}/pause': {
    get: {
      summary: 'Whether the live call is paused, and by a secure pause (supervisor)',
      parameters: [idParam],
      responses: { ...pauseErrors, '200': pauseState },
    },
    post: {
      summary:
        'Secure pause (supervisor): send AudioHook pause to Genesys; resumes by itself after the limit',
      parameters: [idParam],
      responses: {
        ...pauseErrors,
        '200': pauseState,
        '202': routedState,
        '429': errorResponse('the protocol pause rate limit would be exceeded (Retry-After: 1)'),
      },
    },
  },
  '/api/conversations/{id}/resume': {
    post: {
      summary: 'End a secure pause (supervisor): send AudioHook resume to Genesys',
      parameters: [idParam],
      responses: {
        ...pauseErrors,
        '200': pauseState,
        '202': routedState,
        '429': errorResponse('the protocol resume rate limit would be exceeded (Retry-After: 1)'),
      },
    },
  },
};
