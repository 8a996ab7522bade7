/* global console, performance */
/**
 * The dashboard scenario of bench:store: seeds N stored calls (default 100,000) with metrics and assist facts into
 * a store whose schema the adapter created, then times the analytics reads through the store API:
 * the dashboard (whole range, one day, one queue, one endpoint), the first CSV export page and the Genesys-id lookup.
 *
 * Seeding writes the rows directly (SQL, one transaction per batch) instead of 300,000 store calls: this scenario
 * measures reads, and the write path is the other scenarios' subject. The rows have the shape the adapter writes
 * (conversation body, call_analytics with its metrics JSON, assist_facts). Calls are spread over 30 days, 20 queues,
 * both endpoints; ~90 % ended.
 */
import { randomUUID } from 'node:crypto';

const DAYS = 30;
const QUEUES = Array.from({ length: 20 }, (_, i) => `tel:+1800555${String(100 + i)}`);
const LABELS = ['negative', 'neutral', 'positive'];
const RULES = ['escalation', 'retention', 'recording-disclosure', 'payment-card', 'profanity'];
const INTENTS = ['billing', 'refund', 'cancellation', 'technical', 'address-change', 'delivery'];

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Deterministic pseudo-random numbers, so both backends get the same data. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function* seedRows(count, computeCallMetrics) {
  const next = random(42);
  const end = Date.UTC(2026, 10, 30);
  for (let i = 0; i < count; i++) {
    const startedAt = new Date(end - next() * DAYS * 86_400_000).toISOString();
    const id = randomUUID();
    const duration = 60 + Math.floor(next() * 540);
    const ended = next() < 0.9;
    const summary = {
      id,
      conversationId: randomUUID(),
      organizationId: 'org',
      correlationId: 'corr',
      endpoint: next() < 0.7 ? 'transcription' : 'monitor',
      ani: `tel:+1555${String(i).padStart(7, '0')}`,
      aniName: '',
      dnis: QUEUES[Math.floor(next() * QUEUES.length)],
      participantId: randomUUID(),
      media: { format: 'PCMU', channels: ['external', 'internal'], rate: 8000 },
      language: 'en-US',
      startedAt,
      endedAt: ended ? new Date(Date.parse(startedAt) + duration * 1000).toISOString() : null,
      state: ended ? 'ended' : 'active',
      closeReason: ended ? 'end' : null,
      recording: null,
    };
    const metrics = {
      ...computeCallMetrics({
        segments: [],
        gaps: [],
        durationSeconds: duration,
        status: ended ? 'final' : 'live',
      }),
      talkSeconds: { customer: duration * 0.3 * next(), agent: duration * 0.5 * next() },
    };
    const facts = [{ kind: 'sentiment', key: 'customer', value: LABELS[Math.floor(next() * 3)] }];
    if (next() < 0.6)
      facts.push({ kind: 'intent', key: 'intent', value: INTENTS[Math.floor(next() * INTENTS.length)] });
    const alerts = Math.floor(next() * 3);
    for (let a = 0; a < alerts; a++)
      facts.push({ kind: 'alert', key: randomUUID(), value: RULES[Math.floor(next() * RULES.length)] });
    yield { summary, metrics, facts };
  }
}

