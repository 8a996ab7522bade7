/**
 * Streams one call's audio into a WAV file exactly as received (no transcoding): a placeholder header, the raw
 * frames appended as they arrive, and at finalisation the header rewritten with the real sizes. Frames are copied
 * into a staging buffer written every WAV_BUFFER_BYTES (about 1 s of stereo PCMU) or at flush(); if the disk falls
 * too far behind, the recording is abandoned rather than buffering the call.
 */
import { buildWavHeader, wavPadding, type WavSpec } from '@hookscribe/audiohook';
import { BufferedFileWriter } from './buffered-file-writer.js';

/** Queue depth at which a slow disk counts as failed (about 30 s of stereo L16, 65 s of stereo PCMU). */
const MAX_QUEUED_BYTES = 1 << 20;
/** Write unit: one write per call per second of stereo PCMU instead of one per frame (syscalls were the main cost). */
const WAV_BUFFER_BYTES = 16 * 1024;

export class WavFileWriter {
  private readonly file: BufferedFileWriter;
  private readonly headerBytes: number;
  private finalizing: Promise<number> | null = null;

  constructor(
    readonly path: string,
    private readonly spec: WavSpec,
    onFailure: (err: Error) => void,
  ) {
    this.file = new BufferedFileWriter(
      path,
      { bufferBytes: WAV_BUFFER_BYTES, maxQueuedBytes: MAX_QUEUED_BYTES },
      onFailure,
    );
    const header = buildWavHeader(spec, 0);
    this.headerBytes = header.byteLength;
    this.file.appendBytes(header);
  }

  get bytesWritten(): number {
    return this.file.size - this.headerBytes;
  }

  get failed(): Error | null {
    return this.file.failed;
  }

  append(frame: Uint8Array): void {
    if (this.finalizing) return;
    this.file.appendBytes(frame);
  }

  /** Writes audio staged at the previous call too (the recorder calls this once a second: audio waits ≤ 2 s). */
  flushStale(): void {
    this.file.flushStale(1);
  }

  /** Flushes, pads and patches the header; resolves with the data size. Safe to call more than once. */
  finalize(): Promise<number> {
    this.finalizing ??= this.runFinalize();
    return this.finalizing;
  }

  private async runFinalize(): Promise<number> {
    const dataBytes = this.bytesWritten;
    const padding = wavPadding(dataBytes);
    if (padding.byteLength) this.file.appendBytes(padding);
    await this.file.close({ bytes: buildWavHeader(this.spec, dataBytes), position: 0 });
    return dataBytes;
  }
}
