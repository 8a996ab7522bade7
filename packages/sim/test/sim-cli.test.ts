import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { buildWavHeader, encodeFrame, mulawDecode, type SessionEvent } from '@hookscribe/audiohook';
import { main } from '../src/index.js';
import {
  startTestServer,
  type ServerFault,
  type TestServer,
  type TestServerOptions,
} from './test-audiohook-server.js';

const secret = Buffer.from('a test secret of thirty-two bytes').toString('base64');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function sim(args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  });
  return { code, stdout, stderr };
}

async function simJson(args: string[]) {
  const run = await sim([...args, '--json']);
  return { ...run, summary: JSON.parse(run.stdout) as Record<string, unknown> & { violations: string[] } };
}

let server: TestServer | null = null;
async function serve(options: TestServerOptions = {}): Promise<TestServer> {
  server = await startTestServer(options);
  return server;
}
afterEach(async () => {
  await server?.close();
  server = null;
});

const fast = ['--fast', '--duration', '2', '--frame-ms', '200'];

/** A temp dir for a test's WAV file, removed after the test whether it passed or not. */
const wavDirs: string[] = [];
function wavDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sim-wav-'));
  wavDirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of wavDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('scenarios against a correct server', () => {
  it.each(['basic', 'ping', 'pause-resume', 'discarded', 'update-language', 'error', 'probe'])(
    '%s passes with exit 0',
    async (scenario) => {
      const s = await serve();
      const { code, summary } = await simJson(['--url', s.url(), '--scenario', scenario, ...fast]);
      expect(summary.violations).toEqual([]);
      expect(code).toBe(0);
      expect(summary.closedReceived).toBe(true);
    },
  );

  it('basic streams every frame of the audio and the server sees them on its timeline', async () => {
    const s = await serve();
    const { code, summary } = await simJson(['--url', s.url(), ...fast]);
    expect(code).toBe(0);
    expect(summary.audioFramesSent).toBe(10); // 2 s in 200 ms frames
    const audio = s.sessions[0]!.events.filter((e) => e.type === 'audio');
    expect(audio).toHaveLength(10);
    expect(audio.map((e) => (e as Extract<SessionEvent, { type: 'audio' }>).startSample)).toEqual(
      Array.from({ length: 10 }, (_, i) => i * 1600),
    );
  });

  it('--speed paces real time faster and still streams every frame on the timeline', async () => {
    const s = await serve();
    const { code, summary } = await simJson([
      '--url',
      s.url(),
      '--realtime',
      '--speed',
      '4',
      '--duration',
      '2',
    ]);
    expect(code).toBe(0);
    expect(summary.audioFramesSent).toBe(10);
    const audio = s.sessions[0]!.events.filter((e) => e.type === 'audio');
    expect(audio.map((e) => (e as Extract<SessionEvent, { type: 'audio' }>).startSample)).toEqual(
      Array.from({ length: 10 }, (_, i) => i * 1600),
    );
  });

  it('pause-resume: the server sees paused, then resumed with the span that was not sent', async () => {
    const s = await serve();
    const { code } = await simJson([
      '--url',
      s.url(),
      '--scenario',
      'pause-resume',
      '--fast',
      '--duration',
      '3',
    ]);
    expect(code).toBe(0);
    const events = s.sessions[0]!.events;
    const resumed = events.find((e) => e.type === 'resumed') as Extract<SessionEvent, { type: 'resumed' }>;
    expect(events.some((e) => e.type === 'paused')).toBe(true);
    expect(resumed.startSample).toBe(8000); // 1 s = 1/3 of 3 s
    expect(resumed.discardedSamples).toBe(8000);
    // audio resumes exactly at start + discarded
    const after = events.filter((e) => e.type === 'audio' && e.startSample >= 16000);
    expect((after[0] as Extract<SessionEvent, { type: 'audio' }>).startSample).toBe(16000);
  });

  it('discarded: the server timeline skips the discarded span', async () => {
    const s = await serve();
    const { code } = await simJson([
      '--url',
      s.url(),
      '--scenario',
      'discarded',
      '--fast',
      '--duration',
      '4',
    ]);
    expect(code).toBe(0);
    const discarded = s.sessions[0]!.events.find((e) => e.type === 'discarded') as Extract<
      SessionEvent,
      { type: 'discarded' }
    >;
    expect(discarded).toMatchObject({ startSample: 1.4 * 8000, discardedSamples: 8000 });
  });

  it('update-language and error reach the server as update and client-error events', async () => {
    const s = await serve();
    expect((await sim(['--url', s.url(), '--scenario', 'update-language', ...fast])).code).toBe(0);
    expect(s.sessions[0]!.events.find((e) => e.type === 'update')).toMatchObject({ language: 'fr-FR' });
    expect((await sim(['--url', s.url(), '--scenario', 'error', ...fast])).code).toBe(0);
    expect(s.sessions[1]!.events.find((e) => e.type === 'client-error')).toMatchObject({ code: 500 });
    expect(s.sessions[1]!.events.find((e) => e.type === 'closing')).toMatchObject({ reason: 'error' });
  });

  it('probe: nil ids and empty strings, no audio', async () => {
    const s = await serve();
    const { code, summary } = await simJson(['--url', s.url(), '--scenario', 'probe']);
    expect(code).toBe(0);
    const opened = s.sessions[0]!.events.find((e) => e.type === 'opened') as Extract<
      SessionEvent,
      { type: 'opened' }
    >;
    expect(opened.isProbe).toBe(true);
    expect(opened.open.parameters.participant).toEqual({
      id: '00000000-0000-0000-0000-000000000000',
      ani: '',
      aniName: '',
      dnis: '',
    });
    expect(summary.audioFramesSent).toBe(0);
  });

  it('server-pause: answers pause with paused and resume with resumed, and passes', async () => {
    const s = await serve({ pauseAfterMs: 300, pauseForMs: 400 });
    const { code, summary } = await simJson([
      '--url',
      s.url(),
      '--scenario',
      'server-pause',
      '--duration',
      '3',
    ]);
    expect(summary.violations).toEqual([]);
    expect(code).toBe(0);
    expect(summary.serverPauses).toBe(1);
    const events = s.sessions[0]!.events;
    expect(events.find((e) => e.type === 'paused')).toMatchObject({ serverInitiated: true });
    const resumed = events.find((e) => e.type === 'resumed') as Extract<SessionEvent, { type: 'resumed' }>;
    expect(resumed.discardedSamples).toBeGreaterThan(0);
  });

  it('server-pause fails when the server never pauses', async () => {
    const s = await serve();
    const { code, summary } = await simJson(['--url', s.url(), '--scenario', 'server-pause', ...fast]);
    expect(code).toBe(1);
    expect(summary.violations.join('\n')).toMatch(/never paused/);
  });
});

