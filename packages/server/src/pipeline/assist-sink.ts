/**
 * Where assist results land: each `assist_update` on the bus is stored with its conversation (consumer group
 * "assist-store": one server instance stores each update), and — for Transcription Connector calls held by this
 * instance whose `customConfig.agentassist` is true — sent to Genesys as `agentassist` entities (digest §8.4)
 * through the call's rate-limited sender. Each utterance and suggestion goes out once per call.
 */
import { randomUUID } from 'node:crypto';
import { AgentAssistTracker, type AgentAssistDeps } from '@hookscribe/assist';
import type { ConversationStore, EventBus, Subscription, TranscriptSegment } from '@hookscribe/conversations';
import type { Logger } from 'pino';
import type { LiveCalls } from './call-pipeline.js';

export interface AssistSinkOptions {
  bus: EventBus;
  store: Pick<ConversationStore, 'appendAssist'>;
  live: LiveCalls;
  logger: Logger;
  /** knowledge-base lookup (faq vs article) when assist runs in this process */
  lookup?: AgentAssistDeps['lookup'];
}

interface AgentAssistCall {
  tracker: AgentAssistTracker;
  utterances: TranscriptSegment[];
  lastPosition: number;
}

export function wantsAgentAssist(customConfig: Record<string, unknown>): boolean {
  const value = customConfig.agentassist;
  return value === true || value === 'true';
}

export async function attachAssistSink(options: AssistSinkOptions): Promise<Subscription[]> {
  const { bus, store, live, logger } = options;
  const agentAssistCalls = new Map<string, AgentAssistCall>();

  const stored = await bus.subscribe(
    async (event) => {
      if (event.type !== 'assist_update') return;
      await store.appendAssist(event.conversationId, event.data);
    },
    { group: 'assist-store' },
  );

  const toGenesys = await bus.subscribe((event) => {
    if (event.type === 'session_ended') {
      agentAssistCalls.delete(event.conversationId);
      return;
    }
    if (event.type !== 'transcript_available' && event.type !== 'assist_update') return;
    const held = live.get(event.conversationId);
    if (!held || held.call.profile !== 'transcription' || !wantsAgentAssist(held.call.customConfig)) return;
    let state = agentAssistCalls.get(event.conversationId);
    if (!state) {
      state = {
        tracker: new AgentAssistTracker({
          newId: randomUUID,
          ...(options.lookup ? { lookup: options.lookup } : {}),
        }),
        utterances: [],
        lastPosition: 0,
      };
      agentAssistCalls.set(event.conversationId, state);
    }
    if (event.type === 'transcript_available') {
      state.utterances.push(event.data);
      state.lastPosition = Math.max(state.lastPosition, event.data.offset + event.data.duration);
    }
    const data = state.tracker.next({
      utterances: state.utterances.splice(0),
      suggestions: event.type === 'assist_update' ? (event.data.suggestions ?? []) : [],
      position: state.lastPosition,
      language: held.call.language ?? 'en-US',
    });
    if (data && !held.sendEntities([{ type: 'agentassist', data }])) {
      logger.debug(
        { sessionId: event.conversationId },
        'agentassist entity not sent: call no longer accepts events',
      );
    }
  });
  return [stored, toGenesys];
}
