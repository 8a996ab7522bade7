/** `m:ss` (or `h:mm:ss`) for durations and playback positions. */
export function formatClock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = String(s % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** Elapsed time of a call from its ISO start to `now` (ms) or to its end. */
export function callDuration(startedAt: string, endedAt: string | null, now: number): string {
  const end = endedAt ? Date.parse(endedAt) : now;
  return formatClock((end - Date.parse(startedAt)) / 1000);
}

export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return d.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}
