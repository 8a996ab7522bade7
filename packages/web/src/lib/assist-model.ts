/**
 * Folds the stream of assist results into what the assist panel shows: the latest summary, sentiment and
 * suggestions, every alert once (by id), the final summary when the call has ended.
 */
import type { AssistResult } from '../api/types.js';

export interface AssistView {
  summary: AssistResult['summary'] | null;
  sentiment: AssistResult['sentiment'] | null;
  suggestions: NonNullable<AssistResult['suggestions']>;
  alerts: NonNullable<AssistResult['alerts']>;
  finalSummary: AssistResult['finalSummary'] | null;
  mode: AssistResult['mode'] | null;
}

export const EMPTY_ASSIST: AssistView = {
  summary: null,
  sentiment: null,
  suggestions: [],
  alerts: [],
  finalSummary: null,
  mode: null,
};

export function applyAssist(view: AssistView, result: AssistResult): AssistView {
  const alerts = [...view.alerts];
  for (const alert of result.alerts ?? []) if (!alerts.some((a) => a.id === alert.id)) alerts.push(alert);
  return {
    summary: result.summary ?? view.summary,
    sentiment: result.sentiment ?? view.sentiment,
    suggestions: result.suggestions ?? view.suggestions,
    alerts,
    finalSummary: result.finalSummary ?? view.finalSummary,
    mode: result.mode,
  };
}

export function hasAssist(view: AssistView): boolean {
  return Boolean(
    view.summary || view.sentiment || view.suggestions.length || view.alerts.length || view.finalSummary,
  );
}
