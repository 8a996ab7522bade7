/** Shared set-up for the conversation API tests: an in-memory SQLite store with sample calls, a recording, a bus. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  FilesystemRecordingStore,
  InProcessEventBus,
  SqliteConversationStore,
  type ConversationEvent,
  type ConversationSummary,
  type EventBus,
  type TranscriptSegment,
} from '@hookscribe/conversations';
import { conversationApi, type ConversationApiOptions } from '../src/api/conversation-api.js';

export const TOKEN = 'test-token-1';
export const OTHER_TOKEN = 'test-token-2';
export const auth = { authorization: `Bearer ${TOKEN}` };

export function summary(id: string, overrides: Partial<ConversationSummary> = {}): ConversationSummary {
  return {
    id,
    conversationId: `gc-${id}`,
    organizationId: 'org',
    correlationId: 'corr',
    endpoint: 'monitor',
    ani: 'tel:+14155550100',
    aniName: 'Caller',
    dnis: 'tel:+18005550199',
    participantId: 'p',
    media: { format: 'PCMU', channels: ['external', 'internal'], rate: 8000 },
    language: 'en-US',
    startedAt: '2026-11-20T10:00:00.000Z',
    endedAt: null,
    state: 'active',
    closeReason: null,
    recording: null,
    ...overrides,
  };
}

export function segment(text: string, offset = 1): TranscriptSegment {
  return {
    id: randomUUID(),
    channel: 0,
    role: 'customer',
    text,
    words: text
      .split(' ')
      .map((w, i) => ({ text: w, offset: offset + i * 0.3, duration: 0.3, confidence: 0.9 })),
    offset,
    duration: 1,
    confidence: 0.9,
    isFinal: true,
    language: 'en-US',
    engine: 'fake',
  };
}

export function event(conversationId: string, n: number): ConversationEvent {
  return {
    schemaVersion: 1,
    eventId: randomUUID(),
    type: 'partial_transcript',
    conversationId,
    time: new Date().toISOString(),
    data: segment(`partial number ${n}`),
  };
}

/** 44-byte header + 1000 bytes of pattern, so ranges are checkable byte for byte */
export const WAV = Buffer.concat([
  Buffer.from('RIFF....WAVEfmt ' + 'x'.repeat(28), 'latin1'),
  Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256)),
]);

export interface ApiFixture {
  app: FastifyInstance;
  store: SqliteConversationStore;
  bus: EventBus;
  ids: { billing: string; refund: string; ended: string };
  routes: string[];
  close(): Promise<void>;
}

export async function apiFixture(overrides: Partial<ConversationApiOptions> = {}): Promise<ApiFixture> {
  const store = new SqliteConversationStore({ path: ':memory:' });
  const dir = mkdtempSync(join(tmpdir(), 'hookscribe-api-'));
  const recordings = new FilesystemRecordingStore(join(dir, 'store'));
  const bus = (overrides.bus as EventBus | undefined) ?? new InProcessEventBus();
  const ids = { billing: randomUUID(), refund: randomUUID(), ended: randomUUID() };

  await store.upsertConversation(
    summary(ids.billing, { startedAt: '2026-11-20T10:00:00.000Z', ani: 'tel:+111' }),
  );
  await store.appendSegment(ids.billing, segment('I have a question about my billing statement'));
  await store.upsertConversation(
    summary(ids.refund, { startedAt: '2026-11-21T10:00:00.000Z', ani: 'tel:+222' }),
  );
  await store.appendSegment(ids.refund, segment('I would like a refund please'));
  await store.upsertConversation(
    summary(ids.ended, { startedAt: '2026-11-22T10:00:00.000Z', ani: 'tel:+111' }),
  );
  await store.endConversation(ids.ended, {
    state: 'ended',
    closeReason: 'end',
    endedAt: '2026-11-22T10:05:00.000Z',
  });
  const wavPath = join(dir, 'call.wav');
  writeFileSync(wavPath, WAV);
  await recordings.put(wavPath, null, ids.ended);

  const app = Fastify();
  const routes: string[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.includes('GET')) routes.push(route.url);
  });
  await app.register(conversationApi, {
    store,
    recordings,
    bus,
    tokens: [TOKEN, OTHER_TOKEN],
    ...overrides,
  });
  await app.ready();
  return {
    app,
    store,
    bus,
    ids,
    routes,
    async close() {
      await app.close();
      await bus.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
