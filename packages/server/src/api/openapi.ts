/**
 * The OpenAPI 3.1 document of the conversation API, served at /api/openapi.json. Hand-written; a test checks that
 * every route the plugin registers is documented here. Event payloads reuse the event JSON Schema.
 */
import { conversationEventJsonSchema } from '@hookscribe/conversations';
import { accessOpenApiPaths } from '../access/access-openapi.js';
import { MAX_EVENTS_PAGE, MAX_PAGE_SIZE } from './api-schemas.js';
import { analyticsApiPaths } from './analytics-openapi.js';

const idParam = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'conversation id (the AudioHook session id)',
  schema: { type: 'string', pattern: '^[A-Za-z0-9._-]+$', maxLength: 200 },
};

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const standardErrors = {
  '400': errorResponse('malformed request (the message names the field)'),
  '401': errorResponse('missing or invalid credentials'),
  '403': errorResponse(
    "the caller's role does not allow this route (same answer whether the id exists or not)",
  ),
  '429': errorResponse('too many failed authentications from this address'),
  '503': errorResponse('a dependency (store) is unavailable'),
};

const liveParams = [
  {
    name: 'Last-Event-ID',
    in: 'header',
    required: false,
    description: 'resume after this event id (sent automatically by EventSource on reconnect)',
    schema: { type: 'string' },
  },
  {
    name: 'lastEventId',
    in: 'query',
    required: false,
    description: 'same as Last-Event-ID',
    schema: { type: 'string' },
  },
  {
    name: 'types',
    in: 'query',
    required: false,
    description: 'comma-separated event types to receive (default all)',
    schema: { type: 'string' },
  },
];

const sseResponse = {
  description:
    'text/event-stream: one SSE message per event (`id:` event id, `event:` type, `data:` the event JSON), ' +
    '`: heartbeat` comments, and `event: resync` when Last-Event-ID can no longer be resumed',
  content: { 'text/event-stream': { schema: { type: 'string' } } },
};

