import { useState, type FormEvent } from 'react';
import { SessionClient, type Principal, type SessionInfo } from '../api/session-client.js';

export interface LoginProps {
  /** why the user is here again (session ended, signed out, sign-in failed) */
  message: string | null;
  onLogin: (principal: Principal) => void;
  /** single sign-on, when the server has an identity provider configured */
  sso?: SessionInfo['sso'];
  /** opens the session (tests inject fetch) */
  session?: SessionClient;
}

/**
 * Sign-in: single sign-on with the configured identity provider, or a static API token (HOOKSCRIBE_API_TOKENS), which
 * the server exchanges for a session cookie — the page keeps no token.
 */
export function Login({ message, onLogin, sso, session = new SessionClient() }: LoginProps) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const value = token.trim();
    if (!value) {
      setError('Enter an API token.');
      return;
    }
    setChecking(true);
    setError(null);
    try {
      const principal = await session.signInWithToken(value);
      if (principal) onLogin(principal);
      else setError('That token was not accepted.');
    } catch (err) {
      setError(`Could not sign in: ${(err as Error).message}`);
    } finally {
      setChecking(false);
    }
  };

  return (
    <main className="login">
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">
          hook<span>scribe</span>
        </h1>
        <p className="muted">Live calls, transcripts and recordings.</p>
        {message && (
          <p className="notice" role="status">
            {message}
          </p>
        )}
        {sso?.enabled && (
          <>
            <a className="button primary sso" href={SessionClient.ssoUrl(window.location.pathname)}>
              {sso.label ?? 'Sign in with single sign-on'}
            </a>
            <p className="muted small or">or with an API token</p>
          </>
        )}
        <label htmlFor="token">API token</label>
        <input
          id="token"
          type="password"
          autoComplete="current-password"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          autoFocus={!sso?.enabled}
        />
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={checking}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
        <p className="muted small">
          First run? Use the development token <code>npm start</code> printed; it is kept in{' '}
          <code>data/dev-api-token.txt</code> (under <code>HOOKSCRIBE_DATA_DIR</code>). Otherwise, one of the
          tokens in <code>HOOKSCRIBE_API_TOKENS</code>. The server then keeps you signed in with a cookie;
          this page keeps no token.
        </p>
      </form>
    </main>
  );
}
