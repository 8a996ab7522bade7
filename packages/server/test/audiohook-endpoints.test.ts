import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseWav } from '@hookscribe/audiohook';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { recordingDirFor } from '../src/recording/call-recorder.js';
import type { SessionEventMap } from '../src/session-events.js';
import {
  MONO_PCMU,
  NIL_UUID,
  STEREO_L16,
  STEREO_PCMU,
  UNSIGNED_KEY,
  audiohookHeaders,
  connectOk,
  getJson,
  newCallIds,
  startTestServer,
  type TestServer,
} from './support/audiohook-test-client.js';

let server: TestServer;
const opened: SessionEventMap['opened'][] = [];
const ended: SessionEventMap['ended'][] = [];

beforeAll(async () => {
  server = await startTestServer(
    {},
    {
      subscribers: [
        (hub) => {
          hub.on('opened', (e) => void opened.push(e));
          hub.on('ended', (e) => void ended.push(e));
        },
      ],
    },
  );
});
afterAll(() => server.stop());

async function waitForEnded(sessionId: string): Promise<SessionEventMap['ended']> {
  for (let i = 0; i < 200; i++) {
    const found = ended.find((e) => e.call.sessionId === sessionId);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('no ended event');
}

describe.each([
  ['/api/v1/audiohook/ws', 'monitor'],
  ['/api/v1/voicetranscription/ws', 'transcription'],
  ['/audiohook/ws', 'monitor'],
])('endpoint %s (%s profile)', (path, profile) => {
  it('runs a signed call end to end: open, ping, audio, close; records it', async () => {
    const ids = newCallIds();
    const client = await connectOk({ server, target: path, ids });
    expect(client.ws.protocol).toBe('');

    const openedMsg = await client.open({ supportedLanguages: true });
    expect(openedMsg).toEqual({
      version: '2',
      id: ids.sessionId,
      type: 'opened',
      seq: 1,
      clientseq: 1,
      parameters: { media: [STEREO_PCMU], supportedLanguages: ['en-US'] },
    });

    const pong = await client.ping();
    expect(pong).toMatchObject({ type: 'pong', seq: 2, clientseq: 2, parameters: {} });

    const frames = [Buffer.alloc(3200, 0xff), Buffer.alloc(3200, 0x7f), Buffer.alloc(1600, 0x10)];
    for (const frame of frames) client.audio(frame, frame.length / 2);

    const closed = await client.close();
    expect(closed).toMatchObject({ type: 'closed', seq: 3, clientseq: 3, parameters: {} });
    client.ws.close();
    await client.closed;

    await server.app.idle();
    const end = await waitForEnded(ids.sessionId);
    expect(end.outcome).toBe('closed');
    expect(end.atSample).toBe(4000);
    const call = opened.find((e) => e.call.sessionId === ids.sessionId)!.call;
    expect(call).toMatchObject({
      conversationId: ids.conversationId,
      organizationId: ids.organizationId,
      correlationId: ids.correlationId,
      endpoint: path,
      profile,
      isProbe: false,
      media: STEREO_PCMU,
      language: 'en-US',
    });

    const dir = recordingDirFor(server.dataDir, call.openedAt);
    const wav = parseWav(new Uint8Array(readFileSync(join(dir, `${ids.sessionId}.wav`))));
    expect(wav).toMatchObject({ format: 'PCMU', channels: 2, sampleRate: 8000 });
    expect(Buffer.from(wav.data)).toEqual(Buffer.concat(frames));
    const sidecar = JSON.parse(readFileSync(join(dir, `${ids.sessionId}.json`), 'utf8'));
    expect(
      sidecar.messages.map((m: { direction: string; message: { type: string } }) => [
        m.direction,
        m.message.type,
      ]),
    ).toEqual([
      ['in', 'open'],
      ['out', 'opened'],
      ['in', 'ping'],
      ['out', 'pong'],
      ['in', 'close'],
      ['out', 'closed'],
    ]);
    for (const m of sidecar.messages) expect(new Date(m.at).toISOString()).toBe(m.at);
    expect(sidecar.ended).toMatchObject({ outcome: 'closed', audioBytes: 8000, audioFrames: 3 });
  });
});

describe('media and signing variants', () => {
  it('accepts L16 and a query string in the signed request target', async () => {
    const ids = newCallIds();
    const client = await connectOk({ server, target: '/api/v1/audiohook/ws?tenant=a&x=%20y', ids });
    const openedMsg = await client.open({ media: [STEREO_L16] });
    expect(openedMsg.parameters.media).toEqual([STEREO_L16]);
    client.audio(Buffer.alloc(6400), 1600);
    await client.close();
    client.ws.close();
    expect((await waitForEnded(ids.sessionId)).atSample).toBe(1600);
  });

  it('selects mono when stereo is not offered, keeping the offered entry verbatim', async () => {
    const client = await connectOk({ server });
    const openedMsg = await client.open({ media: [MONO_PCMU] });
    expect(openedMsg.parameters.media).toEqual([MONO_PCMU]);
    await client.close();
  });

  it('accepts an unsigned request for a key configured without a secret', async () => {
    const client = await connectOk({ server, apiKey: UNSIGNED_KEY, secret: null });
    expect((await client.open()).type).toBe('opened');
    await client.close();
  });

  it('answers a connection probe with opened [] and closed, and records nothing', async () => {
    const ids = newCallIds({ conversationId: NIL_UUID, participantId: NIL_UUID });
    const client = await connectOk({ server, ids });
    const openedMsg = await client.open({ participant: { id: NIL_UUID, ani: '', aniName: '', dnis: '' } });
    expect(openedMsg.parameters).toEqual({ media: [] });
    const closed = await client.close();
    expect(closed).toMatchObject({ seq: 2, clientseq: 2 });
    client.ws.close();
    await server.app.idle();
    const end = await waitForEnded(ids.sessionId);
    expect(end.call.isProbe).toBe(true);
    expect(
      existsSync(join(recordingDirFor(server.dataDir, end.call.openedAt), `${ids.sessionId}.json`)),
    ).toBe(false);
    expect(existsSync(join(recordingDirFor(server.dataDir, end.call.openedAt), `${ids.sessionId}.wav`))).toBe(
      false,
    );
    const metrics = await getJson(server, '/metrics');
    expect(metrics.body).toMatch(/hookscribe_probes_total\{endpoint="\/api\/v1\/audiohook\/ws"\} [1-9]/);
  });

  it('starts a transcription session paused when its language is not supported', async () => {
    const client = await connectOk({ server, target: '/api/v1/voicetranscription/ws' });
    const openedMsg = await client.open({ language: 'xx-YY' });
    expect(openedMsg.parameters).toMatchObject({ startPaused: true });
    await client.close();
  });
});

describe('HTTP routes', () => {
  it('reports health and readiness', async () => {
    expect(await getJson(server, '/health')).toEqual({ status: 200, body: { status: 'healthy' } });
    expect(await getJson(server, '/ready')).toEqual({ status: 200, body: { status: 'ready' } });
  });

  it('refuses permessage-deflate: the upgrade response carries no Sec-WebSocket-Extensions', async () => {
    // compressing audio costs CPU per frame and real speech barely compresses; Genesys does not need it
    const target = '/api/v1/audiohook/ws';
    const ws = new WebSocket(`${server.wsBase}${target}`, {
      headers: audiohookHeaders({ target, authority: `127.0.0.1:${server.port}`, ids: newCallIds() }),
      perMessageDeflate: true, // offers permessage-deflate, as ws clients do by default
    });
    try {
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        ws.once('upgrade', resolve);
        ws.once('error', reject);
      });
      expect(response.statusCode).toBe(101);
      expect(response.headers['sec-websocket-extensions']).toBeUndefined();
    } finally {
      ws.terminate();
    }
  });

  it('answers a plain GET on a WebSocket endpoint with 426', async () => {
    const res = await getJson(server, '/api/v1/audiohook/ws');
    expect(res.status).toBe(426);
  });

  it('exposes the Prometheus metrics', async () => {
    const { status, body } = await getJson(server, '/metrics');
    expect(status).toBe(200);
    for (const name of [
      'hookscribe_sessions_active',
      'hookscribe_sessions_total',
      'hookscribe_frames_received_total',
      'hookscribe_bytes_received_total',
      'hookscribe_auth_failures_total',
      'hookscribe_open_latency_seconds_bucket',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(body).toContain(name);
    }
    expect(body).toMatch(
      /hookscribe_sessions_total\{endpoint="\/api\/v1\/voicetranscription\/ws",outcome="closed"\} [1-9]/,
    );
    expect(body).toMatch(
      /hookscribe_bytes_received_total\{endpoint="\/api\/v1\/audiohook\/ws",kind="binary"\} [1-9]/,
    );
  });
});
