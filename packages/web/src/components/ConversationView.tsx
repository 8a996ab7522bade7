import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../api/api-client.js';
import type { AssistResult, CallMetrics, ConversationEvent, ConversationSummary } from '../api/types.js';
import { applyAssist, EMPTY_ASSIST, type AssistView } from '../lib/assist-model.js';
import { applySegment, applySegments, inStreamOrder, type TranscriptModel } from '../lib/transcript-model.js';
import { useLiveEvents } from '../lib/use-live-events.js';
import { useNow } from '../lib/use-now.js';
import { AssistPanel } from './AssistPanel.js';
import { CallShape } from './CallShape.js';
import { CallHeader } from './CallHeader.js';
import { TranscriptLanes } from './TranscriptLanes.js';

export interface ConversationViewProps {
  api: ApiClient;
  id: string;
  onBack: () => void;
  onOpenHistory: (id: string) => void;
  /** compact, inside Genesys Cloud's interaction panel: no navigation, no chart */
  embedded?: boolean;
}

/**
 * One call as it happens: the stored transcript and assist results over REST, then live events on top. Events that
 * arrive before the REST answer are held and applied after it; segments merge by id, so nothing is shown twice.
 */
export function ConversationView({
  api,
  id,
  onBack,
  onOpenHistory,
  embedded = false,
}: ConversationViewProps) {
  const [call, setCall] = useState<ConversationSummary | null>(null);
  const [transcript, setTranscript] = useState<TranscriptModel>(new Map());
  const [assist, setAssist] = useState<AssistView>(EMPTY_ASSIST);
  const [assistResults, setAssistResults] = useState<AssistResult[]>([]);
  const [metrics, setMetrics] = useState<CallMetrics | null>(null);
  const [error, setError] = useState<string | null>(null);
  const held = useRef<ConversationEvent[] | null>([]);
  const now = useNow(1000);

  const apply = useCallback((event: ConversationEvent) => {
    switch (event.type) {
      case 'session_started':
      case 'session_ended':
        setCall(event.data);
        break;
      case 'partial_transcript':
      case 'transcript_available':
        setTranscript((model) => applySegment(model, event.data));
        break;
      case 'assist_update':
        setAssist((view) => applyAssist(view, event.data));
        setAssistResults((results) => [...results, event.data]);
        break;
      case 'call_metrics':
        setMetrics(event.data);
        break;
      case 'recording_available':
        setCall((c) => (c ? { ...c, recording: event.data.uri } : c));
        break;
    }
  }, []);

  const load = useCallback(async () => {
    held.current = held.current ?? [];
    try {
      const detail = await api.getConversation(id);
      const { transcript: segments, assist: results, ...summary } = detail;
      setCall(summary);
      setTranscript((model) => applySegments(model, segments));
      setAssist(results.reduce((view, r) => applyAssist(view, r.result), EMPTY_ASSIST));
      setAssistResults(results.map((r) => r.result));
      setError(null);
      // secondary: without them the chart waits for the next call_metrics event
      api.getMetrics(id).then(
        (stored) => setMetrics((current) => current ?? stored),
        () => undefined,
      );
    } catch (err) {
      setError((err as Error).message);
    } finally {
      const pending = held.current ?? [];
      held.current = null;
      for (const event of pending) apply(event);
    }
  }, [api, id, apply]);

  useEffect(() => {
    setCall(null);
    setTranscript(new Map());
    setAssist(EMPTY_ASSIST);
    setAssistResults([]);
    setMetrics(null);
    held.current = [];
    void load();
  }, [load]);

  useLiveEvents(api.liveUrl(id), {
    onEvent: (event) => {
      if (held.current) held.current.push(event);
      else apply(event);
    },
    onResync: () => void load(),
    onFailed: () => void load(),
  });

  const segments = inStreamOrder(transcript);
  return (
    <section className={`conversation${embedded ? ' embedded' : ''}`} aria-labelledby="conversation-title">
      <header className="section-header">
        {!embedded && (
          <button type="button" className="link" onClick={onBack}>
            ← Live calls
          </button>
        )}
        <h2 id="conversation-title">Call {call ? '' : id}</h2>
        {!embedded && call && call.state !== 'active' && (
          <button type="button" onClick={() => onOpenHistory(id)}>
            Open recording
          </button>
        )}
      </header>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {call && <CallHeader call={call} now={now} />}
      {!embedded && <CallShape metrics={metrics} segments={segments} assist={assistResults} />}
      <div className="conversation-body">
        <TranscriptLanes segments={segments} follow />
        <AssistPanel assist={assist} />
      </div>
    </section>
  );
}
