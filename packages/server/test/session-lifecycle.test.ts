/** Timeouts, limits, dropped sockets, subscribers around close, and drain — on a real server. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWav } from '@hookscribe/audiohook';
import { describe, expect, it } from 'vitest';
import { DEV_KEY_FILE } from '../src/dev-audiohook-key.js';
import {
  audiohookHeaders,
  connect,
  connectOk,
  finalisedSidecar,
  getJson,
  newCallIds,
  startTestServer,
} from './support/audiohook-test-client.js';

describe('open timeout', () => {
  it('a client that never sends open gets disconnect (error) and, if it ignores that, its socket closed', async () => {
    const server = await startTestServer({ openTimeoutMs: 200, closeTimeoutMs: 200 });
    try {
      const client = await connectOk({ server });
      const disconnect = await client.next();
      expect(disconnect).toMatchObject({
        type: 'disconnect',
        seq: 1,
        clientseq: 0,
        parameters: { reason: 'error', info: 'Timeout waiting for open message' },
      });
      const { code } = await client.closed;
      expect(code).toBe(1006); // dropped by the server, no close frame
      await server.app.idle();
      expect(server.app.activeSessions()).toBe(0);
      const { body } = await getJson(server, '/metrics');
      expect(body).toMatch(/hookscribe_protocol_violations_total\{code="open-timeout"\} 1/);
      expect(body).toMatch(
        /hookscribe_sessions_total\{endpoint="\/api\/v1\/audiohook\/ws",outcome="error"\} 1/,
      );
    } finally {
      await server.stop();
    }
  });

  it('a client that answers the timeout disconnect with close gets closed', async () => {
    const server = await startTestServer({ openTimeoutMs: 200 });
    try {
      const client = await connectOk({ server });
      await client.next('disconnect');
      client.send('close', { reason: 'disconnect' }, { serverseq: 1 });
      expect(await client.next()).toMatchObject({ type: 'closed', seq: 2, clientseq: 1 });
      client.ws.close();
    } finally {
      await server.stop();
    }
  });
});

describe('connection limit', () => {
  it('refuses upgrades beyond HOOKSCRIBE_MAX_SESSIONS with 503 before upgrading, and admits again after', async () => {
    const server = await startTestServer({ maxSessions: 3 });
    try {
      const clients = await Promise.all([1, 2, 3].map(() => connectOk({ server })));
      const flood = await Promise.all([1, 2, 3, 4, 5].map(() => connect({ server })));
      for (const outcome of flood) {
        expect(outcome.upgraded).toBe(false);
        if (!outcome.upgraded) expect(outcome.status).toBe(503);
      }
      // the admitted calls work normally
      for (const client of clients) expect((await client.open()).type).toBe('opened');
      await clients[0]!.close();
      while (server.app.activeSessions() > 2) await new Promise((r) => setTimeout(r, 10));
      const again = await connectOk({ server });
      expect((await again.open()).type).toBe('opened');
      const { body } = await getJson(server, '/metrics');
      expect(body).toMatch(/hookscribe_upgrade_rejections_total\{reason="capacity"\} 5/);
      for (const c of [...clients.slice(1), again]) await c.close();
    } finally {
      await server.stop();
    }
  });
});

describe('dropped socket', () => {
  it('finalises the recording: valid WAV header whose size equals the bytes sent, sidecar outcome dropped', async () => {
    const server = await startTestServer();
    try {
      const client = await connectOk({ server });
      await client.open();
      const sent: Buffer[] = [];
      for (let i = 0; i < 7; i++) {
        const frame = Buffer.alloc(3200, i + 1);
        sent.push(frame);
        client.audio(frame, 1600);
      }
      await client.ping(); // all frames processed
      client.terminate();
      const sidecar = await finalisedSidecar(server, client.ids.sessionId);
      expect(sidecar.ended).toMatchObject({
        outcome: 'dropped',
        audioBytes: 7 * 3200,
        positionSamples: 7 * 1600,
      });
      const file = readFileSync(
        join(
          server.dataDir,
          'recordings',
          new Date().toISOString().slice(0, 10),
          `${client.ids.sessionId}.wav`,
        ),
      );
      const wav = parseWav(new Uint8Array(file));
      expect(wav).toMatchObject({ format: 'PCMU', channels: 2, sampleRate: 8000 });
      expect(file.readUInt32LE(54)).toBe(7 * 3200); // data chunk size patched
      expect(file.readUInt32LE(4)).toBe(file.length - 8); // RIFF size patched
      expect(Buffer.from(wav.data)).toEqual(Buffer.concat(sent));
      const { body } = await getJson(server, '/metrics');
      expect(body).toMatch(
        /hookscribe_sessions_total\{endpoint="\/api\/v1\/audiohook\/ws",outcome="dropped"\} 1/,
      );
    } finally {
      await server.stop();
    }
  });
});

describe('subscribers around close', () => {
  it('closed waits for an async closing subscriber, which can still send events (transcription)', async () => {
    const server = await startTestServer(
      {},
      {
        subscribers: [
          (hub) => {
            const controls = new Map<string, import('../src/session-events.js').CallControl>();
            hub.on('opened', ({ call, control }) => void controls.set(call.sessionId, control));
            hub.on('closing', async ({ call }) => {
              await new Promise((r) => setTimeout(r, 100));
              controls.get(call.sessionId)!.sendEvent([
                {
                  type: 'transcript',
                  data: {
                    id: '5d1c2b7e-3f0a-4c1e-9b8d-7a6f5e4d3c2b',
                    channelId: 0,
                    isFinal: true,
                    alternatives: [
                      { confidence: 0.9, interpretations: [{ type: 'display', transcript: 'bye' }] },
                    ],
                  },
                },
              ]);
            });
          },
        ],
      },
    );
    try {
      const client = await connectOk({ server, target: '/api/v1/voicetranscription/ws' });
      await client.open();
      const closed = await client.close();
      expect(client.received.map((m) => m.type)).toEqual(['opened', 'event', 'closed']);
      expect(closed.seq).toBe(3);
    } finally {
      await server.stop();
    }
  });

  it('a stuck closing subscriber delays closed only up to HOOKSCRIBE_CLOSING_TIMEOUT_MS', async () => {
    const server = await startTestServer(
      { closingTimeoutMs: 300 },
      { subscribers: [(hub) => void hub.on('closing', () => new Promise<void>(() => undefined))] },
    );
    try {
      const client = await connectOk({ server });
      await client.open();
      expect((await client.close()).type).toBe('closed');
      const { body } = await getJson(server, '/metrics');
      expect(body).toMatch(
        /hookscribe_session_subscriber_failures_total\{event="closing",kind="timeout"\} 1/,
      );
    } finally {
      await server.stop();
    }
  });

  it('a subscriber that throws on every event does not affect the call', async () => {
    const explode = () => {
      throw new Error('subscriber bug');
    };
    const server = await startTestServer(
      {},
      {
        subscribers: [
          (hub) => {
            for (const name of ['opened', 'audio', 'message', 'closing', 'ended'] as const)
              hub.on(name, explode);
          },
        ],
      },
    );
    try {
      const client = await connectOk({ server });
      expect((await client.open()).type).toBe('opened');
      client.audio(Buffer.alloc(320), 160);
      expect((await client.ping()).type).toBe('pong');
      expect((await client.close()).type).toBe('closed');
      const sidecar = await finalisedSidecar(server, client.ids.sessionId);
      expect(sidecar.ended).toMatchObject({ outcome: 'closed', audioBytes: 320 });
    } finally {
      await server.stop();
    }
  });
});

describe('drain', () => {
  it('turns readiness 503, refuses new upgrades with 503, disconnects live calls (completed) after the limit', async () => {
    const server = await startTestServer({ drainTimeoutMs: 400 });
    try {
      const live = await connectOk({ server });
      await live.open();
      live.audio(Buffer.alloc(3200, 0x55), 1600);
      await live.ping();

      const drained = server.app.drain();
      expect(await getJson(server, '/ready')).toEqual({ status: 503, body: { status: 'draining' } });
      expect((await getJson(server, '/health')).status).toBe(200);
      const refused = await connect({ server });
      expect(refused.upgraded).toBe(false);
      if (!refused.upgraded) expect(refused.status).toBe(503);

      // the live call continues until the drain limit, then is asked to end
      const disconnect = await live.next('disconnect');
      expect(disconnect.parameters).toMatchObject({ reason: 'completed' });
      expect((await live.close('disconnect')).type).toBe('closed');
      await drained;
      const sidecar = await finalisedSidecar(server, live.ids.sessionId);
      expect(sidecar.ended).toMatchObject({ outcome: 'closed', audioBytes: 3200 });
    } finally {
      await server.stop();
    }
  });

  it('finishes at once when calls end by themselves before the limit', async () => {
    const server = await startTestServer({ drainTimeoutMs: 60_000 });
    try {
      const live = await connectOk({ server });
      await live.open();
      const drained = server.app.drain();
      await live.close();
      await drained;
      expect(live.received.map((m) => m.type)).toEqual(['opened', 'closed']);
    } finally {
      await server.stop();
    }
  });
});

describe('development key', () => {
  it('generates a key + secret into the data dir when none is configured, and accepts calls signed with it', async () => {
    const server = await startTestServer({ audiohookKeys: null });
    try {
      const devKey = server.app.devKey!;
      expect(devKey.created).toBe(true);
      expect(existsSync(join(server.dataDir, DEV_KEY_FILE))).toBe(true);
      const ids = newCallIds();
      const headers = audiohookHeaders({
        target: '/api/v1/audiohook/ws',
        authority: `127.0.0.1:${server.port}`,
        ids,
        apiKey: devKey.apiKey,
        secret: Buffer.from(devKey.secret, 'base64'),
      });
      const client = await connectOk({ server, ids, headers });
      expect((await client.open()).type).toBe('opened');
      await client.close();
    } finally {
      await server.stop();
    }
  });
});
