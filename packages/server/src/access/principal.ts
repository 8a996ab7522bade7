/**
 * Principal: who is calling, as every /api route sees it (`request.principal`), set by the access hook before the
 * handler runs. Small on purpose: the subject (an OIDC `sub`, or a static token's label), the role it holds and how
 * it authenticated — what the audit log records and what role checks need.
 */
import type { Role } from '../api/route-access.js';

/** token: a static HOOKSCRIBE_API_TOKENS token; session: the web UI's sign-in cookie; jwt: an OIDC bearer token */
export type AuthMethod = 'token' | 'session' | 'jwt' | 'anonymous';

export interface Principal {
  subject: string;
  role: Role;
  method: AuthMethod;
  /** display name (OIDC `name` / `preferred_username`), when known */
  name?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** null on public routes called without credentials */
    principal: Principal | null;
  }
}