async function seedSqlite(db, rows) {
  const conversation = db.prepare(
    'INSERT INTO conversations (id, started_at, state, ani, body) VALUES (?, ?, ?, ?, ?)',
  );
  const analytics = db.prepare(
    `INSERT INTO call_analytics (conversation_id, started_at, state, endpoint, dnis, duration_seconds,
       customer_talk_seconds, agent_talk_seconds, body, customer_sentiment, intent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const fact = db.prepare(
    'INSERT INTO assist_facts (conversation_id, kind, key, value, started_at, endpoint, dnis) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const batch = db.transaction((items) => {
    for (const { summary: s, metrics: m, facts } of items) {
      conversation.run(s.id, s.startedAt, s.state, s.ani, JSON.stringify(s));
      analytics.run(
        s.id,
        s.startedAt,
        s.state,
        s.endpoint,
        s.dnis,
        m.durationSeconds,
        m.talkSeconds.customer,
        m.talkSeconds.agent,
        JSON.stringify(m),
        facts.find((f) => f.kind === 'sentiment')?.value ?? null,
        facts.find((f) => f.kind === 'intent')?.value ?? null,
      );
      for (const f of facts) fact.run(s.id, f.kind, f.key, f.value, s.startedAt, s.endpoint, s.dnis);
    }
  });
  let items = [];
  for (const row of rows) {
    items.push(row);
    if (items.length === 5000) {
      batch(items);
      items = [];
    }
  }
  if (items.length > 0) batch(items);
  db.exec('ANALYZE');
}

async function seedPostgres(client, rows) {
  let items = [];
  const flush = async () => {
    const s = items.map((r) => r.summary);
    const m = items.map((r) => r.metrics);
    await client.query(
      `INSERT INTO conversations (id, started_at, state, ani, body)
       SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::jsonb[])`,
      [
        s.map((x) => x.id),
        s.map((x) => x.startedAt),
        s.map((x) => x.state),
        s.map((x) => x.ani),
        s.map((x) => JSON.stringify(x)),
      ],
    );
    await client.query(
      `INSERT INTO call_analytics (conversation_id, started_at, state, endpoint, dnis, duration_seconds,
         customer_talk_seconds, agent_talk_seconds, body, customer_sentiment, intent)
       SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::float8[], $9::json[], $10::text[], $11::text[])`,
      [
        s.map((x) => x.id),
        s.map((x) => x.startedAt),
        s.map((x) => x.state),
        s.map((x) => x.endpoint),
        s.map((x) => x.dnis),
        m.map((x) => x.durationSeconds),
        m.map((x) => x.talkSeconds.customer),
        m.map((x) => x.talkSeconds.agent),
        m.map((x) => JSON.stringify(x)),
        items.map((r) => r.facts.find((f) => f.kind === 'sentiment')?.value ?? null),
        items.map((r) => r.facts.find((f) => f.kind === 'intent')?.value ?? null),
      ],
    );
    const facts = items.flatMap((r) => r.facts.map((f) => ({ call: r.summary, ...f })));
    await client.query(
      `INSERT INTO assist_facts (conversation_id, kind, key, value, started_at, endpoint, dnis)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[])`,
      [
        facts.map((f) => f.call.id),
        facts.map((f) => f.kind),
        facts.map((f) => f.key),
        facts.map((f) => f.value),
        facts.map((f) => f.call.startedAt),
        facts.map((f) => f.call.endpoint),
        facts.map((f) => f.call.dnis),
      ],
    );
    items = [];
  };
  for (const row of rows) {
    items.push(row);
    if (items.length === 5000) await flush();
  }
  if (items.length > 0) await flush();
  await client.query('VACUUM ANALYZE');
}

/**
 * @param backend 'sqlite' | 'postgres'
 * @param store the adapter (schema applied)
 * @param raw { sqlite: better-sqlite3 Database } | { postgres: pg.Client }
 */
export async function runDashboardScenario({ backend, store, raw, count, repeats, conversations }) {
  const rows = [...seedRows(count, conversations.computeCallMetrics)];
  const seedStarted = performance.now();
  if (backend === 'sqlite') await seedSqlite(raw.sqlite, rows);
  else await seedPostgres(raw.postgres, rows);
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const oneDay = { from: '2026-11-20T00:00:00.000Z', to: '2026-11-21T00:00:00.000Z' };
  const someGenesysId = rows[Math.floor(count / 2)].summary.conversationId;
  const queries = [
    ['dashboard, all 30 days', () => store.callDashboard({})],
    ['dashboard, one day', () => store.callDashboard(oneDay)],
    ['dashboard, one queue (DNIS), 30 days', () => store.callDashboard({ dnis: QUEUES[3] })],
    ['dashboard, one queue, one day', () => store.callDashboard({ ...oneDay, dnis: QUEUES[3] })],
    ['dashboard, monitor endpoint, 30 days', () => store.callDashboard({ endpoint: 'monitor' })],
    ['CSV export page (500 calls, newest)', () => store.listCallAnalytics({ limit: 500 })],
    ['session by Genesys conversation id', () => store.findByGenesysConversationId(someGenesysId)],
  ];
  const results = [];
  for (const [name, query] of queries) {
    await query(); // warm
    const times = [];
    let answer;
    for (let i = 0; i < repeats; i++) {
      const started = performance.now();
      answer = await query();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const size = Array.isArray(answer) ? answer.length : (answer.calls ?? answer.items?.length);
    results.push({ name, p50: percentile(times, 50), p95: percentile(times, 95), size });
  }
  console.log(
    `\n${backend}: analytics reads over ${count.toLocaleString('en')} stored calls (seeded in ${seedSeconds.toFixed(1)} s), ${repeats} runs each`,
  );
  console.log('| query | p50 ms | p95 ms | calls / rows answered |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const r of results)
    console.log(`| ${r.name} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.size} |`);
  return results;
}

/** Query plans of the dashboard's statements, to check they use the indexes (printed with the results). */
export async function dashboardPlans({ backend, raw }) {
  if (backend === 'sqlite') {
    const plan = (sql, ...params) =>
      raw.sqlite
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...params)
        .map((row) => row.detail)
        .join(' / ');
    console.log('\nSQLite plans:');
    console.log(
      '- totals, one day:',
      plan(
        'SELECT count(*), sum(duration_seconds) FROM call_analytics a WHERE a.started_at >= ? AND a.started_at < ?',
        'a',
        'b',
      ),
    );
    console.log(
      '- totals, one queue:',
      plan('SELECT count(*), sum(duration_seconds) FROM call_analytics a WHERE a.dnis = ?', 'q'),
    );
    console.log(
      '- alerts, one day:',
      plan(
        "SELECT f.value, count(*) FROM assist_facts f WHERE f.kind = 'alert' AND f.started_at >= ? AND f.started_at < ? GROUP BY f.value",
        'a',
        'b',
      ),
    );
    console.log(
      '- sentiment, one queue:',
      plan('SELECT a.customer_sentiment, count(*) FROM call_analytics a WHERE a.dnis = ? GROUP BY 1', 'q'),
    );
    console.log(
      '- by Genesys id:',
      plan(
        "SELECT body FROM conversations WHERE json_extract(body, '$.conversationId') = ? ORDER BY started_at DESC LIMIT 20",
        'x',
      ),
    );
  } else {
    const plan = async (sql, params) =>
      (await raw.postgres.query(`EXPLAIN ${sql}`, params)).rows
        .map((row) => row['QUERY PLAN'].trim())
        .slice(0, 3)
        .join(' / ');
    console.log('\nPostgreSQL plans (first lines):');
    console.log(
      '- totals, all:',
      await plan('SELECT count(*), sum(duration_seconds) FROM call_analytics a', []),
    );
    console.log(
      '- totals, one day:',
      await plan(
        'SELECT count(*), sum(duration_seconds) FROM call_analytics a WHERE a.started_at >= $1 AND a.started_at < $2',
        ['2026-11-20', '2026-11-21'],
      ),
    );
    console.log(
      '- totals, one queue:',
      await plan('SELECT count(*), sum(duration_seconds) FROM call_analytics a WHERE a.dnis = $1', [
        QUEUES[3],
      ]),
    );
    console.log(
      '- by Genesys id:',
      await plan(
        "SELECT body FROM conversations WHERE body->>'conversationId' = $1 ORDER BY started_at DESC LIMIT 20",
        ['x'],
      ),
    );
  }
}
