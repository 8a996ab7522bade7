/**
 * accessControl: THE access hook. Every route under /api declares `config.access` (route-access.ts); this plugin's
 * onRequest hook, registered at the root before any route plugin, authenticates the caller into a Principal
 * (`request.principal`), checks the declared role and records the declared audit action once the response has gone
 * out. A route under /api without `access` is refused (default deny), so a route added without thinking about who
 * may call it fails closed and the route × role test names it.
 *
 * Credentials, first match wins: the web UI's session cookie; `Authorization: Bearer` with a static token or an
 * OIDC-issued JWT; `X-API-Key` or `?key=` with a static token. Authorization runs before the handler, so a caller
 * without the role gets the same 403 for an id that exists and one that does not (no existence oracle). Failed
 * authentications are counted per client address (@fastify/rate-limit); past the limit the address gets 429 until
 * the window passes, whatever it presents.
 *
 * Also registers what access needs at the root: cookies, the security headers, /api/auth/* and GET /api/audit.
 *   fastify.register(accessControl, { tokens, oidc, audit, … })
 */
import { randomBytes, randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditLog } from '@hookscribe/conversations';
import { ApiTokens, presentedToken } from '../api/api-auth.js';
import { roleAllows, type RouteAccess } from '../api/route-access.js';
import { AccessMetrics } from './access-metrics.js';
import { auditApi } from './audit-api.js';
import { AuditRecorder } from './audit-recorder.js';
import { authRoutes } from './auth-routes.js';
import { IdentityProviderUnavailableError, looksLikeJwt, type OidcIdentity } from './oidc-identity.js';
import type { Principal } from './principal.js';
import { registerSecurityHeaders } from './security-headers.js';
import { SessionCookies } from './session-cookie.js';

export interface AccessControlOptions {
  /** static service-account tokens (HOOKSCRIBE_API_TOKENS) */
  tokens: ApiTokens | readonly string[];
  /** development only: with no token and no OIDC configured, callers are an anonymous admin */
  allowAnonymous?: boolean;
  oidc?: OidcIdentity | null;
  /** signs session cookies (default: a random secret for this process only) */
  sessionSecret?: string | null;
  sessionTtlSeconds?: number;
  /** the session cookie's SameSite (default lax; none for an embedded UI, https only) */
  sessionSameSite?: 'lax' | 'strict' | 'none';
  /** external base URL: Secure cookies and HSTS when https, the origin unsafe cookie requests must come from */
  publicUrl?: string | null;
  /** where audit entries go (the conversation store); without it nothing is recorded and /api/audit is 503 */
  audit?: (AuditLog & Partial<Pick<AuditLog, 'listAudit'>>) | null;
  /** an AuditRecorder to use instead of building one over `audit` (tests, shared shutdown) */
  recorder?: AuditRecorder;
  frameAncestors?: string[];
  /** failed authentications per address per window before 429 (default 10 per 60 s) */
  authFailureLimit?: number;
  /**
   * counts failures in Redis, shared by every instance (HOOKSCRIBE_REDIS_URL); without it each instance counts its
   * own. Redis unreachable: the limit is skipped rather than refusing everyone.
   */
  failureCounterRedis?: import('ioredis').Redis | null;
  authFailureWindowSeconds?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** set once accessControl is registered, so a plugin registering it again (tests) is a no-op */
    hookscribeAccess: { recorder: AuditRecorder | null };
  }
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function problem(reply: FastifyReply, status: number, error: string, message: string) {
  return reply.code(status).type('application/json').send({ error, message });
}

/** the server's registry when running inside buildApp (fastify.hookscribe), none in a bare test app */
function metricsOf(fastify: FastifyInstance): AccessMetrics | null {
  if (!fastify.hasDecorator('hookscribe')) return null;
  return new AccessMetrics(fastify.hookscribe.metrics.registry);
}

/** Routes registered under /api are under the policy (by their pattern: the UI's catch-all `/*` is not). */
function isApiRoute(pattern: string | undefined): boolean {
  return pattern !== undefined && (pattern === '/api' || pattern.startsWith('/api/'));
}

