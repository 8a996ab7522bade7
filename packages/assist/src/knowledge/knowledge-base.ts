/**
 * Full-text search over knowledge documents: BM25 ranking (MiniSearch) on Porter-stemmed, stop-word-free terms,
 * titles and tags weighted above body text.
 */
import MiniSearch from 'minisearch';
import { stemmer } from 'stemmer';
import { contentWords, isStopWord, sentences } from '../text/tokens.js';
import type { KnowledgeDocument } from './knowledge-document.js';

export interface KnowledgeHit {
  document: KnowledgeDocument;
  /** BM25 score (unbounded, comparable within one query) */
  score: number;
  /** 0 … 1 — score squashed for display and agentassist `confidence` */
  confidence: number;
  /** the passage that best matches the query */
  excerpt: string;
}

export interface KnowledgeSearchOptions {
  limit?: number;
  /**
   * a hit must share at least this many distinct (stemmed) terms with the query — one shared word ("account",
   * "card") is an incidental match. BM25 scores themselves depend on the size of the KB, so they are no threshold.
   * A one-term query needs one.
   */
  minMatchedTerms?: number;
}

export const DEFAULT_MIN_MATCHED_TERMS = 2;
const MAX_EXCERPT = 300;
/** a hit scoring under this share of the best hit is dropped as an incidental match */
const RELATIVE_FLOOR = 0.25;

function processTerm(term: string): string | null {
  const t = term.toLowerCase().replace(/['’]/g, '');
  if (t.length < 2 || isStopWord(t)) return null;
  return stemmer(t);
}

export class KnowledgeBase {
  private readonly index: MiniSearch<KnowledgeDocument>;
  private readonly byId = new Map<string, KnowledgeDocument>();
  /** per document: plain-text paragraphs with their stemmed terms, computed on first use */
  private readonly passages = new Map<string, Passage[]>();

  constructor(readonly documents: readonly KnowledgeDocument[]) {
    this.index = new MiniSearch<KnowledgeDocument>({
      fields: ['title', 'body', 'tagText'],
      extractField: (doc, field) =>
        field === 'tagText'
          ? doc.tags.join(' ')
          : String((doc as unknown as Record<string, unknown>)[field] ?? ''),
      processTerm,
      searchOptions: { boost: { title: 2, tagText: 2 }, combineWith: 'OR' },
    });
    const unique = documents.filter((d) => !this.byId.has(d.id) && this.byId.set(d.id, d));
    this.index.addAll(unique);
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): KnowledgeDocument | undefined {
    return this.byId.get(id);
  }

  search(query: string, options: KnowledgeSearchOptions = {}): KnowledgeHit[] {
    const { limit = 3 } = options;
    if (this.byId.size === 0 || contentWords(query).length === 0) return [];
    const queryTerms = new Set(contentWords(query).map((w) => stemmer(w)));
    const minTerms = Math.min(options.minMatchedTerms ?? DEFAULT_MIN_MATCHED_TERMS, queryTerms.size);
    const results = this.index.search(query).filter((r) => new Set(r.queryTerms).size >= minTerms);
    const top = results[0]?.score ?? 0;
    if (top <= 0) return [];
    const topConfidence = squash(top);
    return results
      .filter((r) => r.score >= top * RELATIVE_FLOOR)
      .slice(0, limit)
      .flatMap((r) => {
        const document = this.byId.get(String(r.id));
        if (!document) return [];
        const confidence = Math.round(topConfidence * (r.score / top) * 1000) / 1000;
        return [{ document, score: r.score, confidence, excerpt: this.bestPassage(document, queryTerms) }];
      });
  }

  /** The paragraph of the body sharing most stemmed terms with the query, cut to whole sentences. */
  private bestPassage(doc: KnowledgeDocument, queryTerms: ReadonlySet<string>): string {
    let passages = this.passages.get(doc.id);
    if (!passages) {
      passages = doc.body
        .split(/\n\s*\n/)
        .map((p) => plainText(p))
        .filter(Boolean)
        .map((text) => ({ text, terms: contentWords(text).map((w) => stemmer(w)) }));
      this.passages.set(doc.id, passages);
    }
    let best = passages[0]?.text ?? '';
    let bestHits = -1;
    for (const p of passages) {
      const hits = p.terms.filter((t) => queryTerms.has(t)).length;
      if (hits > bestHits) {
        best = p.text;
        bestHits = hits;
      }
    }
    if (best.length <= MAX_EXCERPT) return best;
    let out = '';
    for (const s of sentences(best)) {
      if (out.length + s.length + 1 > MAX_EXCERPT) break;
      out = out ? `${out} ${s}` : s;
    }
    return out || `${best.slice(0, MAX_EXCERPT - 1)}…`;
  }
}

interface Passage {
  text: string;
  terms: string[];
}

function squash(score: number): number {
  return score / (score + 10);
}

/** Markdown paragraph → plain text (list markers, emphasis, code ticks and link syntax removed). */
function plainText(markdown: string): string {
  return markdown
    .replace(/^[#>*\-+\s]+/gm, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|`)/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
