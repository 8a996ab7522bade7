/**
 * A fetch double for the sign-in endpoints and the API behind them: a "cookie" session held in the closure, opened by
 * POST /api/auth/session with a known token (each token has a role), ended by DELETE; other paths answer from `route`
 * while signed in and 401 otherwise. Records requests and whether any carried an Authorization header.
 */
import type { Route } from './fake-api.js';

export interface FakeSessionOptions {
  tokens?: Record<string, 'viewer' | 'supervisor' | 'admin'>;
  sso?: { enabled: boolean; label?: string };
  /** the IdP logout URL DELETE answers with */
  logoutRedirect?: string | null;
  /** start signed in with this role */
  signedInAs?: 'viewer' | 'supervisor' | 'admin';
}

export function fakeSessionFetch(route: Route, options: FakeSessionOptions = {}) {
  const tokens = options.tokens ?? { 'good-token': 'admin' };
  let role: string | null = options.signedInAs ?? null;
  const requests: { method: string; url: URL; authorization: string | null }[] = [];
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });
  const state = {
    requests,
    endSession: () => (role = null),
    get role() {
      return role;
    },
  };
  const fetchImpl = async (input: string, init?: RequestInit): Promise<Response> => {
    const url = new URL(input, 'http://hookscribe.test');
    const method = init?.method ?? 'GET';
    requests.push({ method, url, authorization: new Headers(init?.headers).get('authorization') });
    const principal = role ? { subject: 'user-1', name: 'Pat Example', role, method: 'session' } : null;
    if (url.pathname === '/api/auth/session') {
      if (method === 'GET') return json({ principal, sso: options.sso ?? { enabled: false } });
      if (method === 'POST') {
        const token = (JSON.parse(String(init?.body)) as { token: string }).token;
        const granted = tokens[token];
        if (!granted) return json({ error: 'unauthorized', message: 'that token was not accepted' }, 401);
        role = granted;
        return json({ principal: { subject: 'token:abcd1234', role, method: 'session' } });
      }
      role = null;
      return json({ redirect: options.logoutRedirect ?? null });
    }
    if (!role) return json({ error: 'unauthorized', message: 'sign in' }, 401);
    const answer = route(url);
    if (!answer) return json({ error: 'not_found', message: 'nope' }, 404);
    const body = answer.body instanceof ArrayBuffer ? answer.body : JSON.stringify(answer.body);
    return new Response(body, { status: answer.status ?? 200 });
  };
  return { fetchImpl, state };
}
