import { useEffect, useState } from 'react';
import type { ApiClient } from '../api/api-client.js';
import type { ConversationSummary } from '../api/types.js';
import { ConversationView } from './ConversationView.js';

/** How often the view asks which AudioHook session carries the Genesys conversation (cheap: an indexed lookup):
 * often until the call's audio arrives, then only to notice a newer session (transfer, reconnect). */
export const EMBED_POLL_MS = 3000;
export const EMBED_FOLLOW_POLL_MS = 10_000;

/** The session to show: the newest active one, else the newest. */
export function sessionToFollow(sessions: readonly ConversationSummary[]): ConversationSummary | null {
  return sessions.find((s) => s.state === 'active') ?? sessions[0] ?? null;
}

/**
 * The compact live view Genesys Cloud embeds in the agent's interaction panel, addressed by Genesys's conversation
 * id. It waits for the call's AudioHook session, shows its live lanes and assist suggestions, and moves to a newer
 * session of the same conversation when one starts (a transfer or reconnect opens a new session).
 */
export function EmbedView({ api, gcConversationId }: { api: ApiClient; gcConversationId: string }) {
  const [session, setSession] = useState<ConversationSummary | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const look = () => {
      api.findByGenesysId(gcConversationId).then(
        (sessions) => {
          if (cancelled) return;
          setError(null);
          const next = sessionToFollow(sessions);
          if (next) setSession((current) => (current?.id === next.id ? current : next));
          timer = setTimeout(look, next ? EMBED_FOLLOW_POLL_MS : EMBED_POLL_MS);
        },
        (err: Error) => {
          if (cancelled) return;
          setError(err.message);
          timer = setTimeout(look, EMBED_POLL_MS);
        },
      );
    };
    look();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [api, gcConversationId]);

  return (
    <div className="embed">
      {error && (
        <p className="error small" role="alert">
          {error}
        </p>
      )}
      {session ? (
        <ConversationView
          key={session.id}
          api={api}
          id={session.id}
          embedded
          onBack={() => undefined}
          onOpenHistory={() => undefined}
        />
      ) : (
        <p className="muted waiting" role="status">
          Waiting for this call's audio to reach hookscribe…
        </p>
      )}
    </div>
  );
}
