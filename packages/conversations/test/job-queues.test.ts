import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PostgresConversationStore,
  RedisStreamsTranscriptionJobQueue,
  SqliteConversationStore,
} from '../src/index.js';
import { describeJobQueueContract } from './job-queue-contract.js';
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
