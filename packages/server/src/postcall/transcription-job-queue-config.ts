/**
 * Which TranscriptionJobQueue a process uses: the conversation store's own tables (HOOKSCRIBE_STT_JOBS=store, the
 * default; SQLite or PostgreSQL) or a Redis Streams consumer group (HOOKSCRIBE_STT_JOBS=redis, HOOKSCRIBE_REDIS_URL).
 */
import {
  PostgresConversationStore,
  RedisStreamsTranscriptionJobQueue,
  SqliteConversationStore,
  type ConversationStore,
  type TranscriptionJobQueue,
} from '@hookscribe/conversations';

export class JobQueueConfigError extends Error {
  override name = 'JobQueueConfigError';
}

export function createTranscriptionJobQueue(
  kind: 'store' | 'redis',
  env: NodeJS.ProcessEnv,
  store: ConversationStore,
): TranscriptionJobQueue {
  if (kind === 'redis') {
    const url = env.HOOKSCRIBE_REDIS_URL?.trim();
    if (!url) throw new JobQueueConfigError('HOOKSCRIBE_STT_JOBS=redis needs HOOKSCRIBE_REDIS_URL');
    return new RedisStreamsTranscriptionJobQueue({ url });
  }
  if (store instanceof SqliteConversationStore || store instanceof PostgresConversationStore)
    return store.transcriptionJobs();
  throw new JobQueueConfigError(
    'HOOKSCRIBE_STT_JOBS=store needs a SQLite or PostgreSQL conversation store; with Cosmos DB set HOOKSCRIBE_STT_JOBS=redis',
  );
}
