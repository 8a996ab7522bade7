import { describe, expect, it } from 'vitest';
import { BusUnavailableError } from '../src/bus/event-bus.js';
import { InProcessEventBus } from '../src/bus/in-process-event-bus.js';
import { eventBusContract } from './bus-contract.js';
import { numberedEvents } from './bus-sample-events.js';

eventBusContract('in-process', async () => {
  // One process = one transport: every "instance" in a test is the same bus.
  const bus = new InProcessEventBus({ retryInitialMs: 10 });
  return { bus: async () => bus, cleanup: () => bus.close() };
});

describe('InProcessEventBus limits', () => {
  it('rejects publish when a consumed group is full (the outbox keeps the event), instead of growing memory', async () => {
    const bus = new InProcessEventBus({ maxQueuedPerGroup: 3 });
    await bus.subscribe(() => new Promise<void>(() => {}), { group: 'stuck' });
    const events = numberedEvents(5);
    await bus.publish(events[0]!); // handed to the consumer
    for (const e of events.slice(1, 4)) await bus.publish(e); // 3 queued
    await expect(bus.publish(events[4]!)).rejects.toBeInstanceOf(BusUnavailableError);
    await bus.close();
  });

  it('a closed bus rejects publish and reports degraded', async () => {
    const bus = new InProcessEventBus();
    await bus.close();
    await expect(bus.publish(numberedEvents(1)[0]!)).rejects.toBeInstanceOf(BusUnavailableError);
    expect((await bus.health()).status).toBe('degraded');
  });
});
