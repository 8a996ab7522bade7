// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App, TOKEN_KEY } from '../src/App.js';
import { FakeEventSource, fakeFetch } from './support/fake-api.js';

describe('login', () => {
  beforeEach(() => {
    sessionStorage.clear();
    FakeEventSource.install();
    window.history.replaceState(null, '', '/');
  });
  afterEach(cleanup);

  const signIn = async (token: string) => {
    fireEvent.change(screen.getByLabelText('API token'), { target: { value: token } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    });
  };

  it('tells a first-run user where the development token is', () => {
    const { fetchImpl } = fakeFetch(() => ({ body: { items: [], nextCursor: null } }));
    render(<App fetchImpl={fetchImpl} />);
    const hint = screen.getByText(/First run\?/).textContent ?? '';
    expect(hint).toContain('npm start');
    expect(hint).toContain('data/dev-api-token.txt');
  });

  it('rejects a wrong token with a message and stores nothing', async () => {
    const { fetchImpl } = fakeFetch(() => ({ body: { items: [], nextCursor: null } }));
    render(<App fetchImpl={fetchImpl} />);
    await signIn('wrong-token');
    expect(screen.getByRole('alert').textContent).toContain('not accepted');
    expect(sessionStorage.getItem(TOKEN_KEY)).toBeNull();
  });

  it('an empty token is refused before asking the API', async () => {
    const { fetchImpl, requests } = fakeFetch(() => ({ body: {} }));
    render(<App fetchImpl={fetchImpl} />);
    await signIn('   ');
    expect(screen.getByRole('alert').textContent).toContain('Enter an API token');
    expect(requests).toHaveLength(0);
  });

  it('a good token opens the board and is remembered for the browser session', async () => {
    const { fetchImpl } = fakeFetch(() => ({ body: { items: [], nextCursor: null } }));
    render(<App fetchImpl={fetchImpl} />);
    await signIn('good-token');
    expect(await screen.findByText(/No active calls/)).toBeTruthy();
    expect(sessionStorage.getItem(TOKEN_KEY)).toBe('good-token');
    // the live stream carries the token as ?key= (EventSource cannot send headers)
    expect(FakeEventSource.open('/api/live')[0]!.url).toContain('key=good-token');
  });

  it('a 401 later (token revoked) returns to the login with a message', async () => {
    sessionStorage.setItem(TOKEN_KEY, 'revoked-token');
    const { fetchImpl } = fakeFetch(() => ({ body: { items: [], nextCursor: null } }));
    await act(async () => {
      render(<App fetchImpl={fetchImpl} />);
    });
    expect(await screen.findByText(/no longer accepted/)).toBeTruthy();
    expect(screen.getByLabelText('API token')).toBeTruthy();
    expect(sessionStorage.getItem(TOKEN_KEY)).toBeNull();
  });
});
