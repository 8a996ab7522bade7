/**
 * The audit log part of the ConversationStore contract (run by describeConversationStoreContract on every adapter).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StoreInputError, type AuditEntry, type ConversationStore } from '../src/index.js';

export function makeAuditEntry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: randomUUID(),
    at: '2026-03-01T09:00:00.000Z',
    subject: 'alice@example.com',
    role: 'supervisor',
    authMethod: 'session',
    action: 'read',
    conversationId: randomUUID(),
    address: '203.0.113.7',
    route: 'GET /api/conversations/:id',
    ...overrides,
  };
}

export function describeAuditLogContract(currentStore: () => ConversationStore): void {
  describe('audit log', () => {
    // each test tags its entries with its own subject/conversation so tests sharing one store stay independent
    it('stores entries and lists them newest first, with every field', async () => {
      const store = currentStore();
      const subject = `u-${randomUUID()}`;
      const older = makeAuditEntry({
        subject,
        at: '2026-03-01T09:00:00.000Z',
        action: 'list',
        conversationId: null,
      });
      const newer = makeAuditEntry({ subject, at: '2026-03-01T09:05:00.000Z', action: 'play' });
      await store.appendAudit([older, newer]);
      const page = await store.listAudit({ subject });
      expect(page).toEqual({ items: [newer, older], nextCursor: null });
    });

    it('filters by conversation, subject, action and time range', async () => {
      const store = currentStore();
      const conversationId = randomUUID();
      const subject = `u-${randomUUID()}`;
      const entries = [
        makeAuditEntry({ subject, conversationId, at: '2026-04-01T10:00:00.000Z', action: 'read' }),
        makeAuditEntry({ subject, conversationId, at: '2026-04-02T10:00:00.000Z', action: 'play' }),
        makeAuditEntry({ subject, at: '2026-04-03T10:00:00.000Z', action: 'read' }),
        makeAuditEntry({ conversationId, at: '2026-04-04T10:00:00.000Z', subject: `other-${subject}` }),
      ];
      await store.appendAudit(entries);
      const ids = async (query: Parameters<ConversationStore['listAudit']>[0]) =>
        (await store.listAudit(query)).items.map((e) => e.id);
      expect(await ids({ conversationId })).toEqual([entries[3]!.id, entries[1]!.id, entries[0]!.id]);
      expect(await ids({ conversationId, subject })).toEqual([entries[1]!.id, entries[0]!.id]);
      expect(await ids({ subject, action: 'read' })).toEqual([entries[2]!.id, entries[0]!.id]);
      expect(await ids({ subject, from: '2026-04-02T00:00:00Z', to: '2026-04-03T10:00:00.000Z' })).toEqual([
        entries[1]!.id,
      ]);
    });

    it('pages with a cursor without skipping or repeating entries (ties on the same instant included)', async () => {
      const store = currentStore();
      const subject = `u-${randomUUID()}`;
      const entries = Array.from({ length: 7 }, (_, i) =>
        makeAuditEntry({ subject, at: `2026-05-01T10:00:0${Math.floor(i / 2)}.000Z` }),
      );
      await store.appendAudit(entries);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await store.listAudit({ subject, limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((e) => e.id));
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      expect(new Set(seen).size).toBe(7);
      expect(seen.sort()).toEqual(entries.map((e) => e.id).sort());
    });

    it('is idempotent by entry id: a retried batch stores nothing twice', async () => {
      const store = currentStore();
      const subject = `u-${randomUUID()}`;
      const entry = makeAuditEntry({ subject });
      await store.appendAudit([entry]);
      await store.appendAudit([entry, makeAuditEntry({ subject, at: '2026-03-02T00:00:00.000Z' })]);
      expect((await store.listAudit({ subject })).items).toHaveLength(2);
    });

    it('refuses incomplete entries and a foreign cursor with clear errors', async () => {
      const store = currentStore();
      await expect(store.appendAudit([makeAuditEntry({ subject: '' })])).rejects.toBeInstanceOf(
        StoreInputError,
      );
      await expect(store.appendAudit([makeAuditEntry({ at: 'yesterday' })])).rejects.toBeInstanceOf(
        StoreInputError,
      );
      await expect(store.listAudit({ cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(StoreInputError);
    });
  });
}
