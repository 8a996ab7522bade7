/**
 * End to end in real headless Chromium against the real server process: `node packages/server/dist/main.js` with a
 * temp data dir, a call streamed by `hookscribe-sim` (a bundled demo call: speech on both sides), then the board,
 * the conversation view, the end of the call, history and recording playback. Screenshots go to a temp dir, or to
 * docs/screenshots/ with HOOKSCRIBE_UPDATE_SCREENSHOTS=1.
 * Needs the build: `npm run build && npm run build -w packages/web`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM_ARGS,
  ROOT,
  SERVER,
  SIM,
  UI,
  startServer as startServerWith,
  stopProcess,
  type ServerProcess,
} from './support/e2e-processes.js';

const CALL_WAV = join(ROOT, 'packages/server/demo-calls/billing-dispute.wav');
// docs/screenshots is refreshed on request (HOOKSCRIBE_UPDATE_SCREENSHOTS=1) so ordinary runs leave the tree clean
const UPDATE_SCREENSHOTS = process.env.HOOKSCRIBE_UPDATE_SCREENSHOTS === '1';

const TOKEN = 'e2e-token-7f3a';
const API_KEY = 'e2e-audiohook-key';
const SECRET = Buffer.from('e2e-client-secret-0123456789abcd').toString('base64');

/** The server with this test's API token and AudioHook credentials. */
function startServer(dataDir: string): Promise<ServerProcess> {
  return startServerWith(dataDir, {
    HOOKSCRIBE_API_TOKENS: TOKEN,
    HOOKSCRIBE_AUDIOHOOK_KEYS: JSON.stringify({ [API_KEY]: SECRET }),
  });
}

async function api<T>(base: string, path: string): Promise<{ status: number; body: T | null }> {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const body = res.headers.get('content-type')?.includes('json') ? ((await res.json()) as T) : null;
  return { status: res.status, body };
}

