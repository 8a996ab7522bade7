import type { RecordingState } from '../lib/use-recording.js';
import { formatClock } from '../lib/time-format.js';

/** A place in the recording where a pause left no audio (file seconds, and how long the pause was). */
export interface RecordingGap {
  at: number;
  seconds: number;
  secure: boolean;
}

/** Play/pause, a seek slider and the position; the transcript next to it highlights the word being played. */
export function RecordingPlayer({
  recording,
  gaps = [],
}: {
  recording: RecordingState;
  gaps?: readonly RecordingGap[];
}) {
  if (recording.status === 'loading') return <p className="muted player">Loading recording…</p>;
  if (recording.status === 'missing') return <p className="muted player">No recording for this call.</p>;
  if (recording.status === 'error') {
    return (
      <p className="error player" role="alert">
        Recording unavailable: {recording.error}
      </p>
    );
  }
  return (
    <div className="player" role="group" aria-label="Recording">
      <button
        type="button"
        className="primary play"
        onClick={recording.playing ? recording.pause : recording.play}
        aria-label={recording.playing ? 'Pause' : 'Play'}
      >
        {recording.playing ? '❚❚ Pause' : '▶ Play'}
      </button>
      <input
        type="range"
        min={0}
        max={recording.duration}
        step={0.1}
        value={recording.position}
        onChange={(e) => recording.seek(Number(e.target.value))}
        aria-label="Position"
      />
      <span className="mono position" data-position={recording.position.toFixed(2)}>
        {formatClock(recording.position)} / {formatClock(recording.duration)}
      </span>
      {gaps.length > 0 && (
        <ul className="recording-gaps" aria-label="Paused spans (not recorded)">
          {gaps.map((gap) => (
            <li key={gap.at} className={gap.secure ? 'secure' : undefined}>
              <button
                type="button"
                className="link"
                onClick={() => recording.seek(gap.at)}
                // a name of its own: "Pause" is the player's button
                aria-label={`Not recorded at ${formatClock(gap.at)}: ${Math.round(gap.seconds)} s${gap.secure ? ' (secure)' : ''}`}
              >
                ⏸ {gap.secure ? 'Secure pause' : 'Pause'} at {formatClock(gap.at)}: {Math.round(gap.seconds)}{' '}
                s not recorded
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
