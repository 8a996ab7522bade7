/** The OpenAPI paths of sign-in (/api/auth/*) and the audit log (/api/audit), merged into /api/openapi.json. */
const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const principal = {
  type: 'object',
  required: ['subject', 'role', 'method'],
  properties: {
    subject: { type: 'string', description: 'OIDC subject, or token:<digest prefix> for a static token' },
    role: { enum: ['viewer', 'supervisor', 'admin'] },
    method: { enum: ['token', 'session', 'jwt', 'anonymous'] },
    name: { type: 'string' },
  },
};

const auditEntry = {
  type: 'object',
  required: ['id', 'at', 'subject', 'role', 'authMethod', 'action', 'conversationId', 'address', 'route'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    at: { type: 'string', format: 'date-time' },
    subject: { type: 'string' },
    role: { type: 'string' },
    authMethod: { type: 'string' },
    action: { enum: ['list', 'read', 'play', 'export', 'delete', 'erase', 'hold', 'pause'] },
    conversationId: { type: ['string', 'null'] },
    address: {
      type: 'string',
      description: 'client address (from X-Forwarded-For only behind HOOKSCRIBE_TRUST_PROXY)',
    },
    route: { type: 'string', examples: ['GET /api/conversations/:id/recording'] },
  },
};

const query = (name: string, description: string, schema: Record<string, unknown> = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});

export function accessOpenApiPaths(): Record<string, unknown> {
  return {
    '/api/auth/session': {
      get: {
        summary: 'Who is signed in (public): the principal of the presented credentials, or null',
        security: [],
        responses: {
          '200': {
            description: 'principal and whether single sign-on is configured',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    principal: { oneOf: [principal, { type: 'null' }] },
                    sso: {
                      type: 'object',
                      properties: { enabled: { type: 'boolean' }, label: { type: 'string' } },
                    },
                  },
                },
              },
            },
          },
        },
      },
      post: {
        summary: 'Open a web session with a static API token (sets the httpOnly session cookie)',
        security: [],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: { type: 'object', required: ['token'], properties: { token: { type: 'string' } } },
            },
          },
        },
        responses: {
          '200': {
            description: 'signed in',
            content: { 'application/json': { schema: { type: 'object', properties: { principal } } } },
          },
          '401': error('token not accepted'),
          '429': error('too many failed sign-ins from this address'),
        },
      },
      delete: {
        summary:
          "Sign out: clears the session cookie; `redirect` is the identity provider's logout URL, if any",
        security: [],
        responses: {
          '200': {
            description: 'signed out',
            content: {
              'application/json': {
                schema: { type: 'object', properties: { redirect: { type: ['string', 'null'] } } },
              },
            },
          },
        },
      },
    },
    '/api/auth/login': {
      get: {
        summary: 'Start OIDC sign-in (authorization code + PKCE): 302 to the identity provider',
        security: [],
        parameters: [query('returnTo', 'UI path to return to after sign-in (default /)')],
        responses: {
          '302': { description: 'to the identity provider' },
          '404': error('single sign-on is not configured'),
        },
      },
    },
    '/api/auth/callback': {
      get: {
        summary: 'OIDC redirect URI: exchanges the code, sets the session cookie, 302 back into the UI',
        security: [],
        responses: { '302': { description: 'to the UI (with ?signin_error= when sign-in failed)' } },
      },
    },
    '/api/audit': {
      get: {
        summary: 'The audit log, newest first (admin)',
        parameters: [
          query('conversationId', 'only entries about this conversation'),
          query('subject', 'only entries by this subject'),
          query('action', 'only this action', auditEntry.properties.action),
          query('from', 'inclusive lower bound on `at` (ISO-8601)', { type: 'string', format: 'date-time' }),
          query('to', 'exclusive upper bound on `at` (ISO-8601)', { type: 'string', format: 'date-time' }),
          query('cursor', 'nextCursor of the previous page'),
          query('limit', 'page size (default 50, at most 200)', {
            type: 'integer',
            minimum: 1,
            maximum: 200,
          }),
        ],
        responses: {
          '200': {
            description: 'a page of entries',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['items', 'nextCursor'],
                  properties: {
                    items: { type: 'array', items: auditEntry },
                    nextCursor: { type: ['string', 'null'] },
                  },
                },
              },
            },
          },
          '400': error('malformed filter'),
          '401': error('not signed in / no valid credentials'),
          '403': error('needs the admin role'),
          '503': error('the store is unavailable'),
        },
      },
    },
  };
}
