/**
 * The conversation REST + live API as one encapsulated fastify plugin:
 *   fastify.register(conversationApi, { store, recordings, live | bus, tokens })
 * Routes: see openapi.ts (served at /api/openapi.json) and docs/api.md.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConversationEvent, ConversationStore, EventBus } from '@hookscribe/conversations';
import { accessControl } from '../access/access-control.js';
import type { ApiTokens } from './api-auth.js';
import {
  ApiInputError,
  conversationIdParams,
  listConversationsQuery,
  listEventsQuery,
  liveQuery,
  parseInput,
  transcriptVersionParams,
} from './api-schemas.js';
import { parseRangeHeader } from './http-range.js';
import { LiveEventFeed } from './live-event-feed.js';
import { conversationApiOpenApi } from './openapi.js';
import { SseStream } from './sse-stream.js';
import './route-access.js'; // route config type: { access: { role, audit } }
import { registerAnalyticsRoutes, type AnalyticsStore } from './analytics-api.js';

/** What the recording route needs of a RecordingStore (structural, so any adapter fits). */
export interface RecordingReader {
  get(
    key: string,
    range?: { start: number; end?: number },
  ): Promise<{
    stream: NodeJS.ReadableStream & { destroy(): void };
    size: number;
    start: number;
    end: number;
    contentType: string;
  } | null>;
}

export interface ConversationApiOptions {
  store: Pick<
    ConversationStore,
    'getConversation' | 'listConversations' | 'listEvents' | 'getTranscriptVersion'
  > &
    AnalyticsStore;
  /** recordings (RecordingStore); without it the recording route answers 404 */
  recordings?: RecordingReader | null;
  /** the recording key of a conversation (default: its id) */
  recordingKey?: (conversation: { id: string; startedAt: string }) => string;
  /** live API source: a shared feed, or a bus from which the plugin builds (and owns) one */
  live?: LiveEventFeed;
  bus?: EventBus;
  /**
   * accepted API tokens, for an app that has not registered accessControl at its root (tests, embedding): the plugin
   * then registers it for its own routes. The server registers accessControl itself and these are ignored.
   */
  tokens?: ApiTokens | readonly string[];
  /** development only: no token needed when none is configured */
  allowAnonymous?: boolean;
  /** SSE heartbeat interval (default 15 000 ms) */
  heartbeatMs?: number;
  /** SSE bytes waiting for a slow client before it is dropped (default 1 MiB) */
  maxBufferedBytes?: number;
  /** ring of recent events kept for Last-Event-ID resume when the plugin builds the feed (default 5000) */
  ringSize?: number;
  onClientDropped?: () => void;
}

function problem(reply: FastifyReply, status: number, error: string, message: string, details?: unknown) {
  return reply
    .code(status)
    .type('application/json')
    .send(details ? { error, message, details } : { error, message });
}

