/**
 * Builds the configured ConversationStore from environment variables:
 *   HOOKSCRIBE_STORE=sqlite (default) | postgres | cosmos
 *   sqlite:   HOOKSCRIBE_SQLITE_PATH (default <data dir>/conversations.db)
 *   postgres: HOOKSCRIBE_POSTGRES_URL (required), HOOKSCRIBE_POSTGRES_POOL (default 10)
 *   cosmos:   HOOKSCRIBE_COSMOS_ENDPOINT, HOOKSCRIBE_COSMOS_KEY, HOOKSCRIBE_COSMOS_DATABASE (default hookscribe),
 *             HOOKSCRIBE_COSMOS_CONTAINER (default conversations)
 * Misconfiguration is a clear error at start, naming the variable.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CosmosClient } from '@azure/cosmos';
import type { ConversationStore } from './conversation-store.js';
import { CosmosConversationStore } from './cosmos-conversation-store.js';
import { PostgresConversationStore } from './postgres-conversation-store.js';
import { SqliteConversationStore } from './sqlite-conversation-store.js';

export type StoreKind = 'sqlite' | 'postgres' | 'cosmos';

export function createConversationStore(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  hooks: { onStatus?: (error: unknown | null) => void } = {},
): ConversationStore {
  const kind = (env.HOOKSCRIBE_STORE ?? 'sqlite').trim().toLowerCase();
  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) throw new Error(`${name} is required when HOOKSCRIBE_STORE=${kind}`);
    return value;
  };
  switch (kind) {
    case 'sqlite': {
      const path = env.HOOKSCRIBE_SQLITE_PATH?.trim() || join(dataDir, 'conversations.db');
      if (path !== ':memory:') mkdirSync(join(path, '..'), { recursive: true });
      return new SqliteConversationStore({ path });
    }
    case 'postgres': {
      const pool = Number(env.HOOKSCRIBE_POSTGRES_POOL ?? 10);
      if (!Number.isInteger(pool) || pool < 1)
        throw new Error('HOOKSCRIBE_POSTGRES_POOL must be a positive integer');
      return new PostgresConversationStore({
        connectionString: required('HOOKSCRIBE_POSTGRES_URL'),
        maxConnections: pool,
        ...(hooks.onStatus ? { onStatus: hooks.onStatus } : {}),
      });
    }
    case 'cosmos':
      return new CosmosConversationStore({
        client: new CosmosClient({
          endpoint: required('HOOKSCRIBE_COSMOS_ENDPOINT'),
          key: required('HOOKSCRIBE_COSMOS_KEY'),
        }),
        databaseId: env.HOOKSCRIBE_COSMOS_DATABASE?.trim() || 'hookscribe',
        containerId: env.HOOKSCRIBE_COSMOS_CONTAINER?.trim() || 'conversations',
      });
    default:
      throw new Error(`HOOKSCRIBE_STORE must be sqlite, postgres or cosmos, not "${kind}"`);
  }
}
