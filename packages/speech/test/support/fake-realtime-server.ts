import { mulawDecode } from '@hookscribe/audiohook';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

const VOCABULARY = ['hello', 'world', 'this', 'is', 'a', 'test', 'call'];
const FRAME = 160; // 20 ms of 8 kHz µ-law

/** What one fake session saw. */
export interface FakeRealtimeSession {
  url: string;
  headers: IncomingHttpHeaders;
  /** the transcription_session.update's `session` */
  settings: Record<string, unknown> | null;
  /** every µ-law byte appended, in order */
  audio: Buffer;
  /** the same bytes, one entry per input_audio_buffer.append */
  appends: Buffer[];
  commits: number;
  clears: number;
  /** transcripts this session completed */
  transcripts: string[];
  socket: WebSocket;
  closedByClient: boolean;
}

/** Per-connection misbehaviour, taken from `plan` in connection order (the last entry repeats). */
export interface FakeRealtimePlan {
  /** refuse the WebSocket handshake with this HTTP status */
  refuse?: number;
  /** after this many appends: drop the socket without a close frame */
  dropAfterAppends?: number;
  /** after this many appends: send an `error` event with this code (and keep going) */
  errorAfterAppends?: { appends: number; code: string };
  /** after this many appends: the session is over (error session_expired, then close) */
  expireAfterAppends?: number;
  /** never send `completed` (a service that hangs after committing) */
  holdCompletions?: boolean;
  /** ignore client commits (a socket that died before the commit got through) */
  ignoreCommits?: boolean;
}

interface Live {
  session: FakeRealtimeSession;
  plan: FakeRealtimePlan;
  appends: number;
  /** the input audio buffer since the last commit/clear */
  buffer: Buffer;
  /** bytes appended to this session before `buffer` starts */
  bufferStart: number;
  serverVad: boolean;
  silenceMs: number;
  speechItem: string | null;
  quietFrames: number;
  frameCarry: Buffer;
}

/**
 * A local stand-in for the Realtime API's transcription sessions (ws, 127.0.0.1, random port), implementing the
 * documented event flow: `transcription_session.update` → `…created/updated`; `input_audio_buffer.append` (base64
 * g711_ulaw); with `server_vad` an energy VAD raising `speech_started` / `speech_stopped` / `committed`; a client
 * `commit` answered `committed` or `error input_audio_buffer_commit_empty`; `clear`; then per committed item a
 * `delta` per half word and `completed`. It "recognises" each run of loud 20 ms frames (up to 400 ms) as the next
 * vocabulary word. Plans add a refused handshake, an `error` event, an expired session and a dropped socket.
 */
export class FakeRealtimeServer {
  readonly sessions: FakeRealtimeSession[] = [];
  plan: FakeRealtimePlan[] = [{}];
  url = '';
  private http: Server | null = null;
  private readonly wss = new WebSocketServer({ noServer: true });
  private connections = 0;
  private items = 0;

