import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CosmosConversationStore,
  PostgresConversationStore,
  SqliteConversationStore,
  createConversationStore,
} from '../src/index.js';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'hookscribe-config-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('createConversationStore (HOOKSCRIBE_STORE)', () => {
  it('defaults to SQLite in the data dir', async () => {
    const store = createConversationStore({}, join(dataDir, 'nested'));
    expect(store).toBeInstanceOf(SqliteConversationStore);
    expect(existsSync(join(dataDir, 'nested', 'conversations.db'))).toBe(true);
    await store.close();
  });

  it('builds PostgreSQL and Cosmos stores from their variables without connecting', async () => {
    const postgres = createConversationStore(
      { HOOKSCRIBE_STORE: 'postgres', HOOKSCRIBE_POSTGRES_URL: 'postgres://u@127.0.0.1:1/db' },
      dataDir,
    );
    expect(postgres).toBeInstanceOf(PostgresConversationStore);
    await postgres.close();
    const cosmos = createConversationStore(
      {
        HOOKSCRIBE_STORE: 'cosmos',
        HOOKSCRIBE_COSMOS_ENDPOINT: 'https://127.0.0.1:1',
        HOOKSCRIBE_COSMOS_KEY: 'a2V5',
      },
      dataDir,
    );
    expect(cosmos).toBeInstanceOf(CosmosConversationStore);
    await cosmos.close();
  });

  it('names the missing or wrong variable', () => {
    expect(() => createConversationStore({ HOOKSCRIBE_STORE: 'postgres' }, dataDir)).toThrow(
      'HOOKSCRIBE_POSTGRES_URL is required when HOOKSCRIBE_STORE=postgres',
    );
    expect(() =>
      createConversationStore(
        { HOOKSCRIBE_STORE: 'cosmos', HOOKSCRIBE_COSMOS_ENDPOINT: 'https://x' },
        dataDir,
      ),
    ).toThrow('HOOKSCRIBE_COSMOS_KEY is required');
    expect(() => createConversationStore({ HOOKSCRIBE_STORE: 'mongo' }, dataDir)).toThrow(
      'HOOKSCRIBE_STORE must be sqlite, postgres or cosmos, not "mongo"',
    );
    expect(() =>
      createConversationStore(
        { HOOKSCRIBE_STORE: 'postgres', HOOKSCRIBE_POSTGRES_URL: 'x', HOOKSCRIBE_POSTGRES_POOL: '0' },
        dataDir,
      ),
    ).toThrow(/HOOKSCRIBE_POSTGRES_POOL/);
  });
});
