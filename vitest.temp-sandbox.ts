/**
 * vitest globalSetup: every test run gets one temp directory (TMPDIR for the workers and every process they start),
 * removed when the run ends, failures included, so a run never leaves files in the system temp dir — some tests
 * write development credentials there. Whatever a test failed to clean up itself is listed first, so leaks stay
 * visible instead of silently swept away.
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** caches the product keeps in the temp dir on purpose (the embedded engine's domain LM, by content hash) */
const PRODUCT_CACHES = new Set(['hookscribe-lm']);

export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const sandbox = mkdtempSync(join(tmpdir(), 'hookscribe-test-run-'));
  // traversable: the PostgreSQL test server runs as the `postgres` user inside a directory created here
  chmodSync(sandbox, 0o755);
  process.env.TMPDIR = sandbox;
  return () => {
    const left = readdirSync(sandbox).filter((name) => !PRODUCT_CACHES.has(name));
    if (left.length > 0) {
      process.stderr.write(
        `test temp dirs not removed by their tests (removed now): ${left.sort().join(', ')}\n`,
      );
    }
    rmSync(sandbox, { recursive: true, force: true });
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  };
}