describe('signatures', () => {
  it('a signed upgrade verifies against the library verifier', async () => {
    const s = await serve({ keys: { 'sim-key': secret } });
    const { code, summary } = await simJson([
      '--url',
      s.url(),
      '--api-key',
      'sim-key',
      '--secret',
      secret,
      ...fast,
    ]);
    expect(summary.violations).toEqual([]);
    expect(code).toBe(0);
    const headers = s.sessions[0]!.upgradeHeaders;
    expect(headers['signature-input']).toMatch(/^sig1=\("@request-target" "@authority"/);
    expect(headers['x-api-key']).toBe('sim-key');
  });

  it('bad-signature passes when the server answers 401 without upgrading', async () => {
    const s = await serve({ keys: { 'sim-key': secret } });
    const { code, summary } = await simJson([
      '--url',
      s.url(),
      '--api-key',
      'sim-key',
      '--secret',
      secret,
      '--scenario',
      'bad-signature',
    ]);
    expect(code).toBe(0);
    expect(summary.upgradeStatus).toBe(401);
    expect(s.refusedUpgrades).toBe(1);
    expect(s.sessions).toHaveLength(0);
  });

  it('bad-signature fails against a server that accepts anything', async () => {
    const s = await serve();
    const { code, summary } = await simJson([
      '--url',
      s.url(),
      '--secret',
      secret,
      '--scenario',
      'bad-signature',
    ]);
    expect(code).toBe(1);
    expect(summary.violations.join('\n')).toMatch(/bad signature/);
  });

  it('a wrong secret in a normal scenario reports the refused upgrade', async () => {
    const s = await serve({ keys: { 'sim-key': secret } });
    const wrong = Buffer.from('not the secret').toString('base64');
    const { code, summary } = await simJson([
      '--url',
      s.url(),
      '--api-key',
      'sim-key',
      '--secret',
      wrong,
      ...fast,
    ]);
    expect(code).toBe(1);
    expect(summary.violations).toEqual([expect.stringMatching(/upgrade refused: HTTP 401/)]);
  });
});

describe('a misbehaving server makes the simulator exit 1 naming the violation', () => {
  const realtime = ['--duration', '3', '--frame-ms', '100'];
  const cases: [ServerFault, string, string[], RegExp][] = [
    ['wrong-pong-clientseq', 'ping', fast, /pong clientseq \d+ does not match a ping seq/],
    ['seq-gap', 'basic', fast, /seq 3 does not follow 1/],
    ['two-media', 'basic', fast, /more than one media selected/],
    ['unknown-member', 'basic', fast, /malformed server message: opened.parameters.media.0: .*codec/],
    ['binary', 'basic', fast, /server sent a binary frame/],
    ['disconnect', 'basic', realtime, /server disconnected the session \(error: test server gives up\)/],
    ['no-closed', 'probe', fast, /no closed within 10 s/],
    ['slow-opened', 'probe', fast, /no opened within 5 s/],
  ];
  it.each(cases)('%s', async (fault, scenario, args, pattern) => {
    const s = await serve({ fault });
    const { code, summary } = await simJson(['--url', s.url(), '--scenario', scenario, ...args]);
    expect(code).toBe(1);
    expect(summary.ok).toBe(false);
    expect(summary.violations.join('\n')).toMatch(pattern);
  });

  it('a refused connection is a failure, not a crash', async () => {
    const s = await serve();
    const url = s.url();
    await s.close();
    server = null;
    const { code, summary } = await simJson(['--url', url, ...fast]);
    expect(code).toBe(1);
    expect(summary.violations.join('\n')).toMatch(/connection failed/);
  });
});

describe('output', () => {
  it('--json prints one object with the documented fields', async () => {
    const s = await serve();
    const { summary } = await simJson(['--url', s.url(), '--scenario', 'ping', ...fast]);
    expect(summary).toMatchObject({
      mode: 'single',
      ok: true,
      exitCode: 0,
      scenario: 'ping',
      upgradeStatus: 101,
      violations: [],
      transcripts: [],
      closedReceived: true,
    });
    expect(summary.opened).toMatchObject({ media: [{ format: 'PCMU', channels: ['external', 'internal'] }] });
    expect(typeof summary.openedLatencyMs).toBe('number');
    expect(summary.rttMs).toMatchObject({ count: 5 });
    expect(summary.pingRttsMs).toHaveLength(5);
    expect(summary.serverMessages).toMatchObject({ opened: 1, pong: 5, closed: 1 });
  });

  it('transcript events are printed with channel and offset and included in the JSON', async () => {
    const s = await serve({ profile: 'transcription', transcript: 'hello from the test server' });
    const url = s.url('/api/v1/voicetranscription/ws');
    const text = await sim(['--url', url, ...fast]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('[ch0 external PT0.2S +PT0.4S] hello from the test server');
    const { summary } = await simJson(['--url', url, ...fast]);
    expect(summary.transcripts).toEqual([
      expect.objectContaining({
        channelId: 0,
        channel: 'external',
        offset: 'PT0.2S',
        text: 'hello from the test server',
      }),
    ]);
  });

  it('text summary says PASS/FAIL and lists violations', async () => {
    const s = await serve({ fault: 'binary' });
    const run = await sim(['--url', s.url(), ...fast]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL scenario basic/);
    expect(run.stdout).toMatch(/violations:\n\s+- server sent a binary frame/);
  });
});

describe('audio input', () => {
  it('streams a stereo PCMU WAV with channel 0 as external and channel 1 as internal', async () => {
    const samples = 4000; // 0.5 s
    const external = Int16Array.from({ length: samples }, (_, i) => ((i * 37) % 2000) - 1000);
    const internal = Int16Array.from({ length: samples }, (_, i) => ((i * 53) % 3000) - 1500);
    const data = encodeFrame([external, internal], 'PCMU');
    const dir = wavDir();
    const path = join(dir, 'call.wav');
    writeFileSync(
      path,
      Buffer.concat([buildWavHeader({ format: 'PCMU', channels: 2, sampleRate: 8000 }, data.length), data]),
    );

    const s = await serve();
    const { code, summary } = await simJson(['--url', s.url(), '--wav', path, '--fast', '--format', 'L16']);
    expect(code).toBe(0);
    expect(summary.streamSeconds).toBe(0.5);
    const frames = s.sessions[0]!.events.filter((e) => e.type === 'audio') as Extract<
      SessionEvent,
      { type: 'audio' }
    >[];
    const received = (ch: 0 | 1) => Int16Array.from(frames.flatMap((f) => Array.from(f.channels[ch]!)));
    // PCMU in the file, L16 on the wire: the server gets exactly the decoded µ-law values, in channel order
    expect(received(0)).toEqual(mulawDecode(encodeFrame([external], 'PCMU')));
    expect(received(1)).toEqual(mulawDecode(encodeFrame([internal], 'PCMU')));
  });

  it('a mono 16-bit WAV feeds the single channel the server selected', async () => {
    const samples = Int16Array.from({ length: 2400 }, (_, i) => ((i * 101) % 4000) - 2000);
    const data = new Uint8Array(samples.buffer);
    const dir = wavDir();
    const path = join(dir, 'agent.wav');
    writeFileSync(
      path,
      Buffer.concat([buildWavHeader({ format: 'L16', channels: 1, sampleRate: 8000 }, data.length), data]),
    );
    const s = await serve();
    const { code, summary } = await simJson([
      '--url',
      s.url(),
      '--wav',
      path,
      '--fast',
      '--format',
      'L16',
      '--channels',
      'internal',
    ]);
    expect(code).toBe(0);
    expect(summary.opened).toMatchObject({ media: [{ format: 'L16', channels: ['internal'] }] });
    const frames = s.sessions[0]!.events.filter((e) => e.type === 'audio') as Extract<
      SessionEvent,
      { type: 'audio' }
    >[];
    expect(Int16Array.from(frames.flatMap((f) => Array.from(f.channels[0]!)))).toEqual(samples);
  });

  it('--silence streams digital silence on both channels', async () => {
    const s = await serve();
    const { code, summary } = await simJson(['--url', s.url(), '--silence', ...fast]);
    expect(code).toBe(0);
    expect(summary.audioFramesSent).toBe(10);
    const frames = s.sessions[0]!.events.filter((e) => e.type === 'audio') as Extract<
      SessionEvent,
      { type: 'audio' }
    >[];
    expect(frames.every((f) => f.channels.every((ch) => ch.every((v) => v === 0)))).toBe(true);
  });

  it('--loop repeats the WAV, padded with silence to a whole second, for --duration', async () => {
    const external = Int16Array.from({ length: 6000 }, (_, i) => ((i * 37) % 2000) - 1000); // 0.75 s
    const data = encodeFrame([external], 'PCMU');
    const path = join(wavDir(), 'short.wav');
    writeFileSync(
      path,
      Buffer.concat([buildWavHeader({ format: 'PCMU', channels: 1, sampleRate: 8000 }, data.length), data]),
    );
    const s = await serve();
    const { code, summary } = await simJson([
      '--url',
      s.url(),
      '--wav',
      path,
      '--loop',
      '--duration',
      '2.5',
      '--fast',
      '--channels',
      'external',
    ]);
    expect(code).toBe(0);
    expect(summary.streamSeconds).toBe(2.5);
    const frames = s.sessions[0]!.events.filter((e) => e.type === 'audio') as Extract<
      SessionEvent,
      { type: 'audio' }
    >[];
    const received = Int16Array.from(frames.flatMap((f) => Array.from(f.channels[0]!)));
    const once = mulawDecode(data);
    const period = new Int16Array(8000);
    period.set(once);
    const expected = new Int16Array(20000);
    expected.set(period, 0);
    expected.set(period, 8000);
    expected.set(period.subarray(0, 4000), 16000);
    expect(received).toEqual(expected);
  });

  it('a WAV that is not 8 kHz is a usage error (exit 2)', async () => {
    const dir = wavDir();
    const path = join(dir, 'wide.wav');
    writeFileSync(
      path,
      Buffer.concat([buildWavHeader({ format: 'L16', channels: 1, sampleRate: 16000 }, 4), Buffer.alloc(4)]),
    );
    const run = await sim(['--url', 'ws://127.0.0.1:9/x', '--wav', path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/16000 Hz/);
  });
});

describe('usage errors exit 2', () => {
  it.each([
    [[], /--url is required/],
    [['--url', 'http://x'], /ws:\/\/ or wss:\/\//],
    [['--url', 'ws://x', '--format', 'G729'], /--format/],
    [['--url', 'ws://x', '--scenario', 'nope'], /unknown --scenario/],
    [['--url', 'ws://x', '--custom-config', '[1]'], /JSON object/],
    [['--url', 'ws://x', '--secret', 'not base64!'], /base64/],
    [['--url', 'ws://x', '--bogus'], /Unknown option/],
    [['--url', 'ws://x', '--rate', '5'], /need --sessions/],
    [['--url', 'ws://x', '--silence', '--tone', '300'], /one of --wav, --tone and --silence/],
    [['--url', 'ws://x', '--silence', '--loop', '--duration', '5'], /--loop repeats a --wav/],
    [['--url', 'ws://x', '--wav', 'x.wav', '--loop'], /--loop needs --duration/],
    [['--url', 'ws://x', '--fast', '--speed', '2'], /--speed paces --realtime/],
    [['--url', 'ws://x', '--speed', '0'], /--speed must be a positive number/],
  ])('%j', async (args, message) => {
    const run = await sim(args as string[]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

describe('load mode', () => {
  it('20 sessions at 10/s complete with zero errors and report RTT and opened latency', async () => {
    const s = await serve();
    const { code, summary, stderr } = await simJson([
      '--url',
      s.url(),
      '--sessions',
      '20',
      '--rate',
      '10',
      '--duration',
      '1.4',
    ]);
    expect(summary.violations).toEqual([]);
    expect(code).toBe(0);
    expect(summary).toMatchObject({ mode: 'load', sessions: 20, completed: 20, errors: 0, exitCode: 0 });
    expect((summary.openedMs as { count: number }).count).toBe(20);
    expect((summary.rttMs as { count: number }).count).toBe(20); // one ping 1 s after opened
    expect(summary.audioFramesSent).toBe(20 * 7);
    expect(s.sessions).toHaveLength(20);
    expect(stderr).toMatch(/started \d+ active \d+ completed \d+ errors 0 rtt p50/);
  });

  it('reports separately the RTT of pings answered while every session was up', async () => {
    const s = await serve();
    const { code, summary } = await simJson([
      '--url',
      s.url(),
      '--sessions',
      '5',
      '--rate',
      '50',
      '--duration',
      '2.5',
    ]);
    expect(code).toBe(0);
    // all five open within 0.1 s, ping at 1 s, and the first one ends at 2.5 s
    expect(summary.rttAllActiveMs).toMatchObject({ count: 5 });
    expect(summary.rttMs).toMatchObject({ count: 5 });
  });

  it('counts failing sessions as errors with grouped violations', async () => {
    const s = await serve({ fault: 'binary' });
    const { code, summary } = await simJson([
      '--url',
      s.url(),
      '--sessions',
      '4',
      '--rate',
      '20',
      '--duration',
      '0.6',
    ]);
    expect(code).toBe(1);
    expect(summary).toMatchObject({ completed: 0, errors: 4 });
    expect(summary.violations).toEqual([expect.objectContaining({ sessions: 4 })]);
  });
});

describe('the built CLI (dist/cli.js, as installed by npm)', () => {
  const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

  function spawnCli(args: string[]): Promise<Run> {
    return new Promise((resolve) => {
      execFile(process.execPath, [cli, ...args], (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }

  it('starts with a shebang and exits 2 on a usage error', async () => {
    expect(readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const run = await spawnCli(['--format', 'PCMU']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--url is required/);
  });

  it('load mode over two worker threads completes and sums their sessions', async () => {
    const s = await serve();
    const run = await spawnCli([
      '--url',
      s.url(),
      '--sessions',
      '6',
      '--rate',
      '20',
      '--workers',
      '2',
      '--duration',
      '0.6',
      '--json',
    ]);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ workers: 2, sessions: 6, completed: 6, errors: 0, exitCode: 0 });
    expect(summary.openedMs.count).toBe(6);
    expect(run.code).toBe(0);
    expect(s.sessions).toHaveLength(6);
  });
});
