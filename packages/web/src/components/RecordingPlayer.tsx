import type { RecordingState } from '../lib/use-recording.js';
import { formatClock } from '../lib/time-format.js';

/** Play/pause, a seek slider and the position; the transcript next to it highlights the word being played. */
export function RecordingPlayer({ recording }: { recording: RecordingState }) {
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
    </div>
  );
}
