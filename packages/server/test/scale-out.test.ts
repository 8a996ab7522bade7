/**
 * Issue 7's horizontal scale, proven with real processes: two main.js servers (HOOKSCRIBE_ASSIST_IN_PROCESS=false)
 * and two hookscribe-assist workers sharing one Redis (event bus) and one PostgreSQL (store), all on 127.0.0.1.
 * Six calls alternate between the servers; one server is drained (SIGTERM) while its calls are live. Asserted: the
 * live API of either server saw every call; the drained server's calls got `disconnect` (completed) after
 * HOOKSCRIBE_DRAIN_TIMEOUT_MS, were closed properly, their recordings and transcripts finalised; every final the sim
 * received is stored; assist results exist for every call and both workers did part of the work; the drained
 * server exits 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresService } from '../../conversations/test/support/services-postgres.js';
import { startRedis, type RedisService } from '../../conversations/test/support/services-redis.js';
import { buildProductOnce } from './support/e2e-build.js';
import {
  LiveClient,
  apiJson,
  demoCall,
  eventually,
  runSim,
  startAssistWorker,
  startServer,
  stopAll,
  type E2eServer,
  type SimResult,
} from './support/e2e-stack.js';

buildProductOnce();
let postgres: PostgresService;
let redis: RedisService;
beforeAll(async () => {
  [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
}, 120_000);
afterAll(async () => {
  await stopAll();
  await Promise.allSettled([postgres?.destroy(), redis?.dispose()]);
}, 60_000);

interface Conversation {
  id: string;
  state: string;
  closeReason: string | null;
  recording: string | null;
  transcript: { text: string; role: string }[];
  assist: unknown[];
}

const started = Date.now();
/** progress on the test's output, so a slow or stuck phase is visible in CI logs */
const phase = (what: string) =>
  console.log(`scale-out +${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`);

const CALLS = ['billing-dispute', 'address-change', 'cancellation-retention'];
const DRAIN_TIMEOUT_MS = 2000;