export async function conversationApi(
  fastify: FastifyInstance,
  options: ConversationApiOptions,
): Promise<void> {
  if (!fastify.hasDecorator('hookscribeAccess')) {
    await fastify.register(accessControl, {
      tokens: options.tokens ?? [],
      allowAnonymous: options.allowAnonymous ?? false,
    });
  }
  const { store } = options;
  let feed = options.live ?? null;
  if (!feed && options.bus) {
    const owned = new LiveEventFeed({ bus: options.bus, ringSize: options.ringSize });
    await owned.start();
    fastify.addHook('onClose', async () => owned.stop());
    feed = owned;
  }
  const openSse = new Set<SseStream>();
  // preClose, not onClose: fastify.close() waits for in-flight requests before onClose, and a live stream never ends
  // by itself — a connected live-API client would keep a draining server from exiting
  fastify.addHook('preClose', async () => {
    for (const sse of openSse) sse.close();
  });

  fastify.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error instanceof ApiInputError)
      return problem(reply, 400, 'bad_request', error.message, error.details);
    if (error.name === 'StoreUnavailableError') {
      return problem(reply, 503, 'unavailable', 'the conversation store is unavailable; retry later');
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return problem(reply, error.statusCode, 'bad_request', error.message);
    }
    request.log.error({ err: error }, 'conversation API error');
    return problem(reply, 500, 'internal', 'internal error');
  });

  fastify.get('/api/openapi.json', { config: { access: { role: 'public' } } }, async () =>
    conversationApiOpenApi(),
  );

  fastify.get(
    '/api/conversations',
    { config: { access: { role: 'viewer', audit: 'list' } } },
    async (request) => {
      const q = parseInput(listConversationsQuery, request.query);
      return store.listConversations({
        state: q.state,
        from: q.from,
        to: q.to,
        text: q.q,
        ani: q.ani,
        cursor: q.cursor,
        limit: q.limit,
      });
    },
  );

  const getConversation = async (request: FastifyRequest, reply: FastifyReply) => {
    const { id } = parseInput(conversationIdParams, request.params);
    const conversation = await store.getConversation(id);
    if (!conversation) return problem(reply, 404, 'not_found', `conversation ${id} not found`);
    return conversation;
  };
  fastify.get(
    '/api/conversations/:id',
    { config: { access: { role: 'viewer', audit: 'read' } } },
    getConversation,
  );
  // the seed's URL
  fastify.get(
    '/api/conversation/:id',
    { config: { access: { role: 'viewer', audit: 'read' } } },
    getConversation,
  );

  // every stored transcript version: `transcript` above is the one search and analytics use
  fastify.get(
    '/api/conversations/:id/transcripts/:version',
    { config: { access: { role: 'viewer', audit: 'read' } } },
    async (request, reply) => {
      const { id, version } = parseInput(transcriptVersionParams, request.params);
      const segments = await store.getTranscriptVersion(id, version);
      if (!segments)
        return problem(reply, 404, 'not_found', `conversation ${id} has no ${version} transcript`);
      return { version, segments };
    },
  );

  fastify.get(
    '/api/conversations/:id/events',
    { config: { access: { role: 'viewer', audit: 'read' } } },
    async (request, reply) => {
      const { id } = parseInput(conversationIdParams, request.params);
      const q = parseInput(listEventsQuery, request.query);
      if (!(await store.getConversation(id)))
        return problem(reply, 404, 'not_found', `conversation ${id} not found`);
      const items = await store.listEvents(id, { after: q.after, limit: q.limit });
      return { items, nextAfter: items.length > 0 ? items[items.length - 1]!.seq : (q.after ?? null) };
    },
  );

  fastify.get(
    '/api/conversations/:id/recording',
    { config: { access: { role: 'supervisor', audit: 'play' } } },
    async (request, reply) => {
      const { id } = parseInput(conversationIdParams, request.params);
      const recordings = options.recordings;
      const conversation = await store.getConversation(id);
      if (!conversation) return problem(reply, 404, 'not_found', `conversation ${id} not found`);
      if (!recordings) return problem(reply, 404, 'not_found', 'recordings are not configured');
      const key = options.recordingKey?.(conversation) ?? id;
      let range = parseRangeHeader(request.headers.range);
      if (range.kind === 'invalid') range = { kind: 'none' }; // RFC 9110: an unparsable Range is ignored
      try {
        let read;
        if (range.kind === 'suffix') {
          const whole = await recordings.get(key);
          if (!whole) return problem(reply, 404, 'not_found', `no recording for conversation ${id}`);
          whole.stream.destroy();
          read = await recordings.get(key, { start: Math.max(0, whole.size - range.length) });
        } else {
          read = await recordings.get(
            key,
            range.kind === 'range' ? { start: range.start, end: range.end } : undefined,
          );
        }
        if (!read) return problem(reply, 404, 'not_found', `no recording for conversation ${id}`);
        reply
          .header('accept-ranges', 'bytes')
          .header('content-type', read.contentType)
          .header('content-length', String(read.end - read.start + 1))
          .header('content-disposition', `inline; filename="${id}.wav"`);
        if (range.kind !== 'none')
          reply.code(206).header('content-range', `bytes ${read.start}-${read.end}/${read.size}`);
        return reply.send(read.stream);
      } catch (error) {
        const e = error as Error & { size?: number };
        if (e.name === 'RecordingRangeError') {
          reply.header('content-range', `bytes */${e.size ?? '*'}`);
          return problem(reply, 416, 'range_not_satisfiable', e.message);
        }
        throw error;
      }
    },
  );

  registerAnalyticsRoutes(fastify, store);

  const serveLive = async (request: FastifyRequest, reply: FastifyReply, conversationId: string | null) => {
    const q = parseInput(liveQuery, request.query);
    if (!feed) return problem(reply, 503, 'unavailable', 'the live API needs an event bus');
    const liveFeed = feed;
    const lastEventId = (request.headers['last-event-id'] as string | undefined) ?? q.lastEventId;
    const matches = (e: ConversationEvent) =>
      (conversationId === null || e.conversationId === conversationId) &&
      (!q.types || q.types.includes(e.type));

    reply.hijack();
    const sse = new SseStream(reply.raw, {
      heartbeatMs: options.heartbeatMs ?? 15_000,
      maxBufferedBytes: options.maxBufferedBytes ?? 1024 * 1024,
      onDropped: () => {
        request.log.warn({ conversationId }, 'live API: slow client dropped');
        options.onClientDropped?.();
      },
    });
    openSse.add(sse);
    // ids sent during the replay, so live events held meanwhile are not sent twice; dropped once live
    let replayed: Set<string> | null = new Set<string>();
    const send = (e: ConversationEvent) => {
      if (replayed) {
        if (replayed.has(e.eventId)) return;
        replayed.add(e.eventId);
      }
      sse.sendEvent(e);
    };
    // Listen first and hold live events back while replaying, so nothing falls between replay and live.
    let held: ConversationEvent[] | null = [];
    const unlisten = liveFeed.listen((e) => {
      if (!matches(e)) return;
      if (held) held.push(e);
      else send(e);
    });
    sse.onClose(() => {
      unlisten();
      openSse.delete(sse);
    });

    if (lastEventId) {
      let replay = liveFeed.after(lastEventId);
      if (!replay && conversationId !== null) {
        // Not in this instance's ring: the store's event log of the conversation has it (if it was stored).
        try {
          const stored = (await store.listEvents(conversationId, { limit: 5000 })).map((s) => s.event);
          const index = stored.findIndex((e) => e.eventId === lastEventId);
          if (index >= 0) replay = stored.slice(index + 1);
        } catch (error) {
          // store down: the stream itself still works; the client is told to resync
          request.log.warn({ err: error }, 'live API: event log unavailable for resume');
        }
      }
      if (replay) {
        for (const e of replay) if (matches(e)) send(e);
      } else {
        sse.sendControl('resync', {
          reason: 'Last-Event-ID is no longer available; reload over the REST API',
        });
      }
    }
    const pending = held;
    held = null;
    for (const e of pending) send(e);
    replayed = null;
  };

  // no automatic HEAD routes: a HEAD must not open a stream
  fastify.get(
    '/api/live',
    { exposeHeadRoute: false, config: { access: { role: 'supervisor' } } },
    (request, reply) => serveLive(request, reply, null),
  );
  fastify.get(
    '/api/conversations/:id/live',
    { exposeHeadRoute: false, config: { access: { role: 'viewer', audit: 'read' } } },
    async (request, reply) => {
      const { id } = parseInput(conversationIdParams, request.params);
      return serveLive(request, reply, id);
    },
  );
}
