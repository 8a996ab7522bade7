/**
 * Privacy capabilities of the ConversationStore port — retention, erasure, legal hold, the audio-redaction report.
 * Retention and erasure as a capability of the ConversationStore port (every adapter implements it and passes the
 * shared contract): legal hold, finding what a retention period has expired, and purging one kind of a
 * conversation's data (or all of it) together with the events that announce it. The RetentionSweeper and the
 * ConversationEraser (src/retention/) drive it; neither knows which backend it talks to.
 */
import type { ConversationEvent, ConversationEventType, RecordingRedaction } from '../events.js';
import type { WriteOptions } from './conversation-store.js';

/**
 * What a purge removes:
 *   recording     the recording reference (the RecordingStore's files are deleted by the caller) and its events
 *   transcripts   final segments (and with them the search index), transcript events in the log and the outbox
 *   assist        assist results and assist_update events
 *   conversation  everything: the row, segments, assist results, the event log and undelivered outbox entries
 */
export type PurgeScope = 'recording' | 'transcripts' | 'assist' | 'conversation';

export const PURGE_SCOPES: readonly PurgeScope[] = ['recording', 'transcripts', 'assist', 'conversation'];

/** Event types whose data belongs to a scope: purged from the log and the outbox with it. */
export const EVENT_TYPES_OF_SCOPE: Record<Exclude<PurgeScope, 'conversation'>, ConversationEventType[]> = {
  recording: ['recording_available', 'recording_redacted'],
  transcripts: ['partial_transcript', 'transcript_available'],
  assist: ['assist_update'],
};

/**
 * A conversation still marked active this long after its cut-off (or, for deletion requests, after its start) is
 * taken to be stale — its instance died with it — rather than live.
 */
export const STALE_ACTIVE_MS = 86_400_000;

export interface ExpiredConversation {
  id: string;
  startedAt: string;
  /** the recording reference still stored (null when none) */
  recording: string | null;
}

export type PurgeOutcome = 'purged' | 'held' | 'not-found';

export interface PurgeOptions {
  /** enqueued in the same transaction as the purge (data_deleted); never written when the purge is refused */
  events?: ConversationEvent[];
}

export interface ConversationPrivacy {
  /** Set or release the legal hold. Rejects with StoreNotFoundError for an unknown conversation. */
  setLegalHold(id: string, hold: boolean): Promise<void>;
  /**
   * Conversations started before `before` (ISO-8601, exclusive) that are not on legal hold and still hold data of
   * `scope` (for 'conversation': any that still exist), oldest first, at most `limit`. A conversation still marked
   * active counts only from a day before `before` (STALE_ACTIVE_MS): it may be live, and a live call's recording
   * would be re-created by its upload after the purge.
   */
  findExpired(scope: PurgeScope, before: string, limit: number): Promise<ExpiredConversation[]>;
  /**
   * Remove the scope's data of one conversation in one transaction with `options.events`. A conversation on legal
   * hold is left untouched ('held'); an unknown one is 'not-found'. Idempotent: purging again is harmless.
   */
  purgeConversation(id: string, scope: PurgeScope, options?: PurgeOptions): Promise<PurgeOutcome>;
  /**
   * The audit log's retention: delete audit entries older than `before`; resolves with how many went. Optional:
   * implemented by the adapters that keep an audit log (the sweeper skips the kind when it is absent).
   */
  purgeAuditBefore?(before: string): Promise<number>;
  /** Record what the post-call audio redaction silenced (ConversationSummary.recordingRedaction). */
  setRecordingRedaction(id: string, redaction: RecordingRedaction, options?: WriteOptions): Promise<void>;
}
