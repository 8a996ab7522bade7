import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteConversationStore } from '../src/index.js';
import { SQLITE_MIGRATIONS } from '../src/store/sqlite-migrations.js';
import { makeAuditEntry } from './store-audit-contract.js';
import { describeConversationStoreContract, makeConversation } from './store-contract.js';

describeConversationStoreContract('SQLite (temp file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookscribe-sqlite-'));
  const path = join(dir, 'conversations.db');
  const store = new SqliteConversationStore({ path });
  return {
    store,
    openPeer: async () => new SqliteConversationStore({ path }),
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describeConversationStoreContract('SQLite (:memory:)', async () => {
  const store = new SqliteConversationStore({ path: ':memory:' });
  return { store, cleanup: () => store.close() };
});

describe('SQLite migrations', () => {
  it('are applied once and survive reopening the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookscribe-sqlite-'));
    try {
      const path = join(dir, 'conversations.db');
      const first = new SqliteConversationStore({ path });
      const conversation = makeConversation();
      await first.upsertConversation(conversation);
      expect(first.appliedMigrations()).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
      await first.close();
      const second = new SqliteConversationStore({ path });
      expect(second.appliedMigrations()).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
      expect((await second.getConversation(conversation.id))?.id).toBe(conversation.id);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a path that cannot be opened is a clear error', () => {
    expect(() => new SqliteConversationStore({ path: '/nonexistent-dir/x/y.db' })).toThrow(
      /cannot open SQLite database/,
    );
  });
});

describe('SQLite audit log', () => {
  it('is append-only in the schema: an UPDATE is refused', async () => {
    const store = new SqliteConversationStore({ path: ':memory:' });
    try {
      await store.appendAudit([makeAuditEntry()]);
      const db = (store as unknown as { db: { exec(sql: string): void } }).db;
      expect(() => db.exec("UPDATE audit_log SET subject = 'someone else'")).toThrow(/append-only/);
    } finally {
      await store.close();
    }
  });
});
