/**
 * Issue 4's "same test on Redis + PostgreSQL + Azurite": the scenario of e2e-embedded against main.js configured
 * with HOOKSCRIBE_STORE=postgres, HOOKSCRIBE_BUS=redis and HOOKSCRIBE_RECORDINGS=azure-blob, each service a real
 * server started by the test on 127.0.0.1 (random port, temp dir) and stopped at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type AzuriteService } from '../../conversations/test/support/services-azurite.js';
import { startPostgres, type PostgresService } from '../../conversations/test/support/services-postgres.js';
import { startRedis, type RedisService } from '../../conversations/test/support/services-redis.js';
import { buildProductOnce } from './support/e2e-build.js';
import { runCallScenario } from './support/e2e-call-scenario.js';
import { apiJson, eventually, startServer, stopAll } from './support/e2e-stack.js';

buildProductOnce();
let postgres: PostgresService;
let redis: RedisService;
let azurite: AzuriteService;
beforeAll(async () => {
  [postgres, redis, azurite] = await Promise.all([startPostgres(), startRedis(), startAzurite()]);
}, 120_000);
afterAll(async () => {
  await stopAll();
  await Promise.allSettled([postgres?.destroy(), redis?.dispose(), azurite?.destroy()]);
}, 60_000);

describe('end to end, scaled configuration (PostgreSQL, Redis, Azurite)', () => {
  it('the same demo-call scenario passes on PostgreSQL + Redis Streams + Azure Blob (Azurite)', async () => {
    const server = await startServer({
      HOOKSCRIBE_STORE: 'postgres',
      HOOKSCRIBE_POSTGRES_URL: postgres.url,
      HOOKSCRIBE_BUS: 'redis',
      HOOKSCRIBE_REDIS_URL: redis.url,
      HOOKSCRIBE_RECORDINGS: 'azure-blob',
      HOOKSCRIBE_AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    });
    const id = await runCallScenario(server);
    // the recording reference points into blob storage (the upload was confirmed), not at the local copy
    const stored = await eventually('recording uploaded to blob storage', async () => {
      const { body } = await apiJson<{ recording: string | null }>(server, `/api/conversations/${id}`);
      return body.recording && !body.recording.startsWith('file:') ? body.recording : undefined;
    });
    expect(stored).toContain(id);
    expect(await server.stop()).toBe(0);
  }, 300_000);
});
