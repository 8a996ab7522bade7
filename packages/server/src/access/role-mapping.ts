/**
 * Roles from identity-provider claims: HOOKSCRIBE_OIDC_ROLE_CLAIM names the claim (a dotted path such as
 * `realm_access.roles` for Keycloak; default `roles`, which Entra ID app roles use), HOOKSCRIBE_OIDC_ROLE_MAP maps its
 * values (group or app-role names) to hookscribe roles; with no map, claim values that are role names count as
 * those roles. * A caller holding several gets the highest; one holding none gets HOOKSCRIBE_OIDC_DEFAULT_ROLE, or no access.
 */
import { ROLES, roleAllows, type Role } from '../api/route-access.js';

export interface RoleMappingOptions {
  claim: string;
  /** claim value → role */
  map: Readonly<Record<string, Role>>;
  defaultRole: Role | null;
}

function claimAt(claims: Record<string, unknown>, path: string): unknown {
  if (path in claims) return claims[path]; // a claim name containing dots (e.g. a namespaced Auth0 claim URL)
  let value: unknown = claims;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

export class RoleMapping {
  private readonly mapped: boolean;

  constructor(private readonly options: RoleMappingOptions) {
    this.mapped = Object.keys(options.map).length > 0;
  }

  get claim(): string {
    return this.options.claim;
  }

  /** The highest role the claims grant, or null (no access). */
  roleOf(claims: Record<string, unknown>): Role | null {
    const raw = claimAt(claims, this.options.claim);
    const values = (Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[\s,]+/) : []).filter(
      (v): v is string => typeof v === 'string' && v.length > 0,
    );
    let best: Role | null = null;
    for (const value of values) {
      const role = this.mapped
        ? (this.options.map[value] ?? null)
        : (ROLES as readonly string[]).includes(value)
          ? (value as Role)
          : null;
      if (role && (best === null || roleAllows(role, best))) best = role;
    }
    return best ?? this.options.defaultRole;
  }
}
