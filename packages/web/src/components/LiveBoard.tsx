import { useCallback, useEffect, useState, type KeyboardEvent } from 'react';
import type { ApiClient } from '../api/api-client.js';
import type { AssistResult, ConversationEvent, ConversationSummary } from '../api/types.js';
import { maskAni } from '../lib/mask-ani.js';
import { callDuration } from '../lib/time-format.js';
import { useLiveEvents } from '../lib/use-live-events.js';
import { useNow } from '../lib/use-now.js';
import { SentimentBadge } from './SentimentBadge.js';

type Sentiment = NonNullable<AssistResult['sentiment']>;

export interface LiveBoardProps {
  api: ApiClient;
  onOpen: (id: string) => void;
}

/** Active calls: loaded over REST, then kept current by the live API (calls appear and leave without reload). */
export function LiveBoard({ api, onOpen }: LiveBoardProps) {
  const [calls, setCalls] = useState<ReadonlyMap<string, ConversationSummary>>(new Map());
  const [sentiments, setSentiments] = useState<ReadonlyMap<string, Sentiment>>(new Map());
  const [connected, setConnected] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const now = useNow(1000);

  const reload = useCallback(async () => {
    try {
      const page = await api.listConversations({ state: 'active', limit: 200 });
      setCalls((current) => {
        // keep calls that started while the page was loading
        const next = new Map(page.items.map((c) => [c.id, c]));
        for (const [id, call] of current) if (!next.has(id) && call.state === 'active') next.set(id, call);
        return next;
      });
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [api]);

  const onEvent = useCallback((event: ConversationEvent) => {
    switch (event.type) {
      case 'session_started':
        setCalls((current) => new Map(current).set(event.conversationId, event.data));
        break;
      case 'session_ended':
        setCalls((current) => {
          const next = new Map(current);
          next.delete(event.conversationId);
          return next;
        });
        break;
      case 'assist_update': {
        const sentiment = event.data.sentiment;
        if (sentiment) {
          setSentiments((current) => {
            const previous = current.get(event.conversationId);
            // the customer's mood is what a supervisor watches; an agent score only fills a gap
            if (previous?.role === 'customer' && sentiment.role !== 'customer') return current;
            return new Map(current).set(event.conversationId, sentiment);
          });
        }
        break;
      }
      default:
        break;
    }
  }, []);

  useLiveEvents(api.liveUrl(undefined, ['session_started', 'session_ended', 'assist_update']), {
    onEvent,
    onOpen: () => {
      setConnected(true);
      void reload();
    },
    onResync: () => void reload(),
    onFailed: () => {
      setConnected(false);
      void reload(); // surfaces a 401 as a return to the login
    },
  });

  useEffect(() => {
    void reload();
  }, [reload]);

  const rows = [...calls.values()].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
  const onKey = (id: string) => (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onOpen(id);
    }
  };

  return (
    <section className="board" aria-labelledby="board-title">
      <header className="section-header">
        <h2 id="board-title">
          Live calls <span className="count">{rows.length}</span>
        </h2>
        <span className={`live-dot ${connected ? 'on' : 'off'}`} role="status">
          {connected ? 'live' : 'connecting…'}
        </span>
      </header>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {rows.length === 0 ? (
        <p className="empty">No active calls. New calls appear here as they start.</p>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th scope="col">Duration</th>
              <th scope="col">Caller</th>
              <th scope="col">Queue / DNIS</th>
              <th scope="col">Language</th>
              <th scope="col">Sentiment</th>
              <th scope="col">Endpoint</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((call) => (
              <tr
                key={call.id}
                className="clickable"
                tabIndex={0}
                data-conversation-id={call.id}
                aria-label={`Open call from ${maskAni(call.ani)}`}
                onClick={() => onOpen(call.id)}
                onKeyDown={onKey(call.id)}
              >
                <td className="mono duration">{callDuration(call.startedAt, null, now)}</td>
                <td>
                  <span className="mono">{maskAni(call.ani)}</span>
                  {call.aniName && <span className="muted"> {call.aniName}</span>}
                </td>
                <td className="mono">{call.dnis.replace(/^tel:/, '') || '—'}</td>
                <td>{call.language ?? '—'}</td>
                <td>
                  <SentimentBadge sentiment={sentiments.get(call.id)} />
                </td>
                <td className="muted">{call.endpoint}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
