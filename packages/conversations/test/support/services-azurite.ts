/**
 * Starts Azurite's blob service for tests (the npm package, no network beyond loopback): random port, temp data
 * dir, `--loose --skipApiVersionCheck` so any SDK version is accepted. stop()/start() keep the data and the port so
 * tests can take storage away during an upload and bring it back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForPort } from './services-free-port.js';

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteService {
  connectionString: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

function azuriteBin(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'node_modules', '.bin', 'azurite-blob');
    if (existsSync(candidate)) return candidate;
    const parent = resolve(dir, '..');
    if (parent === dir) throw new Error('azurite-blob not found in node_modules/.bin: run npm install');
    dir = parent;
  }
}

export async function startAzurite(): Promise<AzuriteService> {
  const bin = azuriteBin();
  const location = mkdtempSync(join(tmpdir(), 'hookscribe-azurite-'));
  const port = await freePort();
  let child: ChildProcess | null = null;

  const start = async (): Promise<void> => {
    if (child !== null) return;
    const process_ = spawn(
      bin,
      [
        '--blobHost',
        '127.0.0.1',
        '--blobPort',
        String(port),
        '--location',
        location,
        '--skipApiVersionCheck',
        '--loose',
        '--silent',
      ],
      { stdio: 'ignore' },
    );
    child = process_;
    process_.once('exit', () => {
      if (child === process_) child = null;
    });
    await waitForPort(port, 30_000);
  };
  const stop = async (): Promise<void> => {
    const running = child;
    if (running === null) return;
    const exited = new Promise((done) => running.once('exit', done));
    running.kill('SIGTERM');
    await exited;
    child = null;
  };

  await start();
  return {
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};BlobEndpoint=http://127.0.0.1:${port}/${ACCOUNT};`,
    port,
    stop,
    start,
    async destroy() {
      await stop();
      rmSync(location, { recursive: true, force: true });
    },
  };
}
