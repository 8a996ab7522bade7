/**
 * Identity and access settings, read from the environment and validated at start (main.ts exits 2 with every
 * problem listed, like config.ts). docs/configuration.md and docs/security.md describe each.
 */
import { ApiTokenFormatError, ApiTokens } from '../api/api-auth.js';
import { ROLES, type Role } from '../api/route-access.js';
import { ConfigError } from '../config.js';

export interface OidcSettings {
  /** issuer URL; its /.well-known/openid-configuration is discovered */
  issuer: string;
  clientId: string;
  /** null: a public client (PKCE alone) */
  clientSecret: string | null;
  scopes: string;
  /** `aud` required of bearer JWTs (default: the client id) */
  audience: string;
  roleClaim: string;
  roleMap: Record<string, Role>;
  defaultRole: Role | null;
  /** the sign-in button's text */
  label: string;
  /** http:// issuers are accepted only on loopback addresses (tests, a local Keycloak) */
  allowInsecureIssuer: boolean;
}

export interface AccessSettings {
  /** null when HOOKSCRIBE_API_TOKENS is unset (the server then generates a development token) */
  tokens: ApiTokens | null;
  oidc: OidcSettings | null;
  /** external base URL (https://hookscribe.example.com): OIDC redirect URI, Secure cookies, same-origin checks */
  publicUrl: string | null;
  /** signs session cookies; null = a development secret generated into the data dir */
  sessionSecret: string | null;
  sessionTtlSeconds: number;
  /** the session cookie's SameSite: lax (default); none for a UI embedded in another site (needs https) */
  sessionSameSite: 'lax' | 'strict' | 'none';
  /** CSP frame-ancestors sources */
  frameAncestors: string[];
  /** failed authentications allowed per client address per window before 429 */
  authFailureLimit: number;
  authFailureWindowSeconds: number;
}

export const ACCESS_ENV_VARS = [
  'HOOKSCRIBE_API_TOKENS',
  'HOOKSCRIBE_OIDC_ISSUER',
  'HOOKSCRIBE_OIDC_CLIENT_ID',
  'HOOKSCRIBE_OIDC_CLIENT_SECRET',
  'HOOKSCRIBE_OIDC_SCOPES',
  'HOOKSCRIBE_OIDC_AUDIENCE',
  'HOOKSCRIBE_OIDC_ROLE_CLAIM',
  'HOOKSCRIBE_OIDC_ROLE_MAP',
  'HOOKSCRIBE_OIDC_DEFAULT_ROLE',
  'HOOKSCRIBE_OIDC_LABEL',
  'HOOKSCRIBE_PUBLIC_URL',
  'HOOKSCRIBE_SESSION_SECRET',
  'HOOKSCRIBE_SESSION_TTL_S',
  'HOOKSCRIBE_SESSION_SAMESITE',
  'HOOKSCRIBE_FRAME_ANCESTORS',
  'HOOKSCRIBE_AUTH_FAILURE_LIMIT',
  'HOOKSCRIBE_AUTH_FAILURE_WINDOW_S',
] as const;

type Env = Record<string, string | undefined>;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;
const FRAME_SOURCE = /^('self'|'none'|https?:\/\/(\*\.)?[a-z0-9.-]+(:\d+)?|https:|\*\.[a-z0-9.-]+)$/i;

