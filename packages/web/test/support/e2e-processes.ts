/**
 * Processes for browser end-to-end tests: the real server (`packages/server/dist/main.js`) on a free port with a
 * temp data dir, `hookscribe-sim` calls, headless Chromium (/usr/bin/chromium), and orderly shutdown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const SERVER = join(ROOT, 'packages/server/dist/main.js');
export const SIM = join(ROOT, 'packages/sim/dist/cli.js');
export const UI = join(ROOT, 'packages/web/dist/index.html');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // media still plays (the playback test's word highlighting follows it); a sound output would open a PulseAudio
  // client, which leaves a pulse-* dir in the temp dir (--mute-audio still opens it)
  '--disable-audio-output',
];

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  log: string[];
}

/** Starts main.js on a free port and resolves with its URL once it logs that it is listening. */
export function startServer(dataDir: string, env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, [SERVER], {
    cwd: dataDir,
    env: {
      PATH: process.env.PATH,
      HOOKSCRIBE_PORT: '0',
      HOOKSCRIBE_HOST: '127.0.0.1',
      HOOKSCRIBE_DATA_DIR: dataDir,
      HOOKSCRIBE_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${log.join('\n')}`)), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${log.join('\n')}`));
    });
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        log.push(line);
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'hookscribe listening' && entry.url) {
            clearTimeout(timer);
            resolveStart({ child, url: entry.url.replace('0.0.0.0', '127.0.0.1'), log });
          }
        } catch {
          // not a JSON log line
        }
      });
    }
  });
}

/** Runs hookscribe-sim with `args`; resolves with its exit code and stdout. */
export function runSim(args: string[]): {
  child: ChildProcess;
  done: Promise<{ code: number | null; output: string }>;
} {
  const child = spawn(process.execPath, [SIM, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  const done = new Promise<{ code: number | null; output: string }>((finish) =>
    child.once('exit', (code) => finish({ code, output })),
  );
  return { child, done };
}

export function stopProcess(child: ChildProcess | undefined): Promise<void> {
  // a child killed by a signal has no exit code, and its 'exit' has already fired
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(kill);
      done();
    });
    child.kill('SIGTERM');
  });
}
