/* global process */
// The product's server as a child process, for the benchmarks that drive it over real sockets (bench:e2e,
// bench:stt-capacity, bench-protocol-wer): 127.0.0.1, a port the OS picks, the given data dir and AudioHook keys.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const mainJs = join(dirname(fileURLToPath(import.meta.url)), '../packages/server/dist/main.js');

/**
 * Starts `packages/server/dist/main.js` and resolves once it logs `hookscribe listening`. `env`: more HOOKSCRIBE_*
 * settings. `warnings` collects the raw lines of log entries at warn or above, and stderr when `collectStderr`
 * (otherwise stderr is inherited).
 */
export function startBenchServer({ dataDir, audiohookKeys, env = {}, collectStderr = false }) {
  const child = spawn(process.execPath, [mainJs], {
    cwd: dataDir,
    env: {
      PATH: process.env.PATH,
      HOOKSCRIBE_HOST: '127.0.0.1',
      HOOKSCRIBE_PORT: '0',
      HOOKSCRIBE_DATA_DIR: dataDir,
      HOOKSCRIBE_AUDIOHOOK_KEYS: JSON.stringify(audiohookKeys),
      ...env,
    },
    stdio: ['ignore', 'pipe', collectStderr ? 'pipe' : 'inherit'],
  });
  const warnings = [];
  if (collectStderr) createInterface({ input: child.stderr }).on('line', (line) => warnings.push(line));
  return new Promise((resolvePromise, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const entry = JSON.parse(line);
        if (entry.level >= 40) warnings.push(line);
        if (entry.msg === 'hookscribe listening') resolvePromise({ child, url: entry.url, warnings });
      } catch {
        // banner
      }
    });
  });
}
