/**
 * EventHubsEventBus at the SDK boundary: fake producer/consumer clients with the SDK's shapes. Not run against Azure.
 */
import type {
  CheckpointStore,
  EventData,
  PartitionContext,
  ReceivedEventData,
  SubscriptionEventHandlers,
} from '@azure/event-hubs';
import { describe, expect, it } from 'vitest';
import { BusUnavailableError, BusUnsupportedError } from '../src/bus/event-bus.js';
import { EventHubsEventBus, type EventHubsClientFactory } from '../src/bus/event-hubs-event-bus.js';
import type { ConversationEvent } from '../src/events.js';
import { numberedEvents, until } from './bus-sample-events.js';

function fakes() {
  const sent: { batch: EventData[]; partitionKey?: string }[] = [];
  let failSends = 0;
  const consumers: {
    group: string;
    store: CheckpointStore | undefined;
    handlers: SubscriptionEventHandlers;
    startPosition: unknown;
    checkpoints: ReceivedEventData[];
    closed: boolean;
  }[] = [];
  let producerClosed = false;
  const factory: EventHubsClientFactory = {
    producer: () => ({
      async sendBatch(batch, options) {
        if (failSends > 0) {
          failSends--;
          throw new Error('ServiceUnavailable: the service is busy');
        }
        sent.push({ batch, partitionKey: options?.partitionKey });
      },
      async close() {
        producerClosed = true;
      },
    }),
    consumer: (group, store) => {
      const entry = {
        group,
        store,
        handlers: null as unknown as SubscriptionEventHandlers,
        startPosition: undefined as unknown,
        checkpoints: [] as ReceivedEventData[],
        closed: false,
      };
      consumers.push(entry);
      return {
        subscribe(handlers, options) {
          entry.handlers = handlers;
          entry.startPosition = options?.startPosition;
          return { close: async () => void (entry.closed = true) };
        },
        close: async () => void (entry.closed = true),
      };
    },
  };
  /** deliver events to a consumer the way the SDK does: a batch with a partition context */
  const deliver = async (index: number, bodies: unknown[], partitionId = '0') => {
    const consumer = consumers[index]!;
    const context = {
      partitionId,
      consumerGroup: consumer.group,
      eventHubName: 'hub',
      fullyQualifiedNamespace: 'ns.servicebus.windows.net',
      updateCheckpoint: async (e: ReceivedEventData) => void consumer.checkpoints.push(e),
    } as unknown as PartitionContext;
    const received = bodies.map(
      (body, i) =>
        ({ body, sequenceNumber: i, offset: String(i), enqueuedTimeUtc: new Date() }) as ReceivedEventData,
    );
    await consumer.handlers.processEvents(received, context);
  };
  return {
    factory,
    sent,
    consumers,
    deliver,
    failNext: (n: number) => (failSends = n),
    get producerClosed() {
      return producerClosed;
    },
  };
}

const checkpointStore = {} as CheckpointStore;

describe('EventHubsEventBus (SDK boundary, fake clients)', () => {
  it('publishes each event as JSON with the conversation id as partition key (order per conversation)', async () => {
    const f = fakes();
    const bus = new EventHubsEventBus({ clients: f.factory });
    const [event] = numberedEvents(1);
    await bus.publish(event!);
    expect(f.sent).toHaveLength(1);
    expect(f.sent[0]!.partitionKey).toBe(event!.conversationId);
    expect(f.sent[0]!.batch[0]).toMatchObject({
      body: event,
      contentType: 'application/json',
      messageId: event!.eventId,
      properties: { type: 'transcript_available' },
    });
    await bus.close();
    expect(f.producerClosed).toBe(true);
  });

  it('a failed send rejects with BusUnavailableError (the outbox retries) and health says why until a send succeeds', async () => {
    const f = fakes();
    const bus = new EventHubsEventBus({ clients: f.factory });
    f.failNext(1);
    await expect(bus.publish(numberedEvents(1)[0]!)).rejects.toBeInstanceOf(BusUnavailableError);
    expect(await bus.health()).toEqual({
      bus: 'eventhubs',
      status: 'degraded',
      detail: 'ServiceUnavailable: the service is busy',
    });
    await bus.publish(numberedEvents(1)[0]!);
    expect((await bus.health()).status).toBe('ok');
  });

  it('fan-out reads every partition without a checkpoint store from the latest position; malformed bodies are skipped', async () => {
    const f = fakes();
    const errors: string[] = [];
    const bus = new EventHubsEventBus({ clients: f.factory, onError: (_e, c) => errors.push(c) });
    const seen: ConversationEvent[] = [];
    const sub = await bus.subscribe((e) => void seen.push(e));
    expect(f.consumers[0]!.group).toBe('$Default');
    expect(f.consumers[0]!.store).toBeUndefined();
    expect(f.consumers[0]!.startPosition).toEqual({ offset: '@latest' });
    const events = numberedEvents(2);
    await f.deliver(0, [events[0], { not: 'an event' }, events[1]]);
    expect(seen).toEqual(events);
    expect(errors).toEqual(['malformed event at 0/1']);
    await sub.close();
    expect(f.consumers[0]!.closed).toBe(true);
  });

  it('group subscriptions need a checkpoint store (clear error otherwise)', async () => {
    const bus = new EventHubsEventBus({ clients: fakes().factory });
    await expect(bus.subscribe(() => {}, { group: 'assist' })).rejects.toBeInstanceOf(BusUnsupportedError);
  });

  it('group: checkpoints only after the handler resolved; a rejecting handler is retried in place', async () => {
    const f = fakes();
    const bus = new EventHubsEventBus({ clients: f.factory, checkpointStore, maxDeliveries: 3 });
    const attempts: number[] = [];
    await bus.subscribe(
      (_e, delivery) => {
        attempts.push(delivery.attempt);
        if (delivery.attempt === 1) throw new Error('worker busy');
      },
      { group: 'assist' },
    );
    expect(f.consumers[0]!.group).toBe('assist');
    expect(f.consumers[0]!.store).toBe(checkpointStore);
    await f.deliver(0, [numberedEvents(1)[0]]);
    expect(attempts).toEqual([1, 2]);
    expect(f.consumers[0]!.checkpoints).toHaveLength(1);
  });

  it('receive errors reported by the SDK degrade health', async () => {
    const f = fakes();
    const bus = new EventHubsEventBus({ clients: f.factory });
    await bus.subscribe(() => {});
    await f.consumers[0]!.handlers.processError(new Error('Unauthorized: bad SAS token'), {
      partitionId: '',
    } as PartitionContext);
    await until(async () => (await bus.health()).status === 'degraded');
    expect((await bus.health()).detail).toMatch(/Unauthorized/);
  });

  it('without a connection string it says which variable is missing', () => {
    expect(() => new EventHubsEventBus({})).toThrow(/HOOKSCRIBE_EVENTHUBS_CONNECTION_STRING/);
  });
});
