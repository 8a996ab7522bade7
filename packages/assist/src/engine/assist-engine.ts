/**
 * AssistEngine: the local (deterministic, no network) assistant for ONE conversation. Feed it final transcript
 * segments in any order; each accepted segment returns a full AssistResult snapshot (rolling summary, the turn's
 * sentiment with the call trend, current KB suggestions, every alert raised so far). `end()` adds the final summary.
 */
import type { AssistResult, Role, TranscriptSegment } from '@hookscribe/conversations';
import { AlertEvaluator, type Alert } from '../alerts/alert-evaluator.js';
import { compileAlertRules, defaultAlertRules, type CompiledAlertRule } from '../alerts/alert-rules.js';
import type { KnowledgeBase, KnowledgeHit } from '../knowledge/knowledge-base.js';
import { scoreTurn } from '../sentiment/sentiment-scorer.js';
import { sentimentTrend, type ScoredTurn } from '../sentiment/sentiment-trend.js';
import { summarize, type RollingSummary } from '../summary/extractive-summarizer.js';
import { finalSummary } from '../summary/final-summary.js';
import { contentWords } from '../text/tokens.js';
import { isSupportedLanguage, unsupportedLanguageText } from './language-support.js';

export type Suggestion = NonNullable<AssistResult['suggestions']>[number];

export interface AssistEngineOptions {
  knowledgeBase?: KnowledgeBase | null;
  /** compiled rules; default: the built-in rules */
  alertRules?: readonly CompiledAlertRule[];
  suggestionLimit?: number;
  /** turns kept for the summary; older ones drop off (bounded memory on very long calls) */
  maxTurns?: number;
  /** customer turns the KB query looks back over */
  queryTurns?: number;
  clock?: () => number;
}

export interface EngineTurn {
  segmentId: string;
  role: Role;
  text: string;
  offset: number;
  duration: number;
  language: string;
  supported: boolean;
  sentiment: { score: number; label: 'negative' | 'neutral' | 'positive' } | null;
}

let defaultRules: CompiledAlertRule[] | undefined;

export class AssistEngine {
  private readonly turns: EngineTurn[] = [];
  private readonly seen = new Set<string>();
  private readonly alerts: Alert[] = [];
  private readonly evaluator: AlertEvaluator;
  private readonly kb: KnowledgeBase | null;
  private readonly suggestionLimit: number;
  private readonly maxTurns: number;
  private readonly queryTurns: number;
  private readonly clock: () => number;
  private suggestions: Suggestion[] = [];
  private kbHits: KnowledgeHit[] = [];
  private lastTurn: EngineTurn | null = null;
  private ended: AssistResult | null = null;
  private language: string | null = null;
  private finalsAccepted = 0;
  /** bumped on every accepted turn; keys the summary cache */
  private version = 0;
  private summaryCache: { version: number; summary: RollingSummary } | null = null;
  lastActivityAt: number;

  constructor(options: AssistEngineOptions = {}) {
    this.kb = options.knowledgeBase ?? null;
    this.evaluator = new AlertEvaluator(
      options.alertRules ?? (defaultRules ??= compileAlertRules(defaultAlertRules())),
    );
    this.suggestionLimit = options.suggestionLimit ?? 3;
    this.maxTurns = options.maxTurns ?? 400;
    this.queryTurns = options.queryTurns ?? 2;
    this.clock = options.clock ?? Date.now;
    this.lastActivityAt = this.clock();
  }

  /** Number of distinct final segments accepted. */
  get finalCount(): number {
    return this.finalsAccepted;
  }

  get isEnded(): boolean {
    return this.ended !== null;
  }

  /** Turns currently held (oldest first, ordered by stream offset). */
  transcript(): readonly EngineTurn[] {
    return this.turns;
  }

  /** KB hits behind the current suggestions (the LLM mode hands them to the model as candidates). */
  currentKnowledgeHits(): readonly KnowledgeHit[] {
    return this.kbHits;
  }

