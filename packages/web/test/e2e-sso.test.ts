/**
 * Single sign-on end to end: a real OpenID Connect provider (`oidc-provider`, child process on 127.0.0.1), the real
 * server process (`node packages/server/dist/main.js`) configured for it, and headless Chromium. A viewer, a
 * supervisor and an admin each sign in through the provider's login page, see what their role allows and sign out; an
 * account without a role is turned away; a service's client-credentials JWT is accepted as a bearer token. Finally
 * every log line of the server and the provider is scanned for every secret, token and cookie the run used.
 * Needs the build: `npm run build && npm run build -w packages/web`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FilesystemRecordingStore, SqliteConversationStore } from '@hookscribe/conversations';
import {
  CHROMIUM_ARGS as E2E_CHROMIUM_ARGS,
  ROOT,
  SERVER,
  UI,
  stopProcess,
} from './support/e2e-processes.js';
import { startOidcProvider, type OidcTestProvider } from './support/oidc-provider.js';

// docs/screenshots is refreshed on request only (HOOKSCRIBE_UPDATE_SCREENSHOTS=1), as in e2e.test.ts
const UPDATE_SCREENSHOTS = process.env.HOOKSCRIBE_UPDATE_SCREENSHOTS === '1';

// every secret of the run: none may appear in any log line
const WEB_CLIENT_SECRET = `web-client-secret-${randomBytes(12).toString('hex')}`;
const SERVICE_CLIENT_SECRET = `service-client-secret-${randomBytes(12).toString('hex')}`;
const SESSION_SECRET = `session-secret-${randomBytes(24).toString('hex')}`;
const STATIC_TOKEN = `static-viewer-token-${randomBytes(12).toString('hex')}`;
const AUDIOHOOK_SECRET = randomBytes(32).toString('base64');
const seenSecrets = new Set<string>([
  WEB_CLIENT_SECRET,
  SERVICE_CLIENT_SECRET,
  SESSION_SECRET,
  STATIC_TOKEN,
  AUDIOHOOK_SECRET,
]);

const CHROMIUM_ARGS = [
  ...E2E_CHROMIUM_ARGS,
  // nothing leaves the machine (the provider's login page links a web font)
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** 1 s of 16-bit PCM stereo silence at 8 kHz: enough for the player to load */
function silentWav(): Buffer {
  const samples = 8000 * 2;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples * 2, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(2, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(8000 * 4, 28);
  header.writeUInt16LE(4, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples * 2, 40);
  return Buffer.concat([header, Buffer.alloc(samples * 2)]);
}

function startServer(dataDir: string, port: number, issuer: string) {
  const child = spawn(process.execPath, [SERVER], {
    cwd: dataDir,
    env: {
      PATH: process.env.PATH,
      HOOKSCRIBE_PORT: String(port),
      HOOKSCRIBE_HOST: '127.0.0.1',
      HOOKSCRIBE_DATA_DIR: dataDir,
      HOOKSCRIBE_LOG_LEVEL: 'debug',
      HOOKSCRIBE_STT_ENGINES: 'none',
      HOOKSCRIBE_ASSIST: 'off',
      HOOKSCRIBE_AUDIOHOOK_KEYS: JSON.stringify({ 'sso-e2e-key': AUDIOHOOK_SECRET }),
      HOOKSCRIBE_API_TOKENS: `${STATIC_TOKEN}:viewer`,
      HOOKSCRIBE_PUBLIC_URL: `http://127.0.0.1:${port}`,
      HOOKSCRIBE_OIDC_ISSUER: issuer,
      HOOKSCRIBE_OIDC_CLIENT_ID: 'hookscribe-web',
      HOOKSCRIBE_OIDC_CLIENT_SECRET: WEB_CLIENT_SECRET,
      HOOKSCRIBE_OIDC_AUDIENCE: 'api://hookscribe',
      HOOKSCRIBE_OIDC_ROLE_MAP:
        'hookscribe-agents=viewer,hookscribe-supervisors=supervisor,hookscribe-admins=admin',
      HOOKSCRIBE_OIDC_LABEL: 'Sign in with Test IdP',
      HOOKSCRIBE_SESSION_SECRET: SESSION_SECRET,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  return new Promise<{ child: ChildProcess; url: string; log: string[] }>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${log.join('\n')}`)), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`server exited with ${code}:\n${log.join('\n')}`));
    });
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        log.push(line);
        if (line.includes('"hookscribe listening"')) {
          clearTimeout(timer);
          done({ child, url: `http://127.0.0.1:${port}`, log });
        }
      });
    }
  });
}

