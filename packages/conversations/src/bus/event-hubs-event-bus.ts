/**
 * EventHubsEventBus (Azure Event Hubs, official @azure/event-hubs SDK). Written against the SDK and tested at its
 * boundary with injected fake clients; NOT run against Azure in this repository's tests.
 *
 * - publish: sendBatch([event]) with partitionKey = conversation id, so one conversation's events keep their order
 *   on one partition.
 * - fan-out subscription (no group): an EventHubConsumerClient WITHOUT a checkpoint store reads every partition, so
 *   every instance sees every event (starting at the latest position).
 * - group subscription: an EventHubConsumerClient WITH a checkpoint store (e.g. @azure/eventhubs-checkpointstore-blob)
 *   balances partitions across the instances of the consumer group; an event is acknowledged by updating the
 *   checkpoint after the handler resolved. Event Hubs has no per-message redelivery: a rejecting handler is retried in
 *   place (holding that partition, which keeps order) up to `maxDeliveries`, then skipped and reported.
 */
import {
  EventHubConsumerClient,
  EventHubProducerClient,
  earliestEventPosition,
  latestEventPosition,
  type CheckpointStore,
  type EventData,
  type SubscribeOptions as EventHubsSubscribeOptions,
  type SubscriptionEventHandlers,
} from '@azure/event-hubs';
import type { ConversationEvent } from '../events.js';
import {
  BusUnavailableError,
  BusUnsupportedError,
  type BusHealth,
  type EventBus,
  type EventHandler,
  type SubscribeOptions,
  type Subscription,
} from './event-bus.js';
import { parseConversationEvent } from './event-schema.js';
import { backoffDelay, sleep } from './retry-backoff.js';

/** The part of EventHubProducerClient this adapter uses. */
export interface EventHubsProducer {
  sendBatch(batch: EventData[], options?: { partitionKey?: string }): Promise<void>;
  close(): Promise<void>;
}

/** The part of EventHubConsumerClient this adapter uses. */
export interface EventHubsConsumer {
  subscribe(
    handlers: SubscriptionEventHandlers,
    options?: EventHubsSubscribeOptions,
  ): { close(): Promise<void> };
  close(): Promise<void>;
}

export interface EventHubsClientFactory {
  producer(): EventHubsProducer;
  consumer(consumerGroup: string, checkpointStore: CheckpointStore | undefined): EventHubsConsumer;
}

export interface EventHubsEventBusOptions {
  /** Event Hubs namespace connection string (HOOKSCRIBE_EVENTHUBS_CONNECTION_STRING) */
  connectionString?: string;
  /** event hub name (HOOKSCRIBE_EVENTHUBS_NAME), unless the connection string has EntityPath */
  eventHubName?: string;
  /** consumer group used by fan-out subscriptions (default "$Default") */
  fanOutConsumerGroup?: string;
  /** Event Hubs consumer group for a bus group name (default: the group name itself) */
  consumerGroupFor?: (group: string) => string;
  /** required for group subscriptions (load balancing + checkpoints) */
  checkpointStore?: CheckpointStore;
  /** handler attempts per event in group mode before it is skipped (default 5) */
  maxDeliveries?: number;
  /** injected clients (tests); default: the SDK clients built from connectionString/eventHubName */
  clients?: EventHubsClientFactory;
  onError?: (error: unknown, context: string) => void;
}

function sdkClients(options: EventHubsEventBusOptions): EventHubsClientFactory {
  const { connectionString, eventHubName } = options;
  if (!connectionString) throw new Error('Event Hubs bus needs HOOKSCRIBE_EVENTHUBS_CONNECTION_STRING');
  return {
    producer: () =>
      eventHubName
        ? new EventHubProducerClient(connectionString, eventHubName)
        : new EventHubProducerClient(connectionString),
    consumer: (group, store) => {
      if (eventHubName) {
        return store
          ? new EventHubConsumerClient(group, connectionString, eventHubName, store)
          : new EventHubConsumerClient(group, connectionString, eventHubName);
      }
      return store
        ? new EventHubConsumerClient(group, connectionString, store)
        : new EventHubConsumerClient(group, connectionString);
    },
  };
}

