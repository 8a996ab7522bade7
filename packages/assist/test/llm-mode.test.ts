/** LLM mode end to end: sample call → worker → ConversationAssistant → OpenAiChatClient → fake HTTP server. */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AssistRuntime } from '../src/assist-runtime.js';
import { assistConfigFromEnv } from '../src/config/assist-config.js';
import type { LlmOutcome } from '../src/engine/conversation-assistant.js';
import { defaultAnswer, FakeLlmServer } from './support/fake-llm-server.js';
import { cancellationCall } from './fixtures/cancellation-call.js';
import { ended, final, started } from './support/events.js';
import { MemoryBus } from './support/memory-bus.js';

const server = new FakeLlmServer();
beforeAll(() => server.start());
afterAll(() => server.stop());
beforeEach(() => {
  server.requests.length = 0;
  server.queue = [];
  server.behaviour = { kind: 'json' };
  server.answer = defaultAnswer;
});

async function runCall(env: Record<string, string> = {}) {
  const outcomes: LlmOutcome[] = [];
  const config = assistConfigFromEnv({
    HOOKSCRIBE_ASSIST: 'llm',
    HOOKSCRIBE_LLM_URL: server.url,
    HOOKSCRIBE_LLM_MODEL: 'fake-model',
    HOOKSCRIBE_LLM_RETRIES: '0',
    HOOKSCRIBE_LLM_TIMEOUT_MS: '400',
    HOOKSCRIBE_LLM_STREAM: 'false',
    ...env,
  });
  const runtime = await AssistRuntime.load(config, { onLlmOutcome: (o) => outcomes.push(o) });
  const bus = new MemoryBus();
  const worker = runtime.createWorker(bus);
  await worker.start();
  await bus.deliver(started('call-1'));
  for (const s of cancellationCall()) {
    await bus.deliver(final('call-1', s));
    await worker.idle(); // deterministic cadence for the test: let each background request finish
  }
  await bus.deliver(ended('call-1'));
  await worker.idle();
  await worker.stop();
  const updates = bus.updates('call-1');
  return { updates, last: updates.at(-1), outcomes, worker };
}

