/**
 * The privacy part of the ConversationStore contract (conversation-privacy.ts): legal hold, findExpired, purges of
 * one kind or of everything, the audio-redaction report. Each purge test proves both directions: what must go is
 * gone (row, segments, search index, assist results, event log, undelivered outbox entries) and nothing else — the
 * other kinds of the same conversation, and other conversations — is touched.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  StoreNotFoundError,
  type ConversationEvent,
  type ConversationStore,
  type PurgeScope,
} from '../src/index.js';
import { makeAuditEntry } from './store-audit-contract.js';
import { makeConversation, makeEvent, makeSegment, type StoreUnderTest } from './store-contract.js';

/** A conversation with every kind of data: segments (with a searchable word of its own), assist, events, recording. */
async function seed(store: ConversationStore, startedAt: string) {
  const word = `w${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const conversation = makeConversation({ startedAt, ani: `tel:+1555${Math.floor(Math.random() * 1e7)}` });
  await store.upsertConversation(conversation, {
    events: [makeEvent('session_started', conversation.id, conversation)],
  });
  const segment = makeSegment(`my card ${word}`);
  await store.appendSegment(conversation.id, segment, {
    events: [makeEvent('transcript_available', conversation.id, segment)],
  });
  await store.appendAssist(
    conversation.id,
    { mode: 'local', summary: { issue: 'card', customerNeed: 'x', actions: [], text: 'about a card' } },
    { events: [makeEvent('assist_update', conversation.id, { mode: 'local' })] },
  );
  const uri = `file:///data/recordings/${conversation.id}.wav`;
  await store.setRecording(conversation.id, uri, {
    events: [makeEvent('recording_available', conversation.id, { uri, bytes: 100, durationSeconds: 1 })],
  });
  return { conversation, word, uri };
}

function deletion(conversationId: string, scope: PurgeScope): ConversationEvent {
  return makeEvent('data_deleted', conversationId, { scope, reason: 'retention' });
}

