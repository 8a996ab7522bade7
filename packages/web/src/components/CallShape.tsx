import { useMemo } from 'react';
import type { AssistResult, CallMetrics, TranscriptSegment } from '../api/types.js';
import { callShapeMarks } from '../lib/call-shape.js';
import { Scorecard } from './Scorecard.js';
import { TimelineChart } from './TimelineChart.js';

export interface CallShapeProps {
  metrics: CallMetrics | null;
  segments: readonly TranscriptSegment[];
  assist: readonly AssistResult[];
  position?: number | null;
  onSeek?: (seconds: number) => void;
}

/** The call's shape: the timeline chart and the scorecard, once the call has metrics. */
export function CallShape({ metrics, segments, assist, position, onSeek }: CallShapeProps) {
  const marks = useMemo(() => callShapeMarks(segments, assist), [segments, assist]);
  if (!metrics)
    return <p className="muted small call-shape">Call metrics follow the first final transcript.</p>;
  return (
    <section className="call-shape" aria-label="Call shape">
      <TimelineChart
        metrics={metrics}
        marks={marks}
        {...(position !== undefined ? { position } : {})}
        {...(onSeek ? { onSeek } : {})}
      />
      <Scorecard metrics={metrics} />
    </section>
  );
}
