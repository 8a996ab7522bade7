import WebSocket from 'ws';
import { parseServerEvent, type RealtimeServerEvent } from './realtime-events.js';

/** Why a connection ended: asked for by us, refused at the handshake (HTTP status), or dropped. */
export interface ConnectionEnd {
  byUs: boolean;
  /** HTTP status of a refused handshake (401, 403, 429, 5xx), else null */
  status: number | null;
  reason: string;
}

export interface ConnectionHandlers {
  onEvent(event: RealtimeServerEvent): void;
  onEnd(end: ConnectionEnd): void;
}

/** pushed-sample → stream-sample anchors: the service counts only the audio we appended */
interface Anchor {
  pushed: number;
  stream: number;
}

/**
 * One Realtime WebSocket (one session). Sends queue until the socket is open, so callers never wait on it. Keeps the
 * map from the service's audio clock (milliseconds of audio appended to this session) to our stream timeline.
 */
export class RealtimeConnection {
  readonly openedAt: number;
  /** samples appended to this session */
  pushed = 0;
  private readonly ws: WebSocket;
  private readonly outbox: string[] = [];
  private anchors: Anchor[] = [];
  private open = false;
  private ended = false;

  constructor(
    url: string,
    headers: Record<string, string>,
    first: Record<string, unknown>,
    private readonly handlers: ConnectionHandlers,
    now: () => number,
    handshakeTimeoutMs: number,
  ) {
    this.openedAt = now();
    this.outbox.push(JSON.stringify(first));
    this.ws = new WebSocket(url, { headers, handshakeTimeout: handshakeTimeoutMs, perMessageDeflate: false });
    this.ws.on('open', () => {
      this.open = true;
      for (const text of this.outbox.splice(0)) this.ws.send(text);
    });
    this.ws.on('message', (data, isBinary) => {
      if (isBinary || this.ended) return;
      const event = parseServerEvent(rawText(data));
      if (event) this.handlers.onEvent(event);
    });
    this.ws.on('unexpected-response', (_request, response) => {
      const status = response.statusCode ?? 0;
      response.resume();
      this.end({ byUs: false, status, reason: `handshake refused: HTTP ${status}` });
      this.ws.terminate();
    });
    this.ws.on('error', (error) => this.end({ byUs: false, status: null, reason: error.message }));
    this.ws.on('close', (code, reason) =>
      this.end({ byUs: false, status: null, reason: `closed (${code}) ${reason.toString()}`.trim() }),
    );
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** µ-law bytes that start at `streamStart` on the stream timeline */
  append(mulaw: Uint8Array, streamStart: number): void {
    const last = this.anchors[this.anchors.length - 1];
    if (!last || last.stream + (this.pushed - last.pushed) !== streamStart) {
      this.anchors.push({ pushed: this.pushed, stream: streamStart });
    }
    this.pushed += mulaw.length;
    // a view on the bytes, not a copy
    const bytes = Buffer.from(mulaw.buffer, mulaw.byteOffset, mulaw.byteLength);
    this.send({ type: 'input_audio_buffer.append', audio: bytes.toString('base64') });
  }

  send(event: Record<string, unknown>): void {
    if (this.ended) return;
    const text = JSON.stringify(event);
    if (this.open && this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
    else this.outbox.push(text);
  }

  /** the service's audio milliseconds → stream sample */
  toStream(audioMs: number): number {
    return this.pushedToStream(Math.round(audioMs * 8));
  }

  pushedToStream(pushed: number): number {
    let anchor = this.anchors[0] ?? { pushed: 0, stream: 0 };
    for (const a of this.anchors) {
      if (a.pushed > pushed) break;
      anchor = a;
    }
    return anchor.stream + (pushed - anchor.pushed);
  }

  /** anchors wholly before stream position `before` are never needed again: keeps the table small on long calls */
  prune(before: number): void {
    let keep = 0;
    while (keep + 1 < this.anchors.length && this.anchors[keep + 1]!.stream <= before) keep++;
    if (keep > 0) this.anchors = this.anchors.slice(keep);
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.outbox.length = 0;
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    else this.ws.close(1000, 'done');
  }

  private end(end: ConnectionEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.outbox.length = 0;
    this.handlers.onEnd(end);
  }
}

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}
