/**
 * The process logger: pino JSON lines. Per-session loggers are children carrying the session, conversation,
 * correlation and organisation ids. Credentials never reach the logger; the redaction list is a second line of defence.
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger } from 'pino';

const REDACTED_PATHS = [
  'headers["x-api-key"]',
  'headers.signature',
  'headers["signature-input"]',
  'req.headers["x-api-key"]',
  'req.headers.signature',
  'req.headers["signature-input"]',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'secret',
  '*.secret',
  'clientSecret',
  '*.clientSecret',
];

/** Query parameters that carry credentials (`?key=` is the REST API's shareable-URL token; `code` an OIDC grant). */
const SECRET_QUERY_PARAMETERS = /([?&](?:key|token|access_token|id_token|code|sig)=)[^&#]*/gi;

/** A request target with credential query parameters replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY_PARAMETERS, '$1[redacted]');
}

interface RequestLike {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  headers?: Record<string, unknown>;
  socket?: { remoteAddress?: string };
}

/** What a logged request shows: never headers, and the URL without credentials. */
function serializeRequest(req: RequestLike) {
  return {
    method: req.method,
    url: typeof req.url === 'string' ? redactUrl(req.url) : req.url,
    host: req.host ?? req.headers?.host,
    remoteAddress: req.ip ?? req.socket?.remoteAddress,
  };
}

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'hookscribe', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req: serializeRequest,
      url: (url: unknown) => (typeof url === 'string' ? redactUrl(url) : url),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Fastify request logging for a server whose routine traffic is health probes, metric scrapes and SSE: no line per
 * request, but errors (5xx at error, 4xx at info, broken streams) are logged with the request, whose URL the `req`
 * serializer has stripped of credentials.
 */
export class ErrorsOnlyRequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (error) super.requestCompleted(error, request, reply);
  }

  override routeNotFound(): void {}
}
