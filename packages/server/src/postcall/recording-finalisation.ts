/**
 * A post-call job reads the call's recording, so it must not be queued before the recorder has finalised the WAV
 * and its sidecar: both happen on the session's `ended`, concurrently, and a job taken before then reads a WAV
 * without its last buffered audio and a sidecar that is not yet JSON. The recorder reports each finalised call here,
 * and the post-call scheduler waits for that report (bounded, so a recorder that never reports delays a job, never
 * loses it).
 */
import type { Logger } from 'pino';

/** how long a finalisation report waits for its call's end (the call was not transcribed: no one asks) */
const REPORT_KEPT_MS = 120_000;

export class RecordingFinalisation {
  private readonly reported = new Map<string, NodeJS.Timeout>();
  private readonly waiting = new Map<string, () => void>();

  constructor(
    private readonly options: {
      /** false when HOOKSCRIBE_RECORDING=false: nothing is ever reported, nothing is waited for */
      recording: boolean;
      /** the longest a job waits for a report before it is queued anyway */
      waitMs: number;
      log: Logger;
    },
  ) {}

  /** the recorder finalised this call's recording (whether or not its WAV could be written) */
  finalised(sessionId: string): void {
    const waiter = this.waiting.get(sessionId);
    if (waiter) {
      this.waiting.delete(sessionId);
      waiter();
      return;
    }
    clearTimeout(this.reported.get(sessionId));
    const expiry = setTimeout(() => this.reported.delete(sessionId), REPORT_KEPT_MS);
    expiry.unref();
    this.reported.set(sessionId, expiry);
  }

  /** resolves once the call's recording is finalised, or after waitMs with a warning */
  whenFinalised(sessionId: string): Promise<void> {
    if (!this.options.recording) return Promise.resolve();
    const report = this.reported.get(sessionId);
    if (report !== undefined) {
      clearTimeout(report);
      this.reported.delete(sessionId);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(sessionId);
        this.options.log.warn(
          { sessionId, waitedMs: this.options.waitMs },
          'recording not reported finalised in time; post-call jobs queued anyway',
        );
        resolve();
      }, this.options.waitMs);
      timer.unref();
      this.waiting.set(sessionId, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** calls still waiting (tests, shutdown diagnostics) */
  get pending(): number {
    return this.waiting.size;
  }
}
