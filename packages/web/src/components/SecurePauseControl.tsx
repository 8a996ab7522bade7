import { useState } from 'react';
import { ApiError, type ApiClient } from '../api/api-client.js';
import { formatClock } from '../lib/time-format.js';
import type { PauseSpan } from '../lib/pause-spans.js';

/**
 * The secure pause button of a live call (before card details are read out): Genesys stops streaming the audio,
 * so it never reaches hookscribe; "Resume" (or the server's time limit) starts it again. The state shown follows
 * the call's stream_paused / stream_resumed events, i.e. what Genesys actually did.
 */
export function SecurePauseControl({
  api,
  id,
  pauses,
}: {
  api: ApiClient;
  id: string;
  pauses: readonly PauseSpan[];
}) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [autoResumeAt, setAutoResumeAt] = useState<string | null>(null);
  const open = pauses.find((span) => span.end === null) ?? null;

  const request = async (pause: boolean) => {
    setBusy(true);
    setMessage(null);
    try {
      const state = await api.securePause(id, pause);
      setAutoResumeAt(state.autoResumeAt);
      setMessage(pause ? 'Pause requested…' : 'Resume requested…');
    } catch (error) {
      const status = error instanceof ApiError ? error.status : 0;
      setMessage(status === 403 ? 'Secure pause needs the supervisor role.' : (error as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="secure-pause" role="group" aria-label="Secure pause">
      {open ? (
        <>
          <span className="pause-state paused" data-secure={open.secure}>
            ⏸ {open.secure ? 'Secure pause' : 'Paused'} since {formatClock(open.start)}
            {open.secure && autoResumeAt && ` · resumes by ${new Date(autoResumeAt).toLocaleTimeString()}`}
          </span>
          <button type="button" disabled={busy} onClick={() => void request(false)}>
            Resume recording
          </button>
        </>
      ) : (
        <button
          type="button"
          className="primary"
          disabled={busy}
          onClick={() => void request(true)}
          title="Stops the audio at Genesys (e.g. while card details are given); nothing is recorded or transcribed"
        >
          Secure pause
        </button>
      )}
      {message && (
        <span className="muted" role="status">
          {message}
        </span>
      )}
    </div>
  );
}
