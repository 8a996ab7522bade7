/**
 * Call analytics end to end in real headless Chromium against the real server process: a Transcription Connector
 * call with a client pause (hookscribe-sim, scenario pause-resume) is followed live in the view Genesys Cloud embeds
 * (inside a cross-site iframe of a stand-in "Genesys" page), then its timeline chart is checked against playback, its
 * transcript exported, the dashboard filtered and the calls CSV downloaded. Screenshots go to a temp dir, or to
 * docs/screenshots/ with HOOKSCRIBE_UPDATE_SCREENSHOTS=1.
 * Needs the build: `npm run build`.
 */
import { readFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Download, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM_ARGS,
  ROOT,
  SERVER,
  SIM,
  UI,
  runSim,
  startServer,
  stopProcess,
  type ServerProcess,
} from './support/e2e-processes.js';

const UPDATE_SCREENSHOTS = process.env.HOOKSCRIBE_UPDATE_SCREENSHOTS === '1';
const CALL_WAV = join(ROOT, 'packages/server/demo-calls/billing-dispute.wav');
const TOKEN = 'e2e-analytics-token-5c1d';
/** the embed's own token: viewer is all it needs */
const EMBED_TOKEN = 'e2e-embed-viewer-token-9a0e';
const API_KEY = 'e2e-analytics-key';
const SECRET = Buffer.from('e2e-analytics-secret-0123456789ab').toString('base64');

interface Summary {
  id: string;
  conversationId: string;
  state: string;
}

interface StoredMetrics {
  status: string;
  durationSeconds: number;
  pausedSeconds: number;
  talkSeconds: { customer: number; agent: number };
}

async function api<T>(base: string, path: string): Promise<T> {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return (await res.json()) as T;
}

async function downloaded(download: Download): Promise<string> {
  const path = await download.path();
  return readFileSync(path, 'utf8');
}

/** A page on another site (localhost vs 127.0.0.1) that frames the embed, like Genesys Cloud's interaction panel. */
function startGenesysStandIn(): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const src = new URL(request.url ?? '/', 'http://localhost').searchParams.get('src') ?? '';
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.end(
      `<!doctype html><title>Genesys Cloud (stand-in)</title>
       <body style="margin:0;font-family:sans-serif;background:#1e2836;display:flex;height:100vh">
       <div style="flex:1;color:#c8d1dc;padding:1rem">Interaction</div>
       <iframe title="hookscribe" src="${src.replace(/"/g, '&quot;')}"
         style="width:420px;border:0;background:#fff"></iframe></body>`,
    );
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://localhost:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