async function noHorizontalOverflow(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

describe('web UI end to end (real server, hookscribe-sim, headless Chromium)', () => {
  let dataDir: string;
  let screenshotDir: string;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let browser: Browser | undefined;
  let sim: ChildProcess | undefined;
  const consoleErrors: string[] = [];
  // the browser's cookie values (the session): scanned for in the server's log with the configured secrets
  const cookieValues: string[] = [];

  beforeAll(async () => {
    for (const [file, what] of [
      [SERVER, 'server'],
      [SIM, 'simulator'],
      [UI, 'web UI'],
    ]) {
      if (!existsSync(file!))
        throw new Error(`${what} not built (${file}): npm run build && npm run build -w packages/web`);
    }
    dataDir = mkdtempSync(join(tmpdir(), 'hookscribe-e2e-'));
    screenshotDir = UPDATE_SCREENSHOTS ? join(ROOT, 'docs/screenshots') : join(dataDir, 'screenshots');
    mkdirSync(screenshotDir, { recursive: true });
    server = await startServer(dataDir);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await stopProcess(sim);
    await stopProcess(server?.child);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('board → live conversation → secure pause → end → history → recording playback with word highlighting', async () => {
    const base = server!.url;
    const page = await browser!.newPage({ viewport: { width: 1366, height: 820 } });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));

    // --- login
    await page.goto(base);
    await page.getByLabel('API token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That token was not accepted.').waitFor();
    await page.getByLabel('API token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('No active calls').waitFor();
    consoleErrors.splice(0); // the deliberate 401 above is logged by the browser as a failed resource
    cookieValues.push(...(await page.context().cookies()).map((c) => c.value));

    // --- a call starts: it appears on the board without reload
    let simOutput = '';
    sim = spawn(
      process.execPath,
      [
        SIM,
        '--url',
        `${base.replace(/^http/, 'ws')}/api/v1/audiohook/ws`,
        '--api-key',
        API_KEY,
        '--secret',
        SECRET,
        '--wav',
        CALL_WAV,
        '--language',
        'en-US',
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    sim.stdout!.on('data', (d: Buffer) => (simOutput += d.toString()));
    const simExit = new Promise<number | null>((done) => sim!.once('exit', (code) => done(code)));

    const row = page.locator('tr[data-conversation-id]').first();
    await row.waitFor({ timeout: 15_000 });
    const id = (await row.getAttribute('data-conversation-id'))!;
    expect(await row.textContent()).toContain('+1••••••0100'); // the simulator's caller, masked
    const before = await row.locator('.duration').textContent();
    await page.waitForTimeout(2100);
    expect(await row.locator('.duration').textContent()).not.toBe(before); // duration ticks
    await page.screenshot({ path: join(screenshotDir, 'board.png') });

    // --- open it from the keyboard; customer and agent turns arrive live
    await row.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/calls/${id}`);

    // --- secure pause: Genesys (the simulator) stops streaming; the span shows in the lanes; resume starts it again
    await page.getByRole('button', { name: 'Secure pause' }).click();
    await page.locator('.pause-marker.secure').waitFor({ timeout: 15_000 });
    await page.getByText(/Secure pause since/).waitFor();
    await page.getByRole('button', { name: 'Resume recording' }).click();
    await page.getByRole('button', { name: 'Secure pause' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('.pause-marker.secure').textContent()).not.toContain('now');

    await page.locator('.turn.lane-agent').first().waitFor({ timeout: 90_000 });
    await page.locator('.turn.lane-customer').first().waitFor({ timeout: 90_000 });

    // --- the call ends: the view says so, and the board drops it
    expect(await simExit).toBe(0);
    expect(JSON.parse(simOutput).ok).toBe(true);
    await page.locator('.state-ended').waitFor({ timeout: 20_000 });
    // every partial settles into its final
    await expect
      .poll(() => page.locator('.turn.partial').count(), { timeout: 30_000, interval: 250 })
      .toBe(0);
    await page.screenshot({ path: join(screenshotDir, 'conversation.png') });
    expect(await noHorizontalOverflow(page)).toBe(true);
    await page.getByRole('link', { name: 'Live' }).click();
    await page.getByText('No active calls').waitFor();

    // --- history: find it by a word that was said, open it, play the recording
    await expect
      .poll(async () => (await api(base, `/api/conversations/${id}/recording`)).status, {
        timeout: 30_000,
        interval: 500,
      })
      .toBe(200);
    const detail = (
      await api<{ transcript: { text: string; isFinal: boolean }[] }>(base, `/api/conversations/${id}`)
    ).body!;
    const word = detail.transcript.flatMap((s) => s.text.split(/\s+/)).find((w) => /^[a-z]{4,}$/i.test(w))!;
    expect(word).toBeTruthy();
    await page.getByRole('link', { name: 'History' }).click();
    await page.getByLabel('Text').fill(word);
    await page.getByRole('button', { name: 'Search' }).click();
    const hit = page.locator(`tr[data-conversation-id="${id}"]`);
    await hit.waitFor();
    await hit.click();
    await page.waitForURL(`**/history?id=${id}`);
    await page.getByRole('button', { name: 'Play' }).waitFor({ timeout: 20_000 });
    await page.locator('.history-detail .turn').first().waitFor();
    await page.getByRole('button', { name: 'Play' }).click();
    const active = page.locator('.word.active');
    await active.first().waitFor({ timeout: 15_000 });
    const first = await active.first().getAttribute('data-offset');
    await expect
      .poll(
        async () =>
          (await active.count()) > 0 && (await active.first().getAttribute('data-offset')) !== first,
        {
          timeout: 15_000,
          interval: 100,
        },
      )
      .toBe(true);
    const position = Number(await page.locator('.player .position').getAttribute('data-position'));
    expect(position).toBeGreaterThan(0);
    await page.screenshot({ path: join(screenshotDir, 'history.png') });

    // clicking a word seeks there
    const target = page.locator('.history-detail .turn .word.seekable').last();
    const offset = Number(await target.getAttribute('data-offset'));
    await target.click();
    await expect
      .poll(async () => Number(await page.locator('.player .position').getAttribute('data-position')), {
        timeout: 5000,
      })
      .toBeGreaterThanOrEqual(offset - 0.05);

    // --- large monitor: the same screens fill the width without overflow
    await page.setViewportSize({ width: 2560, height: 1300 });
    expect(await noHorizontalOverflow(page)).toBe(true);
    await page.goto(`${base}/calls/${id}`);
    await page.locator('.turn').first().waitFor();
    expect(await noHorizontalOverflow(page)).toBe(true);
    await page.screenshot({ path: join(screenshotDir, 'conversation-2560.png') });

    for (const name of ['board', 'conversation', 'history', 'conversation-2560']) {
      expect(statSync(join(screenshotDir, `${name}.png`)).size).toBeGreaterThan(10_000);
    }
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 240_000);

  it('no server log line of the run holds the API token, the AudioHook client secret or the session cookie', () => {
    const log = server!.log;
    expect(log.length).toBeGreaterThan(5);
    expect(cookieValues.length).toBeGreaterThan(0);
    const secrets = [TOKEN, SECRET, ...cookieValues].filter((s) => s.length >= 8);
    const leaks = log.flatMap((line, i) => secrets.filter((s) => line.includes(s)).map(() => `line ${i}`));
    expect(leaks).toEqual([]);
  });
});
