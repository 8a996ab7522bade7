/**
 * Event delivery configuration from the environment, and the wiring it implies:
 *   HOOKSCRIBE_BUS=inprocess|redis|eventhubs|webhook   (default inprocess)
 *   HOOKSCRIBE_REDIS_URL, HOOKSCRIBE_REDIS_STREAM       (redis)
 *   HOOKSCRIBE_EVENTHUBS_CONNECTION_STRING, HOOKSCRIBE_EVENTHUBS_NAME (eventhubs)
 *   HOOKSCRIBE_WEBHOOK_URLS (comma-separated), HOOKSCRIBE_WEBHOOK_SECRET, HOOKSCRIBE_WEBHOOK_TIMEOUT_MS,
 *   HOOKSCRIBE_WEBHOOK_EVENTS (comma-separated event types; default all)
 * With a subscribable bus, webhook URLs are served as bus consumers (one group per URL). HOOKSCRIBE_BUS=webhook makes
 * the webhooks THE bus (outbox → webhooks directly); nothing can subscribe then (no live API, no assist worker).
 */
import { z } from 'zod';
import type { ConversationEventType } from '../events.js';
import type { BusHealth, EventBus } from './event-bus.js';
import { EventHubsEventBus } from './event-hubs-event-bus.js';
import { InProcessEventBus } from './in-process-event-bus.js';
import { RedisStreamsEventBus } from './redis-streams-event-bus.js';
import { WebhookEventBus, startWebhookDelivery, type WebhookDelivery } from './webhook-event-bus.js';

const EVENT_TYPES = [
  'session_started',
  'partial_transcript',
  'transcript_available',
  'recording_available',
  'session_ended',
  'assist_update',
] as const satisfies readonly ConversationEventType[];

const urlList = z
  .string()
  .optional()
  .transform((s) =>
    (s ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.url({ protocol: /^https?$/, message: 'an http(s) URL' })));

const envSchema = z
  .object({
    HOOKSCRIBE_BUS: z.enum(['inprocess', 'redis', 'eventhubs', 'webhook']).default('inprocess'),
    HOOKSCRIBE_REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'redis://host:port or rediss://…')
      .optional(),
    HOOKSCRIBE_REDIS_STREAM: z.string().min(1).default('hookscribe:events'),
    HOOKSCRIBE_EVENTHUBS_CONNECTION_STRING: z.string().min(1).optional(),
    HOOKSCRIBE_EVENTHUBS_NAME: z.string().min(1).optional(),
    HOOKSCRIBE_WEBHOOK_URLS: urlList,
    HOOKSCRIBE_WEBHOOK_SECRET: z.string().min(16, 'at least 16 characters').optional(),
    HOOKSCRIBE_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    HOOKSCRIBE_WEBHOOK_EVENTS: z
      .string()
      .optional()
      .transform((s) =>
        (s ?? '')
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.enum(EVENT_TYPES))),
  })
  .superRefine((env, ctx) => {
    if (env.HOOKSCRIBE_BUS === 'redis' && !env.HOOKSCRIBE_REDIS_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['HOOKSCRIBE_REDIS_URL'],
        message: 'required when HOOKSCRIBE_BUS=redis',
      });
    }
    if (env.HOOKSCRIBE_BUS === 'eventhubs' && !env.HOOKSCRIBE_EVENTHUBS_CONNECTION_STRING) {
      ctx.addIssue({
        code: 'custom',
        path: ['HOOKSCRIBE_EVENTHUBS_CONNECTION_STRING'],
        message: 'required when HOOKSCRIBE_BUS=eventhubs',
      });
    }
    if (env.HOOKSCRIBE_BUS === 'webhook' && env.HOOKSCRIBE_WEBHOOK_URLS.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['HOOKSCRIBE_WEBHOOK_URLS'],
        message: 'required when HOOKSCRIBE_BUS=webhook',
      });
    }
    if (env.HOOKSCRIBE_WEBHOOK_URLS.length > 0 && !env.HOOKSCRIBE_WEBHOOK_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['HOOKSCRIBE_WEBHOOK_SECRET'],
        message: 'required with HOOKSCRIBE_WEBHOOK_URLS (receivers verify the HMAC signature)',
      });
    }
  });

export type EventDeliveryConfig = z.output<typeof envSchema>;

export class EventDeliveryConfigError extends Error {
  override name = 'EventDeliveryConfigError';
}

export function eventDeliveryConfigFromEnv(
  env: Record<string, string | undefined> = process.env,
): EventDeliveryConfig {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    throw new EventDeliveryConfigError(
      `event delivery configuration: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return result.data;
}

export interface EventDeliverySetup {
  /** publish here (the OutboxRelay does); subscribe here unless bus.name === 'webhook' */
  bus: EventBus;
  webhooks: WebhookDelivery | null;
  health(): Promise<BusHealth[]>;
  close(): Promise<void>;
}

export async function createEventDelivery(
  config: EventDeliveryConfig,
  onError?: (error: unknown, context: string) => void,
): Promise<EventDeliverySetup> {
  const webhookOptions = {
    urls: config.HOOKSCRIBE_WEBHOOK_URLS,
    secret: config.HOOKSCRIBE_WEBHOOK_SECRET,
    timeoutMs: config.HOOKSCRIBE_WEBHOOK_TIMEOUT_MS,
    types: config.HOOKSCRIBE_WEBHOOK_EVENTS,
    onError,
  };
  let bus: EventBus;
  switch (config.HOOKSCRIBE_BUS) {
    case 'redis':
      bus = new RedisStreamsEventBus({
        url: config.HOOKSCRIBE_REDIS_URL!,
        stream: config.HOOKSCRIBE_REDIS_STREAM,
        onError,
      });
      break;
    case 'eventhubs':
      bus = new EventHubsEventBus({
        connectionString: config.HOOKSCRIBE_EVENTHUBS_CONNECTION_STRING,
        eventHubName: config.HOOKSCRIBE_EVENTHUBS_NAME,
        onError,
      });
      break;
    case 'webhook':
      bus = new WebhookEventBus(webhookOptions);
      break;
    default:
      bus = new InProcessEventBus({ onHandlerError: (e) => onError?.(e, 'handler') });
  }
  const webhooks =
    config.HOOKSCRIBE_BUS !== 'webhook' && config.HOOKSCRIBE_WEBHOOK_URLS.length > 0
      ? await startWebhookDelivery(bus, webhookOptions)
      : null;
  return {
    bus,
    webhooks,
    async health() {
      return [await bus.health(), ...(webhooks ? [webhooks.health()] : [])];
    },
    async close() {
      await webhooks?.close();
      await bus.close();
    },
  };
}