describe('call analytics end to end (real server, hookscribe-sim, headless Chromium)', () => {
  let dataDir: string;
  let screenshotDir: string;
  let server: ServerProcess | undefined;
  let genesys: { server: Server; url: string } | undefined;
  let browser: Browser | undefined;
  let sim: ReturnType<typeof runSim> | undefined;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    for (const [file, what] of [
      [SERVER, 'server'],
      [SIM, 'simulator'],
      [UI, 'web UI'],
    ]) {
      if (!existsSync(file!)) throw new Error(`${what} not built (${file}): npm run build`);
    }
    dataDir = mkdtempSync(join(tmpdir(), 'hookscribe-e2e-analytics-'));
    screenshotDir = UPDATE_SCREENSHOTS ? join(ROOT, 'docs/screenshots') : join(dataDir, 'screenshots');
    mkdirSync(screenshotDir, { recursive: true });
    genesys = await startGenesysStandIn();
    server = await startServer(dataDir, {
      HOOKSCRIBE_API_TOKENS: `${TOKEN}:supervisor,${EMBED_TOKEN}:viewer`,
      HOOKSCRIBE_AUDIOHOOK_KEYS: JSON.stringify({ [API_KEY]: SECRET }),
      HOOKSCRIBE_METRICS_INTERVAL_MS: '0',
      // CSP frame-ancestors: "Genesys" may frame the embed (the default, 'self', would refuse it)
      HOOKSCRIBE_FRAME_ANCESTORS: `'self' ${genesys.url}`,
    });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await stopProcess(sim?.child);
    await stopProcess(server?.child);
    await new Promise((done) => (genesys ? genesys.server.close(done) : done(undefined)));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  const watch = (page: Page) => {
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  };

  it('embed follows the live call; the timeline chart tracks playback and seeks; exports; dashboard', async () => {
    const base = server!.url;

    // --- a Transcription Connector call with a client pause in its middle third
    sim = runSim([
      '--url',
      `${base.replace(/^http/, 'ws')}/api/v1/voicetranscription/ws`,
      '--api-key',
      API_KEY,
      '--secret',
      SECRET,
      '--wav',
      CALL_WAV,
      '--language',
      'en-US',
      '--scenario',
      'pause-resume',
      '--json',
    ]);
    let session: Summary | undefined;
    await expect
      .poll(
        async () => {
          session = (await api<{ items: Summary[] }>(base, '/api/conversations?state=active')).items[0];
          return session !== undefined;
        },
        { timeout: 15_000, interval: 200 },
      )
      .toBe(true);
    const { id, conversationId: gcConversationId } = session!;

    // --- inside "Genesys Cloud": the embed, addressed by Genesys's conversation id, follows the call live
    const embedUrl = `${base}/embed/conversations/by-genesys-id/${gcConversationId}?gcHostOrigin=${encodeURIComponent(genesys!.url)}#token=${EMBED_TOKEN}`;
    const host = await browser!.newPage({ viewport: { width: 1100, height: 760 } });
    watch(host);
    await host.goto(`${genesys!.url}/?src=${encodeURIComponent(embedUrl)}`);
    const embed = host.frameLocator('iframe');
    await embed.locator('.turn.lane-customer').first().waitFor({ timeout: 90_000 });
    await embed.locator('.turn.lane-agent').first().waitFor({ timeout: 90_000 });
    expect(await embed.locator('.conversation.embedded').count()).toBe(1);
    expect(await embed.getByText('← Live calls').count()).toBe(0);
    // the token left the address bar of the frame at once
    const frameUrl = host
      .frames()
      .find((f) => f.url().includes('/embed/'))!
      .url();
    expect(frameUrl).not.toContain(EMBED_TOKEN);
    await host.screenshot({ path: join(screenshotDir, 'embed.png') });

    const { code, output } = await sim.done;
    expect(code).toBe(0);
    expect(JSON.parse(output).ok).toBe(true);
    await embed.locator('.state-ended').waitFor({ timeout: 20_000 });
    await host.close();

    // --- final metrics are stored: the pause is there, both sides talked
    let metrics: StoredMetrics | null = null;
    await expect
      .poll(
        async () => {
          metrics = await api<StoredMetrics>(base, `/api/conversations/${id}/metrics`).catch(() => null);
          return metrics?.status;
        },
        { timeout: 20_000, interval: 250 },
      )
      .toBe('final');
    expect(metrics!.pausedSeconds).toBeGreaterThan(3);
    expect(metrics!.talkSeconds.customer).toBeGreaterThan(0);
    expect(metrics!.talkSeconds.agent).toBeGreaterThan(0);

    // --- history: the timeline chart against playback
    const page = await browser!.newPage({ viewport: { width: 1366, height: 900 }, acceptDownloads: true });
    watch(page);
    await expect
      .poll(
        async () =>
          (
            await fetch(`${base}/api/conversations/${id}/recording`, {
              headers: { authorization: `Bearer ${TOKEN}` },
            })
          ).status,
        {
          timeout: 30_000,
          interval: 500,
        },
      )
      .toBe(200);
    await page.goto(`${base}/history?id=${id}`);
    await page.getByLabel('API token').fill(TOKEN); // a first-party page signs in to a session
    await page.getByRole('button', { name: 'Sign in' }).click();
    const chart = page.locator('.history-detail .timeline-chart svg[role="slider"]');
    await chart.waitFor({ timeout: 20_000 });
    expect(await page.locator('.history-detail .gap-paused').count()).toBe(1);
    expect(await page.locator('.history-detail .speech-customer').count()).toBeGreaterThan(0);
    expect(await page.locator('.history-detail .speech-agent').count()).toBeGreaterThan(0);
    const duration = Number(await chart.getAttribute('data-duration'));
    expect(duration).toBeCloseTo(metrics!.durationSeconds, 1);

    await page.getByRole('button', { name: 'Play' }).click();
    const playhead = page.locator('.history-detail .playhead');
    await expect
      .poll(async () => Number(await playhead.getAttribute('data-position')), {
        timeout: 10_000,
        interval: 100,
      })
      .toBeGreaterThan(0.5);
    await page.getByRole('button', { name: 'Pause' }).click();

    // click at 80 % of the time axis (after the pause): the chart and the transcript go there; the recording, which
    // lacks the paused span, goes to the same moment of audio
    const box = (await chart.boundingBox())!;
    const axisLeft = 74;
    const axisWidth = box.width - axisLeft - 12;
    await chart.click({ position: { x: axisLeft + axisWidth * 0.8, y: 30 } });
    const target = duration * 0.8;
    await expect
      .poll(async () => Number(await playhead.getAttribute('data-position')), {
        timeout: 5_000,
        interval: 100,
      })
      .toBeGreaterThan(target - 0.6);
    const played = Number(await page.locator('.player .position').getAttribute('data-position'));
    expect(played).toBeGreaterThan(target - metrics!.pausedSeconds - 1);
    expect(played).toBeLessThan(target - metrics!.pausedSeconds + 1.5);
    await page.getByRole('button', { name: 'Pause' }).click();
    // keyboard: Home goes to the start, → 5 s on (before the pause, which begins at a third of the call)
    await chart.focus();
    await page.keyboard.press('Home');
    await expect
      .poll(async () => Number(await playhead.getAttribute('data-position')), {
        timeout: 5_000,
        interval: 100,
      })
      .toBeLessThan(1.5);
    await page.keyboard.press('ArrowRight');
    await expect
      .poll(async () => Number(await playhead.getAttribute('data-position')), {
        timeout: 5_000,
        interval: 100,
      })
      .toBeGreaterThanOrEqual(4.9);
    expect(Number(await playhead.getAttribute('data-position'))).toBeLessThan(6.5);
    await page
      .getByRole('button', { name: 'Pause' })
      .click()
      .catch(() => undefined);
    await page.locator('.history-detail .scorecard').waitFor();
    await page.screenshot({ path: join(screenshotDir, 'call-shape.png'), fullPage: true });

    // --- exports from the UI
    const [srt] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('group', { name: 'Export transcript' }).getByRole('button', { name: 'SRT' }).click(),
    ]);
    expect(srt.suggestedFilename()).toBe(`${id}.srt`);
    expect(await downloaded(srt)).toMatch(
      /^1\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\n(Customer|Agent): \S/,
    );
    const [vtt] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('group', { name: 'Export transcript' }).getByRole('button', { name: 'WebVTT' }).click(),
    ]);
    expect(await downloaded(vtt)).toMatch(/^WEBVTT\n\n\d\d:\d\d:\d\d\.\d{3} --> .*\n<v (Customer|Agent)>/);
    const [text] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('group', { name: 'Export transcript' }).getByRole('button', { name: 'Text' }).click(),
    ]);
    expect(await downloaded(text)).toContain(`Conversation ${gcConversationId}`);
    const [json] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('group', { name: 'Export transcript' }).getByRole('button', { name: 'JSON' }).click(),
    ]);
    expect(JSON.parse(await downloaded(json))).toMatchObject({ id, metrics: { status: 'final' } });

    // --- dashboard: the call counts, filters narrow it, the CSV lists it
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.waitForURL('**/dashboard');
    await expect
      .poll(async () => page.locator('[data-tile="calls"]').textContent(), { timeout: 10_000 })
      .toBe('1');
    expect(await page.locator('[data-tile="aht"]').textContent()).toMatch(/^0:\d\d$/);
    expect(await page.locator('[data-tile="talk-ratio"]').textContent()).toMatch(/^\d+ : \d+$/);
    expect(await page.locator('.calls-bar').count()).toBe(1);
    await page.screenshot({ path: join(screenshotDir, 'dashboard.png'), fullPage: true });
    await page.getByLabel('Endpoint').selectOption('monitor');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect
      .poll(async () => page.locator('[data-tile="calls"]').textContent(), { timeout: 10_000 })
      .toBe('0');
    await page.getByLabel('Endpoint').selectOption('transcription');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect
      .poll(async () => page.locator('[data-tile="calls"]').textContent(), { timeout: 10_000 })
      .toBe('1');
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download calls CSV' }).click(),
    ]);
    expect(csv.suggestedFilename()).toBe('calls.csv');
    const lines = (await downloaded(csv)).trim().split('\n');
    expect(lines[0]).toMatch(/^id,genesys_conversation_id,started_at,/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(id);

    for (const name of ['embed', 'call-shape', 'dashboard']) {
      expect(statSync(join(screenshotDir, `${name}.png`)).size).toBeGreaterThan(10_000);
    }
    expect(consoleErrors).toEqual([]);
    // the embed's live stream carried its token as ?key=: no server log line may hold either token
    const log = server!.log.join('\n');
    expect(log).not.toContain(EMBED_TOKEN);
    expect(log).not.toContain(TOKEN);
    await page.close();
  }, 240_000);
});
