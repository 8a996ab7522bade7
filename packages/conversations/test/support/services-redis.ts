/**
 * A real redis-server for tests: 127.0.0.1, random free port, temp dir, no persistence. stop() kills it (SIGKILL —
 * what a crash looks like); start() again brings it back on the SAME port, empty.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisService {
  readonly port: number;
  readonly url: string;
  /** (re)start on the same port; resolves once it accepts connections */
  start(): Promise<void>;
  /** kill -9 */
  stop(): Promise<void>;
  /** stop and remove the temp dir */
  dispose(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startRedis(): Promise<RedisService> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'hookscribe-redis-'));
  let child: ChildProcess | null = null;

  const service: RedisService = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      if (child) return;
      const proc = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
        { stdio: 'ignore' },
      );
      child = proc;
      const exited = new Promise<never>((_, reject) =>
        proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`))),
      );
      exited.catch(() => {});
      const deadline = Date.now() + 10_000;
      while (!(await canConnect(port))) {
        if (proc.exitCode !== null) await exited;
        if (Date.now() > deadline) throw new Error('redis-server did not start within 10 s');
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      const proc = child;
      child = null;
      if (!proc || proc.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill('SIGKILL');
      });
    },
    async dispose() {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await service.start();
  return service;
}
