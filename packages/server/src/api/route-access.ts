/**
 * What a REST/SSE route declares about access: the least role that may call it and, for routes that touch a
 * conversation, the audit action it records. Declared on the route (`{ config: { access: { … } } }`) so one hook
 * enforces every route and one test can walk the whole route × role matrix.
 */

/** Ordered from least to most privileged: each role may do everything the ones before it may. */
export const ROLES = ['viewer', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What the audit log records a caller doing to a conversation (add new actions here). */
export const AUDIT_ACTIONS = ['list', 'read', 'play', 'export', 'delete', 'erase', 'hold', 'pause'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface RouteAccess {
  /** least role allowed; 'public' = no credentials (openapi.json, sign-in endpoints) */
  role: Role | 'public';
  /** recorded in the audit log when the request succeeds; the conversation id comes from the `:id` parameter */
  audit?: AuditAction;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

export function roleAllows(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}
