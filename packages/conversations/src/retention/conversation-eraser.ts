/**
 * ConversationEraser: deletion requests (one conversation) and data-subject erasure (every conversation of a caller
 * number) across the conversation store (row, transcript and its search index, assist, event log, outbox) and the
 * recording store (audio and sidecar). A conversation on legal hold is never deleted: it is reported as held, so the
 * request can be answered with the legal reason it was kept for. A call still live is not deleted either (its
 * pipeline and recorder would write it back): it is reported as live, to be erased once it has ended.
 */
import type { ConversationSummary } from '../events.js';
import type { DataDeletion } from '../events.js';
import { STALE_ACTIVE_MS } from '../store/conversation-privacy.js';
import type { ConversationStore } from '../store/conversation-store.js';
import { dataDeletedEvent } from './data-deletion-event.js';

/** What deleting a recording needs (RecordingStore, or the RecordingUploader that also abandons pending uploads). */
export interface RecordingDeleter {
  delete(key: string): Promise<boolean>;
}

export interface ConversationEraserOptions {
  store: Pick<ConversationStore, 'getConversation' | 'listConversations' | 'purgeConversation'>;
  /** null when recording is off */
  recordings: RecordingDeleter | null;
  /** the recording key of a conversation (default: its id) */
  recordingKey?: (conversation: { id: string; startedAt: string }) => string;
  now?: () => number;
}

export type DeletionOutcome = 'deleted' | 'held' | 'live' | 'not-found';

export interface ErasureReport {
  /** conversations deleted */
  erased: string[];
  /** conversations kept because they are on legal hold */
  held: string[];
  /** calls still live: not erased now (their pipeline would write them back); erase again after they end */
  live: string[];
}

/** Bound on the conversations one erasure request walks (a caller with more is erased in several requests). */
const MAX_ERASED_PER_REQUEST = 10_000;

export class ConversationEraser {
  constructor(private readonly options: ConversationEraserOptions) {}

  async deleteConversation(id: string, reason: DataDeletion['reason'] = 'request'): Promise<DeletionOutcome> {
    const conversation = await this.options.store.getConversation(id);
    if (conversation === null) return 'not-found';
    return this.delete(conversation, reason);
  }

  /**
   * Every conversation whose caller number is `ani` (as given, and with or without the `tel:` prefix Genesys uses).
   */
  async eraseByAni(ani: string): Promise<ErasureReport> {
    const report: ErasureReport = { erased: [], held: [], live: [] };
    const bare = ani.trim().replace(/^tel:/i, '');
    if (bare === '') return report;
    for (const variant of [...new Set([ani.trim(), bare, `tel:${bare}`])]) {
      const matches: ConversationSummary[] = [];
      let cursor: string | undefined;
      do {
        const page = await this.options.store.listConversations({ ani: variant, limit: 200, cursor });
        matches.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined && matches.length < MAX_ERASED_PER_REQUEST);
      for (const conversation of matches) {
        const outcome = await this.delete(conversation, 'erasure');
        if (outcome === 'deleted') report.erased.push(conversation.id);
        if (outcome === 'held') report.held.push(conversation.id);
        if (outcome === 'live') report.live.push(conversation.id);
      }
    }
    return report;
  }

  private async delete(
    conversation: ConversationSummary,
    reason: DataDeletion['reason'],
  ): Promise<DeletionOutcome> {
    if (conversation.legalHold === true) return 'held';
    const now = this.options.now?.() ?? Date.now();
    if (conversation.state === 'active' && now - Date.parse(conversation.startedAt) < STALE_ACTIVE_MS)
      return 'live';
    // the recording first: if that fails the conversation (and with it the way to find the recording) stays
    const key = this.options.recordingKey?.(conversation) ?? conversation.id;
    await this.options.recordings?.delete(key);
    const outcome = await this.options.store.purgeConversation(conversation.id, 'conversation', {
      events: [dataDeletedEvent(conversation.id, 'conversation', reason)],
    });
    return outcome === 'purged' ? 'deleted' : outcome;
  }
}
