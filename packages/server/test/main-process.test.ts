/**
 * The real entry point as a child process: `node packages/server/dist/main.js` (built first). Covers SIGTERM drain
 * end to end, the development key banner, JSON logs with the session ids and without secrets, and exit code 2 on
 * invalid configuration.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseWav } from '@hookscribe/audiohook';
import { describe, expect, it } from 'vitest';
import {
  SECRET_BYTES,
  SIGNED_KEY,
  connect,
  connectOk,
  finalisedSidecar,
  type TestServer,
} from './support/audiohook-test-client.js';
import { buildProductOnce } from './support/e2e-build.js';
import { mainJs } from './support/e2e-stack.js';
import { makeTempDir } from './support/temp-dirs.js';

buildProductOnce();

interface Started {
  child: ChildProcess;
  server: TestServer;
  logs: Record<string, unknown>[];
  stdout: string[];
  stderr: string[];
  exit: Promise<number | null>;
}

function startMain(env: Record<string, string>): Promise<Started> {
  const dataDir = env.HOOKSCRIBE_DATA_DIR!;
  const child = spawn(process.execPath, [mainJs], {
    cwd: dataDir,
    env: { PATH: process.env.PATH ?? '', HOOKSCRIBE_HOST: '127.0.0.1', HOOKSCRIBE_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolvePromise, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      stdout.push(line);
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      if (entry.msg === 'hookscribe listening') {
        const port = Number(new URL(String(entry.url)).port);
        const server = {
          port,
          httpUrl: `http://127.0.0.1:${port}`,
          wsBase: `ws://127.0.0.1:${port}`,
          dataDir,
        } as TestServer;
        resolvePromise({ child, server, logs, stdout, stderr, exit });
      }
    });
    void exit.then((code) => reject(new Error(`exited with ${code} before listening: ${stderr.join('')}`)));
  });
}

describe('main.js', () => {
  it('drains on SIGTERM: ready 503, upgrades 503, live call disconnected (completed), recording finalised, exit 0', async () => {
    const dataDir = makeTempDir('hookscribe-main-');
    const { child, server, logs, stdout, exit } = await startMain({
      HOOKSCRIBE_DATA_DIR: dataDir,
      HOOKSCRIBE_AUDIOHOOK_KEYS: JSON.stringify({ [SIGNED_KEY]: SECRET_BYTES.toString('base64') }),
      HOOKSCRIBE_DRAIN_TIMEOUT_MS: '700',
    });
    const live = await connectOk({ server });
    await live.open();
    const frames = [Buffer.alloc(3200, 1), Buffer.alloc(3200, 2)];
    for (const f of frames) live.audio(f, 1600);
    await live.ping();

    child.kill('SIGTERM');
    for (;;) {
      const res = await fetch(`${server.httpUrl}/ready`);
      if (res.status === 503) {
        expect(await res.json()).toEqual({ status: 'draining' });
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const refused = await connect({ server });
    expect(refused.upgraded).toBe(false);
    if (!refused.upgraded) expect(refused.status).toBe(503);

    // still live during the drain window
    expect((await live.ping()).type).toBe('pong');
    const disconnect = await live.next('disconnect');
    expect(disconnect.parameters).toMatchObject({ reason: 'completed' });
    expect((await live.close('disconnect')).type).toBe('closed');

    expect(await exit).toBe(0);
    const sidecar = await finalisedSidecar(server, live.ids.sessionId, 1000);
    expect(sidecar.ended).toMatchObject({ outcome: 'closed', audioBytes: 6400 });
    const wavPath = join(
      dataDir,
      'recordings',
      new Date().toISOString().slice(0, 10),
      `${live.ids.sessionId}.wav`,
    );
    expect(Buffer.from(parseWav(new Uint8Array(readFileSync(wavPath))).data)).toEqual(Buffer.concat(frames));

    // every session log line carries the four ids; no credential ever reaches the log
    const sessionLines = logs.filter((l) => l.sessionId === live.ids.sessionId);
    expect(sessionLines.length).toBeGreaterThan(3);
    for (const line of sessionLines) {
      expect(line).toMatchObject({
        correlationId: live.ids.correlationId,
        organizationId: live.ids.organizationId,
      });
      expect(line).toHaveProperty('conversationId');
    }
    expect(sessionLines.some((l) => l.conversationId === live.ids.conversationId)).toBe(true);
    const all = stdout.join('\n');
    expect(all).not.toContain(SECRET_BYTES.toString('base64'));
    expect(all).not.toContain(SIGNED_KEY);
    expect(all).not.toContain('sig1=');
    expect(logs.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['shutting down: draining', 'drain complete']),
    );
  });

  it('generates and prints the development key when no keys are configured', async () => {
    const dataDir = makeTempDir('hookscribe-main-');
    const { child, stderr, stdout, exit } = await startMain({ HOOKSCRIBE_DATA_DIR: dataDir });
    const stored = JSON.parse(readFileSync(join(dataDir, 'dev-audiohook-key.json'), 'utf8'));
    child.kill('SIGINT');
    expect(await exit).toBe(0);
    const banner = stderr.join('');
    expect(banner).toContain(`API key:       ${stored.apiKey}`);
    expect(banner).toContain(`Client secret: ${stored.secret}`);
    expect(stdout.join('\n')).not.toContain(stored.secret);
  });

  it('reads .env from the working directory, the environment winning', () => {
    const dataDir = makeTempDir('hookscribe-main-');
    writeFileSync(join(dataDir, '.env'), 'HOOKSCRIBE_MAX_SESSIONS=none\nHOOKSCRIBE_PORT=also-bad\n');
    let status: number | null = null;
    let stderr = '';
    try {
      execFileSync(process.execPath, [mainJs], {
        cwd: dataDir,
        env: { PATH: process.env.PATH ?? '', HOOKSCRIBE_PORT: '0', HOOKSCRIBE_AUDIOHOOK_KEYS: '{"k":""}' },
        stdio: 'pipe',
      });
    } catch (err) {
      status = (err as { status: number }).status;
      stderr = String((err as { stderr: Buffer }).stderr);
    }
    expect(status).toBe(2);
    expect(stderr).toContain('HOOKSCRIBE_MAX_SESSIONS: must be an integer (got "none")');
    expect(stderr).not.toContain('HOOKSCRIBE_PORT');
  });

  it('exits with code 2 and names the variable on invalid configuration', () => {
    const dataDir = makeTempDir('hookscribe-main-');
    let status: number | null = null;
    let stderr = '';
    try {
      execFileSync(process.execPath, [mainJs], {
        cwd: dataDir,
        env: { PATH: process.env.PATH ?? '', HOOKSCRIBE_PORT: 'abc', HOOKSCRIBE_AUDIOHOOK_KEYS: '{' },
        stdio: 'pipe',
      });
    } catch (err) {
      status = (err as { status: number }).status;
      stderr = String((err as { stderr: Buffer }).stderr);
    }
    expect(status).toBe(2);
    expect(stderr).toContain('HOOKSCRIBE_PORT: must be an integer (got "abc")');
    expect(stderr).toContain('HOOKSCRIBE_AUDIOHOOK_KEYS: must be a JSON object');
  });
});
