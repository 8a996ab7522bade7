/**
 * Builds versioned ConversationEvents (schema in @hookscribe/conversations events.ts) with a fresh event id and the
 * production time; the one place the server stamps events it publishes.
 */
import { randomUUID } from 'node:crypto';
import { EVENT_SCHEMA_VERSION, type ConversationEvent } from '@hookscribe/conversations';

type EventOf<T extends ConversationEvent['type']> = Extract<ConversationEvent, { type: T }>;

export function conversationEvent<T extends ConversationEvent['type']>(
  type: T,
  conversationId: string,
  data: EventOf<T>['data'],
  now: Date = new Date(),
): EventOf<T> {
  return {
    schemaVersion: EVENT_SCHEMA_VERSION,
    eventId: randomUUID(),
    type,
    conversationId,
    time: now.toISOString(),
    data,
  } as EventOf<T>;
}
