/**
 * The slice of the EventBus port (@hookscribe/conversations bus/event-bus.ts) the assist worker uses. Declared here
 * so the worker depends on the shape, not on an adapter; every EventBus satisfies it structurally.
 */
import type { ConversationEvent, EventBus, TranscriptSegment } from '@hookscribe/conversations';

export interface AssistBus {
  publish(event: ConversationEvent): Promise<void>;
  subscribe(
    handler: (event: ConversationEvent, delivery: { id: string; attempt: number }) => void | Promise<void>,
    options?: { group?: string; consumer?: string },
  ): Promise<{ close(): Promise<void> }>;
}

/**
 * Where a worker can read a conversation's final segments so far (e.g. ConversationStore.getConversation(id)
 * .transcript). Lets a worker that picks up a conversation mid-call — after a restart or because the bus handed it
 * to another consumer — rebuild the state instead of summarising half a call.
 */
export interface TranscriptHistory {
  finals(conversationId: string): Promise<readonly TranscriptSegment[]>;
}

/** Compile-time proof that the EventBus port satisfies AssistBus. */
export const eventBusIsAssistBus: (bus: EventBus) => AssistBus = (bus) => bus;
