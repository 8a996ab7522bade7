/** Parse a single-range `Range: bytes=…` header (RFC 9110 §14.1.2). Multi-range requests are served whole (allowed). */
export type ParsedRange =
  | { kind: 'none' }
  | { kind: 'range'; start: number; end?: number }
  | { kind: 'suffix'; length: number }
  | { kind: 'invalid' };

export function parseRangeHeader(header: string | undefined): ParsedRange {
  if (header === undefined || header.trim() === '') return { kind: 'none' };
  const match = /^bytes=(.+)$/i.exec(header.trim());
  if (!match) return { kind: 'invalid' };
  const spec = match[1]!.trim();
  if (spec.includes(',')) return { kind: 'none' };
  const parts = /^(\d*)-(\d*)$/.exec(spec);
  if (!parts) return { kind: 'invalid' };
  const [, first, last] = parts;
  if (first === '' && last === '') return { kind: 'invalid' };
  if (first === '') {
    const length = Number(last);
    return length > 0 ? { kind: 'suffix', length } : { kind: 'invalid' };
  }
  const start = Number(first);
  if (last === '') return { kind: 'range', start };
  const end = Number(last);
  return end < start ? { kind: 'invalid' } : { kind: 'range', start, end };
}
