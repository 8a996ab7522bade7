/** A minimal in-memory bus for worker tests: one handler per group, events delivered in order, failures recorded. */
import type { ConversationEvent } from '@hookscribe/conversations';
import type { AssistBus } from '../../src/worker/assist-bus.js';

export class MemoryBus implements AssistBus {
  readonly published: ConversationEvent[] = [];
  handler:
    ((event: ConversationEvent, delivery: { id: string; attempt: number }) => void | Promise<void>) | null =
    null;
  subscribedWith: { group?: string; consumer?: string } | undefined;
  failPublishes = 0;
  private seq = 0;

  async publish(event: ConversationEvent): Promise<void> {
    if (this.failPublishes > 0) {
      this.failPublishes--;
      throw new Error('bus down');
    }
    this.published.push(event);
  }

  async subscribe(
    handler: (event: ConversationEvent, delivery: { id: string; attempt: number }) => void | Promise<void>,
    options?: { group?: string; consumer?: string },
  ): Promise<{ close(): Promise<void> }> {
    this.handler = handler;
    this.subscribedWith = options;
    return { close: async () => void (this.handler = null) };
  }

  /** Delivers like a bus: resolves when the handler acknowledged, rejects when it asked for redelivery. */
  async deliver(event: ConversationEvent, attempt = 1): Promise<void> {
    if (!this.handler) throw new Error('nobody subscribed');
    await this.handler(event, { id: String(++this.seq), attempt });
  }

  updates(conversationId?: string) {
    return this.published.flatMap((e) =>
      e.type === 'assist_update' && (!conversationId || e.conversationId === conversationId) ? [e.data] : [],
    );
  }
}
