/**
 * The web UI's sign-in session: an httpOnly, SameSite=Lax (configurable) cookie signed (HMAC, @fastify/cookie) with
 * HOOKSCRIBE_SESSION_SECRET. It holds who signed in, their role and when the session ends — never an access, ID or
 * refresh token, and never a static API token — so nothing a script or a URL could leak grants access elsewhere.
 * Stateless, so any instance sharing the secret accepts it; signing out clears the cookie and this instance refuses
 * the session id until it expires (other instances accept a copied cookie until its expiry: keep the TTL short).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ROLES, type Role } from '../api/route-access.js';
import type { Principal } from './principal.js';

export const SESSION_COOKIE = 'hookscribe_session';

interface SessionPayload {
  sid: string;
  sub: string;
  role: Role;
  /** how the session was opened: OIDC sign-in or a static token typed into the login card */
  via: 'oidc' | 'token';
  name?: string;
  /** seconds since the epoch */
  exp: number;
}

export interface SessionCookiesOptions {
  ttlSeconds: number;
  /** Secure cookies (the public URL is https) */
  secure: boolean;
  /** lax by default; none lets a UI embedded in another site (Genesys Cloud) send it — cross-site changes are then
   * stopped by the access hook's Origin check */
  sameSite?: 'lax' | 'strict' | 'none';
  now?: () => number;
}

export class SessionCookies {
  private readonly revoked = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: SessionCookiesOptions) {
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  cookieOptions(maxAge: number) {
    return {
      path: '/',
      httpOnly: true,
      sameSite: this.options.sameSite ?? 'lax',
      secure: this.options.secure || this.options.sameSite === 'none',
      signed: true,
      maxAge,
    };
  }

  issue(
    reply: FastifyReply,
    session: { sub: string; role: Role; via: SessionPayload['via']; name?: string },
  ): void {
    const payload: SessionPayload = {
      sid: randomBytes(16).toString('base64url'),
      ...session,
      exp: this.now() + this.options.ttlSeconds,
    };
    reply.setCookie(
      SESSION_COOKIE,
      Buffer.from(JSON.stringify(payload)).toString('base64url'),
      this.cookieOptions(this.options.ttlSeconds),
    );
  }

  /** The principal of a valid, unexpired, unrevoked session cookie; null otherwise. */
  read(request: FastifyRequest): Principal | null {
    const payload = this.payload(request);
    if (payload === null) return null;
    return {
      subject: payload.sub,
      role: payload.role,
      method: 'session',
      ...(payload.name ? { name: payload.name } : {}),
    };
  }

  /** Clears the cookie and refuses its session id here until it would have expired. */
  end(request: FastifyRequest, reply: FastifyReply): void {
    const payload = this.payload(request);
    if (payload !== null) {
      this.revoked.set(payload.sid, payload.exp);
      this.pruneRevoked();
    }
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  /** true when the request carries a session cookie at all (valid or not) */
  presented(request: FastifyRequest): boolean {
    return typeof request.cookies?.[SESSION_COOKIE] === 'string';
  }

  private payload(request: FastifyRequest): SessionPayload | null {
    const raw = request.cookies?.[SESSION_COOKIE];
    if (typeof raw !== 'string') return null;
    const unsigned = request.unsignCookie(raw);
    if (!unsigned.valid || unsigned.value === null) return null;
    let payload: SessionPayload;
    try {
      payload = JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8')) as SessionPayload;
    } catch {
      return null;
    }
    if (
      typeof payload.sid !== 'string' ||
      typeof payload.sub !== 'string' ||
      !(ROLES as readonly string[]).includes(payload.role) ||
      typeof payload.exp !== 'number' ||
      payload.exp <= this.now() ||
      this.revoked.has(payload.sid)
    )
      return null;
    return payload;
  }

  private pruneRevoked(): void {
    const now = this.now();
    for (const [sid, exp] of this.revoked) if (exp <= now) this.revoked.delete(sid);
  }
}
