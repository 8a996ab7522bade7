/**
 * RetentionSweeper: the one component that applies HOOKSCRIBE_RETENTION. Each sweep, per kind with a period:
 *   recordings   → the recording store's files, then the conversation's reference     (data_deleted scope recording)
 *   transcripts  → segments, search index entries, transcript events                  (scope transcripts)
 *   assist       → assist results and assist events                                   (scope assist)
 *   audit        → audit entries, through the store's optional purgeAuditBefore
 * and once recordings, transcripts and assist all have a period and the longest has passed, the conversation itself
 * (scope conversation). Conversations on legal hold are skipped by the store. Every step is idempotent, so a sweep
 * that fails half-way (or two instances sweeping at once) leaves nothing inconsistent; the next sweep finishes it.
 */
import type { DataDeletion } from '../events.js';
import type { PurgeScope } from '../store/conversation-privacy.js';
import type { ConversationStore } from '../store/conversation-store.js';
import type { RecordingDeleter } from './conversation-eraser.js';
import { dataDeletedEvent } from './data-deletion-event.js';
import type { RetentionPolicy } from './retention-policy.js';

export interface RetentionSweeperOptions {
  store: Pick<ConversationStore, 'findExpired' | 'purgeConversation' | 'purgeAuditBefore'>;
  recordings: RecordingDeleter | null;
  recordingKey?: (conversation: { id: string; startedAt: string }) => string;
  policy: RetentionPolicy;
  /** between sweeps (default 1 h); the first sweep runs shortly after start() */
  intervalMs?: number;
  /** conversations handled per store query (default 100) */
  batchSize?: number;
  now?: () => number;
  onError?: (error: unknown, context: string) => void;
  onSwept?: (report: SweepReport) => void;
}

export interface SweepReport {
  /** ISO-8601 start of the sweep */
  at: string;
  recordings: number;
  transcripts: number;
  assist: number;
  conversations: number;
  audit: number;
  /** conversations whose purge failed this time (retried next sweep) */
  failures: number;
}

const SCOPE_OF: Record<Exclude<PurgeScope, 'conversation'>, 'recordings' | 'transcripts' | 'assist'> = {
  recording: 'recordings',
  transcripts: 'transcripts',
  assist: 'assist',
};

const FIRST_SWEEP_DELAY_MS = 30_000;

export class RetentionSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<SweepReport> | null = null;
  private stopped = false;
  lastReport: SweepReport | null = null;

  constructor(private readonly options: RetentionSweeperOptions) {}

  get policy(): RetentionPolicy {
    return this.options.policy;
  }

  /** Sweeps periodically until stop(); does nothing when the policy keeps everything. */
  start(): void {
    if (this.timer !== null || this.stopped || Object.keys(this.options.policy).length === 0) return;
    const schedule = (delay: number) => {
      this.timer = setTimeout(() => {
        void this.sweep()
          .catch((error: unknown) => this.options.onError?.(error, 'retention sweep'))
          .finally(() => {
            if (!this.stopped) schedule(this.options.intervalMs ?? 3_600_000);
          });
      }, delay);
      this.timer.unref();
    };
    schedule(Math.min(FIRST_SWEEP_DELAY_MS, this.options.intervalMs ?? FIRST_SWEEP_DELAY_MS));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One sweep now (a sweep already running is joined, not doubled). */
  sweep(): Promise<SweepReport> {
    this.running ??= this.runSweep().finally(() => (this.running = null));
    return this.running;
  }

  private async runSweep(): Promise<SweepReport> {
    const now = (this.options.now ?? Date.now)();
    const { policy } = this.options;
    const report: SweepReport = {
      at: new Date(now).toISOString(),
      recordings: 0,
      transcripts: 0,
      assist: 0,
      conversations: 0,
      audit: 0,
      failures: 0,
    };
    for (const scope of ['recording', 'transcripts', 'assist'] as const) {
      const period = policy[SCOPE_OF[scope]];
      if (period === undefined) continue;
      report[SCOPE_OF[scope]] += await this.purgeExpired(scope, now - period, report);
    }
    const periods = [policy.recordings, policy.transcripts, policy.assist];
    if (periods.every((period) => period !== undefined))
      report.conversations += await this.purgeExpired('conversation', now - Math.max(...periods), report);
    if (policy.audit !== undefined && this.options.store.purgeAuditBefore !== undefined) {
      try {
        report.audit = await this.options.store.purgeAuditBefore(new Date(now - policy.audit).toISOString());
      } catch (error) {
        report.failures += 1;
        this.options.onError?.(error, 'retention sweep: audit log');
      }
    }
    this.lastReport = report;
    this.options.onSwept?.(report);
    return report;
  }

  /** Purges every expired conversation of one scope, a batch at a time; stops when a batch makes no progress. */
  private async purgeExpired(scope: PurgeScope, before: number, report: SweepReport): Promise<number> {
    const batch = this.options.batchSize ?? 100;
    const cutoff = new Date(before).toISOString();
    const failed = new Set<string>();
    let purged = 0;
    for (;;) {
      if (this.stopped) return purged;
      const expired = (await this.options.store.findExpired(scope, cutoff, batch + failed.size)).filter(
        (conversation) => !failed.has(conversation.id),
      );
      if (expired.length === 0) return purged;
      for (const conversation of expired) {
        try {
          if (scope === 'recording' || scope === 'conversation') {
            const key = this.options.recordingKey?.(conversation) ?? conversation.id;
            await this.options.recordings?.delete(key);
          }
          const outcome = await this.options.store.purgeConversation(conversation.id, scope, {
            events: [dataDeletedEvent(conversation.id, scope as DataDeletion['scope'], 'retention')],
          });
          if (outcome === 'purged') purged += 1;
          else failed.add(conversation.id); // held or gone meanwhile: not found again by this sweep
        } catch (error) {
          failed.add(conversation.id);
          report.failures += 1;
          this.options.onError?.(error, `retention sweep: ${scope} of ${conversation.id}`);
        }
      }
    }
  }
}
