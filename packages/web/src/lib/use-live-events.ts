/**
 * Subscribes to an SSE stream of conversation events while mounted. EventSource reconnects by itself and sends
 * Last-Event-ID, so the server replays what was missed; a `resync` control event (the id fell out of the server's
 * ring) calls `onResync` so the caller reloads over REST. A stream that closes for good (e.g. 401 after the token
 * was revoked) calls `onFailed`.
 */
import { useEffect, useRef } from 'react';
import type { ConversationEvent } from '../api/types.js';

export const EVENT_TYPES = [
  'session_started',
  'partial_transcript',
  'transcript_available',
  'recording_available',
  'session_ended',
  'assist_update',
  'call_metrics',
] as const;

export interface LiveEventHandlers {
  onEvent: (event: ConversationEvent) => void;
  onOpen?: () => void;
  onResync?: () => void;
  onFailed?: () => void;
}

export function useLiveEvents(url: string | null, handlers: LiveEventHandlers): void {
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    if (!url || typeof EventSource === 'undefined') return;
    const source = new EventSource(url);
    const seen = new Set<string>();
    const onMessage = (message: MessageEvent<string>) => {
      const event = JSON.parse(message.data) as ConversationEvent;
      // delivery is at-least-once: dedupe on eventId
      if (seen.has(event.eventId)) return;
      seen.add(event.eventId);
      latest.current.onEvent(event);
    };
    for (const type of EVENT_TYPES) source.addEventListener(type, onMessage as EventListener);
    source.addEventListener('resync', () => latest.current.onResync?.());
    source.onopen = () => latest.current.onOpen?.();
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) latest.current.onFailed?.();
    };
    return () => source.close();
  }, [url]);
}
