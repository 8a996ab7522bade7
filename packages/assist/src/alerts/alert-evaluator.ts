/**
 * Evaluates compiled alert rules against a conversation's final turns. Each rule fires at most once per
 * conversation; alert ids are `<rule>:<segmentId>` so a replay produces the same ids (consumers dedupe on them).
 */
import type { AssistResult, Role } from '@hookscribe/conversations';
import { normalizeSpace } from '../text/tokens.js';
import type { CompiledAlertRule } from './alert-rules.js';

export type Alert = NonNullable<AssistResult['alerts']>[number];

export interface AlertTurn {
  segmentId: string;
  role: Role;
  text: string;
  /** end of the turn on the stream timeline, seconds */
  endSeconds: number;
}

const QUOTE_CHARS = 120;

export class AlertEvaluator {
  private readonly fired = new Set<string>();
  /** `missing` rules whose phrase has been heard */
  private readonly satisfied = new Set<string>();

  constructor(private readonly rules: readonly CompiledAlertRule[]) {}

  /** New alerts raised by this turn. */
  onTurn(turn: AlertTurn): Alert[] {
    const alerts: Alert[] = [];
    for (const { rule, matcher } of this.rules) {
      if (this.fired.has(rule.id)) continue;
      const roleMatches = rule.role === 'any' || rule.role === turn.role;
      if (rule.type === 'match') {
        const m = roleMatches ? matcher.exec(turn.text) : null;
        if (m)
          alerts.push(
            this.fire(
              rule.id,
              rule.severity,
              `${rule.message} "${quote(turn.text, m.index)}"`,
              turn.segmentId,
            ),
          );
      } else {
        if (roleMatches && matcher.test(turn.text)) this.satisfied.add(rule.id);
        else if (
          !this.satisfied.has(rule.id) &&
          rule.withinSeconds !== undefined &&
          turn.endSeconds >= rule.withinSeconds
        )
          alerts.push(this.fire(rule.id, rule.severity, rule.message, turn.segmentId));
      }
    }
    return alerts;
  }

  /** At call end, `missing` rules still unmet fire (if anybody spoke at all). */
  onEnd(lastSegmentId: string | null): Alert[] {
    if (lastSegmentId === null) return [];
    const alerts: Alert[] = [];
    for (const { rule } of this.rules) {
      if (rule.type !== 'missing' || this.fired.has(rule.id) || this.satisfied.has(rule.id)) continue;
      alerts.push(this.fire(rule.id, rule.severity, rule.message, lastSegmentId));
    }
    return alerts;
  }

  private fire(rule: string, severity: Alert['severity'], text: string, segmentId: string): Alert {
    this.fired.add(rule);
    return { id: `${rule}:${segmentId}`, rule, severity, text, segmentId };
  }
}

/** A window of the turn around the match, for the alert text. */
function quote(text: string, at: number): string {
  const t = normalizeSpace(text);
  if (t.length <= QUOTE_CHARS) return t;
  const start = Math.max(0, Math.min(at - 30, t.length - QUOTE_CHARS));
  return `${start > 0 ? '…' : ''}${t.slice(start, start + QUOTE_CHARS).trim()}…`;
}
