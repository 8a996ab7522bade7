/** Numbered SQLite migrations; applied in order at init, each once, recorded in schema_migrations. Append only. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const SQLITE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'conversations, segments with FTS5, assist results, event log, outbox',
    sql: `
      CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        started_at TEXT NOT NULL,
        state TEXT NOT NULL,
        ani TEXT NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX conversations_by_start ON conversations (started_at DESC, id DESC);
      CREATE INDEX conversations_by_state ON conversations (state, started_at DESC, id DESC);
      CREATE INDEX conversations_by_ani ON conversations (ani, started_at DESC);

      CREATE TABLE segments (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        start_offset REAL NOT NULL,
        channel INTEGER NOT NULL,
        text TEXT NOT NULL,
        body TEXT NOT NULL,
        UNIQUE (conversation_id, id)
      );
      CREATE VIRTUAL TABLE segments_fts USING fts5 (text, content = 'segments', content_rowid = 'seq');
      CREATE TRIGGER segments_fts_insert AFTER INSERT ON segments BEGIN
        INSERT INTO segments_fts (rowid, text) VALUES (new.seq, new.text);
      END;
      CREATE TRIGGER segments_fts_delete AFTER DELETE ON segments BEGIN
        INSERT INTO segments_fts (segments_fts, rowid, text) VALUES ('delete', old.seq, old.text);
      END;
      CREATE TRIGGER segments_fts_update AFTER UPDATE ON segments BEGIN
        INSERT INTO segments_fts (segments_fts, rowid, text) VALUES ('delete', old.seq, old.text);
        INSERT INTO segments_fts (rowid, text) VALUES (new.seq, new.text);
      END;

      CREATE TABLE assist_results (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        id TEXT NOT NULL UNIQUE,
        at TEXT NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX assist_by_conversation ON assist_results (conversation_id, seq);

      CREATE TABLE event_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL UNIQUE,
        conversation_id TEXT NOT NULL,
        type TEXT NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX event_log_by_conversation ON event_log (conversation_id, seq);

      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL UNIQUE,
        log_seq INTEGER,
        body TEXT NOT NULL,
        available_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
      );
      CREATE INDEX outbox_by_availability ON outbox (available_at, id);
    `,
  },
  {
    version: 30,
    name: 'transcript versions: the transcripts a post-call transcription replaced, and each post-call version',
    sql: `
      CREATE TABLE transcript_versions (
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        version TEXT NOT NULL,
        stored_at TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (conversation_id, version)
      );
    `,
  },
  {
    version: 31,
    name: 'post-call transcription jobs (the store-backed job queue)',
    sql: `
      CREATE TABLE transcription_jobs (
        id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        priority INTEGER NOT NULL,
        body TEXT NOT NULL,
        enqueued_at INTEGER NOT NULL,
        available_at INTEGER NOT NULL,
        lease_owner TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        state TEXT NOT NULL DEFAULT 'queued',
        UNIQUE (conversation_id, kind)
      );
      CREATE INDEX transcription_jobs_claimable ON transcription_jobs (state, priority, available_at, enqueued_at);
    `,
  },
  {
    version: 40,
    name: 'audit log: append-only (UPDATE refused), listed newest first, by conversation or subject',
    sql: `
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        at TEXT NOT NULL,
        subject TEXT NOT NULL,
        role TEXT NOT NULL,
        auth_method TEXT NOT NULL,
        action TEXT NOT NULL,
        conversation_id TEXT,
        address TEXT NOT NULL,
        route TEXT NOT NULL
      );
      CREATE INDEX audit_log_by_time ON audit_log (at DESC, id DESC);
      CREATE INDEX audit_log_by_conversation ON audit_log (conversation_id, at DESC);
      CREATE INDEX audit_log_by_subject ON audit_log (subject, at DESC);
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only');
      END;
    `,
  },
  {
    version: 60,
    name: 'call analytics: metrics per call with the dashboard filter keys, assist facts (sentiment, intent, alerts)',
    sql: `
      CREATE TABLE call_analytics (
        conversation_id TEXT PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
        started_at TEXT NOT NULL,
        state TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        dnis TEXT NOT NULL,
        duration_seconds REAL NOT NULL,
        customer_talk_seconds REAL NOT NULL,
        agent_talk_seconds REAL NOT NULL,
        -- copied from assist_facts (one per call), so the dashboard counts them without a join
        customer_sentiment TEXT,
        intent TEXT,
        body TEXT NOT NULL
      );
      -- covering indexes: the dashboard's aggregates (and the alerts join, by conversation_id) read only the index
      CREATE INDEX call_analytics_by_start ON call_analytics (started_at, state, duration_seconds,
        customer_talk_seconds, agent_talk_seconds, customer_sentiment, intent, conversation_id);
      CREATE INDEX call_analytics_by_dnis ON call_analytics (dnis, started_at, state, duration_seconds,
        customer_talk_seconds, agent_talk_seconds, customer_sentiment, intent, conversation_id);
      CREATE INDEX call_analytics_by_endpoint ON call_analytics (endpoint, started_at, state, duration_seconds,
        customer_talk_seconds, agent_talk_seconds, customer_sentiment, intent, conversation_id);
      CREATE INDEX call_analytics_newest ON call_analytics (started_at DESC, conversation_id DESC);

      -- the filter keys are copied from the conversation, so alerts are counted without a join
      CREATE TABLE assist_facts (
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        started_at TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        dnis TEXT NOT NULL,
        PRIMARY KEY (conversation_id, kind, key)
      ) WITHOUT ROWID;
      CREATE INDEX assist_facts_by_start ON assist_facts (kind, started_at, value);
      CREATE INDEX assist_facts_by_dnis ON assist_facts (kind, dnis, started_at, value);
      CREATE INDEX assist_facts_by_endpoint ON assist_facts (kind, endpoint, started_at, value);
    `,
  },
  {
    version: 61,
    name: 'conversations by Genesys conversation id (the embedded view addresses calls by it)',
    sql: `
      CREATE INDEX conversations_by_genesys_id
        ON conversations (json_extract(body, '$.conversationId'), started_at DESC);
    `,
  },
];
