/**
 * Issue 4's dependency faults on the assembled server (real processes, real Redis and PostgreSQL):
 *  - Redis (the event bus) killed mid-call and restarted: the call goes on, /health reports bus:redis degraded
 *    meanwhile, and after the restart the live API delivers every event of the call (outbox in the store).
 *  - PostgreSQL unavailable at start: the server starts anyway with the store degraded, and the call made while it
 *    was down appears in the conversation list once PostgreSQL is up.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startPostgres } from '../../conversations/test/support/services-postgres.js';
import { startRedis } from '../../conversations/test/support/services-redis.js';
import { buildProductOnce } from './support/e2e-build.js';
import {
  LiveClient,
  apiJson,
  demoCall,
  eventually,
  runSim,
  startServer,
  stopAll,
  type E2eServer,
} from './support/e2e-stack.js';

buildProductOnce();
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await stopAll();
  await Promise.allSettled(cleanups.map((c) => c()));
}, 60_000);

interface Health {
  status: string;
  dependencies: { name: string; status: string }[];
}
const health = async (server: E2eServer) => (await apiJson<Health>(server, '/health')).body;

describe('end to end under dependency faults', () => {
  it('Redis killed mid-call and restarted: the call goes on, health degraded meanwhile, no event lost', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.dispose());
    const server = await startServer({ HOOKSCRIBE_BUS: 'redis', HOOKSCRIBE_REDIS_URL: redis.url });
    const live = new LiveClient(server);
    await live.connected;
    const call = runSim(server, '/api/v1/voicetranscription/ws', [
      '--wav',
      demoCall('billing-dispute'),
      '--language',
      'en-US',
      '--realtime',
      '--timeout',
      '60',
    ]);
    await eventually('call started', () =>
      Promise.resolve(live.events.some((e) => e.event === 'session_started') ? true : undefined),
    );
    await redis.stop();
    await eventually('health reports the bus degraded', async () => {
      const h = await health(server);
      return h.status === 'degraded' &&
        h.dependencies.some((d) => d.name.startsWith('bus') && d.status === 'degraded')
        ? true
        : undefined;
    });
    await new Promise((r) => setTimeout(r, 3000));
    await redis.start();
    const result = await call;
    expect(result.violations).toEqual([]);
    expect(result.exitCode).toBe(0);
    const finals = result.transcripts.filter((t) => t.isFinal);
    expect(finals.length).toBeGreaterThan(0);

    await eventually('health ok again', async () =>
      (await health(server)).status === 'healthy' ? true : undefined,
    );
    // every stored final reached the live client, and the session's start and end
    const stored = await eventually('conversation ended with its finals', async () => {
      const { body } = await apiJson<{ state: string; transcript: { text: string }[] }>(
        server,
        `/api/conversations/${result.sessionId}`,
      );
      return body.state === 'ended' ? body.transcript : undefined;
    });
    for (const f of finals) expect(stored.map((s) => s.text)).toContain(f.text);
    await eventually('all events delivered live', () =>
      Promise.resolve(
        live.of(result.sessionId, 'session_ended').length > 0 &&
          new Set(live.of(result.sessionId, 'transcript_available').map((e) => e.data.eventId)).size >=
            stored.length
          ? true
          : undefined,
      ),
    );
    expect(live.of(result.sessionId, 'session_started')).toHaveLength(1);
    live.close();
    expect(await server.stop()).toBe(0);
  }, 180_000);

  it('PostgreSQL unavailable at start: the server starts degraded, the call appears once PostgreSQL is up', async () => {
    const postgres = await startPostgres();
    cleanups.push(() => postgres.destroy());
    await postgres.stop();
    const server = await startServer({ HOOKSCRIBE_STORE: 'postgres', HOOKSCRIBE_POSTGRES_URL: postgres.url });
    await eventually('health reports the store degraded', async () => {
      const h = await health(server);
      return h.dependencies.some((d) => d.name === 'store' && d.status === 'degraded') ? true : undefined;
    });
    const call = await runSim(server, '/api/v1/voicetranscription/ws', [
      '--wav',
      demoCall('billing-dispute'),
      '--language',
      'en-US',
      '--fast',
      '--duration',
      '8',
      '--timeout',
      '60',
    ]);
    expect(call.violations).toEqual([]);
    expect(call.exitCode).toBe(0);
    await postgres.start();
    await eventually(
      'the call listed once PostgreSQL is up',
      async () => {
        const { status, body } = await apiJson<{ items: { id: string }[] }>(server, '/api/conversations');
        return status === 200 && body.items.some((c) => c.id === call.sessionId) ? true : undefined;
      },
      90_000,
    );
    expect((await health(server)).dependencies.find((d) => d.name === 'store')?.status).toBe('ok');
    expect(await server.stop()).toBe(0);
  }, 180_000);
});
