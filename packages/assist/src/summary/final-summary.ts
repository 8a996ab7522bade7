/** End-of-call summary: the rolling summary, how the call ended, and next steps (agent commitments + call reason). */
import type { Role } from '@hookscribe/conversations';
import { normalizeSpace, sentences } from '../text/tokens.js';
import type { RollingSummary } from './extractive-summarizer.js';

const COMMITMENT =
  /\b(i will|i'll|we will|we'll|you will (?:receive|get|see)|you'll (?:receive|get|see)|within \d+|by (?:monday|tuesday|wednesday|thursday|friday|tomorrow|the end of)|next (?:week|bill|invoice|month)|call you back|follow up)\b/i;
const MAX_NEXT_STEPS = 5;

export interface FinalSummaryInput {
  summary: RollingSummary;
  turns: readonly { role: Role; text: string }[];
  /** the customer's sentiment at the end of the call */
  closingSentiment: 'negative' | 'neutral' | 'positive' | null;
  alertRules: readonly string[];
}

export interface FinalSummary {
  text: string;
  nextSteps: string[];
}

export function finalSummary(input: FinalSummaryInput): FinalSummary {
  const { summary, turns, closingSentiment, alertRules } = input;
  if (turns.length === 0) return { text: 'No speech was transcribed in this call.', nextSteps: [] };

  const nextSteps: string[] = [];
  for (const t of turns) {
    if (t.role !== 'agent') continue;
    for (const s of sentences(t.text)) {
      const step = normalizeSpace(s);
      if (COMMITMENT.test(step) && !nextSteps.includes(step)) nextSteps.push(step);
    }
  }
  const steps = nextSteps.slice(-MAX_NEXT_STEPS);
  if (summary.intent) steps.push(summary.intent.followUp);
  if (alertRules.includes('escalation'))
    steps.push('A supervisor should call the customer back about their escalation request.');

  const closing = closingSentiment ? ` The customer sounded ${closingSentiment} at the end of the call.` : '';
  const alerts = alertRules.length > 0 ? ` Alerts raised: ${alertRules.join(', ')}.` : '';
  return { text: `${summary.text}${closing}${alerts}`.trim(), nextSteps: steps };
}
