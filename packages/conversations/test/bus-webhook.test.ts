import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BusUnavailableError, BusUnsupportedError } from '../src/bus/event-bus.js';
import { InProcessEventBus } from '../src/bus/in-process-event-bus.js';
import { WebhookEventBus, startWebhookDelivery } from '../src/bus/webhook-event-bus.js';
import { signWebhook, verifyWebhookSignature } from '../src/bus/webhook-signature.js';
import { WebhookTarget } from '../src/bus/webhook-target.js';
import type { ConversationEvent } from '../src/events.js';
import { OutboxRelay } from '../src/outbox-relay.js';
import { SqliteConversationStore } from '../src/store/sqlite-conversation-store.js';
import {
  eventNumber,
  numberedEvents,
  samplePrivacyEvents,
  sampleEvents,
  until,
} from './bus-sample-events.js';

const SECRET = 'test-secret';

interface Received {
  body: string;
  headers: IncomingMessage['headers'];
  verdict: ReturnType<typeof verifyWebhookSignature>;
}

/** A local webhook receiver; `answer` decides each response (status, or 'hang' to never answer). */
async function receiver(answer: (n: number) => number | 'hang' = () => 200) {
  const received: Received[] = [];
  const hanging: ServerResponse[] = [];
  let requests = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const decision = answer(++requests);
      if (decision === 'hang') return void hanging.push(res);
      if (decision >= 200 && decision < 300) {
        const verdict = verifyWebhookSignature({
          secret: SECRET,
          body,
          signatureHeader: req.headers['x-hookscribe-signature'] as string | undefined,
          timestampHeader: req.headers['x-hookscribe-timestamp'] as string | undefined,
        });
        received.push({ body, headers: req.headers, verdict });
      }
      res.writeHead(decision).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const close = async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  cleanups.push(close);
  return {
    url,
    received,
    hanging,
    get requests() {
      return requests;
    },
    events: () => received.map((r) => JSON.parse(r.body) as ConversationEvent),
  };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const fast = { secret: SECRET, retryInitialMs: 10, retryMaxMs: 50 };

describe('webhook signature', () => {
  const body = JSON.stringify(numberedEvents(1)[0]);
  const now = 1_800_000_000;
  const good = { secret: SECRET, body, timestampHeader: String(now), nowSeconds: now };

  it('verifies a signature over "<timestamp>.<body>"', () => {
    expect(verifyWebhookSignature({ ...good, signatureHeader: signWebhook(SECRET, now, body) })).toBe('ok');
  });
  it('rejects a modified body, a wrong secret, a stale timestamp and missing headers', () => {
    const signature = signWebhook(SECRET, now, body);
    expect(verifyWebhookSignature({ ...good, body: body + ' ', signatureHeader: signature })).toBe(
      'bad-signature',
    );
    expect(verifyWebhookSignature({ ...good, signatureHeader: signWebhook('other', now, body) })).toBe(
      'bad-signature',
    );
    expect(verifyWebhookSignature({ ...good, signatureHeader: signature, nowSeconds: now + 301 })).toBe(
      'stale-timestamp',
    );
    expect(verifyWebhookSignature({ ...good, signatureHeader: undefined })).toBe('missing-headers');
  });
  it('accepts any of several signatures (secret rotation)', () => {
    const header = `${signWebhook('old', now, body)}, ${signWebhook(SECRET, now, body)}`;
    expect(verifyWebhookSignature({ ...good, signatureHeader: header })).toBe('ok');
  });
});

describe('WebhookTarget', () => {
  it('POSTs the event as signed JSON with id, type and attempt headers', async () => {
    const hook = await receiver();
    const target = new WebhookTarget({ url: hook.url, ...fast });
    const event = numberedEvents(1)[0]!;
    await target.deliver(event);
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]!.verdict).toBe('ok');
    expect(hook.received[0]!.headers['content-type']).toBe('application/json');
    expect(hook.received[0]!.headers['x-hookscribe-event-id']).toBe(event.eventId);
    expect(hook.received[0]!.headers['x-hookscribe-event-type']).toBe('transcript_available');
    expect(hook.events()[0]).toEqual(event);
  });

  it('a target answering 500 then 200 gets the event on the retry; health shows the failure meanwhile', async () => {
    const hook = await receiver((n) => (n <= 2 ? 500 : 200));
    const target = new WebhookTarget({ url: hook.url, ...fast, maxAttempts: 5 });
    await target.deliver(numberedEvents(1)[0]!);
    expect(hook.requests).toBe(3);
    expect(hook.received[0]!.headers['x-hookscribe-delivery-attempt']).toBe('3');
    expect(target.failure).toBeNull();
  });

  it('gives up after maxAttempts with BusUnavailableError (the caller retries later)', async () => {
    const hook = await receiver(() => 503);
    const target = new WebhookTarget({ url: hook.url, ...fast, maxAttempts: 2 });
    await expect(target.deliver(numberedEvents(1)[0]!)).rejects.toBeInstanceOf(BusUnavailableError);
    expect(hook.requests).toBe(2);
    expect(target.failure).toBe('HTTP 503');
  });

  it('a permanent 4xx is not retried and reported', async () => {
    const hook = await receiver(() => 400);
    const errors: string[] = [];
    const target = new WebhookTarget({
      url: hook.url,
      ...fast,
      onError: (e) => errors.push((e as Error).message),
    });
    await target.deliver(numberedEvents(1)[0]!);
    expect(hook.requests).toBe(1);
    expect(errors[0]).toMatch(/HTTP 400; not retried/);
  });

  it('a hanging target times out and is retried, and does not hold back another target', async () => {
    const hanging = await receiver((n) => (n === 1 ? 'hang' : 200));
    const healthy = await receiver();
    const bus = new WebhookEventBus({ urls: [hanging.url, healthy.url], ...fast, timeoutMs: 300 });
    const event = numberedEvents(1)[0]!;
    const published = bus.publish(event);
    // the healthy target gets it while the hanging target's first request is still open
    await until(() => healthy.received.length === 1 && hanging.hanging.length === 1);
    expect(hanging.received).toHaveLength(0);
    await published;
    expect(hanging.requests).toBe(2);
    expect(hanging.events()[0]!.eventId).toBe(event.eventId);
    await bus.close();
  });

  it('an unreachable target is an error with the reason, not a crash', async () => {
    const target = new WebhookTarget({ url: 'http://127.0.0.1:1/hook', ...fast, maxAttempts: 1 });
    await expect(target.deliver(numberedEvents(1)[0]!)).rejects.toThrow(
      /webhook http:\/\/127\.0\.0\.1:1\/hook/,
    );
  });
});

