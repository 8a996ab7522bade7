/**
 * Appends to one file through fixed-size staging buffers: bytes and text are copied into a buffer that is written
 * (positional writes, performed in order by the process's disk write thread) when it is full or when flush()
 * is called. Shared by the WAV and sidecar writers of every recorded call.
 *
 * Why copy instead of queueing the caller's buffers: at thousands of calls a recording holds about a second of each
 * call before it writes. Held frames (and the socket read chunks they are views into) live long enough to be promoted
 * to V8's old generation, and the major collections that follow cost more CPU than everything else the server does
 * per frame. A copy into a staging buffer lets every frame die young; staging buffers are allocated outside the V8
 * heap (shared memory of the disk write thread) and recycled, so a call in steady state allocates nothing.
 *
 * Bounded: when more than maxQueuedBytes wait for a slow disk, the writer fails rather than buffering the call.
 * After a failure (open, write or queue bound) every further call is a no-op and close() rejects with the error.
 */
import { close, open, write } from 'node:fs';
import { diskWriteThread } from './disk-write-thread.js';

export interface BufferedFileWriterOptions {
  /** size of a staging buffer: the unit of one write */
  bufferBytes: number;
  /** bytes staged or waiting to be written at which the disk counts as too slow */
  maxQueuedBytes: number;
}

interface PendingWrite {
  /** a staging buffer of the disk write thread, returned to it once written */
  buffer: Buffer;
  length: number;
  position: number;
}

export class BufferedFileWriter {
  private fd: number | null = null;
  private current: Buffer | null = null;
  private fill = 0;
  private readonly queue: PendingWrite[] = [];
  private queuedBytes = 0;
  /** writes handed to the disk write thread and not answered yet */
  private inFlight = 0;
  private appended = 0;
  private failure: Error | null = null;
  private closing: Promise<void> | null = null;
  /** close() began: the last writes go to the disk without waiting for the write thread's batch window */
  private finishing = false;
  private drained: (() => void) | null = null;
  /** flushStale() calls that found bytes staged since the last flush */
  private stagedVisits = 0;

  constructor(
    readonly path: string,
    private readonly options: BufferedFileWriterOptions,
    private readonly onFailure: (err: Error) => void,
  ) {
    open(path, 'w', (err, fd) => {
      if (err) return this.fail(err);
      // failed (e.g. queue bound) while the open was in flight: nothing will use the descriptor
      if (this.failure) return close(fd, () => undefined);
      this.fd = fd;
      this.pump();
    });
  }

  /** bytes appended so far (the file's size once everything is written) */
  get size(): number {
    return this.appended;
  }

  get failed(): Error | null {
    return this.failure;
  }

  appendBytes(bytes: Uint8Array): void {
    if (this.failure || this.closing) return;
    let offset = 0;
    while (offset < bytes.byteLength) {
      const target = this.stagingBuffer();
      const count = Math.min(target.byteLength - this.fill, bytes.byteLength - offset);
      // a whole frame is copied without a subarray view (one less object per frame)
      target.set(count === bytes.byteLength ? bytes : bytes.subarray(offset, offset + count), this.fill);
      this.fill += count;
      this.appended += count;
      offset += count;
      if (this.fill === target.byteLength) this.flush();
    }
  }

  appendText(text: string): void {
    if (this.failure || this.closing) return;
    const target = this.stagingBuffer();
    // the common case (a protocol message that fits) is encoded straight into the staging buffer
    if (Buffer.byteLength(text) <= target.byteLength - this.fill) {
      const count = target.write(text, this.fill);
      this.fill += count;
      this.appended += count;
      if (this.fill === target.byteLength) this.flush();
    } else {
      this.appendBytes(Buffer.from(text, 'utf8'));
    }
  }

