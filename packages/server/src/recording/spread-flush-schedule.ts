/**
 * Calls flushStale() on every registered item once per period, spread over the period: a tenth of the items every
 * tenth of it. Visiting thousands of recordings in one timer callback queued thousands of writes at once and
 * stalled the event loop (ping round trips) once a second. The timer runs only while something is registered.
 */
export interface StaleFlushable {
  flushStale(): void;
}

const SLICES = 10;

export class SpreadFlushSchedule<T extends StaleFlushable> {
  private readonly slices: Set<T>[] = Array.from({ length: SLICES }, () => new Set<T>());
  private readonly sliceOf = new Map<T, Set<T>>();
  private nextSlice = 0;
  private tick = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly periodMs: number) {}

  add(item: T): void {
    const slice = this.slices[this.nextSlice++ % SLICES]!;
    slice.add(item);
    this.sliceOf.set(item, slice);
    this.timer ??= setInterval(() => this.visitNextSlice(), this.periodMs / SLICES).unref();
  }

  delete(item: T): void {
    this.sliceOf.get(item)?.delete(item);
    this.sliceOf.delete(item);
    if (this.sliceOf.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private visitNextSlice(): void {
    for (const item of this.slices[this.tick++ % SLICES]!) item.flushStale();
  }
}