describe('webhooks behind the outbox', () => {
  it('a target down for a while loses nothing; the healthy target gets each event once; order is kept', async () => {
    let down = true;
    const flaky = await receiver(() => (down ? 503 : 200));
    const healthy = await receiver();
    const store = new SqliteConversationStore({ path: ':memory:' });
    cleanups.push(() => store.close());
    const bus = new WebhookEventBus({ urls: [flaky.url, healthy.url], ...fast, maxAttempts: 1 });
    cleanups.push(() => bus.close());
    const relay = new OutboxRelay({ store, bus, idleIntervalMs: 20, retryInitialMs: 20, retryMaxMs: 100 });
    cleanups.push(() => relay.stop());
    const events = numberedEvents(12);
    await store.enqueueEvents(events.slice(0, 6));
    relay.start();
    await until(() => flaky.requests >= 5, 'target refused several times');
    expect((await bus.health()).status).toBe('degraded');
    await store.enqueueEvents(events.slice(6));
    down = false;
    await until(async () => (await store.outboxDepth()) === 0, 'outbox drained');
    expect(flaky.events().map(eventNumber)).toEqual(events.map(eventNumber));
    expect(healthy.events().map(eventNumber)).toEqual(events.map(eventNumber));
    expect(flaky.received.every((r) => r.verdict === 'ok')).toBe(true);
    expect((await bus.health()).status).toBe('ok');
  });

  it('the webhook bus cannot be subscribed to (clear error)', async () => {
    const bus = new WebhookEventBus({ urls: [] });
    await expect(bus.subscribe()).rejects.toBeInstanceOf(BusUnsupportedError);
  });
});

describe('startWebhookDelivery (webhooks as bus consumers)', () => {
  it('each target consumes independently: a failing target retries without holding back the other', async () => {
    let down = true;
    const flaky = await receiver(() => (down ? 500 : 200));
    const healthy = await receiver();
    const bus = new InProcessEventBus({ retryInitialMs: 10, retryMaxMs: 50 });
    cleanups.push(() => bus.close());
    const delivery = await startWebhookDelivery(bus, {
      urls: [flaky.url, healthy.url],
      ...fast,
      maxAttempts: 1,
    });
    cleanups.push(() => delivery.close());
    const events = numberedEvents(5);
    for (const e of events) await bus.publish(e);
    await until(() => healthy.received.length === 5, 'healthy target served');
    expect(flaky.received).toHaveLength(0);
    expect(delivery.health().status).toBe('degraded');
    down = false;
    await until(() => flaky.received.length === 5, 'flaky target caught up');
    expect(flaky.events().map(eventNumber)).toEqual(events.map(eventNumber));
  });

  it('HOOKSCRIBE_WEBHOOK_EVENTS-style type filter: only the chosen types are posted, the rest acknowledged', async () => {
    const hook = await receiver();
    const bus = new InProcessEventBus();
    cleanups.push(() => bus.close());
    const delivery = await startWebhookDelivery(bus, {
      urls: [hook.url],
      ...fast,
      types: ['session_started', 'session_ended'],
    });
    cleanups.push(() => delivery.close());
    const events = sampleEvents();
    for (const e of events) await bus.publish(e);
    await until(() => hook.received.length === 2);
    await new Promise((r) => setTimeout(r, 100)); // nothing else arrives
    expect(hook.events().map((e) => e.type)).toEqual(['session_started', 'session_ended']);
    const direct = new WebhookEventBus({ urls: [hook.url], ...fast, types: ['assist_update'] });
    await direct.publish(events[1]!); // a partial: acknowledged without a POST
    expect(hook.received).toHaveLength(2);
    await direct.close();
  });

  it('internal commands between instances (secure_pause_requested) are never posted, whatever the filter', async () => {
    const hook = await receiver();
    const bus = new InProcessEventBus();
    cleanups.push(() => bus.close());
    const delivery = await startWebhookDelivery(bus, { urls: [hook.url], ...fast });
    cleanups.push(() => delivery.close());
    const events = samplePrivacyEvents();
    const of = (type: ConversationEvent['type']) => events.find((e) => e.type === type)!;
    await bus.publish(of('secure_pause_requested'));
    await bus.publish(of('data_deleted'));
    await until(() => hook.received.length === 1);
    await new Promise((r) => setTimeout(r, 100)); // nothing else arrives
    expect(hook.events().map((e) => e.type)).toEqual(['data_deleted']);
  });
});
