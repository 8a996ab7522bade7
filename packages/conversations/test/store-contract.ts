/**
 * The ConversationStore contract: every adapter runs this suite (SQLite, PostgreSQL, Cosmos against a fake container).
 */
import { randomUUID } from 'node:crypto';
import { describeCallAnalyticsContract } from './store-contract-analytics.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EVENT_SCHEMA_VERSION,
  MAX_PAGE_SIZE,
  StoreInputError,
  StoreNotFoundError,
  type ConversationEvent,
  type ConversationStore,
  type ConversationSummary,
  type TranscriptSegment,
} from '../src/index.js';
import { describeTranscriptVersions } from './store-contract-transcript-versions.js';
import { describeAuditLogContract } from './store-audit-contract.js';

export interface StoreUnderTest {
  store: ConversationStore;
  /** a second store on the same backend (another server instance), if the adapter supports sharing */
  openPeer?: () => Promise<ConversationStore>;
  cleanup: () => Promise<void>;
}

export function makeConversation(overrides: Partial<ConversationSummary> = {}): ConversationSummary {
  const id = overrides.id ?? randomUUID();
  return {
    id,
    conversationId: randomUUID(),
    organizationId: 'org-1',
    correlationId: 'corr-1',
    endpoint: 'transcription',
    ani: 'tel:+15551230000',
    aniName: 'Ann Caller',
    dnis: 'tel:+18005550100',
    participantId: randomUUID(),
    media: { format: 'PCMU', channels: ['external', 'internal'], rate: 8000 },
    language: 'en-US',
    startedAt: '2026-01-01T10:00:00.000Z',
    endedAt: null,
    state: 'active',
    closeReason: null,
    recording: null,
    ...overrides,
  };
}

export function makeSegment(text: string, overrides: Partial<TranscriptSegment> = {}): TranscriptSegment {
  const words = text.split(/\s+/).filter(Boolean);
  const offset = overrides.offset ?? 1;
  return {
    id: randomUUID(),
    channel: 0,
    role: 'customer',
    text,
    words: words.map((word, index) => ({
      text: word,
      offset: offset + index * 0.3,
      duration: 0.3,
      confidence: 0.9,
    })),
    offset,
    duration: words.length * 0.3,
    confidence: 0.9,
    isFinal: true,
    language: 'en-US',
    engine: 'test',
    ...overrides,
  };
}

