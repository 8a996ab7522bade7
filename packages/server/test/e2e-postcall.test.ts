/**
 * Issue 13 on the assembled product (real processes, embedded engine, SQLite, recordings on disk):
 *  - a call beyond live capacity is recorded and stored as "transcript pending", then transcribed from its recording
 *    after the call: the stored transcript holds the call's words, `transcript_replaced` reaches the live API once;
 *  - a hookscribe-stt worker killed (SIGKILL) mid-job loses no job: a second worker takes it once the lease runs out,
 *    and the call still gets exactly one post-call result;
 *  - a server killed mid-call: after its restart the call is ended as failed and transcribed from its recording.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWav } from '@hookscribe/audiohook';
import { afterAll, describe, expect, it } from 'vitest';
import { startRedis } from '../../conversations/test/support/services-redis.js';
import { buildProductOnce } from './support/e2e-build.js';
import {
  API_TOKEN,
  LiveClient,
  apiJson,
  demoCall,
  eventually,
  repoRoot,
  runSim,
  startServer,
  stopAll,
} from './support/e2e-stack.js';

buildProductOnce();
const sttJs = join(repoRoot, 'packages/server/dist/stt-worker.js');
const temp = mkdtempSync(join(tmpdir(), 'hookscribe-postcall-'));
const workers = new Set<ChildProcess>();
afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await stopAll();
  rmSync(temp, { recursive: true, force: true });
}, 60_000);

interface Conversation {
  state: string;
  transcription?: { status: string; reason: string | null; version: string };
  transcript: { text: string; offset: number }[];
}

const conversation = async (server: { httpUrl: string }, id: string) =>
  (await apiJson<Conversation>(server, `/api/conversations/${id}`)).body;

function startSttWorker(env: Record<string, string>): { child: ChildProcess; output: string[] } {
  const child = spawn(process.execPath, [sttJs], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  workers.add(child);
  child.once('exit', () => workers.delete(child));
  const output: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (c: string) => output.push(c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => output.push(c));
  return { child, output };
}

const words = (transcript: { text: string }[]) =>
  transcript.flatMap((s) => s.text.split(/\s+/)).filter(Boolean);

describe('post-call transcription end to end', () => {
  it('a call beyond live capacity is stored pending, then transcribed from its recording', async () => {
    const server = await startServer({ HOOKSCRIBE_STT_LIVE_CHANNELS: '0' });
    const live = new LiveClient(server);
    await live.connected;
    // the client pauses for the middle third: that audio is never sent, so it is not in the recording either
    const call = await runSim(server, '/api/v1/voicetranscription/ws', [
      '--wav',
      demoCall('billing-dispute'),
      '--language',
      'en-US',
      '--scenario',
      'pause-resume',
      '--custom-config',
      JSON.stringify({ sttPhrases: ['billing dispute'] }),
      '--fast',
    ]);
    expect(call.violations).toEqual([]);
    expect(call.transcripts).toEqual([]); // nothing live: Genesys got no transcript events
    expect(
      server.logs.some(
        (l) => l.msg === 'call not decoded live: transcript pending' && l.sessionId === call.sessionId,
      ),
    ).toBe(true);
    const done = await eventually(
      'post-call transcript stored',
      async () => {
        const c = await conversation(server, call.sessionId);
        return c.transcription?.status === 'done' ? c : undefined;
      },
      120_000,
    );
    expect(done.transcription).toMatchObject({
      version: 'recovered',
      reason: expect.stringMatching(/capacity/),
    });
    expect(words(done.transcript).length).toBeGreaterThan(12);
    expect(done.transcript.map((s) => s.text).join(' ')).toMatch(/bill|charge/);
    // offsets are on the stream timeline, like a live transcript's: nothing starts inside the paused third, and the
    // last third's speech comes after it (on the recording's own timeline it would fall inside it)
    const seconds = parseWav(readFileSync(demoCall('billing-dispute'))).data.length / 2 / 8000;
    const [pausedFrom, pausedTo] = [seconds / 3, (2 * seconds) / 3];
    const offsets = done.transcript.map((s) => s.offset);
    expect(offsets.filter((o) => o > pausedFrom + 0.25 && o < pausedTo - 0.25)).toEqual([]);
    expect(offsets.some((o) => o >= pausedTo - 0.25)).toBe(true);
    // the job read the call's pause and its phrase hints from the recording's sidecar
    expect(server.logs.find((l) => l.msg === 'post-call transcription started')).toMatchObject({
      streamGaps: 1,
      phrases: 1,
    });
    // the live version (empty: nothing was decoded live) stays readable beside the one now used
    expect((await apiJson(server, `/api/conversations/${call.sessionId}/transcripts/live`)).body).toEqual({
      version: 'live',
      segments: [],
    });
    const recovered = await apiJson<{ segments: { text: string }[] }>(
      server,
      `/api/conversations/${call.sessionId}/transcripts/recovered`,
    );
    expect(recovered.body.segments).toEqual(done.transcript);
    expect((await apiJson(server, `/api/conversations/${call.sessionId}/transcripts/accurate`)).status).toBe(
      404,
    );
    await eventually('transcript_replaced on the live API', () =>
      Promise.resolve(live.events.some((e) => e.event === 'transcript_replaced') ? true : undefined),
    );
    const metrics = await (await fetch(`${server.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /hookscribe_stt_not_live_total\{endpoint="transcription",cause="over-capacity"\} 1/,
    );
    expect(metrics).toMatch(/hookscribe_stt_postcall_jobs_total\{kind="recover",result="stored"\} 1/);
    expect(metrics).toMatch(/hookscribe_stt_live_channels_capacity 0/);
    live.close();
    await server.stop();
  }, 180_000);

  it('a hookscribe-stt worker killed mid-job loses no job; the call gets exactly one result', async () => {
    // a longer call (the demo four times) so the job is surely still running when the worker is killed
    const wav = join(temp, 'long-call.wav');
    const demo = demoCall('cancellation-retention');
    execFileSync('sox', [demo, demo, demo, demo, wav]);
    const server = await startServer({
      HOOKSCRIBE_STT_LIVE_CHANNELS: '0',
      HOOKSCRIBE_STT_WORKER_IN_PROCESS: 'false',
    });
    const workerEnv = { HOOKSCRIBE_DATA_DIR: server.dataDir, HOOKSCRIBE_STT_LEASE_MS: '3000' };
    const call = await runSim(server, '/api/v1/audiohook/ws', ['--wav', wav, '--fast']);
    expect(call.violations).toEqual([]);
    const first = startSttWorker({ ...workerEnv, HOOKSCRIBE_STT_CONSUMER: 'first' });
    await eventually(
      'the first worker took the job',
      async () =>
        (await conversation(server, call.sessionId)).transcription?.status === 'working' ? true : undefined,
      60_000,
    );
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    expect((await conversation(server, call.sessionId)).transcription?.status).toBe('working');

    const second = startSttWorker({ ...workerEnv, HOOKSCRIBE_STT_CONSUMER: 'second' });
    const done = await eventually(
      'the second worker finished the job',
      async () => {
        const c = await conversation(server, call.sessionId);
        return c.transcription?.status === 'done' ? c : undefined;
      },
      150_000,
    );
    expect(words(done.transcript).length).toBeGreaterThan(40);
    expect(second.output.join('')).toMatch(/post-call transcript stored/);
    const events = await fetch(`${server.httpUrl}/api/conversations/${call.sessionId}/events`, {
      headers: { Authorization: `Bearer ${API_TOKEN}` },
    });
    const { items } = (await events.json()) as { items: { event: { type: string } }[] };
    expect(items.filter((e) => e.event.type === 'transcript_replaced')).toHaveLength(1);
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
    await server.stop();
  }, 300_000);

  it('a server killed mid-call: after the restart the call is ended and transcribed from its recording', async () => {
    const first = await startServer({});
    const dataDir = first.dataDir;
    const call = runSim(first, '/api/v1/audiohook/ws', [
      '--wav',
      demoCall('address-change'),
      '--realtime',
      '--timeout',
      '5',
    ]).catch(() => null); // the connection dies with the server
    const sessionId = await eventually('the call is stored', async () => {
      const { body } = await apiJson<{ items: { id: string; state: string }[] }>(first, '/api/conversations');
      return body.items.find((c) => c.state === 'active')?.id;
    });
    await new Promise((r) => setTimeout(r, 6000)); // some audio recorded
    first.child.kill('SIGKILL');
    await first.exit;
    await call;

    const second = await startServer({ HOOKSCRIBE_DATA_DIR: dataDir });
    const done = await eventually(
      'the interrupted call transcribed from its recording',
      async () => {
        const c = await conversation(second, sessionId);
        return c.transcription?.status === 'done' ? c : undefined;
      },
      120_000,
    );
    expect(done).toMatchObject({ state: 'failed', transcription: { version: 'recovered' } });
    expect((done as unknown as { closeReason: string }).closeReason).toBe('server restarted mid-call');
    expect(words(done.transcript).length).toBeGreaterThan(3);
    await second.stop();
  }, 240_000);

  it('scaled out: jobs on a Redis Streams consumer group, taken by a hookscribe-stt worker', async () => {
    const redis = await startRedis();
    try {
      const shared = { HOOKSCRIBE_STT_JOBS: 'redis', HOOKSCRIBE_REDIS_URL: redis.url };
      const server = await startServer({
        ...shared,
        HOOKSCRIBE_STT_LIVE_CHANNELS: '0',
        HOOKSCRIBE_STT_WORKER_IN_PROCESS: 'false',
      });
      const worker = startSttWorker({
        ...shared,
        HOOKSCRIBE_DATA_DIR: server.dataDir,
        HOOKSCRIBE_STT_CONSUMER: 'redis-1',
      });
      const call = await runSim(server, '/api/v1/audiohook/ws', [
        '--wav',
        demoCall('billing-dispute'),
        '--fast',
      ]);
      expect(call.violations).toEqual([]);
      const done = await eventually(
        'transcribed by the worker',
        async () => {
          const c = await conversation(server, call.sessionId);
          return c.transcription?.status === 'done' ? c : undefined;
        },
        120_000,
      );
      expect(words(done.transcript).length).toBeGreaterThan(20);
      expect(worker.output.join('')).toMatch(/"jobs":"redis"/);
      const metrics = await (await fetch(`${server.httpUrl}/metrics`)).text();
      expect(metrics).toMatch(/hookscribe_stt_postcall_backlog_jobs 0/);
      worker.child.kill('SIGTERM');
      await new Promise((r) => worker.child.once('exit', r));
      await server.stop();
    } finally {
      await redis.dispose();
    }
  }, 180_000);
});
