import { useMemo, useState } from 'react';
import { ApiClient, type Fetch } from './api/api-client.js';
import { ConversationView } from './components/ConversationView.js';
import { Dashboard } from './components/Dashboard.js';
import { EmbedView } from './components/EmbedView.js';
import { takeTokenFromFragment } from './lib/embed-token.js';
import { clearToken, readToken, saveToken } from './lib/token-storage.js';
import { History } from './components/History.js';
import { LiveBoard } from './components/LiveBoard.js';
import { Login } from './components/Login.js';
import { routePath, useRoute } from './lib/use-route.js';

export const TOKEN_KEY = 'hookscribe.apiToken';

/** The shell: login gate (token in sessionStorage, see token-storage.ts), navigation, the screens, the embed. */
export function App({ fetchImpl }: { fetchImpl?: Fetch } = {}) {
  const [token, setToken] = useState<string | null>(() => {
    const given = takeTokenFromFragment(window.location, window.history);
    if (given) saveToken(TOKEN_KEY, given);
    return given ?? readToken(TOKEN_KEY);
  });
  const [loginMessage, setLoginMessage] = useState<string | null>(null);
  const [route, navigate] = useRoute();

  const api = useMemo(
    () =>
      token
        ? new ApiClient(
            token,
            () => {
              clearToken(TOKEN_KEY);
              setLoginMessage('Your API token is no longer accepted. Sign in again.');
              setToken(null);
            },
            fetchImpl,
          )
        : null,
    [token, fetchImpl],
  );

  if (!api) {
    return (
      <Login
        message={loginMessage}
        createClient={(t) => new ApiClient(t, undefined, fetchImpl)}
        onLogin={(t) => {
          saveToken(TOKEN_KEY, t);
          setLoginMessage(null);
          setToken(t);
        }}
      />
    );
  }

  if (route.name === 'embed') return <EmbedView api={api} gcConversationId={route.gcConversationId} />;

  const signOut = () => {
    clearToken(TOKEN_KEY);
    setLoginMessage('Signed out.');
    setToken(null);
  };
  const tabRoutes = {
    board: { name: 'board' },
    history: { name: 'history', id: null },
    dashboard: { name: 'dashboard' },
  } as const;
  const tab = (name: keyof typeof tabRoutes, label: string) => (
    <a
      href={routePath(tabRoutes[name])}
      className={route.name === name || (name === 'board' && route.name === 'conversation') ? 'current' : ''}
      aria-current={route.name === name ? 'page' : undefined}
      onClick={(e) => {
        e.preventDefault();
        navigate(tabRoutes[name]);
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
          {tab('board', 'Live')}
          {tab('history', 'History')}
          {tab('dashboard', 'Dashboard')}
        </nav>
        <button type="button" className="link signout" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main">
        {route.name === 'board' && (
          <LiveBoard api={api} onOpen={(id) => navigate({ name: 'conversation', id })} />
        )}
        {route.name === 'conversation' && (
          <ConversationView
            key={route.id}
            api={api}
            id={route.id}
            onBack={() => navigate({ name: 'board' })}
            onOpenHistory={(id) => navigate({ name: 'history', id })}
          />
        )}
        {route.name === 'dashboard' && <Dashboard api={api} />}
        {route.name === 'history' && (
          <History api={api} selectedId={route.id} onSelect={(id) => navigate({ name: 'history', id })} />
        )}
      </main>
    </div>
  );
}
