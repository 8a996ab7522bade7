import type { ConversationSummary } from '../api/types.js';

const LABEL: Record<NonNullable<ConversationSummary['transcription']>['status'], string> = {
  live: 'live',
  pending: 'pending',
  working: 'transcribing recording',
  done: 'from recording',
  failed: 'failed',
};

/**
 * How the call's transcript came about: live, or pending / being transcribed / done from its recording after the
 * call (over live capacity, engine failure, restart). The reason is in the tooltip.
 */
export function TranscriptStatus({ call }: { call: ConversationSummary }) {
  const t = call.transcription;
  if (!t) return <span className="muted">—</span>;
  const label = t.status === 'done' && t.version === 'accurate' ? 'accurate pass' : LABEL[t.status];
  return (
    <span
      className={`transcript-status transcript-${t.status}`}
      title={t.reason ?? undefined}
      data-transcript-status={t.status}
    >
      {label}
    </span>
  );
}
