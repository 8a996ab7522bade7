import { useState, type FormEvent } from 'react';
import { ApiClient, UnauthorizedError } from '../api/api-client.js';

export interface LoginProps {
  /** why the user is here again (token rejected, signed out) */
  message: string | null;
  onLogin: (token: string) => void;
  /** builds the client used to check the token (tests inject fetch) */
  createClient?: (token: string) => ApiClient;
}

/** Sign-in with a REST API token (HOOKSCRIBE_API_TOKENS); the token is checked against the API before it is kept. */
export function Login({ message, onLogin, createClient = (t) => new ApiClient(t) }: LoginProps) {
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
      await createClient(value).listConversations({ limit: 1 });
      onLogin(value);
    } catch (err) {
      setError(
        err instanceof UnauthorizedError
          ? 'That token was not accepted.'
          : `Could not reach the API: ${(err as Error).message}`,
      );
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
        <label htmlFor="token">API token</label>
        <input
          id="token"
          type="password"
          autoComplete="current-password"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          autoFocus
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
          tokens in <code>HOOKSCRIBE_API_TOKENS</code>. Kept for this browser tab only.
        </p>
      </form>
    </main>
  );
}
