/** OpenAPI paths of the analytics and export routes (analytics-api.ts), merged into the conversation API document. */

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const standard = {
  '400': error('malformed request (the message names the field)'),
  '401': error('missing or invalid API token'),
  '503': error('a dependency (store) is unavailable'),
};

const idParam = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'conversation id (the AudioHook session id)',
  schema: { type: 'string', pattern: '^[A-Za-z0-9._-]+$', maxLength: 200 },
};

const filterParams = [
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
  { name: 'dnis', in: 'query', description: 'queue: exact dialled number', schema: { type: 'string' } },
  { name: 'endpoint', in: 'query', schema: { type: 'string', enum: ['monitor', 'transcription'] } },
];

export function analyticsApiPaths(): Record<string, unknown> {
  return {
    '/api/conversations/{id}/metrics': {
      get: {
        summary:
          'Call metrics (talk time, silence, overtalk, interruptions, pauses, pace; docs/analytics.md)',
        parameters: [idParam],
        responses: {
          '200': {
            description: 'CallMetrics (live while the call runs, final after it)',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          '204': { description: 'the call has no metrics yet (they follow its first final transcript)' },
          '404': error('unknown conversation'),
          ...standard,
        },
      },
    },
    '/api/conversations/{id}/transcript': {
      get: {
        summary:
          'Transcript download: plain text, JSON, SRT or WebVTT captions with speaker labels (role supervisor)',
        parameters: [
          idParam,
          {
            name: 'format',
            in: 'query',
            schema: { type: 'string', enum: ['text', 'json', 'srt', 'vtt'], default: 'text' },
          },
        ],
        responses: {
          '200': {
            description: 'the file (Content-Disposition: attachment)',
            content: {
              'text/plain': { schema: { type: 'string' } },
              'application/json': { schema: { type: 'object' } },
              'application/x-subrip': { schema: { type: 'string' } },
              'text/vtt': { schema: { type: 'string' } },
            },
          },
          '404': error('unknown conversation'),
          ...standard,
        },
      },
    },
    '/api/conversations/by-genesys-id/{gcConversationId}': {
      get: {
        summary:
          'The sessions of a Genesys Cloud conversation, newest first (the embedded view finds its call here)',
        parameters: [{ name: 'gcConversationId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': {
            description:
              '{ items: ConversationSummary[] } (empty when no session has reached hookscribe yet)',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          ...standard,
        },
      },
    },
    '/api/analytics/dashboard': {
      get: {
        summary:
          'Dashboard: calls per hour, average handle time, talk share, sentiment, top alerts and intents (role supervisor)',
        parameters: filterParams,
        responses: {
          '200': {
            description: 'CallDashboard',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          ...standard,
        },
      },
    },
    '/api/analytics/calls.csv': {
      get: {
        summary: 'Calls with their metrics as CSV, newest first (role supervisor)',
        parameters: filterParams,
        responses: {
          '200': {
            description: 'CSV with a header row',
            content: { 'text/csv': { schema: { type: 'string' } } },
          },
          ...standard,
        },
      },
    },
  };
}
