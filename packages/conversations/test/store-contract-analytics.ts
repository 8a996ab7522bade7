/**
 * The call-analytics part of the ConversationStore contract (metrics rows, exports listing, dashboard), run by
 * describeConversationStoreContract for every adapter. Each test uses its own DNIS so tests sharing a store do not
 * see each other's calls.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  StoreInputError,
  StoreNotFoundError,
  computeCallMetrics,
  type AssistResult,
  type CallMetrics,
  type ConversationStore,
} from '../src/index.js';
import { makeConversation, makeEvent } from './store-contract.js';

function metricsOf(
  durationSeconds: number,
  talk: { customer: number; agent: number },
  status: CallMetrics['status'] = 'final',
): CallMetrics {
  return {
    ...computeCallMetrics({ segments: [], gaps: [], durationSeconds, status }),
    talkSeconds: talk,
  };
}

const sentimentResult = (
  label: 'negative' | 'neutral' | 'positive',
  role: 'customer' | 'agent' = 'customer',
) =>
  ({
    mode: 'local',
    sentiment: { segmentId: randomUUID(), role, score: 0, label, trend: 0 },
  }) satisfies AssistResult;

export function describeCallAnalyticsContract(storeOf: () => ConversationStore): void {
  describe('call analytics', () => {
    const queue = () => `tel:+1800${Math.floor(Math.random() * 1e7)}`;

    async function call(options: {
      dnis: string;
      startedAt: string;
      state?: 'active' | 'ended';
      endpoint?: 'monitor' | 'transcription';
      duration: number;
      talk?: { customer: number; agent: number };
      assist?: AssistResult[];
    }): Promise<string> {
      const store = storeOf();
      const conversation = makeConversation({
        dnis: options.dnis,
        startedAt: options.startedAt,
        endpoint: options.endpoint ?? 'transcription',
      });
      await store.upsertConversation(conversation);
      for (const result of options.assist ?? []) await store.appendAssist(conversation.id, result);
      if (options.state !== 'active')
        await store.endConversation(conversation.id, {
          state: 'ended',
          closeReason: 'end',
          endedAt: new Date(Date.parse(options.startedAt) + options.duration * 1000).toISOString(),
        });
      await store.saveCallMetrics(
        conversation.id,
        metricsOf(options.duration, options.talk ?? { customer: 0, agent: 0 }),
      );
      return conversation.id;
    }

    it('stores metrics with the conversation, replaces them, and enqueues the event in the same write', async () => {
      const store = storeOf();
      /** drains the (store-wide) outbox; returns the call_metrics statuses of this conversation it held */
      const drain = async (conversationId: string) => {
        const statuses: string[] = [];
        for (;;) {
          const entries = await store.claimOutbox(500, 60_000);
          if (entries.length === 0) return statuses;
          for (const { event } of entries)
            if (event.type === 'call_metrics' && event.conversationId === conversationId)
              statuses.push(event.data.status);
          await store.ackOutbox(entries.map((entry) => entry.id));
        }
      };
      const conversation = makeConversation();
      await store.upsertConversation(conversation);
      await drain(conversation.id);
      expect(await store.getCallMetrics(conversation.id)).toBeNull();
      const live = metricsOf(30, { customer: 10, agent: 5 }, 'live');
      await store.saveCallMetrics(conversation.id, live, {
        events: [makeEvent('call_metrics', conversation.id, live)],
      });
      expect(await store.getCallMetrics(conversation.id)).toEqual(live);
      expect(await drain(conversation.id)).toEqual(['live']);
      const final = metricsOf(60, { customer: 20, agent: 25 });
      await store.saveCallMetrics(conversation.id, final, {
        events: [makeEvent('call_metrics', conversation.id, final)],
      });
      expect(await store.getCallMetrics(conversation.id)).toEqual(final);
      // live metrics are delivered but, like partials, not kept in the event log; the final ones are
      const logged = await store.listEvents(conversation.id);
      expect(logged.map((entry) => (entry.event.data as { status: string }).status)).toEqual(['final']);
    });

    it('refuses metrics of an unknown conversation and malformed metrics', async () => {
      const store = storeOf();
      await expect(
        store.saveCallMetrics(randomUUID(), metricsOf(1, { customer: 0, agent: 0 })),
      ).rejects.toBeInstanceOf(StoreNotFoundError);
      const conversation = makeConversation();
      await store.upsertConversation(conversation);
      await expect(
        store.saveCallMetrics(conversation.id, {
          ...metricsOf(1, { customer: 0, agent: 0 }),
          durationSeconds: -1,
        }),
      ).rejects.toBeInstanceOf(StoreInputError);
      await expect(store.callDashboard({ endpoint: 'nope' as 'monitor' })).rejects.toBeInstanceOf(
        StoreInputError,
      );
    });

    it('lists calls with their metrics newest first, filtered, in pages', async () => {
      const store = storeOf();
      const dnis = queue();
      const ids = [];
      for (let i = 0; i < 5; i++)
        ids.push(await call({ dnis, startedAt: `2026-03-01T10:0${i}:00.000Z`, duration: 60 + i }));
      await call({ dnis, startedAt: '2026-03-01T10:09:00.000Z', duration: 5, endpoint: 'monitor' });
      const first = await store.listCallAnalytics({ dnis, endpoint: 'transcription', limit: 3 });
      expect(first.items.map((row) => row.conversation.id)).toEqual([ids[4], ids[3], ids[2]]);
      expect(first.items[0]!.metrics.durationSeconds).toBe(64);
      expect(first.items[0]!.conversation.state).toBe('ended');
      const second = await store.listCallAnalytics({
        dnis,
        endpoint: 'transcription',
        limit: 3,
        cursor: first.nextCursor!,
      });
      expect(second.items.map((row) => row.conversation.id)).toEqual([ids[1], ids[0]]);
      expect(second.nextCursor).toBeNull();
      const ranged = await store.listCallAnalytics({
        dnis,
        from: '2026-03-01T10:01:00.000Z',
        to: '2026-03-01T10:03:00.000Z',
      });
      expect(ranged.items.map((row) => row.conversation.id)).toEqual([ids[2], ids[1]]);
    });

    it('assist results arriving after the metrics still count (sentiment and intent follow the latest)', async () => {
      const store = storeOf();
      const dnis = queue();
      const id = await call({ dnis, startedAt: '2026-04-03T08:00:00.000Z', duration: 30 });
      await store.appendAssist(id, sentimentResult('negative'));
      await store.appendAssist(id, {
        ...sentimentResult('positive'),
        summary: { issue: '', customerNeed: '', actions: [], text: '', intent: 'refund' },
      });
      await store.appendAssist(id, sentimentResult('neutral', 'agent')); // the agent's does not count
      expect(await store.callDashboard({ dnis })).toMatchObject({
        calls: 1,
        sentiment: { negative: 0, neutral: 0, positive: 1, unscored: 0 },
        topIntents: [{ intent: 'refund', count: 1 }],
      });
      // a later save (the final metrics) keeps them
      await store.saveCallMetrics(id, metricsOf(31, { customer: 1, agent: 1 }));
      expect((await store.callDashboard({ dnis })).sentiment.positive).toBe(1);
    });

    it('finds the sessions of a Genesys conversation, newest first', async () => {
      const store = storeOf();
      const genesysId = randomUUID();
      const first = makeConversation({ conversationId: genesysId, startedAt: '2026-05-01T10:00:00.000Z' });
      const second = makeConversation({ conversationId: genesysId, startedAt: '2026-05-01T10:05:00.000Z' });
      await store.upsertConversation(first);
      await store.upsertConversation(second);
      await store.upsertConversation(makeConversation());
      expect((await store.findByGenesysConversationId(genesysId)).map((c) => c.id)).toEqual([
        second.id,
        first.id,
      ]);
      expect(await store.findByGenesysConversationId(randomUUID())).toEqual([]);
    });

    it('dashboard: calls per hour, handle time of ended calls, talk share, sentiment, top alerts and intents', async () => {
      const store = storeOf();
      const dnis = queue();
      const alert = (id: string, rule: string) => ({
        id,
        rule,
        severity: 'warning' as const,
        text: rule,
        segmentId: randomUUID(),
      });
      // the second snapshot repeats alert a1: counted once
      await call({
        dnis,
        startedAt: '2026-04-02T09:10:00.000Z',
        duration: 100,
        talk: { customer: 30, agent: 10 },
        assist: [
          { ...sentimentResult('positive'), alerts: [alert('a1', 'escalation')] },
          {
            ...sentimentResult('negative'),
            alerts: [alert('a1', 'escalation'), alert('a2', 'cancellation')],
            summary: { issue: '', customerNeed: '', actions: [], text: '', intent: 'billing' },
          },
          sentimentResult('positive', 'agent'),
        ],
      });
      await call({
        dnis,
        startedAt: '2026-04-02T09:50:00.000Z',
        duration: 200,
        talk: { customer: 10, agent: 30 },
        assist: [
          {
            ...sentimentResult('neutral'),
            alerts: [alert('b1', 'escalation')],
            summary: { issue: '', customerNeed: '', actions: [], text: '', intent: 'billing' },
          },
        ],
      });
      await call({
        dnis,
        startedAt: '2026-04-02T11:05:00.000Z',
        duration: 50,
        state: 'active',
        talk: { customer: 10, agent: 10 },
        assist: [
          {
            mode: 'local',
            summary: { issue: '', customerNeed: '', actions: [], text: '', intent: 'refund' },
          },
        ],
      });
      // assist facts of a call without metrics are not counted
      const noMetrics = makeConversation({ dnis, startedAt: '2026-04-02T11:06:00.000Z' });
      await store.upsertConversation(noMetrics);
      await store.appendAssist(noMetrics.id, sentimentResult('negative'));

      const dashboard = await store.callDashboard({ dnis });
      expect(dashboard).toEqual({
        calls: 3,
        callsPerHour: [
          { hour: '2026-04-02T09:00:00.000Z', calls: 2 },
          { hour: '2026-04-02T11:00:00.000Z', calls: 1 },
        ],
        averageHandleSeconds: 150,
        agentTalkShare: 0.5,
        sentiment: { negative: 1, neutral: 1, positive: 0, unscored: 1 },
        topAlerts: [
          { rule: 'escalation', count: 2 },
          { rule: 'cancellation', count: 1 },
        ],
        topIntents: [
          { intent: 'billing', count: 2 },
          { intent: 'refund', count: 1 },
        ],
      });
      const morning = await store.callDashboard({
        dnis,
        from: '2026-04-02T09:00:00Z',
        to: '2026-04-02T10:00:00Z',
      });
      expect(morning).toMatchObject({
        calls: 2,
        averageHandleSeconds: 150,
        topIntents: [{ intent: 'billing', count: 2 }],
      });
      expect(await store.callDashboard({ dnis, endpoint: 'monitor' })).toMatchObject({
        calls: 0,
        callsPerHour: [],
        averageHandleSeconds: null,
        agentTalkShare: null,
        topAlerts: [],
      });
    });
  });
}
