/**
 * Streams the JSON sidecar of one call: call metadata first, then every protocol message as it happens, then an
 * `ended` summary that closes the document. Written incrementally so a long call is never held in memory; the file
 * is valid JSON once finalised.
 *
 *   {"call": {...}, "messages": [
 *    {"at": "<ISO>", "direction": "in" | "out", "message": {...}}   (or "raw": "<text>" when it was not JSON)
 *   ], "ended": {...}}
 */
import { BufferedFileWriter } from './buffered-file-writer.js';

/** Staging buffer: most calls' messages (a few hundred bytes each) are written a handful at a time. */
const SIDECAR_BUFFER_BYTES = 4 * 1024;
const MAX_QUEUED_BYTES = 1 << 20;

export class ProtocolLogWriter {
  private readonly file: BufferedFileWriter;
  private count = 0;
  private finalizing: Promise<void> | null = null;

  constructor(
    readonly path: string,
    header: Record<string, unknown>,
    onFailure: (err: Error) => void,
  ) {
    this.file = new BufferedFileWriter(
      path,
      { bufferBytes: SIDECAR_BUFFER_BYTES, maxQueuedBytes: MAX_QUEUED_BYTES },
      onFailure,
    );
    const head = JSON.stringify(header);
    // open the top-level object, keep it open for "messages"
    this.file.appendText(`${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"messages":[`);
  }

  get messageCount(): number {
    return this.count;
  }

  append(direction: 'in' | 'out', text: string, at: Date): void {
    if (this.file.failed || this.finalizing) return;
    // embed the message verbatim when it is JSON, so the sidecar shows exactly what went over the wire
    let body: string;
    try {
      JSON.parse(text);
      body = `"message":${text}`;
    } catch {
      body = `"raw":${JSON.stringify(text)}`;
    }
    const separator = this.count === 0 ? '\n' : ',\n';
    this.file.appendText(`${separator}{"at":"${at.toISOString()}","direction":"${direction}",${body}}`);
    this.count += 1;
  }

  /**
   * Writes messages staged at the previous four calls too (the recorder calls this once a second: messages wait
   * ≤ 5 s). Most calls send a message every few seconds (ping), so flushing them as often as audio would double the
   * recorder's writes.
   */
  flushStale(): void {
    this.file.flushStale(4);
  }

  finalize(ended: Record<string, unknown>): Promise<void> {
    this.finalizing ??= this.runFinalize(ended);
    return this.finalizing;
  }

  private async runFinalize(ended: Record<string, unknown>): Promise<void> {
    this.file.appendText(`\n],"ended":${JSON.stringify(ended)}}\n`);
    await this.file.close();
  }
}