type Authentication =
  | { kind: 'principal'; principal: Principal }
  | { kind: 'none' }
  | { kind: 'rejected' }
  | { kind: 'unavailable'; message: string };

async function accessControlPlugin(fastify: FastifyInstance, options: AccessControlOptions): Promise<void> {
  if (fastify.hasDecorator('hookscribeAccess')) return;
  const tokens = options.tokens instanceof ApiTokens ? options.tokens : new ApiTokens(options.tokens);
  const oidc = options.oidc ?? null;
  const https = options.publicUrl?.startsWith('https://') ?? false;
  const sessions = new SessionCookies({
    ttlSeconds: options.sessionTtlSeconds ?? 8 * 3600,
    secure: https,
    sameSite: options.sessionSameSite ?? 'lax',
  });
  const anonymous = !tokens.configured && !oidc && options.allowAnonymous === true;
  const metrics = metricsOf(fastify);
  const recorder =
    options.recorder ??
    (options.audit
      ? new AuditRecorder({
          log: options.audit,
          onError: (err, entries) => fastify.log.warn({ err, entries }, 'audit entries not stored'),
          onDropped: (entries) =>
            fastify.log.error({ entries }, 'audit queue full: oldest audit entries dropped'),
        })
      : null);
  recorder?.onLost((reason, entries) => metrics?.auditLost.inc({ reason }, entries));
  fastify.decorate('hookscribeAccess', { recorder });
  if (metrics) {
    fastify.addHook('onResponse', async (request, reply) => {
      const status = String(reply.statusCode);
      if ((status === '401' || status === '403' || status === '429') && isApiRoute(request.routeOptions.url))
        metrics.refused.inc({ status });
    });
  }
  fastify.addHook('onClose', async () => recorder?.flush());

  await fastify.register(cookie, { secret: options.sessionSecret ?? randomBytes(32).toString('base64') });
  await fastify.register(rateLimit, {
    global: false,
    ...(options.failureCounterRedis
      ? { redis: options.failureCounterRedis, nameSpace: 'hookscribe:auth-failures:', skipOnError: true }
      : {}),
  });
  await registerSecurityHeaders(fastify, { frameAncestors: options.frameAncestors ?? ["'self'"], https });
  const failures = fastify.createRateLimit({
    max: options.authFailureLimit ?? 10,
    timeWindow: (options.authFailureWindowSeconds ?? 60) * 1000,
  });

  /** the limit is `max` failures: once they are used up the address is refused until the window passes */
  const overLimit = async (request: FastifyRequest) => {
    const status = await failures(request, { increment: false });
    return !status.isAllowed && (status.isExceeded || status.remaining <= 0)
      ? { ttlSeconds: Math.max(1, status.ttlInSeconds) }
      : null;
  };

  fastify.decorateRequest('principal', null);

  async function authenticate(request: FastifyRequest): Promise<Authentication> {
    const session = sessions.read(request);
    if (session) return { kind: 'principal', principal: session };
    const token = presentedToken(request);
    if (token === undefined) {
      if (anonymous)
        return { kind: 'principal', principal: { subject: 'anonymous', role: 'admin', method: 'anonymous' } };
      // a stale or forged session cookie is a failed authentication too
      return sessions.presented(request) ? { kind: 'rejected' } : { kind: 'none' };
    }
    const known = tokens.lookup(token);
    if (known) return { kind: 'principal', principal: { ...known, method: 'token' } };
    if (oidc && looksLikeJwt(token)) {
      try {
        const principal = await oidc.verifyBearer(token);
        return principal ? { kind: 'principal', principal } : { kind: 'rejected' };
      } catch (error) {
        if (error instanceof IdentityProviderUnavailableError) {
          request.log.warn({ err: error }, 'bearer JWT not checked: identity provider unavailable');
          return { kind: 'unavailable', message: 'the identity provider is unavailable; retry later' };
        }
        throw error;
      }
    }
    return { kind: 'rejected' };
  }

  /**
   * A browser request that changes something must come from our own pages: cross-site forms and fetches carry an
   * Origin (or Sec-Fetch-Site) naming another site. Cookies are SameSite=Lax as a first line; this also stops login
   * CSRF on POST /api/auth/session and covers SameSite=None sessions. API clients send neither header.
   */
  function crossSite(request: FastifyRequest): boolean {
    const origin = request.headers.origin;
    if (typeof origin === 'string') {
      if (options.publicUrl) return origin !== options.publicUrl;
      // no public URL: compare hosts only (a TLS-terminating proxy makes our own scheme http)
      try {
        return new URL(origin).host !== request.host;
      } catch {
        return true; // "null" or garbage: not one of our pages
      }
    }
    const site = request.headers['sec-fetch-site'];
    return typeof site === 'string' && site !== 'same-origin' && site !== 'none';
  }

  function audit(request: FastifyRequest, reply: FastifyReply, access: RouteAccess, principal: Principal) {
    if (!recorder || !access.audit) return;
    const at = new Date().toISOString();
    const id = (request.params as Record<string, unknown> | undefined)?.id;
    const entry = {
      id: randomUUID(),
      at,
      subject: principal.subject,
      role: principal.role,
      authMethod: principal.method,
      action: access.audit,
      conversationId: typeof id === 'string' && id.length > 0 ? id.slice(0, 200) : null,
      address: request.ip,
      route: `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`,
    };
    // 'close' fires for answered, streamed (SSE, hijacked) and aborted responses alike; only successes are audited
    reply.raw.once('close', () => {
      if (reply.raw.statusCode < 400) recorder.record(entry);
    });
  }

  fastify.addHook('onRequest', async (request, reply) => {
    if (!isApiRoute(request.routeOptions.url) || request.is404) return;
    const access = request.routeOptions.config.access;
    if (!access) {
      request.log.error(
        { route: `${request.method} ${request.routeOptions.url}` },
        'route under /api declares no config.access: refused',
      );
      return problem(reply, 403, 'forbidden', 'this route declares no access policy');
    }
    if (UNSAFE_METHODS.has(request.method) && crossSite(request)) {
      return problem(reply, 403, 'forbidden', 'cross-site request refused');
    }
    const limited = await overLimit(request);
    const outcome = await authenticate(request);
    if (outcome.kind === 'unavailable') return problem(reply, 503, 'unavailable', outcome.message);
    if (outcome.kind === 'principal') request.principal = outcome.principal;
    if (access.role === 'public') return;

    if (limited) {
      reply.header('retry-after', String(limited.ttlSeconds));
      return problem(reply, 429, 'too_many_requests', 'too many failed sign-in attempts; retry later');
    }
    if (outcome.kind !== 'principal') {
      if (outcome.kind === 'rejected') await failures(request);
      if (!tokens.configured && !oidc) {
        return problem(
          reply,
          401,
          'unauthorized',
          'API disabled: no tokens configured (HOOKSCRIBE_API_TOKENS)',
        );
      }
      reply.header('www-authenticate', 'Bearer realm="hookscribe"');
      return problem(
        reply,
        401,
        'unauthorized',
        'sign in, or present a valid API token or bearer JWT (Authorization: Bearer, X-API-Key)',
      );
    }
    const principal = outcome.principal;
    if (!roleAllows(principal.role, access.role)) {
      return problem(reply, 403, 'forbidden', `this needs the ${access.role} role`);
    }
    audit(request, reply, access, principal);
  });

  await fastify.register(authRoutes, {
    tokens,
    oidc,
    sessions,
    publicUrl: options.publicUrl ?? null,
    countFailure: async (request: FastifyRequest) => {
      await failures(request);
    },
    isLimited: async (request: FastifyRequest) => (await overLimit(request)) !== null,
  });
  await fastify.register(auditApi, { log: options.audit ?? null });
}

// the hook, cookies and headers must apply to every route of the app, not only inside this plugin
(accessControlPlugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
export const accessControl = accessControlPlugin;
