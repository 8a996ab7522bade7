/**
 * The sign-in session as the UI sees it (server: /api/auth/*). The session itself is an httpOnly cookie the page
 * cannot read: the UI asks who it is, opens a session with a static token, or signs out. No token is kept in the
 * page — fetch and EventSource send the cookie by themselves.
 */
import type { Fetch } from './api-client.js';

export type AccessRole = 'viewer' | 'supervisor' | 'admin';

const ROLE_ORDER: readonly AccessRole[] = ['viewer', 'supervisor', 'admin'];

export interface Principal {
  subject: string;
  role: AccessRole;
  method: 'token' | 'session' | 'jwt' | 'anonymous';
  name?: string;
}

export interface SessionInfo {
  principal: Principal | null;
  sso: { enabled: boolean; label?: string };
}

/** true when `principal` holds `needed` or a higher role */
export function can(principal: Principal | null, needed: AccessRole): boolean {
  return principal !== null && ROLE_ORDER.indexOf(principal.role) >= ROLE_ORDER.indexOf(needed);
}

export class SessionClient {
  constructor(private readonly fetchImpl: Fetch = (input, init) => fetch(input, init)) {}

  async current(): Promise<SessionInfo> {
    const response = await this.fetchImpl('/api/auth/session', { credentials: 'same-origin' });
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    return (await response.json()) as SessionInfo;
  }

  /** null when the token was not accepted */
  async signInWithToken(token: string): Promise<Principal | null> {
    const response = await this.fetchImpl('/api/auth/session', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    if (response.status === 401) return null;
    if (response.status === 429) throw new Error('too many failed attempts; wait a minute and try again');
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    return ((await response.json()) as { principal: Principal }).principal;
  }

  /** Ends the session; resolves with the identity provider's logout URL to visit, if it has one. */
  async signOut(): Promise<string | null> {
    const response = await this.fetchImpl('/api/auth/session', {
      method: 'DELETE',
      credentials: 'same-origin',
    });
    if (!response.ok) return null;
    return ((await response.json()) as { redirect: string | null }).redirect;
  }

  /** Where the single sign-on button goes: the server starts the authorization code flow from there. */
  static ssoUrl(returnTo: string): string {
    return `/api/auth/login?returnTo=${encodeURIComponent(returnTo)}`;
  }
}

/** Why the identity provider sent the browser back without a session (`?signin_error=` set by the server). */
export function signInErrorMessage(code: string | null): string | null {
  switch (code) {
    case null:
      return null;
    case 'no_role':
      return 'You signed in, but your account has no hookscribe role. Ask an administrator for access.';
    case 'denied':
      return 'Sign-in was cancelled at the identity provider.';
    case 'expired':
      return 'The sign-in took too long. Try again.';
    case 'unavailable':
      return 'The identity provider cannot be reached right now. Try again later.';
    default:
      return 'Sign-in failed. Try again.';
  }
}
