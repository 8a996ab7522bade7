/**
 * LlmAssistant: turns the transcript (and local KB candidates) into prompts, calls the LlmClient, and validates the
 * JSON answer. Anything that is not the expected JSON is an LlmAnswerError — callers fall back to local results.
 * Suggestions are grounded: the model may only pick among the candidate KB articles it was shown.
 */
import type { Role } from '@hookscribe/conversations';
import { z } from 'zod';
import type { KnowledgeHit } from '../knowledge/knowledge-base.js';
import type { LlmClient } from './llm-client.js';
import { renderTemplate, type PromptTemplate, type PromptTemplates } from './prompt-templates.js';

export interface LlmTurn {
  role: Role;
  text: string;
}

export interface LlmRollingResult {
  summary: { issue: string; customerNeed: string; actions: string[]; text: string };
  /** candidate ids chosen by the model, best first */
  suggestionIds: string[];
}

export interface LlmFinalResult {
  text: string;
  nextSteps: string[];
}

export class LlmAnswerError extends Error {
  override name = 'LlmAnswerError';
}

const RollingAnswer = z.object({
  issue: z.string(),
  customerNeed: z.string(),
  actions: z.array(z.string()).max(20),
  summary: z.string().min(1),
  suggestions: z
    .array(z.union([z.object({ id: z.string() }).loose(), z.string()]))
    .max(10)
    .default([]),
});

const FinalAnswer = z.object({
  summary: z.string().min(1),
  nextSteps: z.array(z.string()).max(20),
});

export interface LlmAssistantOptions {
  client: LlmClient;
  templates: PromptTemplates;
  /** transcript characters sent per request — the most recent are kept (default 12 000) */
  maxTranscriptChars?: number;
  /** requests in flight across all conversations of this worker (default 4); over it a cadence tick is skipped */
  maxConcurrent?: number;
  maxTokens?: number;
}

export class LlmAssistant {
  private inFlight = 0;
  private readonly maxChars: number;
  private readonly maxConcurrent: number;

  constructor(private readonly options: LlmAssistantOptions) {
    this.maxChars = options.maxTranscriptChars ?? 12_000;
    this.maxConcurrent = options.maxConcurrent ?? 4;
  }

  get clientName(): string {
    return this.options.client.name;
  }

  /** True when another request may start now. */
  get available(): boolean {
    return this.inFlight < this.maxConcurrent;
  }

  async rolling(
    turns: readonly LlmTurn[],
    candidates: readonly KnowledgeHit[],
    language: string,
  ): Promise<LlmRollingResult> {
    const candidateText =
      candidates.length === 0
        ? '(none)'
        : candidates
            .map((c) => `- ${c.document.id} — ${c.document.title} — ${c.excerpt.slice(0, 240)}`)
            .join('\n');
    const answer = await this.ask(this.options.templates.summary, {
      transcript: this.transcript(turns),
      candidates: candidateText,
      language,
    });
    const parsed = RollingAnswer.safeParse(answer);
    if (!parsed.success)
      throw new LlmAnswerError(`summary answer has the wrong shape: ${z.prettifyError(parsed.error)}`);
    const known = new Set(candidates.map((c) => c.document.id));
    const ids = parsed.data.suggestions
      .map((s) => (typeof s === 'string' ? s : s.id))
      .filter((id) => known.has(id));
    const { issue, customerNeed, actions, summary } = parsed.data;
    return {
      summary: { issue, customerNeed, actions, text: summary },
      suggestionIds: [...new Set(ids)].slice(0, 3),
    };
  }

  async final(turns: readonly LlmTurn[], language: string): Promise<LlmFinalResult> {
    const answer = await this.ask(this.options.templates['final-summary'], {
      transcript: this.transcript(turns),
      language,
    });
    const parsed = FinalAnswer.safeParse(answer);
    if (!parsed.success)
      throw new LlmAnswerError(`final summary answer has the wrong shape: ${z.prettifyError(parsed.error)}`);
    return { text: parsed.data.summary, nextSteps: parsed.data.nextSteps };
  }

  private async ask(template: PromptTemplate, values: Record<string, string>): Promise<unknown> {
    this.inFlight++;
    try {
      const text = await this.options.client.complete({
        messages: [
          { role: 'system', content: renderTemplate(template.system, values) },
          { role: 'user', content: renderTemplate(template.user, values) },
        ],
        json: true,
        maxTokens: this.options.maxTokens ?? 600,
      });
      return parseJsonAnswer(text);
    } finally {
      this.inFlight--;
    }
  }

  /** "Customer: …" / "Agent: …" lines, trimmed from the front to the character budget. */
  private transcript(turns: readonly LlmTurn[]): string {
    const lines: string[] = [];
    let size = 0;
    for (let i = turns.length - 1; i >= 0; i--) {
      const t = turns[i];
      if (!t) continue;
      const line = `${t.role === 'customer' ? 'Customer' : 'Agent'}: ${t.text}`;
      if (size + line.length > this.maxChars && lines.length > 0) break;
      lines.unshift(line);
      size += line.length + 1;
    }
    return lines.join('\n');
  }
}

/** Models often wrap JSON in ``` fences or add a sentence around it: take the outermost {...}. */
export function parseJsonAnswer(text: string): unknown {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end < start)
    throw new LlmAnswerError(`answer contains no JSON object: ${text.slice(0, 120)}`);
  try {
    return JSON.parse(text.slice(start, end + 1));
  } catch (err) {
    throw new LlmAnswerError(`answer is not valid JSON (${(err as Error).message}): ${text.slice(0, 120)}`);
  }
}
