/** The EventBus contract every subscribable adapter passes (in-process, Redis Streams). */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventBus, Subscription } from '../src/bus/event-bus.js';
import type { ConversationEvent } from '../src/events.js';
import { eventNumber, numberedEvents, until } from './bus-sample-events.js';

export interface BusFixture {
  /** a bus; several calls within one test share the same transport (they model server instances) */
  bus(): Promise<EventBus>;
  /** the adapter reclaims unacknowledged events of a dead consumer (after its idle time) */
  cleanup(): Promise<void>;
}

export function eventBusContract(name: string, makeFixture: () => Promise<BusFixture>): void {
  describe(`EventBus contract: ${name}`, () => {
    let fixture: BusFixture;
    const subscriptions: Subscription[] = [];

    beforeEach(async () => {
      fixture = await makeFixture();
    });
    afterEach(async () => {
      await Promise.all(subscriptions.splice(0).map((s) => s.close()));
      await fixture.cleanup();
    });

    it('fan-out: every subscriber on every instance sees every event, in publish order', async () => {
      const a = await fixture.bus();
      const b = await fixture.bus();
      const seenA: number[] = [];
      const seenB: number[] = [];
      subscriptions.push(await a.subscribe((e) => void seenA.push(eventNumber(e))));
      subscriptions.push(await b.subscribe((e) => void seenB.push(eventNumber(e))));
      await new Promise((r) => setTimeout(r, 100)); // let blocking readers position themselves
      const events = numberedEvents(20);
      for (const event of events) await a.publish(event);
      await until(() => seenA.length >= 20 && seenB.length >= 20, 'fan-out');
      const expected = events.map(eventNumber);
      expect(seenA).toEqual(expected);
      expect(seenB).toEqual(expected);
    });

    it('group: consumers of one group share the load, each event handled once', async () => {
      const a = await fixture.bus();
      const b = await fixture.bus();
      const group = `workers-${randomUUID()}`;
      const byA: string[] = [];
      const byB: string[] = [];
      const slow = (into: string[]) => async (e: ConversationEvent) => {
        await new Promise((r) => setTimeout(r, 5));
        into.push(e.eventId);
      };
      subscriptions.push(await a.subscribe(slow(byA), { group, consumer: 'a' }));
      subscriptions.push(await b.subscribe(slow(byB), { group, consumer: 'b' }));
      await new Promise((r) => setTimeout(r, 100));
      const events = numberedEvents(60);
      for (const event of events) await a.publish(event);
      await until(() => byA.length + byB.length >= 60, 'group');
      await new Promise((r) => setTimeout(r, 200)); // a duplicate would show up here
      expect([...byA, ...byB].sort()).toEqual(events.map((e) => e.eventId).sort());
      expect(byA.length).toBeGreaterThan(0);
      expect(byB.length).toBeGreaterThan(0);
    });

    it('a rejecting handler gets the event again (at-least-once)', async () => {
      const bus = await fixture.bus();
      const attempts: number[] = [];
      subscriptions.push(
        await bus.subscribe(
          (_e, delivery) => {
            attempts.push(delivery.attempt);
            if (attempts.length === 1) throw new Error('consumer failed');
          },
          { group: `retry-${randomUUID()}` },
        ),
      );
      await new Promise((r) => setTimeout(r, 100));
      await bus.publish(numberedEvents(1)[0]!);
      await until(() => attempts.length >= 2, 'redelivery');
      expect(attempts[0]).toBe(1);
      expect(attempts[1]).toBeGreaterThan(1);
    });

    it('an event held by a consumer that dies without ack goes to another consumer of the group', async () => {
      const a = await fixture.bus();
      const b = await fixture.bus();
      const group = `dies-${randomUUID()}`;
      let gotByA: ConversationEvent | null = null;
      const dying = await a.subscribe(
        (e) => {
          gotByA = e;
          return new Promise<void>(() => {}); // hangs: never acks
        },
        { group, consumer: 'a' },
      );
      await new Promise((r) => setTimeout(r, 100));
      const event = numberedEvents(1)[0]!;
      await a.publish(event);
      await until(() => gotByA !== null, 'a received');
      await dying.close(); // consumer a dies holding the event
      const byB: ConversationEvent[] = [];
      subscriptions.push(await b.subscribe((e) => void byB.push(e), { group, consumer: 'b' }));
      await until(() => byB.length >= 1, 'b got the orphaned event');
      expect(byB[0]!.eventId).toBe(event.eventId);
    });

    it('reports health ok while the transport is up', async () => {
      const bus = await fixture.bus();
      expect((await bus.health()).status).toBe('ok');
    });
  });
}
