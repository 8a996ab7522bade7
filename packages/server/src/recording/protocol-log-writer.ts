/**
 * Streams the JSON sidecar of one call: call metadata first, then every protocol message as it happens, then an
 * `ended` summary that closes the document. Written incrementally so a long call is never held in memory; the file
 * is valid JSON once finalised.
 *
 *   {"call": {...}, "messages": [
 *    {"at": "<ISO>", "direction": "in" | "out", "message": {...}}   (or "raw": "<text>" when it was not JSON)
 *   ], "ended": {...}}
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';

export class ProtocolLogWriter {
  private readonly stream: WriteStream;
  private count = 0;
  private failure: Error | null = null;
  private finalizing: Promise<void> | null = null;

  constructor(
    readonly path: string,
    header: Record<string, unknown>,
    private readonly onFailure: (err: Error) => void,
  ) {
    this.stream = createWriteStream(path, { flags: 'w' });
    this.stream.on('error', (err) => this.fail(err));
    const head = JSON.stringify(header);
    // open the top-level object, keep it open for "messages"
    this.stream.write(`${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"messages":[`);
  }

  get messageCount(): number {
    return this.count;
  }

  append(direction: 'in' | 'out', text: string, at: Date): void {
    if (this.failure || this.finalizing) return;
    // embed the message verbatim when it is JSON, so the sidecar shows exactly what went over the wire
    let body: string;
    try {
      JSON.parse(text);
      body = `"message":${text}`;
    } catch {
      body = `"raw":${JSON.stringify(text)}`;
    }
    const separator = this.count === 0 ? '\n' : ',\n';
    this.stream.write(`${separator}{"at":"${at.toISOString()}","direction":"${direction}",${body}}`);
    this.count += 1;
  }

  finalize(ended: Record<string, unknown>): Promise<void> {
    this.finalizing ??= this.runFinalize(ended);
    return this.finalizing;
  }

  private async runFinalize(ended: Record<string, unknown>): Promise<void> {
    if (!this.failure) this.stream.end(`\n],"ended":${JSON.stringify(ended)}}\n`);
    else this.stream.end();
    try {
      await finished(this.stream);
    } catch {
      // already reported through the 'error' event
    }
    if (this.failure) throw this.failure;
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.onFailure(err);
    this.stream.destroy();
  }
}
