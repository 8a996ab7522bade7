/**
 * Streams one call's audio into a WAV file exactly as received (no transcoding): a placeholder header, the raw
 * frames appended as they arrive, and at finalisation the header rewritten with the real sizes. Nothing but the
 * write stream's queue (at most FLUSH_BYTES coalesced per call, plus what the disk has not taken yet) is held in memory; if the disk falls too far behind, the recording is abandoned rather
 * than buffering the call.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { buildWavHeader, wavPadding, type WavSpec } from '@hookscribe/audiohook';

/** Queue depth at which a slow disk counts as failed (about 30 s of stereo L16, 65 s of stereo PCMU). */
const MAX_QUEUED_BYTES = 1 << 20;
/** Write batch size: about 1 s of stereo PCMU (a crash loses at most this much of the recording). */
const FLUSH_BYTES = 16 * 1024;

export class WavFileWriter {
  private readonly stream: WriteStream;
  private dataBytes = 0;
  private unflushedBytes = 0;
  private failure: Error | null = null;
  private finalizing: Promise<number> | null = null;

  constructor(
    readonly path: string,
    private readonly spec: WavSpec,
    private readonly onFailure: (err: Error) => void,
  ) {
    this.stream = createWriteStream(path, { flags: 'w' });
    this.stream.on('error', (err) => this.fail(err));
    this.stream.write(buildWavHeader(spec, 0));
  }

  get bytesWritten(): number {
    return this.dataBytes;
  }

  get failed(): Error | null {
    return this.failure;
  }

  append(frame: Uint8Array): void {
    if (this.failure || this.finalizing) return;
    if (this.stream.writableLength > MAX_QUEUED_BYTES) {
      this.fail(new Error(`disk too slow: more than ${MAX_QUEUED_BYTES} bytes queued`));
      return;
    }
    // frames are coalesced into one writev per FLUSH_BYTES: one syscall per 200 ms frame per call is the main
    // CPU cost of recording at thousands of calls; end() flushes the rest
    if (this.stream.writableCorked === 0) this.stream.cork();
    this.stream.write(frame);
    this.dataBytes += frame.byteLength;
    this.unflushedBytes += frame.byteLength;
    if (this.unflushedBytes >= FLUSH_BYTES) {
      this.unflushedBytes = 0;
      this.stream.uncork();
    }
  }

  /** Flushes, pads and patches the header; resolves with the data size. Safe to call more than once. */
  finalize(): Promise<number> {
    this.finalizing ??= this.runFinalize();
    return this.finalizing;
  }

  private async runFinalize(): Promise<number> {
    if (!this.failure) {
      const padding = wavPadding(this.dataBytes);
      if (padding.byteLength) this.stream.write(padding);
    }
    this.stream.end();
    try {
      await finished(this.stream);
    } catch {
      // already reported through the 'error' event
    }
    if (this.failure) throw this.failure;
    const file = await open(this.path, 'r+');
    try {
      await file.write(buildWavHeader(this.spec, this.dataBytes), 0, undefined, 0);
    } finally {
      await file.close();
    }
    return this.dataBytes;
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.onFailure(err);
    this.stream.destroy();
  }
}
