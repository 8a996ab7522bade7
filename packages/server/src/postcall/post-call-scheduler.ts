/**
 * Decides, when a transcribed call has ended, which post-call jobs it gets: 'recover' when its live transcript is
 * missing or incomplete, 'accurate' for every call with HOOKSCRIBE_STT_POSTCALL=all. Without a recording, or with
 * post-call transcription off, an incomplete call is marked failed with the reason instead of staying pending.
 */
import type {
  ConversationStore,
  TranscriptionJobQueue,
  TranscriptionJobRequest,
} from '@hookscribe/conversations';
import type { Logger } from 'pino';
import type { LiveTranscriptOutcome } from '../pipeline/call-pipeline.js';
import type { CallInfo } from '../session-events.js';

export interface PostCallSchedulerOptions {
  mode: 'off' | 'recover' | 'all';
  /** false when HOOKSCRIBE_RECORDING=false: there is nothing to transcribe after the call */
  recording: boolean;
  queue: TranscriptionJobQueue | null;
  store: ConversationStore;
  recordingKey(call: EndedCall): string;
  log: Logger;
  /** a job was queued (wakes an in-process worker) */
  onQueued?: () => void;
}

/** What the scheduler needs of an ended call (a live CallInfo, or a call found interrupted after a restart). */
export type EndedCall = Pick<CallInfo, 'sessionId' | 'openedAt' | 'language'>;

export class PostCallScheduler {
  constructor(private readonly options: PostCallSchedulerOptions) {}

  async callEnded(call: EndedCall, outcome: LiveTranscriptOutcome): Promise<void> {
    const { mode, queue, log } = this.options;
    const kinds: TranscriptionJobRequest['kind'][] = [];
    if (!outcome.complete && mode !== 'off') kinds.push('recover');
    if (mode === 'all') kinds.push('accurate');
    if (!outcome.complete && (kinds.length === 0 || !this.options.recording || !queue)) {
      const why = !this.options.recording
        ? 'recording is off (HOOKSCRIBE_RECORDING=false)'
        : 'post-call transcription is off (HOOKSCRIBE_STT_POSTCALL=off)';
      await this.options.store
        .setTranscription(call.sessionId, {
          status: 'failed',
          reason: `${outcome.reason ?? 'live transcript incomplete'}; not transcribed later: ${why}`,
          version: 'live',
          updatedAt: new Date().toISOString(),
        })
        .catch((err: unknown) =>
          log.warn({ err, sessionId: call.sessionId }, 'transcription state not stored'),
        );
      log.warn(
        { sessionId: call.sessionId, reason: outcome.reason, why },
        'live transcript incomplete for good',
      );
      return;
    }
    if (!queue || !this.options.recording) return;
    const audioSeconds = Math.max(0, (Date.now() - Date.parse(call.openedAt)) / 1000);
    for (const kind of kinds) {
      const job: TranscriptionJobRequest = {
        conversationId: call.sessionId,
        kind,
        reason:
          kind === 'recover' ? (outcome.reason ?? 'live transcript incomplete') : 'accurate second pass',
        recordingKey: this.options.recordingKey(call),
        audioSeconds,
        language: call.language,
      };
      try {
        const queued = await queue.enqueue(job);
        log.info(
          { sessionId: call.sessionId, job: kind, reason: job.reason, queued },
          'post-call job queued',
        );
      } catch (err) {
        // the call is stored as pending with its reason; an operator can see and re-queue it
        log.error({ err, sessionId: call.sessionId, job: kind }, 'post-call job could not be queued');
      }
    }
    this.options.onQueued?.();
  }
}