describe('single sign-on end to end (oidc-provider, real server, headless Chromium)', () => {
  let dataDir: string;
  let provider: OidcTestProvider | undefined;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let browser: Browser | undefined;
  let screenshots = '';
  const conversationId = randomUUID();
  const startedAt = '2026-11-30T09:00:00.000Z';

  beforeAll(async () => {
    for (const file of [SERVER, UI]) {
      if (!existsSync(file))
        throw new Error(`not built (${file}): npm run build && npm run build -w packages/web`);
    }
    dataDir = mkdtempSync(join(tmpdir(), 'hookscribe-sso-e2e-'));
    screenshots = UPDATE_SCREENSHOTS ? join(ROOT, 'docs/screenshots') : join(dataDir, 'screenshots');
    mkdirSync(screenshots, { recursive: true });
    const port = await freePort();
    const app = `http://127.0.0.1:${port}`;
    provider = await startOidcProvider({
      clients: [
        {
          client_id: 'hookscribe-web',
          client_secret: WEB_CLIENT_SECRET,
          redirect_uris: [`${app}/api/auth/callback`],
          post_logout_redirect_uris: [`${app}/`],
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
        {
          client_id: 'hookscribe-service',
          client_secret: SERVICE_CLIENT_SECRET,
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
        },
      ],
      accounts: {
        vera: { name: 'Vera Viewer', roles: ['hookscribe-agents'] },
        sam: { name: 'Sam Supervisor', roles: ['hookscribe-supervisors'] },
        ada: { name: 'Ada Admin', roles: ['hookscribe-admins', 'hookscribe-agents'] },
        nobody: { name: 'No Role', roles: ['some-other-app'] },
      },
      serviceRoles: { 'hookscribe-service': ['hookscribe-supervisors'] },
    });

    // one finished call with a transcript and a recording, in the store the server will open
    const store = new SqliteConversationStore({ path: join(dataDir, 'conversations.db') });
    await store.upsertConversation({
      id: conversationId,
      conversationId: `gc-${conversationId}`,
      organizationId: 'org',
      correlationId: 'corr',
      endpoint: 'monitor',
      ani: 'tel:+14155550100',
      aniName: 'Caller',
      dnis: 'tel:+18005550199',
      participantId: 'p',
      media: { format: 'L16', channels: ['external', 'internal'], rate: 8000 },
      language: 'en-US',
      startedAt,
      endedAt: null,
      state: 'active',
      closeReason: null,
      recording: null,
    });
    await store.appendSegment(conversationId, {
      id: randomUUID(),
      channel: 0,
      role: 'customer',
      text: 'my invoice is wrong',
      words: [],
      offset: 0.2,
      duration: 0.8,
      confidence: 0.9,
      isFinal: true,
      language: 'en-US',
      engine: 'test',
    });
    await store.endConversation(conversationId, {
      state: 'ended',
      closeReason: 'end',
      endedAt: '2026-11-30T09:01:00.000Z',
    });
    await store.close();
    const wav = join(dataDir, 'seed.wav');
    writeFileSync(wav, silentWav());
    mkdirSync(join(dataDir, 'recordings'), { recursive: true });
    await new FilesystemRecordingStore(join(dataDir, 'recordings')).put(
      wav,
      null,
      `${startedAt.slice(0, 10)}/${conversationId}`,
    );

    server = await startServer(dataDir, port, provider.issuer);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stopProcess(server?.child);
    await provider?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  /** A fresh browser profile that can reach only this machine; remembers every code and cookie it saw. */
  async function newPage(
    viewport = { width: 1366, height: 820 },
  ): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser!.newContext({ viewport });
    await context.route('**/*', (route) =>
      new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort(),
    );
    const page = await context.newPage();
    page.on('request', (request) => {
      const code = new URL(request.url()).searchParams.get('code');
      if (code) seenSecrets.add(code);
    });
    return { context, page };
  }

  async function rememberCookies(context: BrowserContext) {
    for (const cookie of await context.cookies())
      if (cookie.value.length >= 16) seenSecrets.add(cookie.value);
  }

  async function signInAs(page: Page, login: string, screenshot?: string) {
    await page.goto(server!.url);
    const sso = page.getByRole('link', { name: 'Sign in with Test IdP' });
    await sso.waitFor();
    if (screenshot) await page.screenshot({ path: join(screenshots, screenshot) });
    await sso.click();
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
  }

  async function signOut(page: Page) {
    await page.getByRole('button', { name: 'Sign out' }).click();
    // the provider's logout returns the browser to the app, signed out
    await page.getByRole('link', { name: 'Sign in with Test IdP' }).waitFor({ timeout: 20_000 });
    const session = await page.evaluate(async () => (await fetch('/api/auth/session')).json());
    expect(session.principal).toBeNull();
  }

  const status = (page: Page, path: string) => page.evaluate(async (p) => (await fetch(p)).status, path);

  it('viewer: signs in, reads the transcript, gets no live board and no audio, signs out', async () => {
    const { context, page } = await newPage();
    await signInAs(page, 'vera', 'login-sso.png');
    await page.locator('.who', { hasText: 'Vera Viewer' }).waitFor({ timeout: 20_000 });
    expect(await page.locator('.who .role').textContent()).toBe('viewer');
    // no token anywhere the page can read
    expect(await page.evaluate(() => [document.cookie, sessionStorage.length, localStorage.length])).toEqual([
      '',
      0,
      0,
    ]);
    const tabs = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
    expect(tabs).toEqual(['History']);
    await page.locator(`tr[data-conversation-id="${conversationId}"]`).click();
    await page.getByText('my invoice is wrong').waitFor();
    expect(await page.getByRole('button', { name: 'Play' }).count()).toBe(0);
    await page.screenshot({ path: join(screenshots, 'history-viewer.png') });
    // the server refuses what the UI hides
    expect(await status(page, `/api/conversations/${conversationId}/recording`)).toBe(403);
    expect(await status(page, '/api/audit')).toBe(403);
    expect(await status(page, `/api/conversations/${conversationId}`)).toBe(200);
    await rememberCookies(context);
    await signOut(page);
    expect(await status(page, `/api/conversations/${conversationId}`)).toBe(401);
    await context.close();
  }, 90_000);

  it('supervisor: live board and recording playback, no audit log', async () => {
    const { context, page } = await newPage();
    await signInAs(page, 'sam');
    await page.getByText('No active calls').waitFor({ timeout: 20_000 });
    const tabs = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
    expect(tabs).toEqual(['Live', 'History', 'Dashboard']);
    await page.getByRole('link', { name: 'History' }).click();
    await page.locator(`tr[data-conversation-id="${conversationId}"]`).click();
    await page.getByRole('button', { name: 'Play' }).waitFor({ timeout: 20_000 });
    expect(await status(page, '/api/audit')).toBe(403);
    await rememberCookies(context);
    await signOut(page);
    await context.close();
  }, 90_000);

  it('admin: the audit log shows who read and who played the call, from where', async () => {
    const { context, page } = await newPage();
    await signInAs(page, 'ada');
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.getByLabel('Conversation').fill(conversationId);
    await page.getByRole('button', { name: 'Filter' }).click();
    const play = page.locator('tr[data-audit-action="play"]', { hasText: 'sam' });
    await play.first().waitFor({ timeout: 10_000 });
    expect(await play.first().textContent()).toContain('127.0.0.1');
    await page.screenshot({ path: join(screenshots, 'audit.png') });
    expect(await page.locator('tr[data-audit-action="read"]', { hasText: 'vera' }).count()).toBeGreaterThan(
      0,
    );
    await rememberCookies(context);
    await signOut(page);
    await context.close();
  }, 90_000);

  it('an account no role maps to is turned away with a message, without a session', async () => {
    const { context, page } = await newPage();
    await signInAs(page, 'nobody');
    await page.getByText(/no hookscribe role/).waitFor({ timeout: 20_000 });
    expect(await status(page, '/api/conversations')).toBe(401);
    await context.close();
  }, 60_000);

  it("a service's client-credentials JWT works as a bearer token with its mapped role; forged ones do not", async () => {
    const discovery = await (await fetch(`${provider!.issuer}/.well-known/openid-configuration`)).json();
    const grant = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`hookscribe-service:${SERVICE_CLIENT_SECRET}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials&scope=api',
    });
    const { access_token: jwt } = (await grant.json()) as { access_token: string };
    seenSecrets.add(jwt);
    const call = (path: string, token: string) =>
      fetch(`${server!.url}${path}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    expect(await call('/api/conversations', jwt)).toBe(200);
    expect(await call(`/api/conversations/${conversationId}/recording`, jwt)).toBe(200); // supervisor
    expect(await call('/api/audit', jwt)).toBe(403);
    // the live API takes it too (an SSE client that can set headers)
    const abort = new AbortController();
    const live = await fetch(`${server!.url}/api/live`, {
      headers: { authorization: `Bearer ${jwt}` },
      signal: abort.signal,
    });
    expect(live.status).toBe(200);
    expect(live.headers.get('content-type')).toMatch(/text\/event-stream/);
    abort.abort();
    const [head, payload, signature] = jwt.split('.');
    const elevated = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload!, 'base64url').toString()),
        roles: ['hookscribe-admins'],
      }),
    ).toString('base64url');
    expect(await call('/api/audit', `${head}.${elevated}.${signature}`)).toBe(401);
    // the static service token keeps working, with its own role
    expect(await call('/api/conversations', STATIC_TOKEN)).toBe(200);
    expect(await call(`/api/conversations/${conversationId}/recording`, STATIC_TOKEN)).toBe(403);
  }, 30_000);

  it('a callback without its sign-in cookie, or with a state that does not match, opens no session', async () => {
    const base = server!.url;
    const noCookie = await fetch(`${base}/api/auth/callback?code=stolen-code&state=guessed`, {
      redirect: 'manual',
    });
    expect(noCookie.status).toBe(302);
    expect(noCookie.headers.get('location')).toBe('/?signin_error=expired');
    expect(noCookie.headers.get('set-cookie') ?? '').not.toMatch(/hookscribe_session=[^;]/);

    const login = await fetch(`${base}/api/auth/login?returnTo=/history`, { redirect: 'manual' });
    expect(login.status).toBe(302);
    const authorize = new URL(login.headers.get('location')!);
    expect(authorize.origin).toBe(provider!.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toBeTruthy();
    const pending = login.headers.get('set-cookie')!.split(';')[0]!;
    seenSecrets.add(pending.split('=')[1]!);
    const wrongState = await fetch(`${base}/api/auth/callback?code=stolen-code&state=not-the-state`, {
      headers: { cookie: pending },
      redirect: 'manual',
    });
    expect(wrongState.headers.get('location')).toBe('/?signin_error=failed');
    expect(wrongState.headers.get('set-cookie') ?? '').not.toMatch(/hookscribe_session=[^;]/);
    // an open redirect is not possible: returnTo outside the UI falls back to /
    const evil = await fetch(`${base}/api/auth/login?returnTo=//evil.example/`, { redirect: 'manual' });
    const state = JSON.parse(
      Buffer.from(
        decodeURIComponent(evil.headers.get('set-cookie')!.split(';')[0]!.split('=')[1]!).split('.')[0]!,
        'base64url',
      ).toString(),
    ) as { returnTo: string };
    expect(state.returnTo).toBe('/');
  }, 30_000);

  it('no log line of the server or the identity provider holds a secret, token, code or cookie', () => {
    const lines = [...server!.log, ...provider!.log];
    expect(lines.length).toBeGreaterThan(5);
    expect(server!.log.some((l) => l.includes('signed in'))).toBe(true); // the scan sees the sign-in logs
    const leaks = lines.flatMap((line, index) =>
      [...seenSecrets].filter((s) => line.includes(s)).map((s) => `line ${index}: ${s.slice(0, 6)}…`),
    );
    expect(seenSecrets.size).toBeGreaterThan(8); // secrets, codes, cookies and a JWT were all collected
    expect(leaks).toEqual([]);
  });
});
