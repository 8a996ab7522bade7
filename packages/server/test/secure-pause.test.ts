/**
 * Secure pause over a real server and a raw AudioHook client: the API call makes the server send `pause`, the
 * client's `paused`/`resumed` become stream_paused (secure) / stream_resumed events in the store, the limit resumes
 * by itself, and requests beyond the protocol's pause rate (burst 4) are refused with 429 instead of being sent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import {
  RedisStreamsEventBus,
  SqliteConversationStore,
  type ConversationEvent,
  type ConversationSummary,
} from '@hookscribe/conversations';
import { startRedis } from '../../conversations/test/support/services-redis.js';
import { LiveEventFeed } from '../src/api/live-event-feed.js';
import { conversationApi } from '../src/api/conversation-api.js';
import { securePauseApi } from '../src/api/secure-pause-api.js';
import { SecurePause } from '../src/pipeline/secure-pause.js';
import {
  connectOk,
  startTestServer,
  type AudiohookTestClient,
  type TestServer,
} from './support/audiohook-test-client.js';

const TOKEN = 'secure-pause-test-token';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('secure pause', () => {
  let server: TestServer | null = null;
  let store: SqliteConversationStore | null = null;
  afterEach(async () => {
    await server?.stop();
    await store?.close();
    server = null;
    store = null;
  });

  async function start(options: { maxPauseMs?: number; nowMs?: () => number } = {}) {
    store = new SqliteConversationStore({ path: ':memory:' });
    const securePause = new SecurePause({
      store,
      maxPauseMs: options.maxPauseMs ?? 60_000,
      logger: pino({ level: 'silent' }),
      ...(options.nowMs ? { nowMs: options.nowMs } : {}),
    });
    server = await startTestServer(
      {},
      {
        subscribers: [securePause.subscriber],
        plugins: [
          {
            plugin: conversationApi,
            options: { store, tokens: [TOKEN], routes: [securePauseApi({ securePause, store })] },
          },
        ],
      },
    );
    const client = await connectOk({ server });
    expect((await client.open()).type).toBe('opened');
    return { client, securePause, id: client.ids.sessionId };
  }

  const post = (path: string) => server!.app.fastify.inject({ method: 'POST', url: path, headers: auth });

  async function storedEvents(id: string): Promise<ConversationEvent[]> {
    for (;;) {
      const events = (await store!.listEvents(id)).map((stored) => stored.event);
      if (events.some((event) => event.type === 'stream_resumed')) return events;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** what the reference client does: answer pause with paused, resume with resumed (the span discarded) */
  function answerLikeGenesys(client: AudiohookTestClient): void {
    client.ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const type = (JSON.parse(data.toString()) as { type: string }).type;
      if (type === 'pause') client.send('paused');
      if (type === 'resume') {
        client.send('resumed', { start: `PT${client.positionSamples / 8000}S`, discarded: 'PT2S' });
        client.positionSamples += 16_000;
      }
    });
  }

  it('pauses the stream at Genesys on request and resumes it on request; the span is published', async () => {
    const { client, id } = await start();
    answerLikeGenesys(client);
    client.audio(new Uint8Array(1600).fill(0x7f), 800);

    const paused = await post(`/api/conversations/${id}/pause`);
    expect(paused.statusCode).toBe(200);
    expect(paused.json()).toMatchObject({ id, paused: true });
    expect(typeof paused.json().autoResumeAt).toBe('string');
    await client.next('pause');
    // the status follows the client's `paused`
    for (;;) {
      const status = await server!.app.fastify.inject({
        url: `/api/conversations/${id}/pause`,
        headers: auth,
      });
      if (status.json().paused === true) {
        expect(status.json()).toMatchObject({ secure: true });
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    expect((await post(`/api/conversations/${id}/resume`)).json()).toMatchObject({ paused: false });
    await client.next('resume');
    const events = await storedEvents(id);
    expect(events.filter((e) => e.type === 'stream_paused').map((e) => e.data)).toEqual([
      { offset: 0.1, initiator: 'server', secure: true },
    ]);
    expect(events.filter((e) => e.type === 'stream_resumed').map((e) => e.data)).toEqual([
      { offset: 0.1, discarded: 2 },
    ]);
  });

  it('resumes by itself when the configured limit runs out', async () => {
    const { client, id } = await start({ maxPauseMs: 50 });
    answerLikeGenesys(client);
    expect((await post(`/api/conversations/${id}/pause`)).statusCode).toBe(200);
    await client.next('pause');
    await client.next('resume');
    const events = await storedEvents(id);
    expect(events.map((e) => e.type).filter((t) => t.startsWith('stream_'))).toEqual([
      'stream_paused',
      'stream_resumed',
    ]);
  });

  it('refuses a request beyond the protocol pause rate (burst 4) with 429 and sends nothing for it', async () => {
    const { client, id } = await start({ nowMs: () => 1_000 });
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await post(`/api/conversations/${id}/pause`)).statusCode);
    expect(codes).toEqual([200, 200, 200, 200, 429]);
    for (let i = 0; i < 4; i++) await client.next('pause');
    await client.ping();
    expect(client.received.filter((m) => m.type === 'pause')).toHaveLength(4);
  });

  it('a call that is not live here is 404 when unknown, 409 when it streams to another instance', async () => {
    await start();
    const unknown = await post('/api/conversations/6a1f0c56-1111-4222-8333-944455556666/pause');
    expect(unknown.statusCode).toBe(404);
    const elsewhere = '7b2f0c56-1111-4222-8333-944455556666';
    await store!.upsertConversation({
      id: elsewhere,
      conversationId: 'c',
      organizationId: 'o',
      correlationId: 'x',
      endpoint: 'monitor',
      ani: '',
      aniName: '',
      dnis: '',
      participantId: 'p',
      media: null,
      language: null,
      startedAt: new Date().toISOString(),
      endedAt: null,
      state: 'active',
      closeReason: null,
      recording: null,
    });
    const other = await post(`/api/conversations/${elsewhere}/resume`);
    expect(other.statusCode).toBe(409);
    expect(other.json().error).toBe('not_on_this_instance');
    const anonymous = await server!.app.fastify.inject({
      method: 'POST',
      url: `/api/conversations/${elsewhere}/pause`,
    });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('secure pause, scaled out: the request reaches the instance holding the call over Redis', () => {
  it('another instance answers 202 and the holder sends pause, then resume; clients of the live API never see the command', async () => {
    const redis = await startRedis();
    const store = new SqliteConversationStore({ path: ':memory:' });
    const logger = pino({ level: 'silent' });
    const buses = [0, 1].map(() => new RedisStreamsEventBus({ url: redis.url, stream: 'pause-routing' }));
    const instances: TestServer[] = [];
    try {
      for (const bus of buses) {
        const securePause = new SecurePause({ store, maxPauseMs: 60_000, logger });
        await securePause.listen(bus);
        instances.push(
          await startTestServer(
            {},
            {
              subscribers: [securePause.subscriber],
              plugins: [
                {
                  plugin: conversationApi,
                  options: { store, tokens: [TOKEN], routes: [securePauseApi({ securePause, store })] },
                },
              ],
            },
          ),
        );
      }
      const [holder, other] = instances as [TestServer, TestServer];
      const client = await connectOk({ server: holder });
      expect((await client.open()).type).toBe('opened');
      const id = client.ids.sessionId;
      // what the pipeline would have stored: the call is live (somewhere)
      await store.upsertConversation({
        id,
        conversationId: client.ids.conversationId,
        organizationId: client.ids.organizationId,
        correlationId: 'x',
        endpoint: 'monitor',
        ani: '',
        aniName: '',
        dnis: '',
        participantId: 'p',
        media: null,
        language: null,
        startedAt: new Date().toISOString(),
        endedAt: null,
        state: 'active',
        closeReason: null,
        recording: null,
      } satisfies ConversationSummary);
      const feed = new LiveEventFeed({ bus: buses[1]! });
      await feed.start();
      const seenByClients: string[] = [];
      feed.listen((event) => seenByClients.push(event.type));

      const routed = await other.app.fastify.inject({
        method: 'POST',
        url: `/api/conversations/${id}/pause`,
        headers: auth,
      });
      expect(routed.statusCode).toBe(202);
      expect(routed.json()).toMatchObject({ id, routed: true, paused: true });
      await client.next('pause');
      const resumed = await other.app.fastify.inject({
        method: 'POST',
        url: `/api/conversations/${id}/resume`,
        headers: auth,
      });
      expect(resumed.statusCode).toBe(202);
      await client.next('resume');
      expect(seenByClients.filter((type) => type === 'secure_pause_requested')).toEqual([]);
      await feed.stop();
    } finally {
      for (const instance of instances) await instance.stop();
      for (const bus of buses) await bus.close();
      await store.close();
      await redis.dispose();
    }
  });
});