  /**
   * Accepts a final segment. Returns the new snapshot, or null when the segment changes nothing: a partial, a
   * duplicate (same id — redelivery), blank text, or a segment after end().
   */
  addFinal(segment: TranscriptSegment): AssistResult | null {
    if (!segment.isFinal || this.ended || this.seen.has(segment.id)) return null;
    const text = segment.text.replace(/\s+/g, ' ').trim();
    if (text.length === 0) return null;
    this.seen.add(segment.id);
    this.finalsAccepted++;
    this.lastActivityAt = this.clock();

    const supported = isSupportedLanguage(segment.language);
    const turn: EngineTurn = {
      segmentId: segment.id,
      role: segment.role,
      text,
      offset: segment.offset,
      duration: segment.duration,
      language: segment.language,
      supported,
      sentiment: supported ? pickSentiment(scoreTurn(text)) : null,
    };
    this.insert(turn);
    this.lastTurn = turn;
    this.language = segment.language || this.language;

    this.alerts.push(
      ...this.evaluator.onTurn({
        segmentId: turn.segmentId,
        role: turn.role,
        text,
        endSeconds: turn.offset + turn.duration,
      }),
    );
    if (supported && turn.role === 'customer') this.refreshSuggestions();
    return this.snapshot();
  }

  /** Closes the conversation: end-of-call alerts and the final summary. Idempotent. */
  end(): AssistResult {
    if (this.ended) return this.ended;
    this.lastActivityAt = this.clock();
    this.alerts.push(...this.evaluator.onEnd(this.turns.at(-1)?.segmentId ?? null));
    const base = this.snapshot();
    const supportedTurns = this.turns.filter((t) => t.supported);
    const closing =
      [...supportedTurns].reverse().find((t) => t.role === 'customer')?.sentiment?.label ?? null;
    const final =
      !this.callSupported() && this.language
        ? { text: unsupportedLanguageText(this.language), nextSteps: [] }
        : finalSummary({
            summary: this.localSummary(),
            turns: supportedTurns,
            closingSentiment: closing,
            alertRules: this.alerts.map((a) => a.rule),
          });
    this.ended = { ...base, finalSummary: final };
    return this.ended;
  }

  /** The current full result (without the final summary until end()). */
  snapshot(): AssistResult {
    if (this.ended) return this.ended;
    const result: AssistResult = { mode: 'local', alerts: [...this.alerts] };
    if (!this.callSupported() && this.language) {
      result.summary = {
        issue: '',
        customerNeed: '',
        actions: [],
        text: unsupportedLanguageText(this.language),
      };
      result.suggestions = [];
      return result;
    }
    const s = this.localSummary();
    result.summary = {
      issue: s.issue,
      customerNeed: s.customerNeed,
      actions: s.actions,
      text: s.text,
      ...(s.intent ? { intent: s.intent.id } : {}),
    };
    result.suggestions = [...this.suggestions];
    const last = this.lastTurn;
    if (last?.sentiment) {
      const scored: ScoredTurn[] = this.turns.flatMap((t) =>
        t.sentiment ? [{ role: t.role, score: t.sentiment.score }] : [],
      );
      result.sentiment = {
        segmentId: last.segmentId,
        role: last.role,
        score: last.sentiment.score,
        label: last.sentiment.label,
        trend: sentimentTrend(scored),
      };
    }
    return result;
  }

  /** The local rolling summary of the supported-language turns (computed once per accepted turn). */
  localSummary(): RollingSummary {
    if (this.summaryCache?.version !== this.version)
      this.summaryCache = {
        version: this.version,
        summary: summarize(this.turns.filter((t) => t.supported)),
      };
    return this.summaryCache.summary;
  }

  /** A call is handled when its latest segment is in a supported language. */
  private callSupported(): boolean {
    return this.lastTurn?.supported ?? true;
  }

  private insert(turn: EngineTurn): void {
    let i = this.turns.length;
    while (i > 0 && (this.turns[i - 1]?.offset ?? 0) > turn.offset) i--;
    this.turns.splice(i, 0, turn);
    this.version++;
    if (this.turns.length > this.maxTurns) this.turns.splice(0, this.turns.length - this.maxTurns);
  }

  private refreshSuggestions(): void {
    if (!this.kb) return;
    const recent = this.turns
      .filter((t) => t.supported && t.role === 'customer')
      .slice(-this.queryTurns)
      .map((t) => t.text);
    // recent turns + the call reason (label and key sentence): keeps the main topic ranked while side issues come up
    const query = [...recent, this.localSummary().issue].join(' ');
    if (contentWords(query).length === 0) return;
    const hits = this.kb.search(query, { limit: this.suggestionLimit });
    // keep the previous suggestions when a turn ("yes, that's right") matches nothing
    if (hits.length === 0) return;
    this.kbHits = hits;
    this.suggestions = hits.map((h) => ({
      id: h.document.id,
      title: h.document.title,
      excerpt: h.excerpt,
      source: h.document.uri,
      score: h.confidence,
    }));
  }
}

function pickSentiment(s: ReturnType<typeof scoreTurn>): EngineTurn['sentiment'] {
  return { score: s.score, label: s.label };
}