export function makeEvent<T extends ConversationEvent['type']>(
  type: T,
  conversationId: string,
  data: Extract<ConversationEvent, { type: T }>['data'],
): ConversationEvent {
  return {
    schemaVersion: EVENT_SCHEMA_VERSION,
    eventId: randomUUID(),
    type,
    conversationId,
    time: new Date().toISOString(),
    data,
  } as ConversationEvent;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function describeConversationStoreContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`ConversationStore contract: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: ConversationStore;

    beforeAll(async () => {
      subject = await open();
      store = subject.store;
      await store.init();
    });
    afterAll(async () => {
      await subject?.cleanup();
    });

    /** the outbox is shared by the whole store: drain it so each outbox test sees only its own entries */
    async function drainOutbox(): Promise<void> {
      for (;;) {
        const entries = await store.claimOutbox(500, 60_000);
        if (entries.length === 0) return;
        await store.ackOutbox(entries.map((entry) => entry.id));
      }
    }

    it('stores a conversation and reads it back with an empty transcript; unknown ids read as null', async () => {
      const conversation = makeConversation();
      await store.upsertConversation(conversation);
      const read = await store.getConversation(conversation.id);
      expect(read).toEqual({ ...conversation, transcript: [], assist: [] });
      expect(await store.getConversation(randomUUID())).toBeNull();
    });

    it('upsert replaces the row', async () => {
      const conversation = makeConversation();
      await store.upsertConversation(conversation);
      await store.upsertConversation({ ...conversation, language: 'de-DE', aniName: 'Changed' });
      const read = await store.getConversation(conversation.id);
      expect(read?.language).toBe('de-DE');
      expect(read?.aniName).toBe('Changed');
    });

    it('ends a conversation with state, close reason, end time and recording', async () => {
      const conversation = makeConversation();
      await store.upsertConversation(conversation);
      await store.endConversation(conversation.id, {
        state: 'ended',
        closeReason: 'end',
        endedAt: '2026-01-01T10:05:00Z',
        recording: 'file:///data/recordings/x.wav',
      });
      const read = await store.getConversation(conversation.id);
      expect(read).toMatchObject({
        state: 'ended',
        closeReason: 'end',
        endedAt: '2026-01-01T10:05:00.000Z',
        recording: 'file:///data/recordings/x.wav',
      });
      await store.setRecording(conversation.id, 'https://blob/x.wav');
      expect((await store.getConversation(conversation.id))?.recording).toBe('https://blob/x.wav');
    });

    it('ending or recording an unknown conversation is a StoreNotFoundError', async () => {
      await expect(
        store.endConversation(randomUUID(), {
          state: 'failed',
          closeReason: 'error',
          endedAt: new Date().toISOString(),
        }),
      ).rejects.toBeInstanceOf(StoreNotFoundError);
      await expect(store.setRecording(randomUUID(), 'x')).rejects.toBeInstanceOf(StoreNotFoundError);
      await expect(store.appendSegment(randomUUID(), makeSegment('hello'))).rejects.toBeInstanceOf(
        StoreNotFoundError,
      );
    });

    it('rejects bad input with StoreInputError', async () => {
      const conversation = makeConversation();
      await expect(store.upsertConversation({ ...conversation, id: '' })).rejects.toBeInstanceOf(
        StoreInputError,
      );
      await expect(
        store.upsertConversation({ ...conversation, startedAt: 'yesterday' }),
      ).rejects.toBeInstanceOf(StoreInputError);
      await expect(
        store.upsertConversation({ ...conversation, state: 'open' as ConversationSummary['state'] }),
      ).rejects.toBeInstanceOf(StoreInputError);
      await store.upsertConversation(conversation);
      await expect(
        store.endConversation(conversation.id, {
          state: 'active' as 'ended',
          closeReason: null,
          endedAt: 'x',
        }),
      ).rejects.toBeInstanceOf(StoreInputError);
      await expect(store.listConversations({ cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(
        StoreInputError,
      );
      await expect(store.listConversations({ state: 'bogus' as 'active' })).rejects.toBeInstanceOf(
        StoreInputError,
      );
      await expect(store.listConversations({ limit: -1 })).rejects.toBeInstanceOf(StoreInputError);
    });

    it('stores final segments ordered by offset; appending the same segment id again replaces it', async () => {
      const conversation = makeConversation();
      await store.upsertConversation(conversation);
      const second = makeSegment('second thing', { offset: 5, role: 'agent', channel: 1 });
      const first = makeSegment('first thing', { offset: 2 });
      await store.appendSegment(conversation.id, second);
      await store.appendSegment(conversation.id, first);
      await store.appendSegment(conversation.id, { ...first, text: 'first thing corrected' });
      const read = await store.getConversation(conversation.id);
      expect(read?.transcript.map((segment) => segment.text)).toEqual([
        'first thing corrected',
        'second thing',
      ]);
      expect(read?.transcript[1]).toEqual(second);
    });

    it('refuses partial segments (only finals are stored)', async () => {
      const conversation = makeConversation();
      await store.upsertConversation(conversation);
      await expect(
        store.appendSegment(conversation.id, makeSegment('partial', { isFinal: false })),
      ).rejects.toBeInstanceOf(StoreInputError);
      expect((await store.getConversation(conversation.id))?.transcript).toEqual([]);
    });

    it('stores assist results in order', async () => {
      const conversation = makeConversation();
      await store.upsertConversation(conversation);
      await store.appendAssist(conversation.id, { mode: 'local', alerts: [] });
      await store.appendAssist(conversation.id, {
        mode: 'local',
        finalSummary: { text: 'done', nextSteps: [] },
      });
      const read = await store.getConversation(conversation.id);
      expect(read?.assist.map((entry) => entry.result)).toEqual([
        { mode: 'local', alerts: [] },
        { mode: 'local', finalSummary: { text: 'done', nextSteps: [] } },
      ]);
      expect(Number.isNaN(Date.parse(read!.assist[0]!.at))).toBe(false);
    });

    describe('listing', () => {
      const ani = `tel:+1555${Math.floor(Math.random() * 1e7)}`;
      const ids: string[] = [];
      beforeAll(async () => {
        // five conversations of this test's ANI, one minute apart, the middle one ended
        for (let index = 0; index < 5; index++) {
          const conversation = makeConversation({
            ani,
            startedAt: `2030-03-01T10:0${index}:00.000Z`,
            state: index === 2 ? 'ended' : 'active',
          });
          ids.push(conversation.id);
          await store.upsertConversation(conversation);
        }
        await store.appendSegment(ids[0]!, makeSegment('I want to cancel my subscription'));
        await store.appendSegment(ids[0]!, makeSegment('the invoice was wrong', { offset: 9 }));
        await store.appendSegment(ids[1]!, makeSegment('cancel the order please'));
        await store.appendSegment(ids[3]!, makeSegment('Überweisung storniert'));
      });

      it('lists newest first and filters by ANI', async () => {
        const page = await store.listConversations({ ani });
        expect(page.items.map((item) => item.id)).toEqual([...ids].reverse());
        expect(page.nextCursor).toBeNull();
      });

      it('filters by state and time range (from inclusive, to exclusive)', async () => {
        expect((await store.listConversations({ ani, state: 'ended' })).items.map((item) => item.id)).toEqual(
          [ids[2]],
        );
        const range = await store.listConversations({
          ani,
          from: '2030-03-01T10:01:00Z',
          to: '2030-03-01T10:03:00Z',
        });
        expect(range.items.map((item) => item.id)).toEqual([ids[2], ids[1]]);
      });

      it('searches transcript text: case-insensitive word prefixes, all terms must occur', async () => {
        const byText = async (text: string): Promise<string[]> =>
          (await store.listConversations({ ani, text })).items.map((item) => item.id);
        expect(await byText('CANCEL')).toEqual([ids[1], ids[0]]);
        expect(await byText('cancel invoice')).toEqual([ids[0]]);
        expect(await byText('canc')).toEqual([ids[1], ids[0]]);
        expect(await byText('überweisung')).toEqual([ids[3]]);
        expect(await byText('refund')).toEqual([]);
        expect(await byText('"; DROP TABLE conversations; --')).toEqual([]);
      });

      it('pages with a cursor without gaps or duplicates', async () => {
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.listConversations({ ani, limit: 2, ...(cursor ? { cursor } : {}) });
          seen.push(...page.items.map((item) => item.id));
          cursor = page.nextCursor ?? undefined;
          pages++;
        } while (cursor !== undefined);
        expect(pages).toBe(3);
        expect(seen).toEqual([...ids].reverse());
      });

      it('caps huge page sizes', async () => {
        const manyAni = `tel:+1666${Math.floor(Math.random() * 1e7)}`;
        for (let index = 0; index < MAX_PAGE_SIZE + 5; index++)
          await store.upsertConversation(
            makeConversation({
              ani: manyAni,
              startedAt: new Date(Date.UTC(2031, 0, 1, 0, 0, index)).toISOString(),
            }),
          );
        const page = await store.listConversations({ ani: manyAni, limit: 1_000_000 });
        expect(page.items).toHaveLength(MAX_PAGE_SIZE);
        expect(page.nextCursor).not.toBeNull();
        const rest = await store.listConversations({
          ani: manyAni,
          cursor: page.nextCursor!,
          limit: 1_000_000,
        });
        expect(rest.items).toHaveLength(5);
      });
    });

    describe('events and outbox', () => {
      it('enqueues events in the same write and logs them per conversation in order', async () => {
        await drainOutbox();
        const conversation = makeConversation();
        const started = makeEvent('session_started', conversation.id, conversation);
        await store.upsertConversation(conversation, { events: [started] });
        const segment = makeSegment('hello there');
        const final = makeEvent('transcript_available', conversation.id, segment);
        await store.appendSegment(conversation.id, segment, { events: [final] });
        const events = await store.listEvents(conversation.id);
        expect(events.map((entry) => entry.event)).toEqual([started, final]);
        expect(events[1]!.seq).toBeGreaterThan(events[0]!.seq);
        expect(await store.listEvents(conversation.id, { after: events[0]!.seq })).toEqual([events[1]]);
        expect(await store.outboxDepth()).toBe(2);
        const claimed = await store.claimOutbox(10, 60_000);
        expect(claimed.map((entry) => entry.event)).toEqual([started, final]);
        expect(claimed.map((entry) => entry.seq)).toEqual(events.map((entry) => entry.seq));
        expect(claimed.every((entry) => entry.attempts === 1 && entry.lastError === null)).toBe(true);
        await store.ackOutbox(claimed.map((entry) => entry.id));
        expect(await store.outboxDepth()).toBe(0);
      });

      it('a write that fails enqueues nothing', async () => {
        await drainOutbox();
        const missing = randomUUID();
        const event = makeEvent('transcript_available', missing, makeSegment('lost'));
        await expect(
          store.appendSegment(missing, makeSegment('lost'), { events: [event] }),
        ).rejects.toBeInstanceOf(StoreNotFoundError);
        expect(await store.outboxDepth()).toBe(0);
        expect(await store.listEvents(missing)).toEqual([]);
      });

      it('the same event id is enqueued once', async () => {
        await drainOutbox();
        const conversation = makeConversation();
        await store.upsertConversation(conversation);
        const event = makeEvent('assist_update', conversation.id, { mode: 'local' });
        await store.enqueueEvents([event]);
        await store.enqueueEvents([event]);
        expect(await store.outboxDepth()).toBe(1);
        expect(await store.listEvents(conversation.id)).toHaveLength(1);
      });

      it('partial transcripts go through the outbox but not into the event log', async () => {
        await drainOutbox();
        const conversation = makeConversation();
        await store.upsertConversation(conversation);
        const partial = makeEvent(
          'partial_transcript',
          conversation.id,
          makeSegment('hel', { isFinal: false }),
        );
        await store.enqueueEvents([partial]);
        const claimed = await store.claimOutbox(10, 60_000);
        expect(claimed.map((entry) => entry.event)).toEqual([partial]);
        expect(claimed[0]!.seq).toBeNull();
        expect(await store.listEvents(conversation.id)).toEqual([]);
        await store.ackOutbox([claimed[0]!.id]);
      });

      it('partials and finals of many calls written at once keep their order per conversation', async () => {
        await drainOutbox();
        const ids: string[] = [];
        for (let index = 0; index < 5; index++) {
          const conversation = makeConversation();
          ids.push(conversation.id);
          await store.upsertConversation(conversation);
        }
        const writes: Promise<void>[] = [];
        for (const id of ids) {
          const words = makeSegment('one two', { isFinal: false });
          writes.push(store.enqueueEvents([makeEvent('partial_transcript', id, { ...words, text: 'one' })]));
          writes.push(store.enqueueEvents([makeEvent('partial_transcript', id, words)]));
          const final = { ...words, isFinal: true };
          writes.push(
            store.appendSegment(id, final, { events: [makeEvent('transcript_available', id, final)] }),
          );
        }
        await Promise.all(writes);
        const claimed = await store.claimOutbox(100, 60_000);
        expect(claimed).toHaveLength(15);
        for (const id of ids) {
          const order = claimed.filter((entry) => entry.event.conversationId === id);
          expect(order.map((entry) => entry.event.type)).toEqual([
            'partial_transcript',
            'partial_transcript',
            'transcript_available',
          ]);
          expect((order[0]!.event.data as { text: string }).text).toBe('one');
        }
        await store.ackOutbox(claimed.map((entry) => entry.id));
      });

      it('leases: a claimed entry is not claimed again until its lease expires, then comes back with attempts 2', async () => {
        await drainOutbox();
        const conversation = makeConversation();
        await store.upsertConversation(conversation, {
          events: [makeEvent('session_started', conversation.id, conversation)],
        });
        const first = await store.claimOutbox(10, 300);
        expect(first).toHaveLength(1);
        expect(await store.claimOutbox(10, 300)).toEqual([]);
        expect(await store.outboxDepth()).toBe(1);
        await sleep(450);
        const again = await store.claimOutbox(10, 60_000);
        expect(again.map((entry) => entry.id)).toEqual([first[0]!.id]);
        expect(again[0]!.attempts).toBe(2);
        await store.ackOutbox([again[0]!.id]);
        await sleep(50);
        expect(await store.claimOutbox(10, 1)).toEqual([]);
      });

      it('failOutbox releases entries for retry after a delay and records the error', async () => {
        await drainOutbox();
        const conversation = makeConversation();
        await store.upsertConversation(conversation, {
          events: [makeEvent('session_started', conversation.id, conversation)],
        });
        const [entry] = await store.claimOutbox(10, 60_000);
        await store.failOutbox([entry!.id], 'redis down', 60_000);
        expect(await store.claimOutbox(10, 60_000)).toEqual([]);
        await store.failOutbox([entry!.id], 'redis still down', 0);
        const [retried] = await store.claimOutbox(10, 60_000);
        expect(retried).toMatchObject({ id: entry!.id, attempts: 2, lastError: 'redis still down' });
        await store.ackOutbox([retried!.id, 'no-such-id-123']);
        expect(await store.outboxDepth()).toBe(0);
      });

      it('claims respect the batch size and keep commit order', async () => {
        await drainOutbox();
        const conversation = makeConversation();
        await store.upsertConversation(conversation);
        const events = Array.from({ length: 5 }, () =>
          makeEvent('assist_update', conversation.id, { mode: 'local' }),
        );
        for (const event of events) await store.enqueueEvents([event]);
        const first = await store.claimOutbox(3, 60_000);
        const second = await store.claimOutbox(3, 60_000);
        expect([...first, ...second].map((entry) => entry.event.eventId)).toEqual(
          events.map((event) => event.eventId),
        );
        expect(first).toHaveLength(3);
        await store.ackOutbox([...first, ...second].map((entry) => entry.id));
      });

      it('two instances sharing the backend never hold the same entry at once', async () => {
        if (subject.openPeer === undefined) return;
        await drainOutbox();
        const peer = await subject.openPeer();
        try {
          await peer.init();
          const conversation = makeConversation();
          await store.upsertConversation(conversation);
          const events = Array.from({ length: 40 }, () =>
            makeEvent('assist_update', conversation.id, { mode: 'local' }),
          );
          await store.enqueueEvents(events);
          const claims = await Promise.all([
            store.claimOutbox(7, 60_000),
            peer.claimOutbox(7, 60_000),
            store.claimOutbox(7, 60_000),
            peer.claimOutbox(7, 60_000),
            store.claimOutbox(7, 60_000),
            peer.claimOutbox(7, 60_000),
          ]);
          const ids = claims.flat().map((entry) => entry.event.eventId);
          expect(new Set(ids).size).toBe(ids.length);
          expect(ids.length).toBe(40);
          await peer.ackOutbox(claims.flat().map((entry) => entry.id));
          expect(await store.outboxDepth()).toBe(0);
        } finally {
          await peer.close();
        }
      });
    });

    describeTranscriptVersions(() => store, drainOutbox);
    describeCallAnalyticsContract(() => store);
    describeAuditLogContract(() => store);

    it('reports healthy', async () => {
      const health = await store.health();
      expect(health).toMatchObject({ status: 'ok', detail: null, pendingWrites: 0 });
    });
  });
}
