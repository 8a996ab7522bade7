/**
 * The bad-input list of issue 2, end to end through real sockets. Each case states the answer it gets; after each,
 * a concurrent healthy call still answers pings and the server stays up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectOk,
  finalisedSidecar,
  getJson,
  type AudiohookTestClient,
  type ServerMessageJson,
  startTestServer,
  type TestServer,
} from './support/audiohook-test-client.js';

let server: TestServer;
let healthy: AudiohookTestClient;

beforeAll(async () => {
  server = await startTestServer();
  healthy = await connectOk({ server });
  expect((await healthy.open()).type).toBe('opened');
});

afterAll(async () => {
  // the concurrent call survived everything below and still closes properly
  healthy.audio(Buffer.alloc(320, 0xff), 160);
  expect((await healthy.close()).type).toBe('closed');
  await server.stop();
});

async function expectHealthyCallUnharmed(): Promise<void> {
  const pong = await healthy.ping();
  expect(pong.clientseq).toBe(healthy.seq);
  healthy.audio(Buffer.alloc(3200, 0xff), 1600);
  expect((await getJson(server, '/health')).body).toEqual({ status: 'healthy' });
}

/** Runs `bad` on a fresh call (opened unless `open` is false), expects `disconnect` error, then closes. */
async function expectDisconnectError(
  bad: (client: AudiohookTestClient) => void,
  open = true,
): Promise<ServerMessageJson> {
  const client = await connectOk({ server });
  if (open) expect((await client.open()).type).toBe('opened');
  bad(client);
  const disconnect = await client.next();
  expect(disconnect).toMatchObject({ type: 'disconnect', parameters: { reason: 'error' } });
  expect(disconnect.seq).toBe(open ? 2 : 1);
  // the client answers with a close transaction, which still gets exactly one `closed`
  client.send('close', { reason: 'disconnect' }, { seq: client.seq + 1, serverseq: disconnect.seq });
  const closed = await client.next();
  expect(closed).toMatchObject({ type: 'closed', seq: disconnect.seq + 1 });
  client.ws.close();
  await client.closed;
  await expectHealthyCallUnharmed();
  return disconnect;
}

describe('bad input through the socket', () => {
  it('malformed JSON → disconnect error', async () => {
    const d = await expectDisconnectError((c) => c.sendRaw('{"version":"2", oops'));
    expect(String(d.parameters.info)).toMatch(/json/i);
  });

  it('malformed JSON before open → disconnect error', async () => {
    await expectDisconnectError((c) => c.sendRaw('not json at all'), false);
  });

  it('wrong version → disconnect error', async () => {
    await expectDisconnectError((c) => c.send('ping', {}, { version: '3' }));
  });

  it('wrong id → disconnect error', async () => {
    const d = await expectDisconnectError((c) =>
      c.send('ping', {}, { id: 'b160e428-53e2-487c-977d-96989bf5c99d' }),
    );
    expect(String(d.parameters.info)).toMatch(/id/);
  });

  it('seq gap → disconnect error', async () => {
    const d = await expectDisconnectError((c) => c.send('ping', {}, { seq: c.seq + 5 }));
    expect(String(d.parameters.info)).toMatch(/seq/);
  });

  it('seq repeat → disconnect error', async () => {
    await expectDisconnectError((c) => c.send('ping', {}, { seq: 1 }));
  });

  it('serverseq ahead of ours → disconnect error', async () => {
    const d = await expectDisconnectError((c) => c.send('ping', {}, { serverseq: 99 }));
    expect(String(d.parameters.info)).toMatch(/serverseq/);
  });

  it('binary before opened → disconnect error', async () => {
    await expectDisconnectError((c) => c.sendRaw(Buffer.alloc(320)), false);
  });

  it('binary while paused → disconnect error', async () => {
    await expectDisconnectError((c) => {
      c.send('paused');
      c.sendRaw(Buffer.alloc(320));
    });
  });

  it('frame length not a multiple of the sample size → disconnect error', async () => {
    // stereo PCMU: 2 bytes per sample frame
    const d = await expectDisconnectError((c) => c.sendRaw(Buffer.alloc(3)));
    expect(String(d.parameters.info)).toMatch(/multiple/);
  });

  it('text over 64 KiB → disconnect error (not a dropped socket)', async () => {
    await expectDisconnectError((c) => c.send('ping', { padding: 'x'.repeat(70_000) }));
  });

  it('unknown message type → tolerated: no disconnect, its seq is counted', async () => {
    const client = await connectOk({ server });
    await client.open();
    client.send('shiny-new-type', { anything: true });
    const pong = await client.ping();
    expect(pong).toMatchObject({ seq: 2, clientseq: 3 });
    expect(client.received.map((m) => m.type)).toEqual(['opened', 'pong']);
    await client.close();
    await expectHealthyCallUnharmed();
  });

  it('audio after close → ignored: closed is sent, the audio is not recorded', async () => {
    const client = await connectOk({ server });
    await client.open();
    client.audio(Buffer.alloc(320, 0x11), 160);
    client.send('close', { reason: 'end' });
    client.sendRaw(Buffer.alloc(320, 0x22));
    const closed = await client.next();
    expect(closed.type).toBe('closed');
    client.ws.close();
    await client.closed;
    expect(client.received.map((m) => m.type)).toEqual(['opened', 'closed']);
    const sidecar = await finalisedSidecar(server, client.ids.sessionId);
    expect(sidecar.ended.audioBytes).toBe(320);
    await expectHealthyCallUnharmed();
  });

  it('a frame over the transport limit closes that socket (1009); the call is finalised as dropped', async () => {
    const client = await connectOk({ server });
    await client.open();
    client.audio(Buffer.alloc(1600, 0x33), 800);
    client.sendRaw(Buffer.alloc(300 * 1024));
    const { code } = await client.closed;
    expect(code).toBe(1009);
    const sidecar = await finalisedSidecar(server, client.ids.sessionId);
    expect(sidecar.ended).toMatchObject({ outcome: 'dropped', audioBytes: 1600 });
    await expectHealthyCallUnharmed();
  });

  it('invalid UTF-8 in a text frame closes that socket (1007) without harming others', async () => {
    const client = await connectOk({ server });
    await client.open();
    // send a text frame with invalid UTF-8 bytes (ws validates on receive)
    client.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    const { code } = await client.closed;
    expect(code).toBe(1007);
    await expectHealthyCallUnharmed();
  });

  it('counts the violations by code', async () => {
    const { body } = await getJson(server, '/metrics');
    for (const code of [
      'malformed-json',
      'bad-version',
      'bad-id',
      'bad-seq',
      'bad-serverseq',
      'unexpected-binary',
      'bad-frame-length',
      'too-large',
    ]) {
      expect(body).toMatch(new RegExp(`hookscribe_protocol_violations_total\\{code="${code}"\\} [1-9]`));
    }
  });
});
