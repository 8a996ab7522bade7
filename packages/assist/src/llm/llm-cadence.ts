/**
 * LLM cadence: bounds cost by asking the model at most once per `everyFinals` final segments or `everySeconds`
 * of wall time (checked when a final arrives — no timers), never with a request already in flight. The end of the
 * call always gets one final-summary request on top.
 */
export interface LlmCadenceOptions {
  /** ask after this many new finals (default 4) */
  everyFinals?: number;
  /** …or at the first final once this many seconds passed since the last request (default 30) */
  everySeconds?: number;
  clock?: () => number;
}

export const DEFAULT_LLM_EVERY_FINALS = 4;
export const DEFAULT_LLM_EVERY_SECONDS = 30;

export class LlmCadence {
  private readonly everyFinals: number;
  private readonly everyMs: number;
  private readonly clock: () => number;
  private finalsSince = 0;
  private lastRequestAt: number;
  private inFlight = false;

  constructor(options: LlmCadenceOptions = {}) {
    this.everyFinals = Math.max(1, options.everyFinals ?? DEFAULT_LLM_EVERY_FINALS);
    this.everyMs = Math.max(0, options.everySeconds ?? DEFAULT_LLM_EVERY_SECONDS) * 1000;
    this.clock = options.clock ?? Date.now;
    this.lastRequestAt = this.clock();
  }

  /** Counts a final; true when a request should start now. */
  onFinal(): boolean {
    this.finalsSince++;
    if (this.inFlight) return false;
    return (
      this.finalsSince >= this.everyFinals ||
      (this.everyMs > 0 && this.clock() - this.lastRequestAt >= this.everyMs)
    );
  }

  started(): void {
    this.finalsSince = 0;
    this.lastRequestAt = this.clock();
    this.inFlight = true;
  }

  finished(): void {
    this.inFlight = false;
  }

  get busy(): boolean {
    return this.inFlight;
  }
}
