/** The data_deleted event announcing a purge: what kind went and why, never any of the deleted data. */
import { randomUUID } from 'node:crypto';
import { EVENT_SCHEMA_VERSION, type ConversationEvent, type DataDeletion } from '../events.js';

export function dataDeletedEvent(
  conversationId: string,
  scope: DataDeletion['scope'],
  reason: DataDeletion['reason'],
  now: Date = new Date(),
): ConversationEvent {
  return {
    schemaVersion: EVENT_SCHEMA_VERSION,
    eventId: randomUUID(),
    type: 'data_deleted',
    conversationId,
    time: now.toISOString(),
    data: { scope, reason },
  };
}
