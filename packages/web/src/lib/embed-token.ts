/**
 * Inside Genesys Cloud the view runs in a third-party iframe, where browsers block or partition cookies; so it does
 * not rely on any. The integration's URL carries the API token in its fragment (`#token=…`): a fragment is never sent
 * to a server, not logged and not in Referer headers. It is moved into the frame's (partitioned) sessionStorage and
 * removed from the address at once.
 */
export function takeTokenFromFragment(location: Location, history: History): string | null {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const token = params.get('token');
  if (!token) return null;
  params.delete('token');
  const rest = params.toString();
  history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
  return token;
}
