/** Half-open intervals [start, end) in seconds on the stream timeline, and the set operations call metrics need. */
export type Interval = readonly [start: number, end: number];

/** Sorted, non-overlapping union; intervals closer than `bridge` seconds are joined into one. */
export function unionOf(intervals: readonly Interval[], bridge = 0): Interval[] {
  const sorted = intervals.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && start - last[1] <= bridge) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/** Intersection of two unions (each sorted and non-overlapping). */
export function intersectionOf(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const start = Math.max(a[i]![0], b[j]![0]);
    const end = Math.min(a[i]![1], b[j]![1]);
    if (end > start) out.push([start, end]);
    if (a[i]![1] < b[j]![1]) i++;
    else j++;
  }
  return out;
}

/** Parts of `a` not covered by `b` (both unions). */
export function differenceOf(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const [start, end] of a) {
    let from = start;
    for (const [cutStart, cutEnd] of b) {
      if (cutEnd <= from || cutStart >= end) continue;
      if (cutStart > from) out.push([from, cutStart]);
      from = Math.max(from, cutEnd);
    }
    if (from < end) out.push([from, end]);
  }
  return out;
}

/** Sum of lengths (of a union). */
export function totalOf(intervals: readonly Interval[]): number {
  return intervals.reduce((sum, [start, end]) => sum + (end - start), 0);
}

/** The interval is clipped to [0, limit]. */
export function clipTo(intervals: readonly Interval[], limit: number): Interval[] {
  return intervals.map(([s, e]): Interval => [Math.max(0, s), Math.min(limit, e)]).filter(([s, e]) => e > s);
}
