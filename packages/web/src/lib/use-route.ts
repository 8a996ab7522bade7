/** A minimal path router over the History API: `/`, `/calls/:id`, `/history`, `/audit`, `/dashboard`, and the view
 * embedded in Genesys Cloud, `/embed/conversations/by-genesys-id/:gcConversationId`. The server answers every UI path
 * with index.html (SPA fallback), so deep links and reloads work. */
import { useCallback, useEffect, useState } from 'react';

export type Route =
  | { name: 'board' }
  | { name: 'conversation'; id: string }
  | { name: 'history'; id: string | null }
  | { name: 'audit' }
  | { name: 'dashboard' }
  | { name: 'embed'; gcConversationId: string };

export function parseRoute(pathname: string, search: string): Route {
  const call = /^\/calls\/([^/]+)\/?$/.exec(pathname);
  if (call) return { name: 'conversation', id: decodeURIComponent(call[1]!) };
  const embed = /^\/embed\/conversations\/by-genesys-id\/([^/]+)\/?$/.exec(pathname);
  if (embed) return { name: 'embed', gcConversationId: decodeURIComponent(embed[1]!) };
  if (pathname.startsWith('/dashboard')) return { name: 'dashboard' };
  if (pathname.startsWith('/history')) return { name: 'history', id: new URLSearchParams(search).get('id') };
  if (pathname.startsWith('/audit')) return { name: 'audit' };
  return { name: 'board' };
}

export function routePath(route: Route): string {
  switch (route.name) {
    case 'board':
      return '/';
    case 'conversation':
      return `/calls/${encodeURIComponent(route.id)}`;
    case 'history':
      return route.id ? `/history?id=${encodeURIComponent(route.id)}` : '/history';
    case 'audit':
      return '/audit';
    case 'dashboard':
      return '/dashboard';
    case 'embed':
      return `/embed/conversations/by-genesys-id/${encodeURIComponent(route.gcConversationId)}`;
  }
}

export function useRoute(): [Route, (route: Route) => void] {
  const read = () => parseRoute(window.location.pathname, window.location.search);
  const [route, setRoute] = useState<Route>(read);
  useEffect(() => {
    const onPop = () => setRoute(read());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((next: Route) => {
    window.history.pushState(null, '', routePath(next));
    setRoute(next);
  }, []);
  return [route, navigate];
}
