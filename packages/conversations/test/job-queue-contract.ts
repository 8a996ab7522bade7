/**
 * The TranscriptionJobQueue contract: every adapter runs this suite (store-backed SQLite and PostgreSQL, Redis).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TranscriptionJobQueue, TranscriptionJobRequest } from '../src/index.js';

export interface JobQueueUnderTest {
  queue: TranscriptionJobQueue;
  /** a second queue on the same backend (another instance or worker process) */
  openPeer: () => Promise<TranscriptionJobQueue>;
  cleanup: () => Promise<void>;
}

export function makeJob(overrides: Partial<TranscriptionJobRequest> = {}): TranscriptionJobRequest {
  const conversationId = overrides.conversationId ?? randomUUID();
  return {
    conversationId,
    kind: 'recover',
    reason: 'live capacity full',
    recordingKey: `2026-01-01/${conversationId}`,
    audioSeconds: 30,
    language: 'en-US',
    ...overrides,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function describeJobQueueContract(name: string, open: () => Promise<JobQueueUnderTest>): void {
  describe(`TranscriptionJobQueue contract: ${name}`, () => {
    let subject: JobQueueUnderTest;
    let queue: TranscriptionJobQueue;

    beforeAll(async () => {
      subject = await open();
      queue = subject.queue;
      await queue.init();
    });
    afterAll(async () => {
      await subject?.cleanup();
    });

    /** each test starts from an empty queue */
    async function drain(): Promise<void> {
      for (;;) {
        const job = await queue.claim('drain', 60_000);
        if (!job) return;
        await queue.complete(job);
      }
    }

    it('enqueues once per call and kind, and hands a job out once while its lease runs', async () => {
      await drain();
      const job = makeJob();
      expect(await queue.enqueue(job)).toBe(true);
      expect(await queue.enqueue({ ...job, reason: 'again' })).toBe(false);
      expect(await queue.enqueue({ ...job, kind: 'accurate' })).toBe(true);
      const backlog = await queue.backlog();
      expect(backlog).toMatchObject({ jobs: 2, audioSeconds: 60 });
      expect(backlog.oldestEnqueuedAt).not.toBeNull();

      const first = await queue.claim('worker-a', 60_000);
      expect(first).toMatchObject({ ...job, attempts: 1, lastError: null });
      const second = await queue.claim('worker-b', 60_000);
      expect(second).toMatchObject({ conversationId: job.conversationId, kind: 'accurate' });
      expect(await queue.claim('worker-c', 60_000)).toBeNull();
      await queue.complete(first!);
      await queue.complete(second!);
      expect(await queue.backlog()).toMatchObject({ jobs: 0, audioSeconds: 0, oldestEnqueuedAt: null });
      expect(await queue.claim('worker-c', 60_000)).toBeNull();
      expect(await queue.enqueue(job)).toBe(false); // done stays done
    });

    it('recover jobs go before accurate ones, oldest first', async () => {
      await drain();
      const accurate = makeJob({ kind: 'accurate' });
      const older = makeJob();
      await queue.enqueue(accurate);
      await queue.enqueue(older);
      await sleep(5);
      const newer = makeJob();
      await queue.enqueue(newer);
      const order: string[] = [];
      for (let job = await queue.claim('w', 60_000); job; job = await queue.claim('w', 60_000)) {
        order.push(job.conversationId);
        await queue.complete(job);
      }
      expect(order).toEqual([older.conversationId, newer.conversationId, accurate.conversationId]);
    });

    it('a job whose worker died (lease ran out) is claimed again; the old lease can no longer renew', async () => {
      await drain();
      const job = makeJob();
      await queue.enqueue(job);
      const lost = await queue.claim('dies', 50);
      expect(lost).not.toBeNull();
      expect(await queue.renew(lost!, 50)).toBe(true);
      await sleep(120);
      const peer = await subject.openPeer();
      try {
        const again = await peer.claim('survivor', 60_000);
        expect(again).toMatchObject({ conversationId: job.conversationId, attempts: 2 });
        expect(await queue.renew(lost!, 60_000)).toBe(false);
        await peer.complete(again!);
        expect(await queue.backlog()).toMatchObject({ jobs: 0 });
      } finally {
        await peer.close();
      }
    });

    it('a failed attempt is retried with its error, and given up after the last attempt', async () => {
      await drain();
      await queue.enqueue(makeJob());
      let outcome: 'retrying' | 'gave-up' = 'retrying';
      let attempts = 0;
      let lastError: string | null = null;
      while (outcome === 'retrying') {
        const job = await queue.claim('w', 60_000);
        if (!job) {
          await sleep(20);
          continue;
        }
        attempts = job.attempts;
        if (attempts > 1) expect(job.lastError).toBe(lastError);
        lastError = `attempt ${attempts} failed`;
        outcome = await queue.fail(job, lastError, 0);
        expect(attempts).toBeLessThanOrEqual(10);
      }
      expect(attempts).toBeGreaterThan(1);
      expect(await queue.backlog()).toMatchObject({ jobs: 0 });
      expect(await queue.claim('w', 60_000)).toBeNull();
    });

    it('concurrent claimers never get the same job', async () => {
      await drain();
      const jobs = Array.from({ length: 12 }, () => makeJob());
      for (const job of jobs) await queue.enqueue(job);
      const peer = await subject.openPeer();
      try {
        const claimed: string[] = [];
        const take = async (q: TranscriptionJobQueue, name: string) => {
          for (let job = await q.claim(name, 60_000); job; job = await q.claim(name, 60_000)) {
            claimed.push(job.conversationId);
            await q.complete(job);
          }
        };
        await Promise.all([take(queue, 'a'), take(peer, 'b'), take(queue, 'c')]);
        expect(claimed.sort()).toEqual(jobs.map((j) => j.conversationId).sort());
      } finally {
        await peer.close();
      }
    });
  });
}
