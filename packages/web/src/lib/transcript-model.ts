/**
 * The transcript as the conversation view holds it: segments keyed by utterance id, so a partial is replaced in
 * place by later partials and finally by its final (same id). A final is never downgraded by a late partial.
 * Display order is stream order: by offset, then channel.
 */
import type { TranscriptSegment } from '../api/types.js';

export type TranscriptModel = ReadonlyMap<string, TranscriptSegment>;

export function applySegment(model: TranscriptModel, segment: TranscriptSegment): TranscriptModel {
  const existing = model.get(segment.id);
  if (existing?.isFinal && !segment.isFinal) return model;
  const next = new Map(model);
  next.set(segment.id, segment);
  return next;
}

export function applySegments(
  model: TranscriptModel,
  segments: readonly TranscriptSegment[],
): TranscriptModel {
  return segments.reduce(applySegment, model);
}

export function inStreamOrder(model: TranscriptModel): TranscriptSegment[] {
  return [...model.values()].sort((a, b) => a.offset - b.offset || a.channel - b.channel);
}
