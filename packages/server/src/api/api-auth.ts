/**
 * Static API tokens (HOOKSCRIBE_API_TOKENS) for service accounts: `token:role` entries, comma-separated, role one of
 * viewer, supervisor, admin; an entry without a role is an admin token (the form before roles existed, so existing
 * deployments keep their access). Presented as `Authorization: Bearer <token>`, `X-API-Key: <token>` or `?key=`
 * (deprecated: URLs end up in proxy logs). Compared in constant time over SHA-256 digests so neither length nor
 * content leaks through timing. A token is never logged or audited: its subject is a label derived from its digest.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ROLES, type Role } from './route-access.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

export interface ApiTokenEntry {
  token: string;
  role: Role;
}

interface KnownToken {
  digest: Buffer;
  role: Role;
  /** `token:<first 8 hex digits of its SHA-256>`: names the token in the audit log without revealing it */
  subject: string;
}

export class ApiTokenFormatError extends Error {
  override name = 'ApiTokenFormatError';
}

/** One HOOKSCRIBE_API_TOKENS entry: `token` (admin) or `token:role`. */
export function parseApiToken(entry: string): ApiTokenEntry {
  const value = entry.trim();
  const colon = value.lastIndexOf(':');
  if (colon < 0) return { token: value, role: 'admin' };
  const role = value.slice(colon + 1).trim();
  const token = value.slice(0, colon).trim();
  // the message names the position and role, never the token
  if (!(ROLES as readonly string[]).includes(role))
    throw new ApiTokenFormatError(`unknown role "${role.slice(0, 20)}" (use ${ROLES.join(', ')})`);
  if (!token) throw new ApiTokenFormatError('a token before ":role" is required');
  return { token, role: role as Role };
}

export class ApiTokens {
  private readonly known: KnownToken[];

  constructor(tokens: readonly (string | ApiTokenEntry)[]) {
    this.known = tokens
      .map((t) => (typeof t === 'string' ? (t.trim() ? parseApiToken(t) : null) : t))
      .filter((t): t is ApiTokenEntry => t !== null && t.token.length > 0)
      .map((t) => {
        const d = digest(t.token);
        return { digest: d, role: t.role, subject: `token:${d.toString('hex').slice(0, 8)}` };
      });
  }

  /** Parse HOOKSCRIBE_API_TOKENS (comma-separated `token[:role]`); throws ApiTokenFormatError naming the entry. */
  static fromEnv(value: string | undefined): ApiTokens {
    const entries = (value ?? '').split(',').filter((t) => t.trim().length > 0);
    return new ApiTokens(
      entries.map((entry, index) => {
        try {
          return parseApiToken(entry);
        } catch (error) {
          throw new ApiTokenFormatError(
            `HOOKSCRIBE_API_TOKENS entry ${index + 1}: ${(error as Error).message}`,
          );
        }
      }),
    );
  }

  get configured(): boolean {
    return this.known.length > 0;
  }

  /** The role and audit subject of a known token, or null. Every entry is compared, so timing says nothing. */
  lookup(token: string | undefined): { role: Role; subject: string } | null {
    if (!token) return null;
    const given = digest(token);
    let found: KnownToken | null = null;
    for (const known of this.known) if (timingSafeEqual(known.digest, given)) found = known;
    return found ? { role: found.role, subject: found.subject } : null;
  }

  accepts(token: string | undefined): boolean {
    return this.lookup(token) !== null;
  }
}

/** The token a request presents, from the first of: Authorization Bearer, X-API-Key, ?key=. */
export function presentedToken(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match) return match[1]!.trim();
  }
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.length > 0) return apiKey.trim();
  const key = (request.query as Record<string, unknown> | undefined)?.key;
  if (typeof key === 'string' && key.length > 0) return key;
  return undefined;
}
