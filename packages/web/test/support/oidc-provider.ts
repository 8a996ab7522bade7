/** Starts support/oidc-provider-process.mjs (a real `oidc-provider`) and resolves with its issuer URL. */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'oidc-provider-process.mjs');

export interface OidcTestConfig {
  clients: Record<string, unknown>[];
  accounts: Record<string, { name: string; roles: string[] }>;
  serviceRoles?: Record<string, string[]>;
}

export interface OidcTestProvider {
  issuer: string;
  /** every line the provider printed (for the secret scan) */
  log: string[];
  stop(): Promise<void>;
}

export function startOidcProvider(config: OidcTestConfig): Promise<OidcTestProvider> {
  const child: ChildProcess = spawn(process.execPath, [SCRIPT], {
    env: { PATH: process.env.PATH, NODE_ENV: 'test', OIDC_TEST_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(kill);
        done();
      });
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`OIDC provider did not start:\n${log.join('\n')}`));
    }, 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`OIDC provider exited with ${code}:\n${log.join('\n')}`));
    });
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        log.push(line);
        const match = /^listening (http:\/\/\S+)$/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve({ issuer: match[1]!, log, stop });
        }
      });
    }
  });
}
