/**
 * The RetentionSweeper and the ConversationEraser end to end over real backends: SQLite with the filesystem store,
 * and PostgreSQL with Azure Blob (Azurite). Both directions: what expired (or was erased) is gone from the
 * conversation store, its search index and the recording store; everything else — younger data, other kinds of the
 * same conversation, held conversations, other callers — is exactly as it was.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AzureBlobRecordingStore,
  ConversationEraser,
  FilesystemRecordingStore,
  PostgresConversationStore,
  RetentionSweeper,
  SqliteConversationStore,
  parseRetentionPolicy,
  type ConversationEvent,
  type ConversationStore,
  type RecordingStore,
} from '../src/index.js';
import { writeWav } from './recording-contract.js';
import { makeAuditEntry } from './store-audit-contract.js';
import { makeConversation, makeEvent, makeSegment } from './store-contract.js';
import { startAzurite } from './support/services-azurite.js';
import { startPostgres } from './support/services-postgres.js';

interface Backends {
  store: ConversationStore;
  recordings: RecordingStore;
  cleanup(): Promise<void>;
}

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T00:00:00.000Z');
const daysAgo = (days: number) => new Date(NOW - days * DAY).toISOString();
const recordingKey = (c: { id: string; startedAt: string }) => `${c.startedAt.slice(0, 10)}/${c.id}`;

function describeRetention(name: string, open: () => Promise<Backends>): void {
  describe(`retention and erasure: ${name}`, () => {
    let backends: Backends;
    let store: ConversationStore;
    let recordings: RecordingStore;
    let source: string;

    beforeAll(async () => {
      backends = await open();
      ({ store, recordings } = backends);
      await store.init();
      source = mkdtempSync(join(tmpdir(), 'hookscribe-retention-src-'));
      writeWav(join(source, 'call.wav'), 1);
      writeFileSync(join(source, 'call.json'), '{"messages":[]}');
    });
    afterAll(async () => {
      await backends?.cleanup();
      rmSync(source, { recursive: true, force: true });
    });

    async function call(startedAt: string, ani = `tel:+1555${Math.floor(Math.random() * 1e7)}`) {
      const word = `w${randomUUID().replace(/-/g, '').slice(0, 10)}`;
      const conversation = makeConversation({ startedAt, ani, state: 'ended' });
      await store.upsertConversation(conversation, {
        events: [makeEvent('session_started', conversation.id, conversation)],
      });
      await store.appendSegment(conversation.id, makeSegment(`hello ${word}`));
      await store.appendAssist(conversation.id, { mode: 'local' });
      const key = recordingKey(conversation);
      const stored = await recordings.put(join(source, 'call.wav'), join(source, 'call.json'), key);
      await store.setRecording(conversation.id, stored.uri);
      return { id: conversation.id, key, word, uri: stored.uri, ani };
    }

    async function drainOutbox(): Promise<ConversationEvent[]> {
      const events: ConversationEvent[] = [];
      for (;;) {
        const entries = await store.claimOutbox(500, 60_000);
        if (entries.length === 0) return events;
        events.push(...entries.map((entry) => entry.event));
        await store.ackOutbox(entries.map((entry) => entry.id));
      }
    }

    async function intact(c: Awaited<ReturnType<typeof call>>, recording = true): Promise<void> {
      const read = await store.getConversation(c.id);
      expect(read?.transcript.map((s) => s.text)).toEqual([`hello ${c.word}`]);
      expect(read?.assist).toHaveLength(1);
      expect((await store.listConversations({ text: c.word })).items.map((i) => i.id)).toEqual([c.id]);
      expect(read?.recording).toBe(recording ? c.uri : null);
      expect(await recordings.exists(c.key)).toBe(recording);
      expect(await recordings.exists(c.key, 'sidecar')).toBe(recording);
    }

    it('a sweep deletes what each period expired, everywhere, and touches nothing else', async () => {
      const young = await call(daysAgo(12));
      const middle = await call(daysAgo(47));
      const old = await call(daysAgo(151));
      const held = await call(daysAgo(151));
      await store.setLegalHold(held.id, true);
      await drainOutbox();

      const sweeper = new RetentionSweeper({
        store,
        recordings,
        recordingKey,
        policy: parseRetentionPolicy('recordings=30d,transcripts=90d,assist=90d'),
        now: () => NOW,
      });
      const report = await sweeper.sweep();
      expect(report).toMatchObject({
        recordings: 2,
        transcripts: 1,
        assist: 1,
        conversations: 1,
        failures: 0,
      });

      await intact(young);
      await intact(held);
      // middle: recording expired (30 d), transcript and assist kept (90 d)
      await intact(middle, false);
      // old: everything gone — row, transcript, search index, assist, events, recording files
      expect(await store.getConversation(old.id)).toBeNull();
      expect(await store.listEvents(old.id)).toEqual([]);
      expect((await store.listConversations({ text: old.word })).items).toEqual([]);
      expect(await recordings.exists(old.key)).toBe(false);
      expect(await recordings.exists(old.key, 'sidecar')).toBe(false);

      const deletions = (await drainOutbox()).filter((e) => e.type === 'data_deleted');
      const announced = (id: string) =>
        deletions
          .filter((e) => e.conversationId === id)
          .map((e) => (e.type === 'data_deleted' ? e.data.scope : ''))
          .sort();
      expect(announced(middle.id)).toEqual(['recording']);
      expect(announced(old.id)).toEqual(['assist', 'conversation', 'recording', 'transcripts']);
      expect(announced(young.id)).toEqual([]);
      expect(announced(held.id)).toEqual([]);
      expect(deletions.every((e) => e.type === 'data_deleted' && e.data.reason === 'retention')).toBe(true);

      // idempotent: nothing left to do
      expect(await sweeper.sweep()).toMatchObject({
        recordings: 0,
        transcripts: 0,
        assist: 0,
        conversations: 0,
      });
      await intact(young);
    });

    it('with a kind left unset, that kind and the conversation row are kept; the audit period applies to the audit log', async () => {
      const old = await call(daysAgo(400));
      const subject = `sweep-${randomUUID()}`;
      const oldAudit = makeAuditEntry({ subject, at: daysAgo(100) });
      const youngAudit = makeAuditEntry({ subject, at: daysAgo(10) });
      await store.appendAudit([oldAudit, youngAudit]);
      const sweeper = new RetentionSweeper({
        store,
        recordings,
        recordingKey,
        policy: parseRetentionPolicy('transcripts=30d,audit=90d'),
        now: () => NOW,
      });
      expect((await sweeper.sweep()).audit).toBe(1);
      expect((await store.listAudit({ subject })).items.map((e) => e.id)).toEqual([youngAudit.id]);
      const read = await store.getConversation(old.id);
      expect(read?.transcript).toEqual([]);
      expect(read?.assist).toHaveLength(1);
      expect(await recordings.exists(old.key)).toBe(true);
      expect((await store.listConversations({ text: old.word })).items).toEqual([]);
    });

    it('deletion by id and erasure by caller number; legal hold exempts from both', async () => {
      const eraser = new ConversationEraser({ store, recordings, recordingKey });
      const ani = `tel:+1555${Math.floor(Math.random() * 1e7)}`;
      const first = await call(daysAgo(3), ani);
      const second = await call(daysAgo(2), ani);
      const kept = await call(daysAgo(2), ani);
      await store.setLegalHold(kept.id, true);
      const otherCaller = await call(daysAgo(2));
      const single = await call(daysAgo(1));
      await drainOutbox();

      expect(await eraser.deleteConversation(single.id)).toBe('deleted');
      expect(await store.getConversation(single.id)).toBeNull();
      expect(await recordings.exists(single.key)).toBe(false);
      expect(await eraser.deleteConversation(single.id)).toBe('not-found');
      expect(await eraser.deleteConversation(kept.id)).toBe('held');
      // a call still live is not deleted (its pipeline and recorder would write it back): erased after it ends
      const live = makeConversation({ ani, startedAt: new Date().toISOString(), state: 'active' });
      await store.upsertConversation(live);
      expect(await eraser.deleteConversation(live.id)).toBe('live');

      // as an agent would type it: without the tel: prefix Genesys puts in front
      const report = await eraser.eraseByAni(ani.replace('tel:', ''));
      expect(report.erased.sort()).toEqual([first.id, second.id].sort());
      expect(report.held).toEqual([kept.id]);
      expect(report.live).toEqual([live.id]);
      expect(await store.getConversation(live.id)).not.toBeNull();
      for (const gone of [first, second]) {
        expect(await store.getConversation(gone.id)).toBeNull();
        expect((await store.listConversations({ text: gone.word })).items).toEqual([]);
        expect(await recordings.exists(gone.key)).toBe(false);
        expect(await recordings.exists(gone.key, 'sidecar')).toBe(false);
      }
      expect((await store.listConversations({ ani })).items.map((c) => c.id).sort()).toEqual(
        [kept.id, live.id].sort(),
      );
      await intact(kept);
      await intact(otherCaller);

      const deletions = (await drainOutbox()).filter((e) => e.type === 'data_deleted');
      expect(
        deletions.map((e) => [e.conversationId, e.type === 'data_deleted' ? e.data.reason : '']).sort(),
      ).toEqual(
        [
          [single.id, 'request'],
          [first.id, 'erasure'],
          [second.id, 'erasure'],
        ].sort(),
      );
    });
  });
}

describeRetention('SQLite + filesystem', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookscribe-retention-'));
  const store = new SqliteConversationStore({ path: join(dir, 'conversations.db') });
  return {
    store,
    recordings: new FilesystemRecordingStore(join(dir, 'recordings')),
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describeRetention('PostgreSQL + Azure Blob (Azurite)', async () => {
  const [postgres, azurite] = await Promise.all([startPostgres(), startAzurite()]);
  const store = new PostgresConversationStore({ connectionString: postgres.url });
  return {
    store,
    recordings: new AzureBlobRecordingStore({
      connectionString: azurite.connectionString,
      container: 'recordings',
    }),
    cleanup: async () => {
      await store.close();
      await Promise.all([postgres.destroy(), azurite.destroy()]);
    },
  };
});
