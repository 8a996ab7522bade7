/**
 * What the timeline chart draws besides the stored metrics: sentiment points and alert markers placed on the stream
 * timeline by the segment they refer to. Pure, from the conversation's assist results and transcript.
 */
import type { AssistResult, TranscriptSegment } from '../api/types.js';

export interface SentimentPoint {
  /** seconds on the stream timeline (end of the scored utterance) */
  at: number;
  score: number;
  label: 'negative' | 'neutral' | 'positive';
}

export interface AlertMark {
  id: string;
  at: number;
  rule: string;
  severity: 'info' | 'warning' | 'critical';
  text: string;
}

export interface CallShapeMarks {
  sentiment: SentimentPoint[];
  alerts: AlertMark[];
}

/** Customer sentiment per scored utterance (the line), and every alert once at the utterance that raised it. */
export function callShapeMarks(
  segments: readonly TranscriptSegment[],
  results: readonly AssistResult[],
): CallShapeMarks {
  const byId = new Map(segments.map((segment) => [segment.id, segment]));
  const sentiment = new Map<string, SentimentPoint>();
  const alerts = new Map<string, AlertMark>();
  for (const result of results) {
    const scored = result.sentiment;
    const segment = scored ? byId.get(scored.segmentId) : undefined;
    if (scored && segment && scored.role === 'customer')
      sentiment.set(scored.segmentId, {
        at: segment.offset + segment.duration,
        score: scored.score,
        label: scored.label,
      });
    for (const alert of result.alerts ?? []) {
      if (alerts.has(alert.id)) continue;
      const at = byId.get(alert.segmentId);
      if (at)
        alerts.set(alert.id, {
          id: alert.id,
          at: at.offset,
          rule: alert.rule,
          severity: alert.severity,
          text: alert.text,
        });
    }
  }
  return {
    sentiment: [...sentiment.values()].sort((a, b) => a.at - b.at),
    alerts: [...alerts.values()].sort((a, b) => a.at - b.at),
  };
}
