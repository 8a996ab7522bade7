/**
 * ConversationAssistant: one conversation's assist, local engine plus (optionally) the LLM on a cadence.
 *
 * Every final gets an immediate local snapshot (returned — the caller publishes it). When the cadence fires, an LLM
 * request runs in the background; a valid answer is published as a `mode: 'llm'` snapshot and later snapshots keep
 * the LLM summary/suggestions. A failed, slow or garbage answer drops that overlay: snapshots are `mode: 'local'`
 * until the LLM answers well again. Nothing here ever makes the caller wait for the LLM.
 */
import type { AssistResult, TranscriptSegment } from '@hookscribe/conversations';
import { silentLogger, type AssistLogger } from '../assist-logger.js';
import type { KnowledgeHit } from '../knowledge/knowledge-base.js';
import type { LlmAssistant, LlmFinalResult, LlmRollingResult } from '../llm/llm-assistant.js';
import { LlmCadence } from '../llm/llm-cadence.js';
import type { AssistEngine, Suggestion } from './assist-engine.js';
import { isSupportedLanguage } from './language-support.js';

export type LlmOutcome =
  { kind: 'rolling' | 'final'; ok: true } | { kind: 'rolling' | 'final'; ok: false; error: Error };

export interface ConversationAssistantOptions {
  conversationId: string;
  engine: AssistEngine;
  /** null/undefined = local only */
  llm?: LlmAssistant | null;
  cadence?: LlmCadence;
  /** receives the LLM snapshots produced in the background */
  publish: (result: AssistResult) => void | Promise<void>;
  logger?: AssistLogger;
  onLlmOutcome?: (outcome: LlmOutcome) => void;
}

interface LlmOverlay {
  rolling: LlmRollingResult;
  candidates: readonly KnowledgeHit[];
}

export class ConversationAssistant {
  readonly conversationId: string;
  readonly engine: AssistEngine;
  private readonly llm: LlmAssistant | null;
  private readonly cadence: LlmCadence;
  private readonly logger: AssistLogger;
  private overlay: LlmOverlay | null = null;
  private llmFinal: LlmFinalResult | null = null;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: ConversationAssistantOptions) {
    this.conversationId = options.conversationId;
    this.engine = options.engine;
    this.llm = options.llm ?? null;
    this.cadence = options.cadence ?? new LlmCadence();
    this.logger = options.logger ?? silentLogger;
  }

  /** Local snapshot for this final (null if the segment changed nothing); may start an LLM request in the background. */
  onFinal(segment: TranscriptSegment): AssistResult | null {
    const local = this.engine.addFinal(segment);
    if (!local) return null;
    if (this.llm && isSupportedLanguage(segment.language) && this.cadence.onFinal() && this.llm.available) {
      this.cadence.started();
      this.track(this.runRolling(segment.language));
    }
    return this.compose(local);
  }

  /** Local end-of-call snapshot now; with an LLM, an LLM final summary follows in the background. */
  end(): AssistResult {
    const wasEnded = this.engine.isEnded;
    const local = this.engine.end();
    const turns = this.engine.transcript().filter((t) => t.supported);
    if (!wasEnded && this.llm && turns.length > 0)
      this.track(this.runFinal(turns.at(-1)?.language ?? 'en-US'));
    return this.compose(local);
  }

  /** Resolves when no LLM request of this conversation is outstanding. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  get llmBusy(): boolean {
    return this.pending.size > 0;
  }

  private compose(local: AssistResult): AssistResult {
    const result = { ...local };
    if (this.overlay) {
      result.mode = 'llm';
      result.summary = this.overlay.rolling.summary;
      const picked = this.overlay.rolling.suggestionIds
        .map((id) => this.overlay?.candidates.find((c) => c.document.id === id))
        .filter((h): h is KnowledgeHit => h !== undefined)
        .map(toSuggestion);
      if (picked.length > 0) result.suggestions = picked;
    }
    if (local.finalSummary && this.llmFinal) {
      result.mode = 'llm';
      result.finalSummary = this.llmFinal;
    }
    return result;
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async runRolling(language: string): Promise<void> {
    const llm = this.llm;
    if (!llm) return;
    const candidates = [...this.engine.currentKnowledgeHits()];
    const turns = this.engine.transcript().filter((t) => t.supported);
    try {
      const rolling = await llm.rolling(turns, candidates, language);
      this.options.onLlmOutcome?.({ kind: 'rolling', ok: true });
      if (this.engine.isEnded) return; // the final snapshot is out; a late rolling summary would only confuse
      this.overlay = { rolling, candidates };
      await this.options.publish(this.compose(this.engine.snapshot()));
    } catch (err) {
      this.overlay = null;
      this.options.onLlmOutcome?.({ kind: 'rolling', ok: false, error: err as Error });
      this.logger.warn(
        `assist ${this.conversationId}: LLM summary failed, using local mode: ${(err as Error).message}`,
      );
    } finally {
      this.cadence.finished();
    }
  }

  private async runFinal(language: string): Promise<void> {
    const llm = this.llm;
    if (!llm) return;
    try {
      this.llmFinal = await llm.final(
        this.engine.transcript().filter((t) => t.supported),
        language,
      );
      this.options.onLlmOutcome?.({ kind: 'final', ok: true });
      await this.options.publish(this.compose(this.engine.end()));
    } catch (err) {
      this.options.onLlmOutcome?.({ kind: 'final', ok: false, error: err as Error });
      this.logger.warn(
        `assist ${this.conversationId}: LLM final summary failed, the local one stands: ${(err as Error).message}`,
      );
    }
  }
}

function toSuggestion(hit: KnowledgeHit): Suggestion {
  return {
    id: hit.document.id,
    title: hit.document.title,
    excerpt: hit.excerpt,
    source: hit.document.uri,
    score: hit.confidence,
  };
}
