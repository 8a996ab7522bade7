/** Numbered PostgreSQL migrations; applied in order at init under an advisory lock (several instances may start at
 * once), each once, recorded in schema_migrations. Append only. */
import type { Migration } from './sqlite-migrations.js';

export const POSTGRES_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'conversations, segments with tsvector search, assist results, event log, outbox',
    sql: `
      CREATE TABLE conversations (
        id text PRIMARY KEY,
        started_at timestamptz NOT NULL,
        state text NOT NULL,
        ani text NOT NULL,
        body jsonb NOT NULL
      );
      CREATE INDEX conversations_by_start ON conversations (started_at DESC, id DESC);
      CREATE INDEX conversations_by_state ON conversations (state, started_at DESC, id DESC);
      CREATE INDEX conversations_by_ani ON conversations (ani, started_at DESC);

      CREATE TABLE segments (
        conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        id text NOT NULL,
        start_offset double precision NOT NULL,
        channel integer NOT NULL,
        text text NOT NULL,
        text_search tsvector GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED,
        body jsonb NOT NULL,
        PRIMARY KEY (conversation_id, id)
      );
      CREATE INDEX segments_text_search ON segments USING gin (text_search);

      CREATE TABLE assist_results (
        seq bigserial PRIMARY KEY,
        conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        id uuid NOT NULL UNIQUE,
        at timestamptz NOT NULL,
        body jsonb NOT NULL
      );
      CREATE INDEX assist_by_conversation ON assist_results (conversation_id, seq);

      CREATE TABLE event_log (
        seq bigserial PRIMARY KEY,
        event_id text NOT NULL UNIQUE,
        conversation_id text NOT NULL,
        type text NOT NULL,
        body jsonb NOT NULL
      );
      CREATE INDEX event_log_by_conversation ON event_log (conversation_id, seq);

      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        event_id text NOT NULL UNIQUE,
        log_seq bigint,
        body jsonb NOT NULL,
        available_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        attempts integer NOT NULL DEFAULT 0,
        last_error text
      );
      CREATE INDEX outbox_by_availability ON outbox (available_at, id);
    `,
  },
  {
    version: 2,
    // measured (docs/benchmarks/store.md): building jsonb made each outbox row cost ~0.8 ms of server CPU under load
    name: 'outbox, event log and segment bodies as json (validated text): stored and read back whole, never queried',
    sql: `
      ALTER TABLE outbox ALTER COLUMN body TYPE json USING body::json;
      ALTER TABLE event_log ALTER COLUMN body TYPE json USING body::json;
      ALTER TABLE segments ALTER COLUMN body TYPE json USING body::json;
    `,
  },
  {
    version: 30,
    name: 'transcript versions: the transcripts a post-call transcription replaced, and each post-call version',
    sql: `
      CREATE TABLE transcript_versions (
        conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        version text NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        body json NOT NULL,
        PRIMARY KEY (conversation_id, version)
      );
    `,
  },
  {
    version: 31,
    name: 'post-call transcription jobs (the store-backed job queue)',
    sql: `
      CREATE TABLE transcription_jobs (
        id text PRIMARY KEY,
        conversation_id text NOT NULL,
        kind text NOT NULL,
        priority integer NOT NULL,
        body json NOT NULL,
        enqueued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        available_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        lease_owner text,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        state text NOT NULL DEFAULT 'queued',
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
        seq bigserial PRIMARY KEY,
        id text NOT NULL UNIQUE,
        at timestamptz NOT NULL,
        subject text NOT NULL,
        role text NOT NULL,
        auth_method text NOT NULL,
        action text NOT NULL,
        conversation_id text,
        address text NOT NULL,
        route text NOT NULL
      );
      CREATE INDEX audit_log_by_time ON audit_log (at DESC, id DESC);
      CREATE INDEX audit_log_by_conversation ON audit_log (conversation_id, at DESC);
      CREATE INDEX audit_log_by_subject ON audit_log (subject, at DESC);
      CREATE FUNCTION audit_log_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_update();
    `,
  },
  {
    version: 60,
    name: 'call analytics: metrics per call with the dashboard filter keys, assist facts (sentiment, intent, alerts)',
    sql: `
      CREATE TABLE call_analytics (
        conversation_id text PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
        started_at timestamptz NOT NULL,
        state text NOT NULL,
        endpoint text NOT NULL,
        dnis text NOT NULL,
        duration_seconds double precision NOT NULL,
        customer_talk_seconds double precision NOT NULL,
        agent_talk_seconds double precision NOT NULL,
        -- copied from assist_facts (one per call), so the dashboard counts them without a join
        customer_sentiment text,
        intent text,
        body json NOT NULL
      );
      -- covering indexes: the dashboard's aggregates are index-only scans
      CREATE INDEX call_analytics_by_start ON call_analytics (started_at)
        INCLUDE (state, duration_seconds, customer_talk_seconds, agent_talk_seconds, customer_sentiment, intent, conversation_id);
      CREATE INDEX call_analytics_by_dnis ON call_analytics (dnis, started_at)
        INCLUDE (state, duration_seconds, customer_talk_seconds, agent_talk_seconds, customer_sentiment, intent, conversation_id);
      CREATE INDEX call_analytics_by_endpoint ON call_analytics (endpoint, started_at)
        INCLUDE (state, duration_seconds, customer_talk_seconds, agent_talk_seconds, customer_sentiment, intent, conversation_id);
      CREATE INDEX call_analytics_newest ON call_analytics (started_at DESC, conversation_id DESC);

      -- the filter keys are copied from the conversation, so alerts are counted without a join
      CREATE TABLE assist_facts (
        conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        kind text NOT NULL,
        key text NOT NULL,
        value text NOT NULL,
        started_at timestamptz NOT NULL,
        endpoint text NOT NULL,
        dnis text NOT NULL,
        PRIMARY KEY (conversation_id, kind, key)
      );
      CREATE INDEX assist_facts_by_start ON assist_facts (kind, started_at) INCLUDE (value);
      CREATE INDEX assist_facts_by_dnis ON assist_facts (kind, dnis, started_at) INCLUDE (value);
      CREATE INDEX assist_facts_by_endpoint ON assist_facts (kind, endpoint, started_at) INCLUDE (value);
    `,
  },
  {
    version: 61,
    name: 'conversations by Genesys conversation id (the embedded view addresses calls by it)',
    sql: `
      CREATE INDEX conversations_by_genesys_id ON conversations ((body->>'conversationId'), started_at DESC);
    `,
  },
];
