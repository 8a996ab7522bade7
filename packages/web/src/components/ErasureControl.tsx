import { useState } from 'react';
import { ApiError, type ApiClient } from '../api/api-client.js';

/**
 * Data-subject erasure from the history search (admin): once a caller number is searched for, every call of that
 * number can be erased — transcripts, assist results, recordings. Calls on legal hold are kept and counted.
 */
export function ErasureControl({
  api,
  ani,
  onErased,
}: {
  api: ApiClient;
  /** the caller number searched for (as sent to the API) */
  ani: string;
  onErased: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  const erase = async () => {
    if (
      !window.confirm(
        `Erase every call of ${ani} — transcripts, assist results and recordings? This cannot be undone.`,
      )
    )
      return;
    setBusy(true);
    setMessage(null);
    try {
      const report = await api.eraseCaller(ani);
      const kept = report.held.length > 0 ? `; ${report.held.length} kept on legal hold` : '';
      const live =
        (report.live ?? []).length > 0 ? `; ${report.live.length} still live, erase again after` : '';
      setMessage(
        `Erased ${report.erased.length} call${report.erased.length === 1 ? '' : 's'}${kept}${live}.`,
      );
      onErased();
    } catch (error) {
      const status = error instanceof ApiError ? error.status : 0;
      setMessage(status === 403 ? 'Erasure needs the admin role.' : (error as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="erasure" role="group" aria-label="Erasure">
      <button type="button" className="danger" disabled={busy} onClick={() => void erase()}>
        Erase all calls of {ani}…
      </button>
      {message && (
        <span className="muted" role="status">
          {message}
        </span>
      )}
    </div>
  );
}
