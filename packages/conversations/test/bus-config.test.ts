import { describe, expect, it } from 'vitest';
import {
  EventDeliveryConfigError,
  createEventDelivery,
  eventDeliveryConfigFromEnv,
} from '../src/bus/event-bus-config.js';

describe('event delivery configuration', () => {
  it('defaults to the in-process bus without webhooks', async () => {
    const config = eventDeliveryConfigFromEnv({});
    expect(config.HOOKSCRIBE_BUS).toBe('inprocess');
    const delivery = await createEventDelivery(config);
    expect(delivery.bus.name).toBe('inprocess');
    expect(delivery.webhooks).toBeNull();
    expect(await delivery.health()).toEqual([{ bus: 'inprocess', status: 'ok', detail: null }]);
    await delivery.close();
  });

  it('reads the webhook event type filter', () => {
    const config = eventDeliveryConfigFromEnv({
      HOOKSCRIBE_WEBHOOK_EVENTS: 'session_started, session_ended',
    });
    expect(config.HOOKSCRIBE_WEBHOOK_EVENTS).toEqual(['session_started', 'session_ended']);
    expect(eventDeliveryConfigFromEnv({}).HOOKSCRIBE_WEBHOOK_EVENTS).toEqual([]);
  });

  it('webhook URLs become bus consumers, one per URL', async () => {
    const config = eventDeliveryConfigFromEnv({
      HOOKSCRIBE_WEBHOOK_URLS: 'http://127.0.0.1:9/a, https://example.invalid/b',
      HOOKSCRIBE_WEBHOOK_SECRET: 'a-secret-of-16-chars',
    });
    const delivery = await createEventDelivery(config);
    expect(delivery.webhooks!.targets.map((t) => t.url)).toEqual([
      'http://127.0.0.1:9/a',
      'https://example.invalid/b',
    ]);
    await delivery.close();
  });

  it.each([
    [{ HOOKSCRIBE_BUS: 'kafka' }, /HOOKSCRIBE_BUS/],
    [{ HOOKSCRIBE_BUS: 'redis' }, /HOOKSCRIBE_REDIS_URL: required when HOOKSCRIBE_BUS=redis/],
    [{ HOOKSCRIBE_BUS: 'redis', HOOKSCRIBE_REDIS_URL: 'localhost:6379' }, /HOOKSCRIBE_REDIS_URL: redis:\/\//],
    [{ HOOKSCRIBE_BUS: 'eventhubs' }, /HOOKSCRIBE_EVENTHUBS_CONNECTION_STRING: required/],
    [{ HOOKSCRIBE_BUS: 'webhook' }, /HOOKSCRIBE_WEBHOOK_URLS: required/],
    [
      { HOOKSCRIBE_WEBHOOK_URLS: 'ftp://x/y', HOOKSCRIBE_WEBHOOK_SECRET: 'a-secret-of-16-chars' },
      /http\(s\) URL/,
    ],
    [{ HOOKSCRIBE_WEBHOOK_URLS: 'https://x/y' }, /HOOKSCRIBE_WEBHOOK_SECRET: required/],
    [{ HOOKSCRIBE_WEBHOOK_URLS: 'https://x/y', HOOKSCRIBE_WEBHOOK_SECRET: 'short' }, /at least 16/],
    [{ HOOKSCRIBE_WEBHOOK_EVENTS: 'session_ended,call_exploded' }, /HOOKSCRIBE_WEBHOOK_EVENTS/],
  ])('rejects %o with a message naming the variable', (env, message) => {
    expect(() => eventDeliveryConfigFromEnv(env)).toThrow(EventDeliveryConfigError);
    expect(() => eventDeliveryConfigFromEnv(env)).toThrow(message);
  });
});
