/**
 * Post-call transcription jobs on Redis Streams, for deployments scaled out over instances and hookscribe-stt
 * workers: one stream per kind (recover before accurate), one consumer group `stt`. Each job also has a hash
 * (request, attempts, state, lease token) that makes enqueueing idempotent and fences a worker that lost its lease.
 *
 * Leases: a taken job's entry stays pending in the group with a lease time in its hash (Redis's clock); a worker
 * that dies leaves it pending, and the next claim after the lease ran out moves it to another worker (XCLAIM). A failed job is acked and added again at the end of its
 * stream with the time it may run again. All keys share one hash tag, so the scripts also work on Redis Cluster.
 */
import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import {
  DEFAULT_MAX_JOB_ATTEMPTS,
  checkJobRequest,
  type ClaimedTranscriptionJob,
  type TranscriptionBacklog,
  type TranscriptionJobKind,
  type TranscriptionJobQueue,
  type TranscriptionJobRequest,
} from './transcription-job-queue.js';

export interface RedisStreamsTranscriptionJobQueueOptions {
  url: string;
  /** key prefix; keep the braces (one Redis Cluster slot). Default `{hookscribe-stt}` */
  prefix?: string;
  maxAttempts?: number;
  /** finished jobs' hashes are kept this long so a late duplicate enqueue stays a no-op (default 7 days) */
  doneTtlSeconds?: number;
  redisOptions?: RedisOptions;
}

const KINDS: TranscriptionJobKind[] = ['recover', 'accurate'];
const GROUP = 'stt';

/** Redis's clock, so every worker measures leases and retry times on the same one. */
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS: hash, stream, audio. ARGV: body, audioSeconds. */
const ENQUEUE = `${NOW}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local entry = redis.call('XADD', KEYS[2], '*', 'job', KEYS[1])
redis.call('HSET', KEYS[1], 'body', ARGV[1], 'enqueuedAt', now, 'availableAt', now, 'attempts', 0,
  'state', 'queued', 'entry', entry, 'lastError', '')
redis.call('INCRBYFLOAT', KEYS[3], ARGV[2])
return 1`;

/**
 * KEYS: stream. ARGV: entry, token, worker, leaseMs, mode (new | reclaim). Leases the entry's job to `worker`
 * and returns its hash key; a job under a live lease is never taken, whether the entry was reclaimed or newly
 * delivered. A job not due yet (retry delay) goes
 * to the end of the stream; an entry of a finished job is dropped.
 */
const TAKE = `${NOW}
local found = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #found == 0 then
  redis.call('XACK', KEYS[1], '${GROUP}', ARGV[1])
  return false
end
local hash = found[1][2][2]
local state = redis.call('HGET', hash, 'state')
if state ~= 'queued' and state ~= 'working' then
  redis.call('XACK', KEYS[1], '${GROUP}', ARGV[1])
  redis.call('XDEL', KEYS[1], ARGV[1])
  return false
end
-- a job under a live lease is someone's, however its entry reached us: a new entry delivered to this worker may
-- already have been reclaimed and taken by another one between its XREADGROUP and this script
if state == 'working' and tonumber(redis.call('HGET', hash, 'leaseUntil') or '0') > now then return false end
if ARGV[5] == 'reclaim' then
  redis.call('XCLAIM', KEYS[1], '${GROUP}', ARGV[3], 0, ARGV[1], 'JUSTID')
end
if tonumber(redis.call('HGET', hash, 'availableAt')) > now then
  redis.call('XACK', KEYS[1], '${GROUP}', ARGV[1])
  redis.call('XDEL', KEYS[1], ARGV[1])
  redis.call('HSET', hash, 'entry', redis.call('XADD', KEYS[1], '*', 'job', hash))
  return false
end
redis.call('HINCRBY', hash, 'attempts', 1)
redis.call('HSET', hash, 'state', 'working', 'token', ARGV[2], 'entry', ARGV[1],
  'leaseUntil', now + tonumber(ARGV[4]))
return hash`;

/** KEYS: hash. ARGV: token, leaseMs. Extends the lease while the token still holds it. */
const RENEW = `${NOW}
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'leaseUntil', now + tonumber(ARGV[2]))
return 1`;

/** KEYS: hash, stream, audio. ARGV: token, outcome (done | failed | retry), error, retryInMs, ttl seconds. */
const SETTLE = `${NOW}
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 0 end
local entry = redis.call('HGET', KEYS[1], 'entry')
redis.call('XACK', KEYS[2], '${GROUP}', entry)
redis.call('XDEL', KEYS[2], entry)
redis.call('HDEL', KEYS[1], 'token', 'leaseUntil')
if ARGV[2] == 'retry' then
  local next = redis.call('XADD', KEYS[2], '*', 'job', KEYS[1])
  redis.call('HSET', KEYS[1], 'state', 'queued', 'entry', next, 'lastError', ARGV[3],
    'availableAt', now + tonumber(ARGV[4]))
  return 1
end
local body = cjson.decode(redis.call('HGET', KEYS[1], 'body'))
if type(body.audioSeconds) == 'number' then redis.call('INCRBYFLOAT', KEYS[3], -body.audioSeconds) end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'lastError', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1`;

type StreamReply = [stream: string, entries: [id: string, fields: string[]][]][] | null;

export class RedisStreamsTranscriptionJobQueue implements TranscriptionJobQueue {
  readonly backend = 'redis';
  private readonly client: Redis;
  private readonly prefix: string;
  private groups: Promise<void> | null = null;