describe('scale-out: two servers + two assist workers on Redis + PostgreSQL', () => {
  it('spreads calls, shows all of them live on either server, drains one server mid-call without losing a transcript', async () => {
    const shared = {
      HOOKSCRIBE_STORE: 'postgres',
      HOOKSCRIBE_POSTGRES_URL: postgres.url,
      HOOKSCRIBE_BUS: 'redis',
      HOOKSCRIBE_REDIS_URL: redis.url,
    };
    const [a, b] = await Promise.all([
      startServer({ ...shared, HOOKSCRIBE_ASSIST_IN_PROCESS: 'false' }),
      startServer({
        ...shared,
        HOOKSCRIBE_ASSIST_IN_PROCESS: 'false',
        HOOKSCRIBE_DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS),
      }),
    ]);
    const workers = ['assist-1', 'assist-2'].map((name) =>
      startAssistWorker({ ...shared, HOOKSCRIBE_ASSIST_CONSUMER: name }),
    );
    await eventually('both assist workers subscribed', () =>
      Promise.resolve(workers.every((w) => w.output.join('').includes('in group')) ? true : undefined),
    );
    phase('workers up');
    const liveA = new LiveClient(a);
    const liveB = new LiveClient(b);
    await Promise.all([liveA.connected, liveB.connected]);

    const call = (server: E2eServer, i: number, pacing: string[]) =>
      runSim(server, '/api/v1/voicetranscription/ws', [
        '--wav',
        demoCall(CALLS[i % CALLS.length]!),
        '--language',
        'en-US',
        '--timeout',
        '60',
        ...pacing,
      ]);
    // three calls on B in real time (live when B is drained), three on A as fast as the socket drains
    const onB = [0, 1, 2].map((i) => call(b, i, ['--realtime']));
    const onA = [0, 1, 2].map((i) => call(a, i, ['--fast', '--duration', '10']));
    await eventually('B has its three calls live', () =>
      Promise.resolve(
        liveA.events.filter((e) => e.event === 'session_started').length >= 3 ? true : undefined,
      ),
    );
    // A's calls stream as fast as the socket drains and are over long before B's real-time ones
    const resultsA = await Promise.all(onA);
    phase('A calls done');
    // some speech transcribed on B before the drain: wait for a final of a call that is not A's (a fixed sleep
    // failed on a loaded machine, where B's first final can take longer); B's calls last 20 s, so they are still
    // live when the drain starts
    const onAIds = new Set(resultsA.map((r) => r.sessionId));
    await eventually(
      "a final on one of B's calls",
      () =>
        Promise.resolve(
          liveA.events.some((e) => e.event === 'transcript_available' && !onAIds.has(e.data.conversationId))
            ? true
            : undefined,
        ),
      12_000,
    );
    phase('draining B');
    const drainedAt = Date.now();
    const bExit = b.stop();
    const resultsB = await Promise.all(onB);
    phase('B calls done');
    expect(await bExit).toBe(0);

    phase('B exited');
    for (const r of resultsA) {
      expect(r.violations).toEqual([]);
      expect(r.exitCode).toBe(0);
    }
    // B's calls: ended by the drain with `disconnect` (completed) — which the simulator reports as its only
    // violation — and still closed properly (closed received)
    for (const r of resultsB) {
      expect(r.violations.length).toBe(1);
      expect(r.violations[0]).toMatch(/disconnect/);
      expect(r.violations[0]).toMatch(/completed/);
      expect(r.serverMessages.closed).toBe(1);
      expect(r.streamSeconds).toBeLessThan(21);
    }
    expect(Date.now() - drainedAt).toBeGreaterThanOrEqual(DRAIN_TIMEOUT_MS);

    const all: SimResult[] = [...resultsA, ...resultsB];
    const ids = all.map((r) => r.sessionId);
    expect(new Set(ids).size).toBe(6);

    // the live API on A saw every call, B's included, start and end (B's live client saw them up to its drain)
    for (const id of ids) {
      await eventually(`live A saw ${id} end`, () =>
        Promise.resolve(liveA.of(id, 'session_ended').length > 0 ? true : undefined),
      );
      expect(liveA.of(id, 'session_started')).toHaveLength(1);
    }
    for (const r of resultsA) expect(liveB.of(r.sessionId, 'session_started')).toHaveLength(1);

    // every final any sim received is stored; B's calls ended with the drain's reason, recording finalised
    for (const r of all) {
      const finals = r.transcripts.filter((t) => t.isFinal).map((t) => t.text);
      const conversation = await eventually(`call ${r.sessionId} stored with its finals`, async () => {
        const { body } = await apiJson<Conversation>(a, `/api/conversations/${r.sessionId}`);
        const stored = body.transcript.map((s) => s.text);
        return body.state !== 'active' && finals.every((f) => stored.includes(f)) ? body : undefined;
      });
      expect(conversation.recording).not.toBeNull();
      if (resultsB.includes(r)) expect(conversation.closeReason).toBe('disconnect');
    }
    expect(resultsB.some((r) => r.transcripts.some((t) => t.isFinal))).toBe(true);

    phase('stored checked');
    // assist ran for every call on the two workers (the servers run none in process)
    for (const id of ids) {
      await eventually(`assist results for ${id}`, async () => {
        const { body } = await apiJson<Conversation>(a, `/api/conversations/${id}`);
        return body.assist.length > 0 ? true : undefined;
      });
    }
    phase('assist checked');
    liveA.close();
    liveB.close();
    expect(await a.stop()).toBe(0);
    phase('A stopped');
    for (const w of workers) expect(await w.stop()).toBe(0);
    // the consumer group shared the work: each worker processed finals and published results
    for (const w of workers) {
      const summary = /stopped after (\d+) finals of (\d+) conversations, (\d+) results published/.exec(
        w.output.join(''),
      );
      expect(summary, w.output.join('')).not.toBeNull();
      expect(Number(summary![1])).toBeGreaterThan(0);
      expect(Number(summary![3])).toBeGreaterThan(0);
    }
  }, 300_000);
});
