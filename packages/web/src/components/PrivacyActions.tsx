import { useState } from 'react';
import { ApiError, type ApiClient } from '../api/api-client.js';
import type { ConversationSummary } from '../api/types.js';

/**
 * Admin actions on a past call: place or release a legal hold (exempts it from retention and erasure) and delete it
 * everywhere (transcript, assist, events, recording). The server decides who may: other roles get a plain message.
 */
export function PrivacyActions({
  api,
  call,
  onChanged,
  onDeleted,
}: {
  api: ApiClient;
  call: ConversationSummary;
  onChanged: (held: boolean) => void;
  onDeleted: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const held = call.legalHold === true;

  const explain = (error: unknown): string => {
    const status = error instanceof ApiError ? error.status : 0;
    if (status === 403) return 'This needs the admin role.';
    // 409: on legal hold, or still live — the server's message says which
    return (error as Error).message;
  };

  const toggleHold = async () => {
    setBusy(true);
    setMessage(null);
    try {
      await api.setLegalHold(call.id, !held);
      onChanged(!held);
    } catch (error) {
      setMessage(explain(error));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (
      !window.confirm(
        'Delete this call everywhere — transcript, assist results and recording? This cannot be undone.',
      )
    )
      return;
    setBusy(true);
    setMessage(null);
    try {
      await api.deleteConversation(call.id);
      onDeleted();
    } catch (error) {
      setMessage(explain(error));
      setBusy(false);
    }
  };

  return (
    <div className="privacy-actions" role="group" aria-label="Retention">
      {held && <span className="legal-hold-badge">Legal hold</span>}
      <button type="button" disabled={busy} onClick={() => void toggleHold()}>
        {held ? 'Release legal hold' : 'Place legal hold'}
      </button>
      <button type="button" className="danger" disabled={busy || held} onClick={() => void remove()}>
        Delete call…
      </button>
      {message && (
        <span className="muted" role="status">
          {message}
        </span>
      )}
    </div>
  );
}
