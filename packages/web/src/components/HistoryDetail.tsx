import { useEffect, useMemo, useState } from 'react';
import type { ApiClient } from '../api/api-client.js';
import type { CallMetrics, ConversationDetail } from '../api/types.js';
import { applyAssist, EMPTY_ASSIST } from '../lib/assist-model.js';
import { useRecording } from '../lib/use-recording.js';
import { recordingTimeOf, streamTimeOf } from '../lib/recording-timeline.js';
import { buildWordTimeline, wordAtTime } from '../lib/word-at-time.js';
import { AssistPanel } from './AssistPanel.js';
import { CallShape } from './CallShape.js';
import { TranscriptExports } from './TranscriptExports.js';
import { CallHeader } from './CallHeader.js';
import { RecordingPlayer } from './RecordingPlayer.js';
import { TranscriptLanes } from './TranscriptLanes.js';

export interface HistoryDetailProps {
  api: ApiClient;
  id: string;
  onClose: () => void;
  /** the caller's role may play audio (supervisor and up); viewers see no player and nothing is fetched */
  canPlay?: boolean;
}

/** One past call: header, recording player and the transcript, whose words highlight and seek with playback. */
export function HistoryDetail({ api, id, onClose, canPlay = true }: HistoryDetailProps) {
  const [detail, setDetail] = useState<ConversationDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [metrics, setMetrics] = useState<CallMetrics | null>(null);
  const recording = useRecording(api, canPlay ? id : null);

  useEffect(() => {
    api.getConversation(id).then(setDetail, (err: Error) => setError(err.message));
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
      {/* exports need the supervisor role, like playback */}
      {canPlay && <TranscriptExports api={api} id={id} />}
      {canPlay && <RecordingPlayer recording={recording} />}
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
          activeWord={activeWord}
          {...(canPlay ? { onSeek: seekAndPlay } : {})}
        />
        <AssistPanel assist={assist} />
      </div>
    </article>
  );
}
