/**
 * SQLite on a full disk. As root (here and in CI) the database lives on a real 4 MiB tmpfs that a ballast file fills;
 * elsewhere it is capped with the store's maxDatabaseBytes option (SQLite's max_page_count), which fails writes with
 * the same SQLITE_FULL error. Either way: a clear error in health, writes held in memory and retried, nothing lost.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteConversationStore } from '../src/index.js';
import { makeConversation, makeSegment } from './store-contract.js';

interface FullDisk {
  how: string;
  dir: string;
  open(): SqliteConversationStore;
  fill(): void;
  free(): void;
  cleanup(): void;
}

function tmpfsDisk(): FullDisk | null {
  if (process.getuid?.() !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'hookscribe-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  const ballast = join(dir, 'ballast');
  return {
    how: 'a 4 MiB tmpfs filled by a ballast file',
    dir,
    open: () =>
      new SqliteConversationStore({ path: join(dir, 'c.db'), initialBackoffMs: 50, maxBackoffMs: 200 }),
    fill() {
      // write until the filesystem refuses
      const chunk = Buffer.alloc(64 * 1024, 1);
      const parts: Buffer[] = [];
      for (;;) {
        parts.push(chunk);
        try {
          writeFileSync(ballast, Buffer.concat(parts));
        } catch {
          parts.pop();
          writeFileSync(ballast, Buffer.concat(parts));
          return;
        }
      }
    },
    free: () => rmSync(ballast, { force: true }),
    cleanup() {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function cappedDisk(): FullDisk {
  const dir = mkdtempSync(join(tmpdir(), 'hookscribe-full-'));
  let store: SqliteConversationStore | null = null;
  return {
    how: 'the maxDatabaseBytes cap (SQLite max_page_count)',
    dir,
    open: () =>
      (store = new SqliteConversationStore({
        path: join(dir, 'c.db'),
        initialBackoffMs: 50,
        maxBackoffMs: 200,
        maxDatabaseBytes: 1,
      })),
    fill: () => undefined,
    free: () => store?.setMaxDatabaseBytes(null),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const disk = tmpfsDisk() ?? cappedDisk();

describe(`SQLite disk full (simulated with ${disk.how})`, () => {
  let store: SqliteConversationStore;
  beforeAll(() => {
    store = disk.open();
  });
  afterAll(async () => {
    await store?.close();
    disk.cleanup();
  });

  it('reports degraded with "disk full", keeps the writes in memory and stores them once space is back', async () => {
    const conversation = makeConversation();
    await store.upsertConversation(conversation);
    disk.fill();
    const text = 'x'.repeat(20_000);
    const writes = Array.from({ length: 20 }, (_, index) =>
      store.appendSegment(conversation.id, makeSegment(`${index} ${text}`, { offset: index })),
    );
    let health = await store.health();
    for (let tries = 0; health.status === 'ok' && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      health = await store.health();
    }
    expect(health.status).toBe('degraded');
    expect(health.detail).toMatch(/disk full/);
    expect(health.pendingWrites).toBeGreaterThan(0);

    disk.free();
    await Promise.all(writes);
    const read = await store.getConversation(conversation.id);
    expect(read?.transcript).toHaveLength(20);
    expect(await store.health()).toMatchObject({ status: 'ok', pendingWrites: 0 });
  });
});
