/**
 * One worker thread that performs the recorder's file writes, in batches, from staging buffers in shared memory.
 *
 * Why: with thousands of calls recording, a write per call per second through libuv's thread pool cost a mutex
 * handoff and a thread wake-up each; on two cores that contention (futex waits, context switches) was a quarter of
 * the event loop's time. Here the event loop posts what became ready in a batch window (50 ms) as one message of
 * plain numbers, the thread writes synchronously from the shared buffer, and answers with the ids it finished.
 * The window, not one event-loop turn: each message wakes the thread and its answer wakes the loop, about 0.1 ms of
 * CPU per round trip on a busy two-core machine, and with hundreds of calls a write became ready in most turns. A slow disk blocks
 * this thread, never the event loop (the writers' queue bound decides when a recording gives up).
 *
 * Staging buffers are slices of SharedArrayBuffer slabs registered with the thread once, so a write allocates no
 * buffer and transfers nothing. Slabs are kept for reuse: staging memory grows to the peak number of buffers in use
 * (about 20 KiB per recorded call) and stays there.
 */
import { Worker } from 'node:worker_threads';

export type WriteDone = (err: Error | null) => void;

/** [id, fd, slab, offset, length, position] */
type WriteRequest = [number, number, number, number, number, number];
/** [id, error message or null, error code or null] */
type WriteResult = [number, string | null, string | null];

const SLAB_BYTES = 1 << 20;
/** how long writes gather before they go to the thread; a recording's bytes reach the disk this much later */
const BATCH_MS = 50;

/** The worker body (plain CommonJS, started with eval: the compiled and the TypeScript test runs share it). */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const slabs = [];
parentPort.on('message', (message) => {
  if (message.slab) {
    slabs[message.slab.id] = new Uint8Array(message.slab.memory);
    return;
  }
  const results = [];
  for (const [id, fd, slab, offset, length, position] of message.writes) {
    try {
      const bytes = slabs[slab];
      for (let done = 0; done < length; )
        done += writeSync(fd, bytes, offset + done, length - done, position + done);
      results.push([id, null, null]);
    } catch (err) {
      results.push([id, err.message, err.code ?? null]);
    }
  }
  parentPort.postMessage(results);
});
`;

interface Slab {
  id: number;
  memory: SharedArrayBuffer;
}

export class DiskWriteThread {
  private worker: Worker | null = null;
  private readonly slabs: Slab[] = [];
  private readonly slabIds = new Map<ArrayBufferLike, number>();
  /** free staging buffers by size */
  private readonly free = new Map<number, Buffer[]>();
  private batch: WriteRequest[] = [];
  private readonly pending = new Map<number, WriteDone>();
  private nextId = 1;
  private postTimer: NodeJS.Timeout | null = null;
  private postImmediate: NodeJS.Immediate | null = null;
  /** messages of writes posted to the thread so far */
  batchesPosted = 0;

  constructor(private readonly batchMs = BATCH_MS) {}

  /** A staging buffer of `size` bytes (size must divide the slab size), from shared memory. */
  takeBuffer(size: number): Buffer {
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    if (list.length === 0) {
      const slab = this.addSlab();
      for (let offset = 0; offset + size <= SLAB_BYTES; offset += size)
        list.push(Buffer.from(slab.memory, offset, size));
    }
    return list.pop()!;
  }

  /** Returns a staging buffer for reuse (after its write completed, or unused). */
  giveBuffer(buffer: Buffer): void {
    this.free.get(buffer.byteLength)?.push(buffer);
  }

  /**
   * Writes the first `length` bytes of a staging buffer at `position` of `fd`; `done` runs on the event loop.
   * `urgent` (a file being finalised: post-call work may read it next) sends the batch at the end of this turn.
   */
  write(fd: number, buffer: Buffer, length: number, position: number, done: WriteDone, urgent = false): void {
    const slab = this.slabIds.get(buffer.buffer);
    if (slab === undefined) throw new RangeError('DiskWriteThread.write needs a buffer from takeBuffer()');
    const id = this.nextId++;
    this.pending.set(id, done);
    this.batch.push([id, fd, slab, buffer.byteOffset, length, position]);
    if (urgent) this.postImmediate ??= setImmediate(() => this.postBatch());
    else if (!this.postTimer && !this.postImmediate)
      this.postTimer = setTimeout(() => this.postBatch(), this.batchMs);
  }

  private addSlab(): Slab {
    const slab = { id: this.slabs.length, memory: new SharedArrayBuffer(SLAB_BYTES) };
    this.slabs.push(slab);
    this.slabIds.set(slab.memory, slab.id);
    this.worker?.postMessage({ slab });
    return slab;
  }

  private postBatch(): void {
    if (this.postTimer) clearTimeout(this.postTimer);
    if (this.postImmediate) clearImmediate(this.postImmediate);
    this.postTimer = null;
    this.postImmediate = null;
    const writes = this.batch;
    this.batch = [];
    if (writes.length === 0) return;
    const worker = this.ensureWorker();
    // writes in flight keep the process alive (a recording being finalised); an idle thread does not
    worker.ref();
    worker.postMessage({ writes });
    this.batchesPosted += 1;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    for (const slab of this.slabs) worker.postMessage({ slab });
    worker.on('message', (results: WriteResult[]) => this.onResults(results));
    const onGone = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      // writes in flight are lost with the thread: their recordings fail (reported by the writers); writes not
      // posted yet go to the next thread
      const unposted = new Set(this.batch.map(([id]) => id));
      for (const [id, done] of this.pending) {
        if (unposted.has(id)) continue;
        this.pending.delete(id);
        done(err);
      }
    };
    worker.on('error', onGone);
    worker.on('exit', (code) => onGone(new Error(`disk write thread exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private onResults(results: WriteResult[]): void {
    for (const [id, message, code] of results) {
      const done = this.pending.get(id);
      if (!done) continue;
      this.pending.delete(id);
      done(message === null ? null : Object.assign(new Error(message), { code }));
    }
    if (this.pending.size === 0) this.worker?.unref();
  }
}

/** The process's disk write thread, started on first write. */
export const diskWriteThread = new DiskWriteThread();