  /**
   * Called periodically: flushes once bytes have been staged at more than `visitsBeforeFlush` consecutive calls. It
   * bounds how long data waits in memory without writing buffers that are about to fill anyway.
   */
  flushStale(visitsBeforeFlush = 1): void {
    if (this.fill === 0) return;
    this.stagedVisits += 1;
    if (this.stagedVisits > visitsBeforeFlush) this.flush();
  }

  /** Hands what is staged to the disk (asynchronously). */
  flush(): void {
    this.stagedVisits = 0;
    if (this.failure || !this.current || this.fill === 0) return;
    this.queue.push({ buffer: this.current, length: this.fill, position: this.appended - this.fill });
    this.queuedBytes += this.fill;
    this.current = null;
    this.fill = 0;
    if (this.queuedBytes > this.options.maxQueuedBytes) {
      this.fail(new Error(`disk too slow: more than ${this.options.maxQueuedBytes} bytes queued`));
      return;
    }
    this.pump();
  }

  /**
   * Writes everything staged, then `patch` (if any) at its position, and closes the file. Safe to call more than
   * once; rejects with the failure if the file could not be written completely.
   */
  close(patch?: { bytes: Uint8Array; position: number }): Promise<void> {
    this.closing ??= this.runClose(patch);
    return this.closing;
  }

  private async runClose(patch?: { bytes: Uint8Array; position: number }): Promise<void> {
    this.finishing = true;
    this.flush();
    await new Promise<void>((resolve) => {
      if (this.idle()) resolve();
      else this.drained = resolve;
    });
    const fd = this.fd;
    this.fd = null;
    if (!this.failure && fd !== null && patch) {
      await new Promise<void>((resolve) => {
        write(fd, patch.bytes, 0, patch.bytes.byteLength, patch.position, (err) => {
          if (err) this.fail(err);
          resolve();
        });
      });
    }
    if (fd !== null) {
      await new Promise<void>((resolve) =>
        close(fd, (err) => {
          if (err) this.fail(err);
          resolve();
        }),
      );
    }
    if (this.failure) throw this.failure;
  }

  /** nothing in flight, and either failed or everything written */
  private idle(): boolean {
    return this.inFlight === 0 && (this.failure !== null || (this.queue.length === 0 && this.fd !== null));
  }

  private stagingBuffer(): Buffer {
    this.current ??= diskWriteThread.takeBuffer(this.options.bufferBytes);
    return this.current;
  }

  /**
   * Hands every queued write to the disk write thread at once: they are positional and the thread performs them in
   * order, and one at a time would cap a file at one staging buffer per batch window (a client sending faster than
   * real time would hit the queue bound).
   */
  private pump(): void {
    if (this.fd === null || this.failure) return;
    for (let next = this.queue.shift(); next; next = this.queue.shift()) this.submit(this.fd, next);
    if (this.inFlight === 0) this.notifyDrained();
  }

  private submit(fd: number, pending: PendingWrite): void {
    this.inFlight += 1;
    const done = (err: Error | null) => {
      this.inFlight -= 1;
      diskWriteThread.giveBuffer(pending.buffer);
      // failed while writes were in flight (queue bound): the descriptor can be released after the last one
      if (this.failure) return this.inFlight === 0 ? this.releaseAfterFailure() : undefined;
      if (err) return this.fail(err);
      this.queuedBytes -= pending.length;
      if (this.inFlight === 0) this.notifyDrained();
    };
    diskWriteThread.write(fd, pending.buffer, pending.length, pending.position, done, this.finishing);
  }

  private notifyDrained(): void {
    const drained = this.drained;
    this.drained = null;
    drained?.();
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const pending of this.queue.splice(0)) diskWriteThread.giveBuffer(pending.buffer);
    if (this.current) diskWriteThread.giveBuffer(this.current);
    this.current = null;
    this.onFailure(err);
    if (this.inFlight === 0) this.releaseAfterFailure();
  }

  private releaseAfterFailure(): void {
    if (this.fd !== null) {
      const fd = this.fd;
      this.fd = null;
      close(fd, () => undefined);
    }
    this.notifyDrained();
  }
}
