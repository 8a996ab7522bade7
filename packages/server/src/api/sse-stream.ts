/**
 * One Server-Sent Events connection: frames events as `id:/event:/data:`, sends heartbeats, and drops a client whose
 * socket does not drain (more than `maxBufferedBytes` waiting) instead of buffering for it without bound.
 */
import type { ServerResponse } from 'node:http';
import type { ConversationEvent } from '@hookscribe/conversations';

export interface SseStreamOptions {
  heartbeatMs: number;
  maxBufferedBytes: number;
  /** the client was dropped for being too slow */
  onDropped?: () => void;
}

export class SseStream {
  private heartbeat: NodeJS.Timeout;
  private closed = false;
  private readonly closeHandlers: (() => void)[] = [];

  constructor(
    private readonly res: ServerResponse,
    private readonly options: SseStreamOptions,
  ) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 3000\n\n');
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), options.heartbeatMs);
    this.heartbeat.unref?.();
    res.on('close', () => this.close());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  onClose(handler: () => void): void {
    if (this.closed) handler();
    else this.closeHandlers.push(handler);
  }

  sendEvent(event: ConversationEvent): void {
    this.write(`id: ${event.eventId}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  }

  /** A named control message (e.g. resync) without an id, so it does not move the client's Last-Event-ID. */
  sendControl(name: string, data: unknown): void {
    this.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    if (!this.res.writableEnded) this.res.end();
    for (const handler of this.closeHandlers.splice(0)) handler();
  }

  private write(chunk: string): void {
    if (this.closed) return;
    if (this.res.writableLength > this.options.maxBufferedBytes) {
      // The client is not reading: cut it loose; it can reconnect with Last-Event-ID.
      this.options.onDropped?.();
      this.res.destroy();
      this.close();
      return;
    }
    this.res.write(chunk);
  }
}
