/**
 * `npm test` builds first; a test file run alone rebuilds the product (tsc -b) when a source is newer than the
 * built entry points, so the child processes never run stale code.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll } from 'vitest';
import { assistJs, mainJs, repoRoot, simJs } from './e2e-stack.js';

function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export function buildProductOnce(): void {
  beforeAll(() => {
    const sources = ['audiohook', 'speech', 'conversations', 'assist', 'sim', 'server']
      .map((p) => join(repoRoot, 'packages', p, 'src'))
      .filter((dir) => existsSync(dir));
    const built = Math.min(
      ...[mainJs, simJs, assistJs].map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)),
    );
    if (Math.max(...sources.map(newestSourceMtime)) <= built) return;
    try {
      execFileSync(
        join(repoRoot, 'node_modules/.bin/tsc'),
        ['-b', 'packages/server', 'packages/sim', 'packages/assist'],
        { cwd: repoRoot, stdio: 'pipe' },
      );
    } catch (err) {
      throw new Error(`build failed:\n${String((err as { stdout?: Buffer }).stdout ?? err)}`);
    }
  }, 240_000);
}
