import { useEffect, useMemo, useState } from 'react';
import type { ApiClient } from '../api/api-client.js';
import type { CallMetrics, ConversationDetail } from '../api/types.js';
import { applyAssist, EMPTY_ASSIST } from '../lib/assist-model.js';
import { pauseSpansOf, recordingGaps, type PauseSpan } from '../lib/pause-spans.js';
import { useRecording } from '../lib/use-recording.js';
import { recordingTimeOf, streamTimeOf } from '../lib/recording-timeline.js';
import { buildWordTimeline, wordAtTime } from '../lib/word-at-time.js';
import { AssistPanel } from './AssistPanel.js';
import { CallShape } from './CallShape.js';
import { TranscriptExports } from './TranscriptExports.js';
import { CallHeader } from './CallHeader.js';
import { PrivacyActions } from './PrivacyActions.js';
import { RecordingPlayer } from './RecordingPlayer.js';
import { TranscriptLanes } from './TranscriptLanes.js';

export interface HistoryDetailProps {
  api: ApiClient;
  id: string;
  onClose: () => void;
  /** the caller's role may play audio (supervisor and up); viewers see no player and nothing is fetched */
  canPlay?: boolean;
  /** the caller is an admin: legal hold and delete are offered */
  canAdminister?: boolean;
  /** the call was deleted (default: close the detail) */
  onDeleted?: () => void;
}

/** One past call: header, recording player and the transcript, whose words highlight and seek with playback. */
export function HistoryDetail({
  api,
  id,
  onClose,
  canPlay = true,
  canAdminister = true,
  onDeleted = onClose,
}: HistoryDetailProps) {
  const [detail, setDetail] = useState<ConversationDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pauses, setPauses] = useState<PauseSpan[]>([]);
  const [metrics, setMetrics] = useState<CallMetrics | null>(null);
  const recording = useRecording(api, canPlay ? id : null);

  useEffect(() => {
    api.getConversation(id).then(setDetail, (err: Error) => setError(err.message));
    api.listEvents(id).then(
      (events) => setPauses(pauseSpansOf(events)),
      () => setPauses([]),
    );
    api.getMetrics(id).then(setMetrics, () => setMetrics(null)); // secondary: the transcript still shows
  }, [api, id]);

  const segments = detail?.transcript ?? [];
  const timeline = useMemo(() => buildWordTimeline(segments), [segments]);
  // words, chart and metrics are on the stream timeline; the recording lacks its paused and discarded spans
  const gaps = metrics?.timeline.gaps ?? [];
  const streamPosition = streamTimeOf(recording.position, gaps);
  const activeWord = recording.status === 'ready' ? wordAtTime(timeline, streamPosition) : null;
  const results = useMemo(() => (detail?.assist ?? []).map((r) => r.result), [detail]);
  const assist = useMemo(() => results.reduce(applyAssist, EMPTY_ASSIST), [results]);
  const seekAndPlay = (streamSeconds: number) => {
    recording.seek(recordingTimeOf(streamSeconds, gaps));
    if (!recording.playing) recording.play();
  };

  return (
    <article className="history-detail" aria-label="Call detail">
      <header className="section-header">
        <h3>Call</h3>
        <button type="button" className="link" onClick={onClose} aria-label="Close call detail">
          ✕
        </button>
      </header>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {detail && <CallHeader call={detail} now={Date.now()} />}
      {detail && canAdminister && (
        <PrivacyActions
          api={api}
          call={detail}
          onChanged={(held) =>
            setDetail({ ...detail, ...(held ? { legalHold: true } : { legalHold: undefined }) })
          }
          onDeleted={onDeleted}
        />
      )}
      {/* exports need the supervisor role, like playback */}
      {canPlay && <TranscriptExports api={api} id={id} />}
      {canPlay && <RecordingPlayer recording={recording} gaps={recordingGaps(pauses)} />}
      {detail?.recordingRedaction && (
        <p className="muted redaction-note" data-spans={detail.recordingRedaction.spans.length}>
          {detail.recordingRedaction.spans.length} redacted span
          {detail.recordingRedaction.spans.length === 1 ? '' : 's'}{' '}
          {detail.recordingRedaction.method === 'tone' ? 'toned over' : 'silenced'} in the recording
        </p>
      )}
      <CallShape
        metrics={metrics}
        segments={segments}
        assist={results}
        position={recording.status === 'ready' ? streamPosition : null}
        {...(recording.status === 'ready' ? { onSeek: seekAndPlay } : {})}
      />
      <div className="conversation-body">
        <TranscriptLanes
          segments={segments}
          pauses={pauses}
          activeWord={activeWord}
          {...(canPlay ? { onSeek: seekAndPlay } : {})}
        />
        <AssistPanel assist={assist} />
      </div>
    </article>
  );
}
