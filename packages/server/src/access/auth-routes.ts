/**
 * Sign-in endpoints for the web UI (all public: they are how a caller gets credentials):
 *   GET    /api/auth/session   who is signed in ({ principal | null, sso })
 *   POST   /api/auth/session   { token } — a static token opens a cookie session (the token is not kept anywhere)
 *   DELETE /api/auth/session   sign out; answers { redirect } with the identity provider's logout URL, if any
 *   GET    /api/auth/login     starts OIDC sign-in (authorization code + PKCE) → 302 to the identity provider
 *   GET    /api/auth/callback  the redirect URI: code exchanged, session cookie set → 302 back into the UI
 * The PKCE verifier, state and nonce wait in a short-lived signed cookie scoped to /api/auth, so no instance has to
 * remember a sign-in in progress.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiTokens } from '../api/api-auth.js';
import type { OidcIdentity, PendingSignIn } from './oidc-identity.js';
import { IdentityProviderUnavailableError } from './oidc-identity.js';
import type { SessionCookies } from './session-cookie.js';

export interface AuthRoutesOptions {
  tokens: ApiTokens;
  oidc: OidcIdentity | null;
  sessions: SessionCookies;
  publicUrl: string | null;
  /** counts a failed sign-in against the address */
  countFailure: (request: FastifyRequest) => Promise<void>;
  isLimited: (request: FastifyRequest) => Promise<boolean>;
}

const PENDING_COOKIE = 'hookscribe_oidc';
const PENDING_PATH = '/api/auth';
const PENDING_TTL_S = 600;

/** Only paths inside the UI: an open redirect would turn sign-in into a phishing tool. */
export function safeReturnTo(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[^\s]*$/.test(value) && !value.startsWith('/api/')
    ? value
    : '/';
}

const PUBLIC = { config: { access: { role: 'public' as const } } };

export async function authRoutes(fastify: FastifyInstance, options: AuthRoutesOptions): Promise<void> {
  const { sessions, oidc } = options;
  const sso = oidc ? { enabled: true, label: oidc.settings.label } : { enabled: false };

  const signInFailed = (reply: FastifyReply, reason: string) =>
    reply.redirect(`/?signin_error=${encodeURIComponent(reason)}`, 302);

  fastify.get('/api/auth/session', PUBLIC, async (request) => ({ principal: request.principal, sso }));

  fastify.post('/api/auth/session', PUBLIC, async (request, reply) => {
    if (await options.isLimited(request))
      return reply
        .code(429)
        .send({ error: 'too_many_requests', message: 'too many failed sign-in attempts; retry later' });
    const token = (request.body as { token?: unknown } | null)?.token;
    const known = typeof token === 'string' ? options.tokens.lookup(token.trim()) : null;
    if (!known) {
      await options.countFailure(request);
      return reply.code(401).send({ error: 'unauthorized', message: 'that token was not accepted' });
    }
    sessions.issue(reply, { sub: known.subject, role: known.role, via: 'token' });
    return { principal: { subject: known.subject, role: known.role, method: 'session' } };
  });

  fastify.delete('/api/auth/session', PUBLIC, async (request, reply) => {
    sessions.end(request, reply);
    const redirect = oidc && options.publicUrl ? await oidc.endSessionUrl(`${options.publicUrl}/`) : null;
    return { redirect };
  });

  fastify.get('/api/auth/login', PUBLIC, async (request, reply) => {
    if (!oidc)
      return reply.code(404).send({ error: 'not_found', message: 'single sign-on is not configured' });
    const returnTo = safeReturnTo((request.query as Record<string, unknown>).returnTo);
    try {
      const { url, pending } = await oidc.beginSignIn(returnTo);
      reply.setCookie(PENDING_COOKIE, Buffer.from(JSON.stringify(pending)).toString('base64url'), {
        ...sessions.cookieOptions(PENDING_TTL_S),
        path: PENDING_PATH,
      });
      return reply.redirect(url, 302);
    } catch (error) {
      if (!(error instanceof IdentityProviderUnavailableError)) throw error;
      request.log.warn({ err: error }, 'sign-in not started: identity provider unavailable');
      return signInFailed(reply, 'unavailable');
    }
  });

  fastify.get('/api/auth/callback', PUBLIC, async (request, reply) => {
    if (!oidc || !options.publicUrl)
      return reply.code(404).send({ error: 'not_found', message: 'single sign-on is not configured' });
    const raw = request.cookies[PENDING_COOKIE];
    reply.clearCookie(PENDING_COOKIE, { path: PENDING_PATH });
    const unsigned = typeof raw === 'string' ? request.unsignCookie(raw) : null;
    let pending: PendingSignIn | null = null;
    try {
      pending =
        unsigned?.valid && unsigned.value
          ? (JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8')) as PendingSignIn)
          : null;
    } catch {
      pending = null;
    }
    const query = request.query as Record<string, unknown>;
    if (typeof query.error === 'string') return signInFailed(reply, 'denied');
    if (!pending) return signInFailed(reply, 'expired');
    try {
      const signedIn = await oidc.completeSignIn(new URL(request.url, options.publicUrl), pending);
      if (signedIn.role === null) {
        request.log.info({ subject: signedIn.subject }, 'sign-in refused: no role maps to the claims');
        return signInFailed(reply, 'no_role');
      }
      sessions.issue(reply, {
        sub: signedIn.subject,
        role: signedIn.role,
        via: 'oidc',
        ...(signedIn.name ? { name: signedIn.name } : {}),
      });
      request.log.info({ subject: signedIn.subject, role: signedIn.role }, 'signed in');
      return reply.redirect(safeReturnTo(pending.returnTo), 302);
    } catch (error) {
      // the error names what failed (state, nonce, signature…); never the code or tokens
      request.log.warn(
        { error: (error as Error).name, reason: (error as Error).message },
        'sign-in callback refused',
      );
      await options.countFailure(request);
      return signInFailed(
        reply,
        error instanceof IdentityProviderUnavailableError ? 'unavailable' : 'failed',
      );
    }
  });
}