export function describeConversationPrivacyContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`ConversationStore privacy contract: ${name}`, () => {
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

    /** every undelivered outbox entry, acknowledged so later tests start clean */
    async function drainOutbox(): Promise<ConversationEvent[]> {
      const events: ConversationEvent[] = [];
      for (;;) {
        const entries = await store.claimOutbox(500, 60_000);
        if (entries.length === 0) return events;
        events.push(...entries.map((entry) => entry.event));
        await store.ackOutbox(entries.map((entry) => entry.id));
      }
    }

    async function types(conversationId: string): Promise<string[]> {
      return (await store.listEvents(conversationId)).map((stored) => stored.event.type).sort();
    }

    it('sets and releases a legal hold; a re-upserted call keeps it; unknown ids are StoreNotFoundError', async () => {
      const conversation = makeConversation();
      await store.upsertConversation(conversation);
      await store.setLegalHold(conversation.id, true);
      expect((await store.getConversation(conversation.id))?.legalHold).toBe(true);
      await store.upsertConversation({ ...conversation, aniName: 'Changed' });
      expect(await store.getConversation(conversation.id)).toMatchObject({
        legalHold: true,
        aniName: 'Changed',
      });
      const listed = await store.listConversations({ ani: conversation.ani, limit: 200 });
      expect(listed.items.find((item) => item.id === conversation.id)?.legalHold).toBe(true);
      // a summary claiming a hold does not set one
      const other = makeConversation();
      await store.upsertConversation({ ...other, legalHold: true });
      expect((await store.getConversation(other.id))?.legalHold).toBeUndefined();
      await store.endConversation(conversation.id, {
        state: 'ended',
        closeReason: 'end',
        endedAt: '2026-01-01T10:05:00.000Z',
      });
      await store.setRecording(conversation.id, 'file:///x.wav');
      expect((await store.getConversation(conversation.id))?.legalHold).toBe(true);
      await store.setLegalHold(conversation.id, false);
      expect((await store.getConversation(conversation.id))?.legalHold).toBeUndefined();
      await expect(store.setLegalHold(randomUUID(), true)).rejects.toBeInstanceOf(StoreNotFoundError);
    });

    it('findExpired: only conversations started before the cut-off, not held, holding that kind, oldest first', async () => {
      const older = await seed(store, '2001-01-01T00:00:00.000Z');
      const old = await seed(store, '2001-06-01T00:00:00.000Z');
      const held = await seed(store, '2001-03-01T00:00:00.000Z');
      const recent = await seed(store, '2001-12-31T00:00:00.000Z');
      const bare = makeConversation({ startedAt: '2001-02-01T00:00:00.000Z' });
      await store.upsertConversation(bare);
      await store.setLegalHold(held.conversation.id, true);
      const mine = new Set([older, old, held, recent].map((s) => s.conversation.id).concat(bare.id));
      const found = async (scope: PurgeScope) =>
        (await store.findExpired(scope, '2001-12-01T00:00:00.000Z', 1000))
          .filter((item) => mine.has(item.id))
          .map((item) => item.id);
      expect(await found('conversation')).toEqual([older.conversation.id, bare.id, old.conversation.id]);
      expect(await found('recording')).toEqual([older.conversation.id, old.conversation.id]);
      const expired = await store.findExpired('recording', '2001-12-01T00:00:00.000Z', 1000);
      expect(expired.find((item) => item.id === old.conversation.id)).toEqual({
        id: old.conversation.id,
        startedAt: '2001-06-01T00:00:00.000Z',
        recording: old.uri,
      });
      expect((await found('transcripts')).filter((id) => id !== bare.id)).toEqual([
        older.conversation.id,
        old.conversation.id,
      ]);
      expect((await found('assist')).filter((id) => id !== bare.id)).toEqual([
        older.conversation.id,
        old.conversation.id,
      ]);
      expect(await store.findExpired('conversation', '2001-12-01T00:00:00.000Z', 1)).toHaveLength(1);
    });

    it('findExpired: a conversation still marked active counts only a day after the cut-off (it may be live)', async () => {
      const cutoff = '2001-08-10T00:00:00.000Z';
      const liveNow = makeConversation({ startedAt: '2001-08-09T23:00:00.000Z', state: 'active' });
      const endedNow = makeConversation({ startedAt: '2001-08-09T23:00:00.000Z', state: 'ended' });
      const stale = makeConversation({ startedAt: '2001-08-08T00:00:00.000Z', state: 'active' });
      for (const conversation of [liveNow, endedNow, stale]) await store.upsertConversation(conversation);
      const found = (await store.findExpired('conversation', cutoff, 1000)).map((item) => item.id);
      expect(found).toContain(endedNow.id);
      expect(found).toContain(stale.id);
      expect(found).not.toContain(liveNow.id);
    });

    it('purging transcripts removes segments, the search index entries and transcript events only', async () => {
      const target = await seed(store, '2002-01-01T00:00:00.000Z');
      const bystander = await seed(store, '2002-01-01T00:00:00.000Z');
      // an undelivered transcript event of the target must not be published after the purge
      await drainOutbox();
      const late = makeSegment(`late ${target.word}`, { offset: 9 });
      await store.appendSegment(target.conversation.id, late, {
        events: [makeEvent('transcript_available', target.conversation.id, late)],
      });
      expect((await store.listConversations({ text: target.word })).items).toHaveLength(1);

      expect(
        await store.purgeConversation(target.conversation.id, 'transcripts', {
          events: [deletion(target.conversation.id, 'transcripts')],
        }),
      ).toBe('purged');

      const after = await store.getConversation(target.conversation.id);
      expect(after?.transcript).toEqual([]);
      expect(after?.assist).toHaveLength(1);
      expect(after?.recording).toBe(target.uri);
      expect((await store.listConversations({ text: target.word })).items).toEqual([]);
      expect(await types(target.conversation.id)).toEqual([
        'assist_update',
        'recording_available',
        'session_started',
      ]);
      const outbox = (await drainOutbox()).filter((e) => e.conversationId === target.conversation.id);
      expect(outbox.map((e) => e.type)).toEqual(['data_deleted']);
      expect(outbox[0]?.data).toEqual({ scope: 'transcripts', reason: 'retention' });
      const expired = await store.findExpired('transcripts', '2002-06-01T00:00:00.000Z', 1000);
      expect(expired.map((item) => item.id)).not.toContain(target.conversation.id);
      // the call's row written again (the pipeline ending it) does not bring the purged kind back into the sweep
      await store.endConversation(target.conversation.id, {
        state: 'ended',
        closeReason: 'end',
        endedAt: '2002-01-01T00:10:00.000Z',
      });
      await store.upsertConversation({ ...target.conversation, state: 'ended' });
      const again = await store.findExpired('transcripts', '2002-06-01T00:00:00.000Z', 1000);
      expect(again.map((item) => item.id)).not.toContain(target.conversation.id);

      // the bystander is untouched
      const other = await store.getConversation(bystander.conversation.id);
      expect(other?.transcript.map((s) => s.text)).toEqual([`my card ${bystander.word}`]);
      expect((await store.listConversations({ text: bystander.word })).items.map((c) => c.id)).toEqual([
        bystander.conversation.id,
      ]);
      expect(await types(bystander.conversation.id)).toEqual([
        'assist_update',
        'recording_available',
        'session_started',
        'transcript_available',
      ]);
    });

    it('purging assist results keeps the transcript; purging the recording keeps everything else', async () => {
      const target = await seed(store, '2003-01-01T00:00:00.000Z');
      expect(await store.purgeConversation(target.conversation.id, 'assist')).toBe('purged');
      let after = await store.getConversation(target.conversation.id);
      expect(after?.assist).toEqual([]);
      expect(after?.transcript).toHaveLength(1);
      expect(await types(target.conversation.id)).toEqual([
        'recording_available',
        'session_started',
        'transcript_available',
      ]);

      await store.setRecordingRedaction(target.conversation.id, {
        at: '2003-01-01T00:10:00.000Z',
        method: 'silence',
        marginSeconds: 0.25,
        spans: [{ start: 1, end: 2, reason: 'redaction' }],
      });
      expect((await store.getConversation(target.conversation.id))?.recordingRedaction?.spans).toHaveLength(
        1,
      );
      expect(await store.purgeConversation(target.conversation.id, 'recording')).toBe('purged');
      after = await store.getConversation(target.conversation.id);
      expect(after?.recording).toBeNull();
      expect(after?.recordingRedaction).toBeUndefined();
      expect(after?.transcript).toHaveLength(1);
      expect(await types(target.conversation.id)).toEqual(['session_started', 'transcript_available']);
      const expired = await store.findExpired('recording', '2003-06-01T00:00:00.000Z', 1000);
      expect(expired.map((item) => item.id)).not.toContain(target.conversation.id);
    });

    it('purging a whole conversation leaves nothing of it but the announcement, and nothing else changes', async () => {
      const target = await seed(store, '2004-01-01T00:00:00.000Z');
      const bystander = await seed(store, '2004-01-01T00:00:00.000Z');
      await drainOutbox();
      // a pending announcement of an earlier purge survives the whole-conversation purge
      await store.purgeConversation(target.conversation.id, 'assist', {
        events: [deletion(target.conversation.id, 'assist')],
      });
      await store.enqueueEvents([
        makeEvent('partial_transcript', target.conversation.id, makeSegment('x', { isFinal: false })),
      ]);
      expect(
        await store.purgeConversation(target.conversation.id, 'conversation', {
          events: [deletion(target.conversation.id, 'conversation')],
        }),
      ).toBe('purged');

      expect(await store.getConversation(target.conversation.id)).toBeNull();
      expect(await store.listEvents(target.conversation.id)).toEqual([]);
      expect((await store.listConversations({ text: target.word })).items).toEqual([]);
      expect((await store.listConversations({ ani: target.conversation.ani })).items).toEqual([]);
      const outbox = (await drainOutbox()).filter((e) => e.conversationId === target.conversation.id);
      expect(outbox.map((e) => (e.type === 'data_deleted' ? e.data.scope : e.type)).sort()).toEqual([
        'assist',
        'conversation',
      ]);
      expect(await store.purgeConversation(target.conversation.id, 'conversation')).toBe('not-found');

      const other = await store.getConversation(bystander.conversation.id);
      expect(other?.transcript).toHaveLength(1);
      expect(other?.assist).toHaveLength(1);
      expect(other?.recording).toBe(bystander.uri);
      expect(await types(bystander.conversation.id)).toHaveLength(4);
    });

    it("the audit log's retention deletes the entries older than the cut-off, and only those", async () => {
      const subject = `retention-${randomUUID()}`;
      const old = [1, 2, 3].map((day) => makeAuditEntry({ subject, at: `2001-01-0${day}T10:00:00.000Z` }));
      const young = [makeAuditEntry({ subject, at: '2001-02-01T10:00:00.000Z' })];
      await store.appendAudit([...old, ...young]);
      expect(await store.purgeAuditBefore!('2001-01-15T00:00:00.000Z')).toBe(3);
      expect((await store.listAudit({ subject })).items.map((e) => e.id)).toEqual([young[0]!.id]);
      expect(await store.purgeAuditBefore!('2001-01-15T00:00:00.000Z')).toBe(0);
    });

    it('a conversation on legal hold is never purged and its events are not enqueued', async () => {
      const target = await seed(store, '2005-01-01T00:00:00.000Z');
      await store.setLegalHold(target.conversation.id, true);
      await drainOutbox();
      for (const scope of ['transcripts', 'assist', 'recording', 'conversation'] as const)
        expect(
          await store.purgeConversation(target.conversation.id, scope, {
            events: [deletion(target.conversation.id, scope)],
          }),
        ).toBe('held');
      const after = await store.getConversation(target.conversation.id);
      expect(after?.transcript).toHaveLength(1);
      expect(after?.assist).toHaveLength(1);
      expect(after?.recording).toBe(target.uri);
      expect(await types(target.conversation.id)).toHaveLength(4);
      expect((await drainOutbox()).filter((e) => e.conversationId === target.conversation.id)).toEqual([]);
      expect(await store.purgeConversation(randomUUID(), 'transcripts')).toBe('not-found');
    });
  });
}
