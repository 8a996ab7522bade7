/**
 * Agent Assist entities for Transcription Connector sessions (digest §8.4, experimental in Genesys): turns final
 * utterances and AssistResult suggestions into `agentassist` entity data. Pure: ids and KB lookups are injected.
 * Use AgentAssistTracker to send each utterance and each suggestion once per session, as the reference asks.
 */
import { formatDuration, type AgentAssistEntityData, type ChannelName } from '@hookscribe/audiohook';
import type { AssistResult, Role, TranscriptSegment } from '@hookscribe/conversations';
import sanitizeHtml from 'sanitize-html';
import type { KnowledgeDocument } from '../knowledge/knowledge-document.js';

type Suggestion = NonNullable<AssistResult['suggestions']>[number];
type EntitySuggestion = NonNullable<AgentAssistEntityData['suggestions']>[number];

export const MAX_ANSWER_HTML = 2000;
export const MAX_EXCERPT = 500;
export const MAX_PLAIN = 300;

const ANSWER_HTML: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'b', 'strong', 'i', 'em', 'ul', 'ol', 'li', 'a', 'code'],
  allowedAttributes: { a: ['href'] },
  allowedSchemes: ['https', 'http', 'mailto'],
};

export interface AgentAssistInput {
  utterances?: readonly TranscriptSegment[];
  suggestions?: readonly Suggestion[];
  /** stream position (seconds) the suggestions relate to — usually the end of the last final */
  position?: number;
  /** language for utterances without one */
  language?: string;
}

export interface AgentAssistDeps {
  newId: () => string;
  /** KB document behind a suggestion id (decides faq vs article and supplies the answer) */
  lookup?: (suggestionId: string) => KnowledgeDocument | undefined;
}

export function roleChannel(role: Role): ChannelName {
  return role === 'customer' ? 'external' : 'internal';
}

/** Returns null when there is nothing to send. */
export function buildAgentAssistEntity(
  input: AgentAssistInput,
  deps: AgentAssistDeps,
): AgentAssistEntityData | null {
  const utterances = (input.utterances ?? [])
    .filter((u) => u.isFinal && u.text.trim().length > 0)
    .map((u) => ({
      id: deps.newId(),
      position: formatDuration(Math.max(0, u.offset)),
      duration: formatDuration(Math.max(0, u.duration)),
      text: plain(u.text, 2000),
      language: u.language || input.language || 'en-US',
      confidence: clamp01(u.confidence),
      channel: roleChannel(u.role),
      isFinal: true,
    }));
  const position = input.position !== undefined ? formatDuration(Math.max(0, input.position)) : undefined;
  const suggestions = (input.suggestions ?? []).map((s) => suggestionEntity(s, deps, position));
  if (utterances.length === 0 && suggestions.length === 0) return null;
  const data: AgentAssistEntityData = { id: deps.newId() };
  if (utterances.length > 0) data.utterances = utterances;
  if (suggestions.length > 0) data.suggestions = suggestions;
  return data;
}

function suggestionEntity(
  s: Suggestion,
  deps: AgentAssistDeps,
  position: string | undefined,
): EntitySuggestion {
  const doc = deps.lookup?.(s.id);
  const base = { id: deps.newId(), confidence: clamp01(s.score), ...(position ? { position } : {}) };
  if (doc?.kind === 'faq')
    return { type: 'faq', ...base, question: plain(doc.title, MAX_PLAIN), answer: answerHtml(doc.body) };
  return {
    type: 'article',
    ...base,
    title: plain(s.title, MAX_PLAIN),
    excerpts: [plain(s.excerpt, MAX_EXCERPT)].filter(Boolean),
    documentUri: s.source,
    metadata: { kbId: s.id },
  };
}

/** Markdown-ish answer → limited, sanitised HTML: paragraphs, bold/italic, lists, links; bounded length. */
export function answerHtml(markdown: string): string {
  const blocks = markdown.trim().split(/\n\s*\n/);
  const html = blocks
    .map((block) => {
      const lines = block.split('\n');
      if (lines.every((l) => /^\s*[-*+]\s+/.test(l)))
        return `<ul>${lines.map((l) => `<li>${inline(l.replace(/^\s*[-*+]\s+/, ''))}</li>`).join('')}</ul>`;
      return `<p>${inline(lines.join(' '))}</p>`;
    })
    .join('');
  let clean = sanitizeHtml(html, ANSWER_HTML);
  if (clean.length > MAX_ANSWER_HTML) {
    // cut on a block boundary, then sanitise again so no tag is left open
    const cut = clean.lastIndexOf('</p>', MAX_ANSWER_HTML - 1);
    clean = sanitizeHtml(cut > 0 ? clean.slice(0, cut + 4) : clean.slice(0, MAX_ANSWER_HTML), ANSWER_HTML);
  }
  return clean;
}

/** Markdown emphasis and links → HTML; raw HTML is left for sanitize-html to keep (allow-listed) or drop. */
function inline(text: string): string {
  return text
    .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
    .replace(/(?<![*\w])\*(?!\s)(.+?)\*(?![*\w])/g, '<em>$1</em>')
    .replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, '<a href="$2">$1</a>');
}

/** Plain text: tags and Markdown emphasis removed, whitespace collapsed, bounded. */
function plain(text: string, max: number): string {
  const t = sanitizeHtml(text, { allowedTags: [], allowedAttributes: {} })
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/(\*\*|__|`)/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return t.length <= max ? t : `${t.slice(0, max - 1).trimEnd()}…`;
}

function clamp01(n: number): number {
  return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0;
}

/** Per-session memory of what was sent, so each utterance and each KB suggestion goes out once. */
export class AgentAssistTracker {
  private readonly sentUtterances = new Set<string>();
  private readonly sentSuggestions = new Set<string>();

  constructor(private readonly deps: AgentAssistDeps) {}

  /** Entity for what is new since the last call, or null when nothing is. */
  next(input: AgentAssistInput): AgentAssistEntityData | null {
    const utterances = (input.utterances ?? []).filter((u) => u.isFinal && !this.sentUtterances.has(u.id));
    const suggestions = (input.suggestions ?? []).filter((s) => !this.sentSuggestions.has(s.id));
    const data = buildAgentAssistEntity({ ...input, utterances, suggestions }, this.deps);
    if (data) {
      utterances.forEach((u) => this.sentUtterances.add(u.id));
      suggestions.forEach((s) => this.sentSuggestions.add(s.id));
    }
    return data;
  }
}
