import { useEffect, useMemo, useState } from 'react';
import { ApiClient, type Fetch } from './api/api-client.js';
import { can, SessionClient, signInErrorMessage, type SessionInfo } from './api/session-client.js';
import { AuditLog } from './components/AuditLog.js';
import { ConversationView } from './components/ConversationView.js';
import { Dashboard } from './components/Dashboard.js';
import { EmbedView } from './components/EmbedView.js';
import { History } from './components/History.js';
import { LiveBoard } from './components/LiveBoard.js';
import { Login } from './components/Login.js';
import { takeTokenFromFragment } from './lib/embed-token.js';
import { clearToken, readToken, saveToken } from './lib/token-storage.js';
import { useRoute, type Route } from './lib/use-route.js';

/** where the embedded view keeps the token its integration URL carried (see docs/genesys-embed.md) */
export const EMBED_TOKEN_KEY = 'hookscribe.embedToken';

/**
 * The shell: asks the server who is signed in (an httpOnly session cookie, opened by single sign-on or a token),
 * shows the login otherwise, and offers only what the role allows — the live board and audio for supervisors and
 * up, the audit log for admins. The server enforces the same on every request. The view embedded in Genesys Cloud
 * runs in a third-party frame where the session cookie is usually not sent: it uses the token from its URL fragment
 * (Bearer, `?key=` for the live stream) when it has one, else the session.
 */
export function App({ fetchImpl }: { fetchImpl?: Fetch } = {}) {
  const sessions = useMemo(() => new SessionClient(fetchImpl), [fetchImpl]);
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [loginMessage, setLoginMessage] = useState<string | null>(() =>
    signInErrorMessage(new URLSearchParams(window.location.search).get('signin_error')),
  );
  const [route, navigate] = useRoute();
  const [embedToken, setEmbedToken] = useState<string | null>(() => {
    const given = takeTokenFromFragment(window.location, window.history);
    if (given) saveToken(EMBED_TOKEN_KEY, given);
    return given ?? readToken(EMBED_TOKEN_KEY);
  });
  const embedApi = useMemo(
    () =>
      embedToken
        ? new ApiClient(
            embedToken,
            () => {
              clearToken(EMBED_TOKEN_KEY);
              setLoginMessage('The embedded view’s token is no longer accepted.');
              setEmbedToken(null);
            },
            fetchImpl,
          )
        : null,
    [embedToken, fetchImpl],
  );

  useEffect(() => {
    if (new URLSearchParams(window.location.search).has('signin_error'))
      window.history.replaceState(null, '', window.location.pathname);
    sessions.current().then(setSession, (err: Error) => {
      setLoginMessage(`Could not reach the server: ${err.message}`);
      setSession({ principal: null, sso: { enabled: false } });
    });
  }, [sessions]);

  const principal = session?.principal ?? null;
  const api = useMemo(
    () =>
      principal
        ? new ApiClient(
            null,
            () => {
              setLoginMessage('Your session has ended. Sign in again.');
              setSession((s) => (s ? { ...s, principal: null } : s));
            },
            fetchImpl,
          )
        : null,
    [principal, fetchImpl],
  );

  if (route.name === 'embed' && embedApi)
    return <EmbedView api={embedApi} gcConversationId={route.gcConversationId} />;

  if (session === null) {
    return (
      <main className="login" aria-busy="true">
        <p className="muted">Loading…</p>
      </main>
    );
  }

  if (!api || !principal) {
    return (
      <Login
        message={loginMessage}
        sso={session.sso}
        session={sessions}
        onLogin={(p) => {
          setLoginMessage(null);
          setSession({ ...session, principal: p });
        }}
      />
    );
  }

  if (route.name === 'embed') return <EmbedView api={api} gcConversationId={route.gcConversationId} />;

  const canLive = can(principal, 'supervisor');
  const canPlay = can(principal, 'supervisor');
  const isAdmin = can(principal, 'admin');
  // a viewer has no live board: the start page is the history
  const shown: Route = route.name === 'board' && !canLive ? { name: 'history', id: null } : route;

  const signOut = async () => {
    const redirect = await sessions.signOut().catch(() => null);
    if (redirect) {
      window.location.assign(redirect);
      return;
    }
    setLoginMessage('Signed out.');
    setSession({ ...session, principal: null });
  };
  const tab = (target: Route, label: string, path: string) => (
    <a
      href={path}
      className={
        shown.name === target.name || (target.name === 'board' && shown.name === 'conversation')
          ? 'current'
          : ''
      }
      aria-current={shown.name === target.name ? 'page' : undefined}
      onClick={(e) => {
        e.preventDefault();
        navigate(target);
      }}
    >
      {label}
    </a>
  );

  return (
    <div className="app">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">
          hook<span>scribe</span>
        </span>
        <nav aria-label="Main">
          {canLive && tab({ name: 'board' }, 'Live', '/')}
          {tab({ name: 'history', id: null }, 'History', '/history')}
          {canLive && tab({ name: 'dashboard' }, 'Dashboard', '/dashboard')}
          {isAdmin && tab({ name: 'audit' }, 'Audit', '/audit')}
        </nav>
        <span className="who" data-role={principal.role}>
          {principal.name ?? principal.subject}
          <span className="role">{principal.role}</span>
        </span>
        <button type="button" className="link signout" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <main id="main">
        {shown.name === 'board' && (
          <LiveBoard api={api} onOpen={(id) => navigate({ name: 'conversation', id })} />
        )}
        {shown.name === 'conversation' && (
          <ConversationView
            key={shown.id}
            api={api}
            id={shown.id}
            onBack={() => navigate(canLive ? { name: 'board' } : { name: 'history', id: null })}
            onOpenHistory={(id) => navigate({ name: 'history', id })}
          />
        )}
        {shown.name === 'history' && (
          <History
            api={api}
            selectedId={shown.id}
            canPlay={canPlay}
            onSelect={(id) => navigate({ name: 'history', id })}
          />
        )}
        {shown.name === 'dashboard' &&
          (canLive ? (
            <Dashboard api={api} />
          ) : (
            <p className="notice" role="status">
              The dashboard is for supervisors.
            </p>
          ))}
        {shown.name === 'audit' &&
          (isAdmin ? (
            <AuditLog api={api} onOpenConversation={(id) => navigate({ name: 'history', id })} />
          ) : (
            <p className="notice" role="status">
              The audit log is for administrators.
            </p>
          ))}
      </main>
    </div>
  );
}
