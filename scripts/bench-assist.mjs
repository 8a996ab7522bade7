#!/usr/bin/env node
/* global process, console, performance, setImmediate */
/**
 * Assist benchmark (issue 6). Needs a build (`tsc -b packages/assist`).
 *
 *   npm run bench:assist                      # 300 calls, 12–60 finals each
 *   npm run bench:assist -- --calls 50        # quick run
 *
 * Measures, on synthetic but realistic calls (lines drawn from 8 contact-centre scenarios, seeded PRNG):
 *  1. local assist latency after a final — time from a `transcript_available` event entering AssistWorker.handle()
 *     to its `assist_update` being published (summary + sentiment + KB search + alerts), p50/p95/p99/max; the same
 *     for customer turns only (they run the KB search) and at late turns of long calls (summary over the whole call);
 *  2. end-to-end through the real InProcessEventBus: publish(final) → fan-out subscriber receives assist_update;
 *  3. throughput of one worker: calls and finals per second processed back-to-back on one core, and the number of
 *     live calls that rate supports at one final per 4 s per call;
 *  4. LLM requests per call at the default cadence (every 4 finals or 30 s, plus the end), against a fake
 *     OpenAI-compatible server on 127.0.0.1 (virtual clock: a final every ~5 s of call time).
 *
 * Options: --calls 300  --seed 7  --json FILE
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const assist = await import(join(root, 'packages/assist/dist/index.js'));
const conversations = await import(join(root, 'packages/conversations/dist/index.js'));
const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '300' },
    seed: { type: 'string', default: '7' },
    json: { type: 'string' },
  },
});
const CALLS = Number(values.calls);

// ------------------------------------------------------------------ synthetic calls
let state = Number(values.seed) >>> 0 || 1;
const rand = () => (state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32;
const pick = (a) => a[Math.floor(rand() * a.length)];

const SCENARIOS = [
  [
    "I'd like to cancel my subscription please.",
    "It's too expensive, my bill went up again.",
    'I still want to cancel, the price is too high.',
    'The Essentials plan sounds good actually, thank you.',
  ],
  [
    'I have been charged twice this month.',
    'Why is my bill higher than usual?',
    'Can you refund the second payment?',
    'Okay, thanks for sorting that out.',
  ],
  [
    'I think my card was stolen this morning.',
    'There are payments I do not recognise.',
    'Can you block the card and send a new one?',
    'Thank you, that is a relief.',
  ],
  [
    "My parcel still hasn't arrived, it's been a week.",
    'The tracking has not moved since Monday.',
    'This is really frustrating, I needed it for a birthday.',
    'Fine, please chase the courier.',
  ],
  [
    "I forgot my password and now I'm locked out.",
    'The reset email never arrives.',
    'I no longer use that email address.',
    'Great, I can sign in now.',
  ],
  [
    "We're moving house next month.",
    'How do I change my address?',
    'Will my service move with me?',
    'Perfect, thanks.',
  ],
  [
    "I can't afford the payments at the moment, I lost my job.",
    'Can I pay in instalments?',
    'Fifty pounds a month would be manageable.',
    'Thank you for being so understanding.',
  ],
  [
    'This is the third time I have called, I want to speak to a manager.',
    'Nobody has fixed my internet, it keeps dropping.',
    'This is unacceptable.',
    'Okay, I will wait for the callback.',
  ],
];
const AGENT = [
  'Thank you for calling, this call may be recorded for quality and training. How can I help?',
  "I'm sorry to hear that, let me check the account.",
  "I've processed a refund for the duplicate payment today.",
  'I will send you a confirmation email now.',
  'I can offer you three months at half price.',
  "I've blocked the card and ordered a replacement, it will arrive in three to five working days.",
  "I've raised a courier enquiry and you'll receive an update within 48 hours.",
  'I have updated your address and you will get a confirmation letter.',
  'Let me set up a payment plan for you.',
  'I understand, I will arrange a supervisor callback within 24 hours.',
  'Is there anything else I can help with today?',
];
const FILLER = [
  'Yes.',
  'Okay.',
  'Right, I see.',
  'Sure, go ahead.',
  'That is correct.',
  'Mm-hmm.',
  'Can you repeat that please?',
];

let segmentSeq = 0;
function makeCall(finals) {
  const scenario = pick(SCENARIOS);
  const segments = [];
  let t = 0.5;
  for (let i = 0; i < finals; i++) {
    const role = i % 2 === 0 ? 'agent' : 'customer';
    const ci = Math.floor(i / 2);
    const text =
      role === 'agent'
        ? i === 0
          ? AGENT[0]
          : pick(AGENT.slice(1))
        : ci < scenario.length
          ? scenario[ci]
          : rand() < 0.5
            ? pick(FILLER)
            : pick(scenario);
    const duration = Math.max(1, text.split(' ').length * 0.35);
    segments.push({
      id: `seg-${++segmentSeq}`,
      channel: role === 'customer' ? 0 : 1,
      role,
      text,
      words: [],
      offset: t,
      duration,
      confidence: 0.9,
      isFinal: true,
      language: 'en-US',
      engine: 'bench',
    });
    t += duration + 2.5; // a final every few seconds of call time
  }
  return segments;
}
const ev = (type, conversationId, data) => ({
  schemaVersion: 1,
  eventId: `e${++segmentSeq}`,
  type,
  conversationId,
  time: new Date().toISOString(),
  data,
});
const summaryOf = (id) => ({
  id,
  conversationId: id,
  organizationId: 'o',
  correlationId: 'c',
  endpoint: 'transcription',
  ani: '',
  aniName: '',
  dnis: '',
  participantId: 'p',
  media: null,
  language: 'en-US',
  startedAt: new Date().toISOString(),
  endedAt: null,
  state: 'active',
  closeReason: null,
  recording: null,
});

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const r = (v) => Math.round(v * 1000) / 1000;
  return { n: s.length, p50: r(pct(s, 50)), p95: r(pct(s, 95)), p99: r(pct(s, 99)), max: r(s.at(-1)) };
};

class NullBus {
  published = 0;
  async publish() {
    this.published++;
  }
  async subscribe() {
    return { close: async () => {} };
  }
}

const calls = Array.from({ length: CALLS }, () => makeCall(12 + Math.floor(rand() * 49)));
const totalFinals = calls.reduce((n, c) => n + c.length, 0);
const runtime = await assist.AssistRuntime.load(assist.assistConfigFromEnv({}));
const results = { calls: CALLS, finals: totalFinals, node: process.version };

// ------------------------------------------------------------------ 1 + 3: latency per final and throughput (one worker)
{
  const bus = new NullBus();
  const worker = runtime.createWorker(bus);
  // warm-up (JIT) on a few calls not counted
  for (const [i, call] of calls.slice(0, 5).entries()) {
    for (const s of call) await worker.handle(ev('transcript_available', `warm-${i}`, s));
    await worker.handle(ev('session_ended', `warm-${i}`, summaryOf(`warm-${i}`)));
  }
  const latencies = [];
  const late = [];
  const customer = [];
  const t0 = performance.now();
  for (const [i, call] of calls.entries()) {
    const id = `call-${i}`;
    await worker.handle(ev('session_started', id, summaryOf(id)));
    for (const [k, s] of call.entries()) {
      const start = performance.now();
      await worker.handle(ev('transcript_available', id, s));
      const ms = performance.now() - start;
      latencies.push(ms);
      if (s.role === 'customer') customer.push(ms); // customer turns also run the KB search
      if (k >= 40) late.push(ms);
    }
    await worker.handle(ev('session_ended', id, summaryOf(id)));
  }
  const seconds = (performance.now() - t0) / 1000;
  results.localLatencyMs = stats(latencies);
  results.localLatencyCustomerTurnsMs = stats(customer);
  results.localLatencyLateTurnsMs = stats(late);
  const finalsPerSecond = totalFinals / seconds;
  results.throughput = {
    seconds: Math.round(seconds * 100) / 100,
    callsPerSecond: Math.round((CALLS / seconds) * 10) / 10,
    finalsPerSecond: Math.round(finalsPerSecond),
    liveCallsAtOneFinalPer4s: Math.round(finalsPerSecond * 4),
  };
  results.published = bus.published;
}

// ------------------------------------------------------------------ 2: end to end through the in-process bus
{
  const bus = new conversations.InProcessEventBus();
  const worker = runtime.createWorker(bus);
  await worker.start();
  const waiting = new Map();
  await bus.subscribe((e) => {
    if (e.type !== 'assist_update' || !e.data.sentiment) return;
    waiting.get(e.data.sentiment.segmentId)?.();
  });
  const latencies = [];
  for (const [i, call] of calls.slice(0, Math.min(60, CALLS)).entries()) {
    const id = `bus-${i}`;
    for (const s of call) {
      const start = performance.now();
      const seen = new Promise((r) => waiting.set(s.id, r));
      await bus.publish(ev('transcript_available', id, s));
      await seen;
      latencies.push(performance.now() - start);
      waiting.delete(s.id);
    }
    await bus.publish(ev('session_ended', id, summaryOf(id)));
  }
  results.inProcessBusLatencyMs = stats(latencies);
  await worker.stop();
  await bus.close();
}

// ------------------------------------------------------------------ 4: LLM requests per call at the default cadence
{
  let requests = 0;
  const answer = (final) =>
    final
      ? JSON.stringify({ summary: 'Call summary.', nextSteps: ['Follow up.'] })
      : JSON.stringify({
          issue: 'i',
          customerNeed: 'n',
          actions: [],
          summary: 'Rolling summary.',
          suggestions: [],
        });
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests++;
      const isFinal = /after-call summary/.test(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: answer(isFinal) } }] }),
      );
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/v1`;
  let now = 0;
  const outcomes = { ok: 0, failed: 0 };
  const llmRuntime = await assist.AssistRuntime.load(
    assist.assistConfigFromEnv({
      HOOKSCRIBE_ASSIST: 'llm',
      HOOKSCRIBE_LLM_URL: url,
      HOOKSCRIBE_LLM_MODEL: 'fake',
      HOOKSCRIBE_LLM_STREAM: 'false',
    }),
    { clock: () => now, onLlmOutcome: (o) => (o.ok ? outcomes.ok++ : outcomes.failed++) },
  );
  const bus = new NullBus();
  const worker = llmRuntime.createWorker(bus);
  const perCall = [];
  const sample = calls.slice(0, Math.min(100, CALLS));
  for (const [i, call] of sample.entries()) {
    const id = `llm-${i}`;
    const before = requests;
    now = 0;
    await worker.handle(ev('session_started', id, summaryOf(id)));
    for (const s of call) {
      now = Math.round((s.offset + s.duration) * 1000); // virtual call time: the final arrives when the utterance ends
      await worker.handle(ev('transcript_available', id, s));
      await worker.idle(); // the fake answers at once; keeps the count independent of machine speed
    }
    await worker.handle(ev('session_ended', id, summaryOf(id)));
    await worker.idle();
    perCall.push({
      finals: call.length,
      minutes: (call.at(-1).offset + call.at(-1).duration) / 60,
      requests: requests - before,
    });
  }
  server.close();
  const avg = (xs) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 100) / 100;
  results.llm = {
    cadence: 'every 4 finals or 30 s, plus one at the end',
    calls: perCall.length,
    avgFinalsPerCall: avg(perCall.map((c) => c.finals)),
    avgCallMinutes: avg(perCall.map((c) => c.minutes)),
    avgRequestsPerCall: avg(perCall.map((c) => c.requests)),
    requestsPerCallMinute: avg(perCall.map((c) => c.requests / c.minutes)),
    minRequests: Math.min(...perCall.map((c) => c.requests)),
    maxRequests: Math.max(...perCall.map((c) => c.requests)),
    outcomes,
  };
}

console.log(JSON.stringify(results, null, 2));
if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2));
setImmediate(() => process.exit(0));
