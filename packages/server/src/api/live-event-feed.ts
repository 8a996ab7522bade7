/**
 * LiveEventFeed: this instance's view of every conversation event, fed by a fan-out subscription to the EventBus (so
 * events of calls handled by other instances arrive too). Keeps a bounded ring of recent events for Last-Event-ID
 * resume and drops duplicate deliveries (the bus is at-least-once).
 */
import {
  INTERNAL_EVENT_TYPES,
  type ConversationEvent,
  type EventBus,
  type Subscription,
} from '@hookscribe/conversations';

export type LiveListener = (event: ConversationEvent) => void;

export interface LiveEventFeedOptions {
  bus: EventBus;
  /** recent events kept for resume (default 5000) */
  ringSize?: number;
}

export class LiveEventFeed {
  private readonly ring: ConversationEvent[] = [];
  private readonly ids = new Set<string>();
  private readonly listeners = new Set<LiveListener>();
  private subscription: Subscription | null = null;
  private readonly ringSize: number;

  constructor(private readonly options: LiveEventFeedOptions) {
    this.ringSize = options.ringSize ?? 5000;
  }

  async start(): Promise<void> {
    if (this.subscription) return;
    this.subscription = await this.options.bus.subscribe((event) => this.accept(event));
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
    this.subscription = null;
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Add an event (from the bus; exposed so a single-process setup can feed it directly too). */
  accept(event: ConversationEvent): void {
    // commands between instances (secure pause routing) are not conversation events for clients
    if (INTERNAL_EVENT_TYPES.has(event.type) || this.ids.has(event.eventId)) return;
    this.ring.push(event);
    this.ids.add(event.eventId);
    if (this.ring.length > this.ringSize) this.ids.delete(this.ring.shift()!.eventId);
    for (const listener of this.listeners) listener(event);
  }

  listen(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events after `eventId` still in the ring; null when the id has left the ring (or never was in it). */
  after(eventId: string): ConversationEvent[] | null {
    if (!this.ids.has(eventId)) return null;
    const index = this.ring.findIndex((e) => e.eventId === eventId);
    return this.ring.slice(index + 1);
  }
}
