/** A growable list of latency samples (milliseconds) with percentiles; cheap enough for 100k+ samples. */
export class LatencyStats {
  private values = new Float64Array(1024);
  private length = 0;

  add(ms: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = ms;
  }

  addAll(other: LatencyStats | readonly number[]): void {
    const list = other instanceof LatencyStats ? other.toArray() : other;
    for (const v of list) this.add(v);
  }

  get count(): number {
    return this.length;
  }

  toArray(): number[] {
    return Array.from(this.values.subarray(0, this.length));
  }

  summary(): LatencySummary {
    if (this.length === 0) return { count: 0, p50: null, p99: null, max: null };
    const sorted = this.values.slice(0, this.length).sort();
    return {
      count: this.length,
      p50: round(percentile(sorted, 0.5)),
      p99: round(percentile(sorted, 0.99)),
      max: round(sorted[this.length - 1]!),
    };
  }
}

export interface LatencySummary {
  count: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: Float64Array, q: number): number {
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