  async start(): Promise<void> {
    this.http = createServer((_req, res) => res.writeHead(404).end());
    this.http.on('upgrade', (req, socket, head) => {
      const plan = this.plan[Math.min(this.connections++, this.plan.length - 1)] ?? {};
      if (plan.refuse) {
        socket.end(`HTTP/1.1 ${plan.refuse} Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req.url ?? '', req.headers, plan));
    });
    await new Promise<void>((resolve) => this.http!.listen(0, '127.0.0.1', resolve));
    const { port } = this.http.address() as AddressInfo;
    this.url = `ws://127.0.0.1:${port}/v1/realtime?intent=transcription`;
  }

  reset(): void {
    for (const s of this.sessions) s.socket.terminate();
    this.sessions.length = 0;
    this.plan = [{}];
    this.connections = 0;
  }

  async stop(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
    this.http?.closeAllConnections();
    await new Promise<void>((resolve) => this.http?.close(() => resolve()) ?? resolve());
  }

  /** all audio the sessions received, concatenated in connection order */
  allAudio(): Buffer {
    return Buffer.concat(this.sessions.map((s) => s.audio));
  }

  private accept(ws: WebSocket, url: string, headers: IncomingHttpHeaders, plan: FakeRealtimePlan): void {
    const session: FakeRealtimeSession = {
      url,
      headers,
      settings: null,
      audio: Buffer.alloc(0),
      appends: [],
      commits: 0,
      clears: 0,
      transcripts: [],
      socket: ws,
      closedByClient: false,
    };
    this.sessions.push(session);
    const live: Live = {
      session,
      plan,
      appends: 0,
      buffer: Buffer.alloc(0),
      bufferStart: 0,
      serverVad: false,
      silenceMs: 500,
      speechItem: null,
      quietFrames: 0,
      frameCarry: Buffer.alloc(0),
    };
    const send = (event: Record<string, unknown>) => ws.send(JSON.stringify(event));
    send({ type: 'transcription_session.created', session: {} });
    ws.on('close', (code) => {
      session.closedByClient = code === 1000;
    });
    ws.on('message', (data) => {
      const event = JSON.parse(String(data)) as Record<string, unknown>;
      switch (event.type) {
        case 'transcription_session.update': {
          session.settings = event.session as Record<string, unknown>;
          const turn = session.settings.turn_detection as {
            type?: string;
            silence_duration_ms?: number;
          } | null;
          live.serverVad = turn?.type === 'server_vad';
          live.silenceMs = turn?.silence_duration_ms ?? 500;
          send({ type: 'transcription_session.updated', session: session.settings });
          return;
        }
        case 'input_audio_buffer.append':
          return this.append(live, Buffer.from(String(event.audio), 'base64'), send);
        case 'input_audio_buffer.commit':
          session.commits++;
          if (plan.ignoreCommits) return;
          return this.commit(live, send);
        case 'input_audio_buffer.clear':
          session.clears++;
          live.bufferStart += live.buffer.length;
          live.buffer = Buffer.alloc(0);
          live.speechItem = null;
          send({ type: 'input_audio_buffer.cleared' });
          return;
        default:
          send({
            type: 'error',
            error: { type: 'invalid_request_error', code: 'unknown_event', message: '?' },
          });
      }
    });
  }

  private append(live: Live, bytes: Buffer, send: (e: Record<string, unknown>) => void): void {
    const { session, plan } = live;
    session.audio = Buffer.concat([session.audio, bytes]);
    session.appends.push(bytes);
    live.buffer = Buffer.concat([live.buffer, bytes]);
    live.appends++;
    if (live.serverVad) this.detect(live, bytes, send);
    if (plan.errorAfterAppends && live.appends === plan.errorAfterAppends.appends) {
      send({
        type: 'error',
        error: { type: 'invalid_request_error', code: plan.errorAfterAppends.code, message: 'fake' },
      });
    }
    if (plan.expireAfterAppends && live.appends === plan.expireAfterAppends) {
      send({
        type: 'error',
        error: {
          type: 'invalid_request_error',
          code: 'session_expired',
          message: 'Your session hit the maximum duration.',
        },
      });
      session.socket.close(1000, 'session expired');
    }
    if (plan.dropAfterAppends && live.appends === plan.dropAfterAppends) session.socket.terminate();
  }

  /** server_vad: loud 20 ms frames start a turn, silence_duration_ms of quiet ones end and commit it */
  private detect(live: Live, bytes: Buffer, send: (e: Record<string, unknown>) => void): void {
    let data = Buffer.concat([live.frameCarry, bytes]);
    const total = live.session.audio.length - data.length; // session position of data[0]
    let offset = 0;
    for (; offset + FRAME <= data.length; offset += FRAME) {
      const at = total + offset;
      const loud = isLoud(data.subarray(offset, offset + FRAME));
      if (loud) {
        live.quietFrames = 0;
        if (!live.speechItem) {
          live.speechItem = `item_${++this.items}`;
          send({
            type: 'input_audio_buffer.speech_started',
            audio_start_ms: at / 8,
            item_id: live.speechItem,
          });
        }
      } else if (live.speechItem && ++live.quietFrames * 20 >= live.silenceMs) {
        const end = at + FRAME;
        send({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: end / 8, item_id: live.speechItem });
        this.commitItem(live, live.speechItem, end - live.bufferStart, send);
        live.speechItem = null;
      }
    }
    data = data.subarray(offset);
    live.frameCarry = Buffer.from(data);
  }

  private commit(live: Live, send: (e: Record<string, unknown>) => void): void {
    if (live.buffer.length < 800) {
      // the service wants at least 100 ms
      send({
        type: 'error',
        error: {
          type: 'invalid_request_error',
          code: 'input_audio_buffer_commit_empty',
          message: 'buffer too small',
        },
      });
      return;
    }
    const id = live.speechItem ?? `item_${++this.items}`;
    live.speechItem = null;
    live.quietFrames = 0;
    this.commitItem(live, id, live.buffer.length, send);
  }

  private commitItem(
    live: Live,
    id: string,
    length: number,
    send: (e: Record<string, unknown>) => void,
  ): void {
    const audio = live.buffer.subarray(0, length);
    live.buffer = Buffer.from(live.buffer.subarray(length));
    live.bufferStart += length;
    send({ type: 'input_audio_buffer.committed', previous_item_id: null, item_id: id });
    if (live.plan.holdCompletions) return;
    const words = recognise(audio);
    setImmediate(() => {
      if (live.session.socket.readyState !== live.session.socket.OPEN) return;
      // token pieces, as the service streams them: half a word at a time
      for (const [i, word] of words.entries()) {
        const cut = Math.ceil(word.length / 2);
        for (const piece of [`${i === 0 ? '' : ' '}${word.slice(0, cut)}`, word.slice(cut)]) {
          if (piece === '') continue;
          send({
            type: 'conversation.item.input_audio_transcription.delta',
            item_id: id,
            content_index: 0,
            delta: piece,
          });
        }
      }
      const transcript = words.join(' ');
      live.session.transcripts.push(transcript);
      send({
        type: 'conversation.item.input_audio_transcription.completed',
        item_id: id,
        content_index: 0,
        transcript,
        logprobs: words.map(() => ({ token: 'x', logprob: -0.1, bytes: [] })),
      });
    });
  }
}

function isLoud(frame: Uint8Array): boolean {
  const pcm = mulawDecode(frame);
  let energy = 0;
  for (const s of pcm) energy += s * s;
  return 10 * Math.log10(energy / pcm.length / 32768 ** 2 + 1e-12) > -40;
}

/** each run of loud frames (gaps under 120 ms bridged, at most 400 ms long) is the next vocabulary word */
function recognise(audio: Uint8Array): string[] {
  const words: string[] = [];
  let quiet = Infinity;
  let loud = 0;
  for (let offset = 0; offset + FRAME <= audio.length; offset += FRAME) {
    if (!isLoud(audio.subarray(offset, offset + FRAME))) {
      quiet++;
      continue;
    }
    if (quiet >= 6 || loud >= 20) {
      words.push(VOCABULARY[words.length % VOCABULARY.length]!);
      loud = 0;
    }
    loud++;
    quiet = 0;
  }
  return words;
}