describe('LLM mode against the fake endpoint', () => {
  it('produces LLM summaries and a retention suggestion picked from the KB candidates', async () => {
    const { updates, last } = await runCall();
    const llmUpdates = updates.filter((u) => u.mode === 'llm');
    expect(llmUpdates.length).toBeGreaterThan(0);
    expect(llmUpdates[0]?.summary?.text).toMatch(/^LLM:/);
    expect(llmUpdates[0]?.suggestions?.[0]?.id).toBe('cancellations-and-retention.md');
    // local parts keep running alongside: the retention alert and sentiment
    expect(last?.alerts?.map((a) => a.rule)).toContain('retention');
    expect(last?.sentiment).toBeDefined();
    expect(last?.mode).toBe('llm');
    expect(last?.finalSummary?.text).toMatch(/^LLM: the customer wanted to cancel/);
    expect(last?.finalSummary?.nextSteps).toEqual(['LLM: send the plan change confirmation']);
  });

  it('bounds cost: 12 finals at the default cadence (every 4 finals) + the end = 4 requests', async () => {
    const { outcomes } = await runCall();
    expect(server.requests).toHaveLength(4);
    expect(outcomes.map((o) => `${o.kind}:${o.ok}`)).toEqual([
      'rolling:true',
      'rolling:true',
      'rolling:true',
      'final:true',
    ]);
  });

  it('sends the transcript and the candidate list through the shipped prompt template', async () => {
    await runCall();
    const user = server.requests[0]?.body.messages[1]?.content ?? '';
    expect(user).toMatch(/Customer: Hi Sam\. I'd like to cancel my subscription please\./);
    expect(user).toMatch(/^- cancellations-and-retention\.md — /m);
    expect(server.requests[0]?.body.messages[0]?.content).toMatch(/Answer with ONE JSON object/);
  });

  it('works with streamed (SSE) answers', async () => {
    server.behaviour = { kind: 'stream', chunkSize: 5 };
    const { last } = await runCall({ HOOKSCRIBE_LLM_STREAM: 'true' });
    expect(last?.mode).toBe('llm');
    expect(last?.finalSummary?.text).toMatch(/^LLM:/);
  });

  it.each([
    [
      'garbage (not JSON)',
      () => void (server.answer = () => 'Sure! Here is a summary of the call: it went well.'),
    ],
    ['JSON of the wrong shape', () => void (server.answer = () => JSON.stringify({ summary: 42 }))],
    ['HTTP 500', () => void (server.behaviour = { kind: 'status', status: 500 })],
    ['a slow server (timeout)', () => void (server.behaviour = { kind: 'slow', delayMs: 1500 })],
    ['no answer (connection dropped)', () => void (server.behaviour = { kind: 'hangup' })],
  ])('falls back to local mode on %s', async (_, arrange) => {
    arrange();
    const { updates, last, outcomes } = await runCall();
    expect(updates.every((u) => u.mode === 'local')).toBe(true);
    expect(outcomes.length).toBeGreaterThan(0);
    expect(outcomes.every((o) => !o.ok)).toBe(true);
    expect(last?.summary?.text).toMatch(/Customer is calling about cancelling their subscription/);
    expect(last?.suggestions?.[0]?.id).toBe('cancellations-and-retention.md');
    expect(last?.finalSummary?.nextSteps.length).toBeGreaterThan(0);
  });

  it('recovers: after a failed request the next good answer switches back to LLM mode', async () => {
    server.queue = [{ kind: 'status', status: 500 }];
    const { updates, outcomes } = await runCall();
    expect(outcomes[0]).toMatchObject({ ok: false });
    expect(outcomes[1]).toMatchObject({ ok: true });
    expect(updates.slice(0, 4).every((u) => u.mode === 'local')).toBe(true);
    expect(updates.at(-1)?.mode).toBe('llm');
  });

  it('ignores suggestion ids the model made up and keeps the local suggestions', async () => {
    server.answer = (req) => {
      const parsed = JSON.parse(defaultAnswer(req)) as Record<string, unknown>;
      if ('suggestions' in parsed) parsed.suggestions = [{ id: 'invented-article.md' }];
      return JSON.stringify(parsed);
    };
    const { updates } = await runCall();
    const llm = updates.find((u) => u.mode === 'llm' && u.summary?.text.startsWith('LLM:'));
    expect(llm?.suggestions?.map((s) => s.id)).not.toContain('invented-article.md');
    expect(llm?.suggestions?.[0]?.id).toBe('cancellations-and-retention.md');
  });

  it('never makes the bus handler wait for the LLM', async () => {
    server.behaviour = { kind: 'held' };
    const config = assistConfigFromEnv({
      HOOKSCRIBE_ASSIST: 'llm',
      HOOKSCRIBE_LLM_URL: server.url,
      HOOKSCRIBE_LLM_MODEL: 'm',
      HOOKSCRIBE_LLM_TIMEOUT_MS: '5000',
      HOOKSCRIBE_ASSIST_LLM_EVERY_FINALS: '1',
      HOOKSCRIBE_LLM_STREAM: 'false',
    });
    const runtime = await AssistRuntime.load(config);
    const bus = new MemoryBus();
    const worker = runtime.createWorker(bus);
    await worker.start();
    await bus.deliver(final('c', cancellationCall()[1]!));
    // the handler has returned (the event is acknowledged) with the local update out, while the LLM is still working
    expect(bus.updates('c').map((u) => u.mode)).toEqual(['local']);
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    expect(bus.updates('c').map((u) => u.mode)).toEqual(['local']); // the LLM has not answered yet
    server.release();
    await worker.idle();
    expect(bus.updates('c').map((u) => u.mode)).toEqual(['local', 'llm']);
    await worker.stop();
  });
});