  constructor(private readonly options: RedisStreamsTranscriptionJobQueueOptions) {
    this.prefix = options.prefix ?? '{hookscribe-stt}';
    this.client = new Redis(options.url, {
      protocol: 2,
      maxRetriesPerRequest: 2,
      connectionName: 'hookscribe-stt-jobs',
      ...options.redisOptions,
    });
    this.client.on('error', () => undefined); // surfaced by the failing calls
  }

  private stream(kind: TranscriptionJobKind): string {
    return `${this.prefix}:jobs:${kind}`;
  }

  private hash(conversationId: string, kind: TranscriptionJobKind): string {
    return `${this.prefix}:job:${kind}:${conversationId}`;
  }

  private get audioKey(): string {
    return `${this.prefix}:audio-seconds`;
  }

  init(): Promise<void> {
    this.groups ??= (async () => {
      for (const kind of KINDS) {
        try {
          await this.client.xgroup('CREATE', this.stream(kind), GROUP, '0', 'MKSTREAM');
        } catch (error) {
          if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
        }
      }
    })().catch((error: unknown) => {
      this.groups = null;
      throw error;
    });
    return this.groups;
  }

  async enqueue(request: TranscriptionJobRequest): Promise<boolean> {
    const job = checkJobRequest(request);
    await this.init();
    const added = await this.client.eval(
      ENQUEUE,
      3,
      this.hash(job.conversationId, job.kind),
      this.stream(job.kind),
      this.audioKey,
      JSON.stringify(job),
      String(job.audioSeconds ?? 0),
    );
    return added === 1;
  }

  async claim(worker: string, leaseMs: number): Promise<ClaimedTranscriptionJob | null> {
    await this.init();
    for (const kind of KINDS) {
      const stream = this.stream(kind);
      // a dead worker's job first: delivered, and its lease ran out
      const pending = (await this.client.xpending(stream, GROUP, '-', '+', 50)) as [string, ...unknown[]][];
      const candidates: [string, 'reclaim' | 'new'][] = pending.map(([entry]) => [entry, 'reclaim']);
      for (const [entry] of await this.readNew(stream, worker)) candidates.push([entry, 'new']);
      for (const [entry, mode] of candidates) {
        const token = `${worker}:${randomUUID()}`;
        const hash = (await this.client.eval(
          TAKE,
          1,
          stream,
          entry,
          token,
          worker,
          String(leaseMs),
          mode,
        )) as string | null;
        if (!hash) continue;
        const fields = await this.client.hgetall(hash);
        return {
          ...(JSON.parse(fields.body!) as TranscriptionJobRequest),
          id: hash,
          enqueuedAt: new Date(Number(fields.enqueuedAt)).toISOString(),
          attempts: Number(fields.attempts),
          lastError: fields.lastError ? fields.lastError : null,
          leaseToken: token,
        };
      }
    }
    return null;
  }

  private async readNew(stream: string, worker: string): Promise<[string, string[]][]> {
    const reply = (await this.client.xreadgroup(
      'GROUP',
      GROUP,
      worker,
      'COUNT',
      1,
      'STREAMS',
      stream,
      '>',
    )) as StreamReply;
    return reply?.[0]?.[1] ?? [];
  }

  async renew(job: ClaimedTranscriptionJob, leaseMs: number): Promise<boolean> {
    return (await this.client.eval(RENEW, 1, job.id, job.leaseToken, String(leaseMs))) === 1;
  }

  async complete(job: ClaimedTranscriptionJob): Promise<void> {
    await this.settle(job, 'done', '', 0);
  }

  async fail(
    job: ClaimedTranscriptionJob,
    error: string,
    retryInMs: number,
  ): Promise<'retrying' | 'gave-up'> {
    const gaveUp = job.attempts >= (this.options.maxAttempts ?? DEFAULT_MAX_JOB_ATTEMPTS);
    await this.settle(job, gaveUp ? 'failed' : 'retry', String(error).slice(0, 2000), Math.max(0, retryInMs));
    return gaveUp ? 'gave-up' : 'retrying';
  }

  private async settle(job: ClaimedTranscriptionJob, outcome: string, error: string, retryInMs: number) {
    await this.client.eval(
      SETTLE,
      3,
      job.id,
      this.stream(job.kind),
      this.audioKey,
      job.leaseToken,
      outcome,
      error,
      String(retryInMs),
      String(this.options.doneTtlSeconds ?? 7 * 86_400),
    );
  }

  async backlog(): Promise<TranscriptionBacklog> {
    await this.init();
    let jobs = 0;
    let working = 0;
    let oldest: number | null = null;
    for (const kind of KINDS) {
      const stream = this.stream(kind);
      jobs += await this.client.xlen(stream);
      const pending = (await this.client.xpending(stream, GROUP)) as [number, ...unknown[]];
      working += Number(pending[0]);
      const first = (await this.client.xrange(stream, '-', '+', 'COUNT', 1))[0];
      const hash = first?.[1][first[1].indexOf('job') + 1];
      const enqueuedAt = hash ? Number(await this.client.hget(hash, 'enqueuedAt')) : NaN;
      if (Number.isFinite(enqueuedAt)) oldest = oldest === null ? enqueuedAt : Math.min(oldest, enqueuedAt);
    }
    const audio = Number((await this.client.get(this.audioKey)) ?? 0);
    return {
      jobs,
      audioSeconds: jobs === 0 ? 0 : Math.max(0, Math.round(audio * 1000) / 1000),
      oldestEnqueuedAt: oldest === null ? null : new Date(oldest).toISOString(),
      working,
    };
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
