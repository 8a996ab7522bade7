// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../src/App.js';
import { FakeEventSource } from './support/fake-api.js';
import { fakeSessionFetch } from './support/fake-session.js';

const emptyPage = () => ({ body: { items: [], nextCursor: null } });

describe('login', () => {
  beforeEach(() => {
    sessionStorage.clear();
    FakeEventSource.install();
    window.history.replaceState(null, '', '/');
  });
  afterEach(cleanup);

  const signIn = async (token: string) => {
    fireEvent.change(await screen.findByLabelText('API token'), { target: { value: token } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    });
  };

  it('tells a first-run user where the development token is', async () => {
    const { fetchImpl } = fakeSessionFetch(emptyPage);
    render(<App fetchImpl={fetchImpl} />);
    const hint = (await screen.findByText(/First run\?/)).textContent ?? '';
    expect(hint).toContain('npm start');
    expect(hint).toContain('data/dev-api-token.txt');
  });

  it('rejects a wrong token with a message and keeps nothing in the page', async () => {
    const { fetchImpl } = fakeSessionFetch(emptyPage);
    render(<App fetchImpl={fetchImpl} />);
    await signIn('wrong-token');
    expect(screen.getByRole('alert').textContent).toContain('not accepted');
    expect(sessionStorage.length).toBe(0);
    expect(localStorage.length).toBe(0);
  });

  it('an empty token is refused before asking the server', async () => {
    const { fetchImpl, state } = fakeSessionFetch(emptyPage);
    render(<App fetchImpl={fetchImpl} />);
    await signIn('   ');
    expect(screen.getByRole('alert').textContent).toContain('Enter an API token');
    expect(state.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('a good token opens a cookie session: no token in requests, storage or the live stream URL', async () => {
    const { fetchImpl, state } = fakeSessionFetch(emptyPage);
    render(<App fetchImpl={fetchImpl} />);
    await signIn('good-token');
    expect(await screen.findByText(/No active calls/)).toBeTruthy();
    expect(sessionStorage.length).toBe(0);
    expect(state.requests.every((r) => r.authorization === null)).toBe(true);
    expect(FakeEventSource.open('/api/live')[0]!.url).toBe(
      '/api/live?types=session_started%2Csession_ended%2Cassist_update',
    );
  });

  it('an existing session is picked up on load', async () => {
    const { fetchImpl } = fakeSessionFetch(emptyPage, { signedInAs: 'supervisor' });
    render(<App fetchImpl={fetchImpl} />);
    expect(await screen.findByText(/No active calls/)).toBeTruthy();
    expect(screen.getByText('Pat Example')).toBeTruthy();
  });

  it('a 401 later (session ended) returns to the login with a message', async () => {
    const { fetchImpl, state } = fakeSessionFetch(emptyPage, { signedInAs: 'admin' });
    render(<App fetchImpl={fetchImpl} />);
    await screen.findByText(/No active calls/);
    state.endSession();
    await act(async () => {
      fireEvent.click(screen.getByRole('link', { name: 'History' }));
    });
    expect(await screen.findByText(/session has ended/)).toBeTruthy();
    expect(screen.getByLabelText('API token')).toBeTruthy();
  });

  it('offers single sign-on when configured, returning to the current page', async () => {
    window.history.replaceState(null, '', '/history');
    const { fetchImpl } = fakeSessionFetch(emptyPage, {
      sso: { enabled: true, label: 'Sign in with Contoso' },
    });
    render(<App fetchImpl={fetchImpl} />);
    const link = await screen.findByRole('link', { name: 'Sign in with Contoso' });
    expect(link.getAttribute('href')).toBe('/api/auth/login?returnTo=%2Fhistory');
  });

  it('says why a single sign-on came back without a session, and cleans the URL', async () => {
    window.history.replaceState(null, '', '/?signin_error=no_role');
    const { fetchImpl } = fakeSessionFetch(emptyPage, { sso: { enabled: true } });
    render(<App fetchImpl={fetchImpl} />);
    expect(await screen.findByText(/no hookscribe role/)).toBeTruthy();
    expect(window.location.search).toBe('');
  });

  it('signing out ends the session at the server and shows the login', async () => {
    const { fetchImpl, state } = fakeSessionFetch(emptyPage, { signedInAs: 'admin' });
    render(<App fetchImpl={fetchImpl} />);
    await screen.findByText(/No active calls/);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    });
    expect(await screen.findByText('Signed out.')).toBeTruthy();
    expect(state.role).toBeNull();
    expect(state.requests.some((r) => r.method === 'DELETE' && r.url.pathname === '/api/auth/session')).toBe(
      true,
    );
  });
});

describe('what each role sees', () => {
  beforeEach(() => {
    FakeEventSource.install();
    window.history.replaceState(null, '', '/');
  });
  afterEach(cleanup);

  const call = {
    id: 'c1',
    conversationId: 'gc-1',
    organizationId: 'o',
    correlationId: 'k',
    endpoint: 'monitor',
    ani: 'tel:+14155550100',
    aniName: 'Caller',
    dnis: 'tel:+18005550199',
    participantId: 'p',
    media: { format: 'PCMU', channels: ['external', 'internal'], rate: 8000 },
    language: 'en-US',
    startedAt: '2026-11-20T10:00:00.000Z',
    endedAt: '2026-11-20T10:05:00.000Z',
    state: 'ended',
    closeReason: 'end',
    recording: 'file:///r.wav',
  };
  const api = (url: URL) => {
    if (url.pathname === '/api/conversations') return { body: { items: [call], nextCursor: null } };
    if (url.pathname === '/api/conversations/c1') return { body: { ...call, transcript: [], assist: [] } };
    if (url.pathname === '/api/audit') return { body: { items: [], nextCursor: null } };
    return undefined;
  };
  const tabs = () => screen.getAllByRole('link').map((a) => a.textContent);

  it('viewer: history and transcripts, no live board, no audio, no audit', async () => {
    window.history.replaceState(null, '', '/history?id=c1');
    const { fetchImpl, state } = fakeSessionFetch(api, { signedInAs: 'viewer' });
    render(<App fetchImpl={fetchImpl} />);
    await screen.findByLabelText('Call detail');
    expect(tabs()).toEqual(['Skip to content', 'History']);
    expect(screen.queryByRole('button', { name: 'Play' })).toBeNull();
    expect(state.requests.some((r) => r.url.pathname.endsWith('/recording'))).toBe(false);
  });

  it('viewer at / lands on the history, not the live board', async () => {
    const { fetchImpl, state } = fakeSessionFetch(api, { signedInAs: 'viewer' });
    render(<App fetchImpl={fetchImpl} />);
    await screen.findByRole('button', { name: 'Search' });
    expect(FakeEventSource.open('/api/live')).toHaveLength(0);
    expect(state.requests.some((r) => r.url.searchParams.get('state') === 'active')).toBe(false);
  });

  it('supervisor: live board and audio, no audit', async () => {
    const { fetchImpl } = fakeSessionFetch(api, { signedInAs: 'supervisor' });
    render(<App fetchImpl={fetchImpl} />);
    await screen.findByText(/No active calls|Caller/);
    expect(tabs()).toEqual(['Skip to content', 'Live', 'History', 'Dashboard']);
  });

  it('admin: the audit page too', async () => {
    const { fetchImpl } = fakeSessionFetch(api, { signedInAs: 'admin' });
    render(<App fetchImpl={fetchImpl} />);
    await screen.findByRole('link', { name: 'Audit' });
    await act(async () => {
      fireEvent.click(screen.getByRole('link', { name: 'Audit' }));
    });
    expect(await screen.findByRole('heading', { name: 'Audit log' })).toBeTruthy();
    expect(await screen.findByText('No audit entries match.')).toBeTruthy();
  });
});
