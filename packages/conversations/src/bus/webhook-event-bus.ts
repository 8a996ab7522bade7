/**
 * Webhooks, two ways:
 * - WebhookEventBus: an EventBus whose publish() POSTs to every target (in parallel, each through its own
 *   WebhookTarget queue) and resolves when all took it. Put behind the OutboxRelay it is durable: an event a target
 *   refused stays in the outbox; targets that already had it are not sent it again. It cannot be subscribed to.
 * - startWebhookDelivery(): webhooks as consumers of another bus (in-process, Redis, Event Hubs): one load-sharing
 *   group per target ("webhook:<url>"), so each target has its own cursor and a dead target holds back nobody else.
 *   With Redis the pending events of a dead target wait in Redis; with the in-process bus they wait in memory.
 */
import { INTERNAL_EVENT_TYPES, type ConversationEvent, type ConversationEventType } from '../events.js';
import { BusUnsupportedError, type BusHealth, type EventBus, type Subscription } from './event-bus.js';
import { WebhookTarget, type WebhookTargetOptions } from './webhook-target.js';

export type WebhookOptions = Omit<WebhookTargetOptions, 'url'> & {
  urls: string[];
  /** event types sent to the webhooks (default: all); e.g. leave out partial_transcript to cut volume */
  types?: readonly ConversationEventType[];
};

/** Whether an event goes to the webhooks at all (the others are acknowledged without a POST). */
function wanted(options: WebhookOptions, event: ConversationEvent): boolean {
  if (INTERNAL_EVENT_TYPES.has(event.type)) return false; // commands between instances are nobody else's business
  return !options.types || options.types.length === 0 || options.types.includes(event.type);
}

function targetsFor(options: WebhookOptions): WebhookTarget[] {
  const { urls, types: _types, ...rest } = options;
  return urls.map((url) => new WebhookTarget({ ...rest, url }));
}

function healthOf(name: string, targets: WebhookTarget[]): BusHealth {
  const failing = targets.filter((t) => t.failure !== null);
  return failing.length === 0
    ? { bus: name, status: 'ok', detail: null }
    : { bus: name, status: 'degraded', detail: failing.map((t) => `${t.url}: ${t.failure}`).join('; ') };
}

export class WebhookEventBus implements EventBus {
  readonly name = 'webhook';
  readonly targets: WebhookTarget[];

  constructor(private readonly options: WebhookOptions) {
    this.targets = targetsFor(options);
  }

  async publish(event: ConversationEvent): Promise<void> {
    if (!wanted(this.options, event)) return;
    const results = await Promise.allSettled(this.targets.map((t) => t.deliver(event)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async subscribe(): Promise<Subscription> {
    throw new BusUnsupportedError(
      'webhooks are delivery-only: subscribe to the in-process, Redis or Event Hubs bus',
    );
  }

  async health(): Promise<BusHealth> {
    return healthOf(this.name, this.targets);
  }

  async close(): Promise<void> {
    for (const target of this.targets) target.close();
  }
}

export interface WebhookDelivery {
  readonly targets: WebhookTarget[];
  health(): BusHealth;
  close(): Promise<void>;
}

/** Deliver every event of `bus` to each webhook URL, one consumer group per URL. */
export async function startWebhookDelivery(bus: EventBus, options: WebhookOptions): Promise<WebhookDelivery> {
  const targets = targetsFor(options);
  const subscriptions = await Promise.all(
    targets.map((target) =>
      bus.subscribe((event) => (wanted(options, event) ? target.deliver(event) : undefined), {
        group: `webhook:${target.url}`,
      }),
    ),
  );
  return {
    targets,
    health: () => healthOf('webhook', targets),
    async close() {
      for (const target of targets) target.close();
      await Promise.all(subscriptions.map((s) => s.close()));
    },
  };
}
