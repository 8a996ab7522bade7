/**
 * Splits event entities into batches whose `event` message stays under the 64 KiB text limit (MUST 18), measured
 * in UTF-8 bytes (never less than the UTF-16 length the client counts).
 */
import type { EventEntity } from './contract.js';
import { MAX_TEXT_LENGTH } from './message-parse.js';

/** Envelope bytes around the entity list: `{"version":"2","id":<uuid>,"type":"event","seq":N,"clientseq":N,...}`. */
export const EVENT_ENVELOPE_RESERVE_BYTES = 160;

export class EntityTooLargeError extends RangeError {
  override name = 'EntityTooLargeError';
}

export function batchEventEntities(
  entities: readonly EventEntity[],
  maxMessageBytes = MAX_TEXT_LENGTH,
): EventEntity[][] {
  const budget = maxMessageBytes - EVENT_ENVELOPE_RESERVE_BYTES;
  const batches: EventEntity[][] = [];
  let current: EventEntity[] = [];
  let used = 0;
  for (const entity of entities) {
    const size = Buffer.byteLength(JSON.stringify(entity), 'utf8');
    if (size > budget) {
      throw new EntityTooLargeError(
        `one event entity is ${size} bytes; an event message must stay under 64 KiB`,
      );
    }
    const added = current.length === 0 ? size : size + 1; // comma
    if (used + added > budget) {
      batches.push(current);
      current = [entity];
      used = size;
    } else {
      current.push(entity);
      used += added;
    }
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
