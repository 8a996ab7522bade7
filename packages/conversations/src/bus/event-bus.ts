/**
 * EventBus: the port conversation events travel through after the outbox (see outbox-relay.ts).
 *
 * Delivery is at-least-once: a handler that resolves acknowledges the event; one that rejects (or a consumer that
 * dies before resolving) gets it redelivered. Consumers dedupe on `event.eventId`.
 *
 * Two subscription modes:
 * - group (`{ group: 'assist' }`): consumers sharing a group name share the load — each event goes to ONE of them.
 * - fan-out (no group): every fan-out subscriber on every instance sees every event (the live API uses this).
 */
import type { ConversationEvent } from '../events.js';

export interface EventDelivery {
  /** transport position (Redis stream id, Event Hubs sequence number, in-process counter) */
  id: string;
  /** 1 on first delivery; higher after redelivery */
  attempt: number;
}

/** Resolve to acknowledge; reject to have the event redelivered. */
export type EventHandler = (event: ConversationEvent, delivery: EventDelivery) => void | Promise<void>;

export interface SubscribeOptions {
  /** load-sharing group; omitted = fan-out (every subscriber sees every event) */
  group?: string;
  /** consumer name inside the group (default: a unique name per subscription) */
  consumer?: string;
}

export interface Subscription {
  /** Stop receiving. Events handed out but not acknowledged are redelivered (to another consumer of the group). */
  close(): Promise<void>;
}

export interface BusHealth {
  bus: string;
  status: 'ok' | 'degraded';
  /** plain words when degraded */
  detail: string | null;
}

export interface EventBus {
  readonly name: string;
  /** Resolves once the transport accepted the event (rejects if it cannot take it now — the outbox retries). */
  publish(event: ConversationEvent): Promise<void>;
  subscribe(handler: EventHandler, options?: SubscribeOptions): Promise<Subscription>;
  health(): Promise<BusHealth>;
  close(): Promise<void>;
}

/** The transport cannot accept or deliver now (connection down, target unreachable). Retrying later may help. */
export class BusUnavailableError extends Error {
  override name = 'BusUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The operation is not offered by this adapter (e.g. subscribing to a webhook bus). */
export class BusUnsupportedError extends Error {
  override name = 'BusUnsupportedError';
}
