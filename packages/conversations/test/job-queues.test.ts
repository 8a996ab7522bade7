import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  PostgresConversationStore,
  RedisStreamsTranscriptionJobQueue,
  SqliteConversationStore,
  type ClaimedTranscriptionJob,
} from '../src/index.js';
import { describeJobQueueContract, makeJob } from './job-queue-contract.js';
import { startPostgres } from './support/services-postgres.js';
import { startRedis } from './support/services-redis.js';

describeJobQueueContract('SQLite store tables (temp file, two processes sharing it)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookscribe-jobs-'));
  const path = join(dir, 'conversations.db');
  const store = new SqliteConversationStore({ path });
  const peers: SqliteConversationStore[] = [];
  return {
    queue: store.transcriptionJobs({ maxAttempts: 3 }),
    openPeer: async () => {
      const peer = new SqliteConversationStore({ path });
      peers.push(peer);
      return peer.transcriptionJobs({ maxAttempts: 3 });
    },
    cleanup: async () => {
      for (const peer of peers) await peer.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describeJobQueueContract('PostgreSQL store tables (real server)', async () => {
  const server = await startPostgres();
  const store = new PostgresConversationStore({ connectionString: server.url });
  const peers: PostgresConversationStore[] = [];
  return {
    queue: store.transcriptionJobs({ maxAttempts: 3 }),
    openPeer: async () => {
      const peer = new PostgresConversationStore({ connectionString: server.url });
      peers.push(peer);
      return peer.transcriptionJobs({ maxAttempts: 3 });
    },
    cleanup: async () => {
      for (const peer of peers) await peer.close();
      await store.close();
      await server.destroy();
    },
  };
});

describeJobQueueContract('Redis Streams consumer group (real server)', async () => {
  const redis = await startRedis();
  const prefix = `{test-${randomUUID()}}`;
  const open = () => new RedisStreamsTranscriptionJobQueue({ url: redis.url, prefix, maxAttempts: 3 });
  const queue = open();
  return {
    queue,
    openPeer: async () => open(),
    cleanup: async () => {
      await queue.close();
      await redis.dispose();
    },
  };
});

describe('Redis Streams job queue: an interleaving the contract test only hits by chance', () => {
  it('a new entry another worker reclaimed and took between its delivery and the take is not taken twice', async () => {
    const redis = await startRedis();
    const prefix = `{test-${randomUUID()}}`;
    const a = new RedisStreamsTranscriptionJobQueue({ url: redis.url, prefix, maxAttempts: 3 });
    const c = new RedisStreamsTranscriptionJobQueue({ url: redis.url, prefix, maxAttempts: 3 });
    try {
      await a.enqueue(makeJob());
      // right after XREADGROUP delivers the entry to worker a, and before a's take runs, worker c finds it in the
      // pending list (delivered, never leased) and takes it
      const internals = a as unknown as { readNew(stream: string, worker: string): Promise<unknown[]> };
      const readNew = internals.readNew.bind(a);
      let takenByC: ClaimedTranscriptionJob | null = null;
      internals.readNew = async (stream, worker) => {
        const delivered = await readNew(stream, worker);
        if (delivered.length > 0 && takenByC === null) takenByC = await c.claim('c', 60_000);
        return delivered;
      };
      expect(await a.claim('a', 60_000)).toBeNull();
      expect(takenByC).not.toBeNull();
    } finally {
      await a.close();
      await c.close();
      await redis.dispose();
    }
  });
});
