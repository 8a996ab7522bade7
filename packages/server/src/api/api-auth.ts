/**
 * API authentication: a token from HOOKSCRIBE_API_TOKENS given as `Authorization: Bearer <token>`, `X-API-Key:
 * <token>` or `?key=<token>` (the seed's shareable URLs; EventSource cannot set headers either). Compared in constant
 * time over SHA-256 digests so neither length nor content leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

const digest = (value: string) => createHash('sha256').update(value).digest();

export class ApiTokens {
  private readonly digests: Buffer[];

  constructor(tokens: readonly string[]) {
    this.digests = tokens
      .map((t) => t.trim())
      .filter((t) => t.length > 0)
      .map(digest);
  }

  /** Parse HOOKSCRIBE_API_TOKENS (comma-separated). */
  static fromEnv(value: string | undefined): ApiTokens {
    return new ApiTokens((value ?? '').split(','));
  }

  get configured(): boolean {
    return this.digests.length > 0;
  }

  accepts(token: string | undefined): boolean {
    if (!token) return false;
    const given = digest(token);
    let ok = false;
    for (const known of this.digests) ok = timingSafeEqual(known, given) || ok;
    return ok;
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