function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** `value=role,value=role` or a JSON object; values are group / app-role names as the IdP sends them. */
function parseRoleMap(text: string, problems: string[]): Record<string, Role> {
  let pairs: [string, unknown][];
  if (text.startsWith('{')) {
    try {
      pairs = Object.entries(JSON.parse(text) as Record<string, unknown>);
    } catch {
      problems.push('HOOKSCRIBE_OIDC_ROLE_MAP: not valid JSON');
      return {};
    }
  } else {
    pairs = text
      .split(',')
      .filter((p) => p.trim())
      .map((pair) => {
        const eq = pair.lastIndexOf('=');
        return eq < 0 ? [pair.trim(), undefined] : [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
      });
  }
  const map: Record<string, Role> = {};
  for (const [claimValue, role] of pairs) {
    if (!claimValue || typeof role !== 'string' || !isRole(role)) {
      problems.push(
        `HOOKSCRIBE_OIDC_ROLE_MAP: "${claimValue}" must map to one of ${ROLES.join(', ')} (claim-value=role)`,
      );
      continue;
    }
    map[claimValue] = role;
  }
  return map;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number, problems: string[]) {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name}: must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`);
    return fallback;
  }
  return n;
}

function url(env: Env, name: string, problems: string[]): URL | null {
  const raw = env[name]?.trim();
  if (!raw) return null;
  try {
    const parsed = new URL(raw);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('scheme');
    return parsed;
  } catch {
    problems.push(`${name}: must be an http(s) URL (got ${JSON.stringify(raw.slice(0, 80))})`);
    return null;
  }
}

export function accessSettingsFromEnv(env: Env): AccessSettings {
  const problems: string[] = [];
  let tokens: ApiTokens | null = null;
  if (env.HOOKSCRIBE_API_TOKENS?.trim()) {
    try {
      tokens = ApiTokens.fromEnv(env.HOOKSCRIBE_API_TOKENS);
    } catch (error) {
      if (!(error instanceof ApiTokenFormatError)) throw error;
      problems.push(error.message);
    }
  }

  const publicUrl = url(env, 'HOOKSCRIBE_PUBLIC_URL', problems);
  // the UI and the redirect URI live at the root of the origin; a path prefix would not be honoured
  if (publicUrl && (publicUrl.pathname !== '/' || publicUrl.search || publicUrl.hash))
    problems.push(
      'HOOKSCRIBE_PUBLIC_URL: must be an origin such as https://hookscribe.example.com, without a path',
    );
  const issuer = url(env, 'HOOKSCRIBE_OIDC_ISSUER', problems);
  let oidc: OidcSettings | null = null;
  if (issuer) {
    const clientId = env.HOOKSCRIBE_OIDC_CLIENT_ID?.trim();
    if (!clientId) problems.push('HOOKSCRIBE_OIDC_CLIENT_ID: required with HOOKSCRIBE_OIDC_ISSUER');
    if (!publicUrl)
      problems.push(
        'HOOKSCRIBE_PUBLIC_URL: required with HOOKSCRIBE_OIDC_ISSUER (the redirect URI is <public url>/api/auth/callback)',
      );
    const loopback = LOOPBACK.test(issuer.hostname);
    if (issuer.protocol === 'http:' && !loopback)
      problems.push('HOOKSCRIBE_OIDC_ISSUER: must be https (http is accepted only on loopback addresses)');
    const defaultRole = env.HOOKSCRIBE_OIDC_DEFAULT_ROLE?.trim().toLowerCase() || 'none';
    if (defaultRole !== 'none' && !isRole(defaultRole))
      problems.push(`HOOKSCRIBE_OIDC_DEFAULT_ROLE: must be none, ${ROLES.join(', ')}`);
    oidc = {
      issuer: issuer.href,
      clientId: clientId ?? '',
      clientSecret: env.HOOKSCRIBE_OIDC_CLIENT_SECRET?.trim() || null,
      scopes: env.HOOKSCRIBE_OIDC_SCOPES?.trim() || 'openid profile email',
      audience: env.HOOKSCRIBE_OIDC_AUDIENCE?.trim() || clientId || '',
      roleClaim: env.HOOKSCRIBE_OIDC_ROLE_CLAIM?.trim() || 'roles',
      roleMap: parseRoleMap(env.HOOKSCRIBE_OIDC_ROLE_MAP?.trim() ?? '', problems),
      defaultRole: isRole(defaultRole) ? defaultRole : null,
      label: env.HOOKSCRIBE_OIDC_LABEL?.trim() || 'Sign in with single sign-on',
      allowInsecureIssuer: issuer.protocol === 'http:' && loopback,
    };
    if (!oidc.scopes.split(/\s+/).includes('openid'))
      problems.push('HOOKSCRIBE_OIDC_SCOPES: must include openid');
  }

  const sessionSecret = env.HOOKSCRIBE_SESSION_SECRET?.trim() || null;
  if (sessionSecret !== null && sessionSecret.length < 32)
    problems.push('HOOKSCRIBE_SESSION_SECRET: must be at least 32 characters (e.g. openssl rand -base64 48)');

  const sameSite = env.HOOKSCRIBE_SESSION_SAMESITE?.trim().toLowerCase() || 'lax';
  if (sameSite !== 'lax' && sameSite !== 'strict' && sameSite !== 'none')
    problems.push('HOOKSCRIBE_SESSION_SAMESITE: must be lax, strict or none');
  if (sameSite === 'none' && publicUrl?.protocol !== 'https:')
    problems.push(
      'HOOKSCRIBE_SESSION_SAMESITE: none needs an https HOOKSCRIBE_PUBLIC_URL (browsers require Secure)',
    );

  const frameAncestors = (env.HOOKSCRIBE_FRAME_ANCESTORS?.trim() || "'self'").split(/[\s,]+/).filter(Boolean);
  const badSource = frameAncestors.find((source) => !FRAME_SOURCE.test(source));
  if (badSource !== undefined)
    problems.push(
      `HOOKSCRIBE_FRAME_ANCESTORS: "${badSource.slice(0, 80)}" is not a frame-ancestors source ('self', 'none', https://host, https://*.domain)`,
    );
  if (frameAncestors.includes("'none'") && frameAncestors.length > 1)
    problems.push("HOOKSCRIBE_FRAME_ANCESTORS: 'none' cannot be combined with other sources");

  const settings: AccessSettings = {
    tokens,
    oidc,
    publicUrl: publicUrl ? publicUrl.origin : null,
    sessionSecret,
    sessionTtlSeconds: integer(env, 'HOOKSCRIBE_SESSION_TTL_S', 8 * 3600, 60, 7 * 24 * 3600, problems),
    sessionSameSite: sameSite === 'strict' || sameSite === 'none' ? sameSite : 'lax',
    frameAncestors,
    authFailureLimit: integer(env, 'HOOKSCRIBE_AUTH_FAILURE_LIMIT', 10, 1, 100_000, problems),
    authFailureWindowSeconds: integer(env, 'HOOKSCRIBE_AUTH_FAILURE_WINDOW_S', 60, 1, 86_400, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return settings;
}
