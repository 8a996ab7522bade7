/**
 * TranscriptRedactor: the PII redaction stage applied to every TranscriptSegment (partial and final) before it is
 * stored or published. Each PII span of words becomes one word `[redacted:<kind>]` flagged `redacted: true` that keeps
 * the span's timing; the text is redacted the same way on its own tokens (it may be formatted differently from the
 * words) so neither can leak. Configured by HOOKSCRIBE_REDACT (default "card").
 */
import type { TranscriptSegment, TranscriptWord } from '../events.js';
import { detectPii, type PiiSpan, type RedactionKind } from './pii-detector.js';

export type { RedactionKind } from './pii-detector.js';

export const REDACTION_KINDS: readonly RedactionKind[] = ['card', 'ssn', 'email', 'phone'];
export const DEFAULT_REDACTION: readonly RedactionKind[] = ['card'];

/**
 * Parse HOOKSCRIBE_REDACT: comma-separated kinds; unset = card only; "none" or "" = off.
 * Unknown kinds are a clear configuration error.
 */
export function parseRedactionKinds(value: string | undefined): RedactionKind[] {
  if (value === undefined) return [...DEFAULT_REDACTION];
  const items = value
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter(Boolean);
  if (items.length === 0 || (items.length === 1 && items[0] === 'none')) return [];
  const unknown = items.filter((item) => !REDACTION_KINDS.includes(item as RedactionKind));
  if (unknown.length > 0)
    throw new Error(
      `HOOKSCRIBE_REDACT: unknown kind(s) ${unknown.join(', ')}; use ${REDACTION_KINDS.join(',')} or none`,
    );
  return [...new Set(items as RedactionKind[])];
}

export function redactionMarker(kind: RedactionKind): string {
  return `[redacted:${kind}]`;
}

export interface RedactionOutcome {
  segment: TranscriptSegment;
  /** kinds found, one entry per redacted span (words and text together, deduplicated by kind) */
  kinds: RedactionKind[];
}

export class TranscriptRedactor {
  private readonly kinds: ReadonlySet<RedactionKind>;

  constructor(kinds: readonly RedactionKind[] = DEFAULT_REDACTION) {
    this.kinds = new Set(kinds);
  }

  get enabled(): readonly RedactionKind[] {
    return [...this.kinds];
  }

  /** A new segment with PII replaced; the input is not modified. */
  redact(segment: TranscriptSegment): RedactionOutcome {
    if (this.kinds.size === 0) return { segment, kinds: [] };
    const options = { kinds: this.kinds, incomplete: !segment.isFinal };
    const wordSpans = detectPii(
      segment.words.map((word) => word.text),
      options,
    );
    const textTokens = segment.text.split(/\s+/).filter(Boolean);
    const textSpans = detectPii(textTokens, options);
    if (wordSpans.length === 0 && textSpans.length === 0) return { segment, kinds: [] };
    return {
      segment: {
        ...segment,
        words: replaceWords(segment.words, wordSpans),
        text: replaceTokens(textTokens, textSpans).join(' '),
      },
      kinds: [...new Set([...wordSpans, ...textSpans].map((span) => span.kind))],
    };
  }
}

function replaceWords(words: TranscriptWord[], spans: PiiSpan[]): TranscriptWord[] {
  const out: TranscriptWord[] = [];
  let index = 0;
  for (const span of spans) {
    out.push(...words.slice(index, span.start));
    const first = words[span.start]!;
    const last = words[span.end]!;
    const covered = words.slice(span.start, span.end + 1);
    out.push({
      text: redactionMarker(span.kind),
      offset: first.offset,
      duration: Math.max(0, last.offset + last.duration - first.offset),
      confidence: Math.min(...covered.map((word) => word.confidence)),
      redacted: true,
    });
    index = span.end + 1;
  }
  out.push(...words.slice(index));
  return out;
}

function replaceTokens(tokens: string[], spans: PiiSpan[]): string[] {
  const out: string[] = [];
  let index = 0;
  for (const span of spans) {
    out.push(...tokens.slice(index, span.start));
    // keep sentence punctuation that trailed the last redacted token
    const trailing = /[.,;:!?]+$/.exec(tokens[span.end]!)?.[0] ?? '';
    out.push(redactionMarker(span.kind) + trailing);
    index = span.end + 1;
  }
  out.push(...tokens.slice(index));
  return out;
}