export class EventHubsEventBus implements EventBus {
  readonly name = 'eventhubs';
  private readonly clients: EventHubsClientFactory;
  private producer: EventHubsProducer | null = null;
  private readonly consumers = new Set<{
    client: EventHubsConsumer;
    subscription: { close(): Promise<void> };
  }>();
  private lastError: string | null = null;
  private closed = false;

  constructor(private readonly options: EventHubsEventBusOptions) {
    this.clients = options.clients ?? sdkClients(options);
  }

  async publish(event: ConversationEvent): Promise<void> {
    if (this.closed) throw new BusUnavailableError('event hubs bus is closed');
    this.producer ??= this.clients.producer();
    try {
      await this.producer.sendBatch(
        [
          {
            body: event,
            contentType: 'application/json',
            messageId: event.eventId,
            properties: { type: event.type },
          },
        ],
        { partitionKey: event.conversationId },
      );
      this.lastError = null;
    } catch (error) {
      this.lastError = (error as Error).message;
      throw new BusUnavailableError(`event hubs: ${this.lastError}`, { cause: error });
    }
  }

  async subscribe(handler: EventHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    if (this.closed) throw new BusUnavailableError('event hubs bus is closed');
    const grouped = options.group !== undefined;
    if (grouped && !this.options.checkpointStore) {
      throw new BusUnsupportedError(
        'Event Hubs group subscriptions need a checkpoint store (e.g. @azure/eventhubs-checkpointstore-blob)',
      );
    }
    const consumerGroup = grouped
      ? (this.options.consumerGroupFor ?? ((g: string) => g))(options.group!)
      : (this.options.fanOutConsumerGroup ?? '$Default');
    const client = this.clients.consumer(consumerGroup, grouped ? this.options.checkpointStore : undefined);
    const abort = new AbortController();
    const maxDeliveries = this.options.maxDeliveries ?? 5;

    const subscription = client.subscribe(
      {
        processEvents: async (received, context) => {
          for (const item of received) {
            if (abort.signal.aborted) return;
            let event: ConversationEvent;
            try {
              event = parseConversationEvent(item.body);
            } catch (error) {
              this.options.onError?.(
                error,
                `malformed event at ${context.partitionId}/${item.sequenceNumber}`,
              );
              continue;
            }
            const id = `${context.partitionId}/${item.sequenceNumber}`;
            for (let attempt = 1; ; attempt++) {
              try {
                await handler(event, { id, attempt });
                break;
              } catch (error) {
                this.options.onError?.(error, 'handler');
                if (!grouped || attempt >= maxDeliveries || abort.signal.aborted) break;
                await sleep(backoffDelay(attempt, { initialMs: 100, maxMs: 5000 }), abort.signal);
              }
            }
            if (grouped && !abort.signal.aborted) await context.updateCheckpoint(item);
          }
        },
        processError: async (error, context) => {
          this.lastError = `${context.partitionId || 'client'}: ${error.message}`;
          this.options.onError?.(error, 'event hubs receive');
        },
      },
      { startPosition: grouped ? earliestEventPosition : latestEventPosition, maxBatchSize: 100 },
    );
    const entry = { client, subscription };
    this.consumers.add(entry);
    return {
      close: async () => {
        abort.abort();
        this.consumers.delete(entry);
        await subscription.close();
        await client.close();
      },
    };
  }

  async health(): Promise<BusHealth> {
    if (this.closed) return { bus: this.name, status: 'degraded', detail: 'closed' };
    return this.lastError
      ? { bus: this.name, status: 'degraded', detail: this.lastError }
      : { bus: this.name, status: 'ok', detail: null };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const { client, subscription } of this.consumers) {
      await subscription.close();
      await client.close();
    }
    this.consumers.clear();
    await this.producer?.close();
  }
}
