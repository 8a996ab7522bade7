/**
 * PostgresConversationStore against a real PostgreSQL server started by the test (see support/services-postgres.ts):
 * the shared contract, migrations, and the faults — server down at start, server stopped mid-call and restarted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { PostgresConversationStore, StoreUnavailableError } from '../src/index.js';
import { POSTGRES_MIGRATIONS } from '../src/store/postgres-migrations.js';
import {
  describeConversationStoreContract,
  makeConversation,
  makeEvent,
  makeSegment,
} from './store-contract.js';
import { makeAuditEntry } from './store-audit-contract.js';
import { startPostgres, type PostgresService } from './support/services-postgres.js';

describeConversationStoreContract('PostgreSQL (real server)', async () => {
  const server = await startPostgres();
  const store = new PostgresConversationStore({ connectionString: server.url });
  return {
    store,
    openPeer: async () => new PostgresConversationStore({ connectionString: server.url }),
    cleanup: async () => {
      await store.close();
      await server.destroy();
    },
  };
});

describe('PostgreSQL migrations and faults', () => {
  let server: PostgresService;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.destroy();
  });

  const fastRetry = { initialBackoffMs: 50, maxBackoffMs: 300, connectTimeoutMs: 1_000 };

  it('applies numbered migrations once; a second instance starting at the same time is fine', async () => {
    const first = new PostgresConversationStore({ connectionString: server.url });
    const second = new PostgresConversationStore({ connectionString: server.url });
    try {
      await Promise.all([first.init(), second.init()]);
      expect(await first.appliedMigrations()).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
      expect(await second.appliedMigrations()).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('the audit log is append-only in the schema: an UPDATE is refused', async () => {
    const store = new PostgresConversationStore({ connectionString: server.url });
    const client = new pg.Client(server.url);
    try {
      await store.init();
      await store.appendAudit([makeAuditEntry()]);
      await client.connect();
      await expect(client.query("UPDATE audit_log SET subject = 'someone else'")).rejects.toThrow(
        /append-only/,
      );
    } finally {
      await client.end();
      await store.close();
    }
  });

  it('upgrades a database at version 1 in place, keeping its data', async () => {
    const client = new pg.Client(server.url);
    await client.connect();
    try {
      await client.query('CREATE DATABASE upgrade_test');
    } finally {
      await client.end();
    }
    const url = server.url.replace(/\/postgres$/, '/upgrade_test');
    const old = new pg.Client(url);
    await old.connect();
    const conversation = makeConversation();
    const segment = makeSegment('kept across the upgrade');
    const started = makeEvent('session_started', conversation.id, conversation);
    try {
      await old.query(
        'CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      await old.query(POSTGRES_MIGRATIONS[0]!.sql);
      await old.query("INSERT INTO schema_migrations (version, name) VALUES (1, 'v1')");
      await old.query(
        'INSERT INTO conversations (id, started_at, state, ani, body) VALUES ($1, $2, $3, $4, $5)',
        [
          conversation.id,
          conversation.startedAt,
          conversation.state,
          conversation.ani,
          JSON.stringify(conversation),
        ],
      );
      await old.query(
        'INSERT INTO segments (conversation_id, id, start_offset, channel, text, body) VALUES ($1, $2, $3, $4, $5, $6)',
        [conversation.id, segment.id, segment.offset, segment.channel, segment.text, JSON.stringify(segment)],
      );
      await old.query(
        "INSERT INTO event_log (event_id, conversation_id, type, body) VALUES ($1, $2, 'session_started', $3)",
        [started.eventId, conversation.id, JSON.stringify(started)],
      );
      await old.query('INSERT INTO outbox (event_id, log_seq, body) VALUES ($1, 1, $2)', [
        started.eventId,
        JSON.stringify(started),
      ]);
    } finally {
      await old.end();
    }
    const store = new PostgresConversationStore({ connectionString: url });
    try {
      await store.init();
      expect(await store.appliedMigrations()).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
      expect((await store.getConversation(conversation.id))?.transcript).toEqual([segment]);
      expect((await store.listConversations({ text: 'upgrade' })).items.map((item) => item.id)).toEqual([
        conversation.id,
      ]);
      expect((await store.claimOutbox(10, 60_000)).map((entry) => entry.event)).toEqual([started]);
      expect((await store.listEvents(conversation.id)).map((entry) => entry.event)).toEqual([started]);
    } finally {
      await store.close();
    }
  });

  it('unavailable at start: health degraded with the reason, writes wait, everything lands once it is up', async () => {
    await server.stop();
    const store = new PostgresConversationStore({ connectionString: server.url, ...fastRetry });
    try {
      const ready = store.init();
      const conversation = makeConversation();
      const written = store.upsertConversation(conversation, {
        events: [makeEvent('session_started', conversation.id, conversation)],
      });
      const segment = store.appendSegment(conversation.id, makeSegment('queued while down'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const health = await store.health();
      expect(health.status).toBe('degraded');
      expect(health.detail).toMatch(/PostgreSQL not reachable: .*(ECONNREFUSED|connect)/);
      expect(health.pendingWrites).toBe(2);
      await expect(store.getConversation(conversation.id)).rejects.toBeInstanceOf(StoreUnavailableError);

      await server.start();
      await ready;
      await written;
      await segment;
      const read = await store.getConversation(conversation.id);
      expect(read?.transcript.map((item) => item.text)).toEqual(['queued while down']);
      expect((await store.listEvents(conversation.id)).map((entry) => entry.event.type)).toEqual([
        'session_started',
      ]);
      expect(await store.health()).toMatchObject({ status: 'ok', pendingWrites: 0 });
    } finally {
      await server.start();
      await store.close();
    }
  });

  it('stopped mid-call: writes are retried in order and nothing is lost once it is back', async () => {
    const store = new PostgresConversationStore({ connectionString: server.url, ...fastRetry });
    try {
      await store.init();
      const conversation = makeConversation();
      await store.upsertConversation(conversation);
      await store.appendSegment(conversation.id, makeSegment('before the outage', { offset: 1 }));

      await server.stop();
      const during = [2, 3, 4].map((offset) => {
        const segment = makeSegment(`during the outage ${offset}`, { offset });
        return store.appendSegment(conversation.id, segment, {
          events: [makeEvent('transcript_available', conversation.id, segment)],
        });
      });
      const ended = store.endConversation(conversation.id, {
        state: 'ended',
        closeReason: 'end',
        endedAt: new Date().toISOString(),
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const health = await store.health();
      expect(health.status).toBe('degraded');
      expect(health.pendingWrites).toBe(4);
      await expect(store.listConversations()).rejects.toBeInstanceOf(StoreUnavailableError);

      await server.start();
      await Promise.all([...during, ended]);
      const read = await store.getConversation(conversation.id);
      expect(read?.state).toBe('ended');
      expect(read?.transcript.map((item) => item.text)).toEqual([
        'before the outage',
        'during the outage 2',
        'during the outage 3',
        'during the outage 4',
      ]);
      expect(await store.listEvents(conversation.id)).toHaveLength(3);
      expect(await store.health()).toMatchObject({ status: 'ok', pendingWrites: 0 });
    } finally {
      await server.start();
      await store.close();
    }
  });

  it('past the in-memory bound, writes are refused with a clear error instead of growing without limit', async () => {
    const store = new PostgresConversationStore({
      connectionString: server.url,
      ...fastRetry,
      maxPendingWrites: 2,
    });
    try {
      await store.init();
      const conversation = makeConversation();
      await store.upsertConversation(conversation);
      await server.stop();
      const kept = [
        store.appendSegment(conversation.id, makeSegment('one', { offset: 1 })),
        store.appendSegment(conversation.id, makeSegment('two', { offset: 2 })),
      ];
      await expect(store.appendSegment(conversation.id, makeSegment('three'))).rejects.toThrow(
        /write queue full/,
      );
      await server.start();
      await Promise.all(kept);
      expect((await store.getConversation(conversation.id))?.transcript).toHaveLength(2);
    } finally {
      await server.start();
      await store.close();
    }
  });
});
