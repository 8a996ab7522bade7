/** The demo caller (HOOKSCRIBE_DEMO=1) plays calls in a loop through the server's own AudioHook endpoint. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionResult } from '@hookscribe/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type HookscribeApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { bundledDemoCalls, DemoCaller, demoCredentials } from '../src/demo/demo-caller.js';

const API_KEY = 'demo-test-key';
const SECRET = Buffer.from('demo-test-secret-0123456789abcdef').toString('base64');

describe('DemoCaller', () => {
  let dir: string;
  let app: HookscribeApp;
  let url: string;
  let wav: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookscribe-demo-'));
    // a 1.6 s stereo µ-law call keeps the loop short; the bundled calls are checked separately below
    wav = join(dir, 'short.wav');
    execFileSync('sox', [
      '-n',
      '-r',
      '8000',
      '-c',
      '2',
      '-e',
      'u-law',
      wav,
      'synth',
      '1.6',
      'sine',
      '440',
      'sine',
      '660',
    ]);
    const config = loadConfig(
      {
        HOOKSCRIBE_PORT: '0',
        HOOKSCRIBE_HOST: '127.0.0.1',
        HOOKSCRIBE_DATA_DIR: dir,
        HOOKSCRIBE_LOG_LEVEL: 'silent',
        HOOKSCRIBE_AUDIOHOOK_KEYS: JSON.stringify({ [API_KEY]: SECRET }),
      },
      dir,
    );
    app = await buildApp(config);
    const started = await app.start();
    url = `ws://127.0.0.1:${started.port}/api/v1/audiohook/ws`;
  });
  afterAll(async () => {
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('bundles three stereo µ-law sample calls of 20–40 s, under 1 MB together', () => {
    const calls = bundledDemoCalls();
    expect(calls.map((f) => f.split('/').pop())).toEqual([
      'address-change.wav',
      'billing-dispute.wav',
      'cancellation-retention.wav',
    ]);
    let total = 0;
    for (const file of calls) {
      const bytes = statSync(file).size;
      total += bytes;
      const seconds = (bytes - 58) / (8000 * 2);
      expect(seconds, file).toBeGreaterThanOrEqual(19.9);
      expect(seconds, file).toBeLessThanOrEqual(40);
    }
    expect(total).toBeLessThan(1_000_000);
  });

  it('streams calls one after another until stopped, each a clean AudioHook session', async () => {
    const ended: SessionResult[] = [];
    const errors: Error[] = [];
    const demo = new DemoCaller({
      url,
      apiKey: API_KEY,
      secret: SECRET,
      calls: [wav],
      lines: 1,
      pauseMs: 100,
      onCallEnded: (_file, result) => ended.push(result),
      onError: (_file, error) => errors.push(error),
    });
    demo.start();
    await expect.poll(() => ended.length, { timeout: 20_000, interval: 100 }).toBeGreaterThanOrEqual(2);
    await demo.stop();
    const count = ended.length;
    expect(errors).toEqual([]);
    for (const result of ended) {
      expect(result.violations).toEqual([]);
      expect(result.ok).toBe(true);
      expect(result.closedReceived).toBe(true);
    }
    // the recordings of the demo calls exist like any other call's
    expect(existsSync(join(dir, 'recordings'))).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(ended.length).toBe(count); // nothing starts after stop()
  }, 40_000);

  it('a wrong secret is reported per call, and the loop keeps going', async () => {
    const errors: string[] = [];
    const ended: SessionResult[] = [];
    const demo = new DemoCaller({
      url,
      apiKey: API_KEY,
      secret: Buffer.from('wrong-secret-wrong-secret-wrong!!').toString('base64'),
      calls: [wav],
      lines: 1,
      pauseMs: 50,
      onCallEnded: (_f, r) => ended.push(r),
      onError: (_f, e) => errors.push(e.message),
    });
    demo.start();
    await expect.poll(() => ended.length, { timeout: 15_000, interval: 100 }).toBeGreaterThanOrEqual(2);
    await demo.stop();
    expect(ended.every((r) => !r.ok && r.upgradeStatus === 401)).toBe(true);
  }, 30_000);

  it('signs with the first configured key, unsigned for an empty secret, else the development key', () => {
    const dev = { apiKey: 'dev', secret: 'ZGV2' };
    expect(demoCredentials({ a: 'c2Vj', b: 'x' }, dev)).toEqual({ apiKey: 'a', secret: 'c2Vj' });
    expect(demoCredentials({ open: '' }, null)).toEqual({ apiKey: 'open', secret: null });
    expect(demoCredentials(null, dev)).toEqual({ apiKey: 'dev', secret: 'ZGV2' });
    expect(() => demoCredentials({}, null)).toThrow(/no AudioHook key/);
  });
});
