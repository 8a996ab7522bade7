/**
 * Calls cut off by a restart (crash, kill -9, node lost): at start, every recording left in this instance's data dir
 * without an upload marker belongs to a call that never ended here. Its conversation is ended as failed ("server
 * restarted mid-call"), the recording goes to the uploader as if the call had ended, and post-call transcription
 * makes its transcript from the recording. Each instance only looks at its own data dir, so this is safe scaled out.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConversationStore, RecordingUploader } from '@hookscribe/conversations';
import type { Logger } from 'pino';
import { recordingKeyFor } from '../recording/call-recorder.js';
import type { PostCallScheduler } from './post-call-scheduler.js';

export const RESTART_REASON = 'server restarted mid-call';

export async function recoverInterruptedCalls(options: {
  recordingsDir: string;
  store: ConversationStore;
  uploader: RecordingUploader;
  scheduler: PostCallScheduler;
  log: Logger;
}): Promise<number> {
  const { recordingsDir, store, uploader, scheduler, log } = options;
  let days: string[];
  try {
    days = (await readdir(recordingsDir, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return 0; // no recordings yet
  }
  let recovered = 0;
  for (const day of days) {
    const dir = join(recordingsDir, day);
    for (const name of await readdir(dir)) {
      if (!name.endsWith('.wav')) continue;
      const wavPath = join(dir, name);
      if (existsSync(`${wavPath}.upload.json`)) continue; // ended; its upload resumes on its own
      const sessionId = name.slice(0, -'.wav'.length);
      const conversation = await store.getConversation(sessionId).catch(() => null);
      if (!conversation || conversation.state !== 'active') continue;
      const jsonPath = join(dir, `${sessionId}.json`);
      try {
        await store.endConversation(sessionId, {
          state: 'failed',
          closeReason: RESTART_REASON,
          endedAt: new Date().toISOString(),
        });
        const call = { sessionId, openedAt: conversation.startedAt, language: conversation.language };
        void uploader
          .enqueue({
            conversationId: sessionId,
            key: recordingKeyFor(sessionId, conversation.startedAt),
            wavPath,
            jsonPath: existsSync(jsonPath) ? jsonPath : null,
          })
          .catch((err: unknown) =>
            log.warn({ err, sessionId }, 'recording of an interrupted call kept locally'),
          );
        await scheduler.callEnded(call, { complete: false, reason: RESTART_REASON });
        log.warn({ sessionId }, 'call interrupted by a restart: ended as failed, transcript pending');
        recovered++;
      } catch (err) {
        log.error({ err, sessionId }, 'interrupted call not recovered');
      }
    }
  }
  return recovered;
}