export function conversationApiOpenApi(): Record<string, unknown> {
  const { $schema: _schema, $id: _id, ...eventSchema } = conversationEventJsonSchema();
  return {
    openapi: '3.1.0',
    info: {
      title: 'hookscribe conversation API',
      version: '1.0.0',
      description:
        'Conversations recorded and transcribed from Genesys Cloud AudioHook, their events and live stream.',
    },
    security: [{ bearer: [] }, { session: [] }, { apiKeyHeader: [] }, { apiKeyQuery: [] }],
    paths: {
      ...analyticsApiPaths(),
      '/api/conversations': {
        get: {
          summary: 'List conversations, newest first',
          parameters: [
            { name: 'state', in: 'query', schema: { type: 'string', enum: ['active', 'ended', 'failed'] } },
            {
              name: 'from',
              in: 'query',
              description: 'startedAt ≥ from (ISO-8601)',
              schema: { type: 'string', format: 'date-time' },
            },
            {
              name: 'to',
              in: 'query',
              description: 'startedAt < to (ISO-8601)',
              schema: { type: 'string', format: 'date-time' },
            },
            {
              name: 'q',
              in: 'query',
              description: 'words in the final transcript (AND)',
              schema: { type: 'string', maxLength: 200 },
            },
            { name: 'ani', in: 'query', description: 'exact caller ANI', schema: { type: 'string' } },
            {
              name: 'cursor',
              in: 'query',
              description: 'nextCursor of the previous page',
              schema: { type: 'string' },
            },
            {
              name: 'limit',
              in: 'query',
              description: `page size (default 50; larger values are capped at ${MAX_PAGE_SIZE})`,
              schema: { type: 'integer', minimum: 1 },
            },
          ],
          responses: {
            '200': {
              description: 'a page of conversations',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/ConversationPage' } } },
            },
            ...standardErrors,
          },
        },
      },
      '/api/conversations/{id}': {
        get: {
          summary: 'A conversation with its final transcript and assist results',
          parameters: [idParam],
          responses: {
            '200': {
              description: 'the conversation',
              content: {
                'application/json': { schema: { $ref: '#/components/schemas/ConversationDetail' } },
              },
            },
            '404': errorResponse('unknown conversation'),
            ...standardErrors,
          },
        },
      },
      '/api/conversation/{id}': {
        get: {
          summary: 'Alias of /api/conversations/{id} (the seed URL)',
          parameters: [idParam],
          responses: {
            '200': {
              description: 'the conversation',
              content: {
                'application/json': { schema: { $ref: '#/components/schemas/ConversationDetail' } },
              },
            },
            '404': errorResponse('unknown conversation'),
            ...standardErrors,
          },
        },
      },
      '/api/conversations/{id}/transcripts/{version}': {
        get: {
          summary:
            'One stored transcript version: live (as the call ran) or made from the recording after the call (recovered, accurate)',
          parameters: [
            idParam,
            {
              name: 'version',
              in: 'path',
              required: true,
              schema: { type: 'string', enum: ['live', 'recovered', 'accurate'] },
            },
          ],
          responses: {
            '200': {
              description: 'the segments of that version, by offset',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['version', 'segments'],
                    properties: {
                      version: { type: 'string' },
                      segments: { type: 'array', items: { type: 'object' } },
                    },
                  },
                },
              },
            },
            '404': errorResponse('no such conversation or version'),
          },
        },
      },
      '/api/conversations/{id}/events': {
        get: {
          summary: "The conversation's stored event log, oldest first",
          parameters: [
            idParam,
            {
              name: 'after',
              in: 'query',
              description: 'only events with seq > after',
              schema: { type: 'integer', minimum: 0 },
            },
            {
              name: 'limit',
              in: 'query',
              description: `default 1000, capped at ${MAX_EVENTS_PAGE}`,
              schema: { type: 'integer', minimum: 1 },
            },
          ],
          responses: {
            '200': {
              description: 'events; pass nextAfter as `after` for the next page',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['items', 'nextAfter'],
                    properties: {
                      items: {
                        type: 'array',
                        items: {
                          type: 'object',
                          required: ['seq', 'event'],
                          properties: {
                            seq: { type: 'integer' },
                            event: { $ref: '#/components/schemas/ConversationEvent' },
                          },
                        },
                      },
                      nextAfter: { type: ['integer', 'null'] },
                    },
                  },
                },
              },
            },
            '404': errorResponse('unknown conversation'),
            ...standardErrors,
          },
        },
      },
      '/api/conversations/{id}/recording': {
        get: {
          summary: 'The call recording (WAV); supports single byte ranges',
          parameters: [
            idParam,
            {
              name: 'Range',
              in: 'header',
              required: false,
              schema: { type: 'string', example: 'bytes=0-1023' },
            },
          ],
          responses: {
            '200': {
              description: 'the whole recording',
              content: { 'audio/wav': { schema: { type: 'string', format: 'binary' } } },
            },
            '206': {
              description: 'the requested range (Content-Range set)',
              content: { 'audio/wav': { schema: { type: 'string', format: 'binary' } } },
            },
            '404': errorResponse('unknown conversation or no recording'),
            '416': errorResponse('range outside the recording (Content-Range: bytes */size)'),
            ...standardErrors,
          },
        },
      },
      '/api/live': {
        get: {
          summary: 'Live events of all conversations (Server-Sent Events), from every server instance',
          parameters: liveParams,
          responses: { '200': sseResponse, ...standardErrors },
        },
      },
      '/api/conversations/{id}/live': {
        get: {
          summary: 'Live events of one conversation (Server-Sent Events)',
          parameters: [idParam, ...liveParams],
          responses: { '200': sseResponse, ...standardErrors },
        },
      },
      '/api/openapi.json': {
        get: {
          summary: 'This document (no token needed)',
          security: [],
          responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': {} } } },
        },
      },
      ...accessOpenApiPaths(),
    },
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'a token from HOOKSCRIBE_API_TOKENS, or a JWT from the OIDC issuer (HOOKSCRIBE_OIDC_ISSUER)',
        },
        session: { type: 'apiKey', in: 'cookie', name: 'hookscribe_session', description: 'web UI sign-in' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        apiKeyQuery: { type: 'apiKey', in: 'query', name: 'key' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error', 'message'],
          properties: {
            error: { type: 'string', examples: ['bad_request', 'unauthorized', 'not_found'] },
            message: { type: 'string' },
            details: {
              type: 'array',
              items: {
                type: 'object',
                properties: { path: { type: 'string' }, message: { type: 'string' } },
              },
            },
          },
        },
        ConversationEvent: eventSchema,
        ConversationSummary: {
          description: 'data of session_started / session_ended (see ConversationEvent)',
          type: 'object',
          additionalProperties: true,
          required: ['id', 'state', 'startedAt'],
          properties: {
            id: { type: 'string' },
            conversationId: { type: 'string' },
            organizationId: { type: 'string' },
            ani: { type: 'string' },
            aniName: { type: 'string' },
            dnis: { type: 'string' },
            language: { type: ['string', 'null'] },
            startedAt: { type: 'string', format: 'date-time' },
            endedAt: { type: ['string', 'null'], format: 'date-time' },
            state: { type: 'string', enum: ['active', 'ended', 'failed'] },
            closeReason: { type: ['string', 'null'] },
            recording: { type: ['string', 'null'] },
          },
        },
        ConversationDetail: {
          allOf: [
            { $ref: '#/components/schemas/ConversationSummary' },
            {
              type: 'object',
              required: ['transcript', 'assist'],
              properties: {
                transcript: {
                  type: 'array',
                  items: { type: 'object', description: 'final TranscriptSegment' },
                },
                assist: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: { at: { type: 'string' }, result: { type: 'object' } },
                  },
                },
              },
            },
          ],
        },
        ConversationPage: {
          type: 'object',
          required: ['items', 'nextCursor'],
          properties: {
            items: { type: 'array', items: { $ref: '#/components/schemas/ConversationSummary' } },
            nextCursor: { type: ['string', 'null'] },
          },
        },
      },
    },
  };
}
