/**
 * A small AudioHook server for the simulator's tests: ws + ServerSession from @hookscribe/audiohook, on 127.0.0.1
 * with a random port. It can verify signatures before the upgrade, pause/resume the stream, send a transcript, and
 * misbehave in one chosen way so that tests can check that hookscribe-sim names the fault.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  ServerSession,
  decodeClientSecret,
  verifyRequestSignature,
  type SessionEvent,
  type SessionStep,
} from '@hookscribe/audiohook';

export type ServerFault =
  | 'wrong-pong-clientseq'
  | 'seq-gap'
  | 'two-media'
  | 'unknown-member'
  | 'no-closed'
  | 'binary'
  | 'slow-opened'
  | 'disconnect';

export interface TestServerOptions {
  /** API key → base64 secret; when set, unsigned or badly signed upgrades get HTTP 401 */
  keys?: Record<string, string>;
  profile?: 'monitor' | 'transcription';
  fault?: ServerFault;
  /** server-initiated pause this long after opened, resumed `pauseForMs` later */
  pauseAfterMs?: number;
  pauseForMs?: number;
  /** transcription profile: send one transcript event after the first audio frame */
  transcript?: string;
}

export interface TestServer {
  url(path?: string): string;
  /** per session: event types raised by ServerSession, in order */
  readonly sessions: { events: SessionEvent[]; upgradeHeaders: IncomingMessage['headers'] }[];
  readonly refusedUpgrades: number;
  close(): Promise<void>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const http: Server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  const sessions: TestServer['sessions'] = [];
  let refused = 0;

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (options.keys) {
      const result = verifyRequestSignature({
        requestTarget: req.url ?? '/',
        authority: req.headers.host ?? '',
        headers: req.headers,
        secretForKey: (key) => (key in options.keys! ? decodeClientSecret(options.keys![key]!) : undefined),
        nowSeconds: Math.floor(Date.now() / 1000),
        randomBytes: (n) => new Uint8Array(randomBytes(n)),
      });
      if (!result.ok) {
        refused++;
        socket.end(
          `HTTP/1.1 401 Unauthorized\r\nContent-Length: ${result.reason.length}\r\n\r\n${result.reason}`,
        );
        return;
      }
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws, req));
  });

  function serve(ws: WebSocket, req: IncomingMessage): void {
    const record = { events: [] as SessionEvent[], upgradeHeaders: req.headers };
    sessions.push(record);
    const session = new ServerSession({
      nowMs: () => performance.now(),
      sessionId: String(req.headers['audiohook-session-id']),
      organizationId: String(req.headers['audiohook-organization-id']),
      profile: options.profile ?? 'monitor',
      supportedLanguages: ['en-US', 'fr-FR'],
      pauseOnUnsupportedLanguage: false,
    });
    let sent = 0;
    let transcriptSent = false;
    const timers: NodeJS.Timeout[] = [];

    const apply = (step: SessionStep) => {
      const events = step.events.filter((e) => e.type !== 'message');
      record.events.push(...events);
      for (const text of step.send) emit(text);
      if (step.closeSocket) ws.close();
      for (const event of events) onEvent(event);
    };

    const emit = (text: string) => {
      const message = JSON.parse(text) as {
        type: string;
        seq: number;
        clientseq: number;
        parameters: Record<string, unknown>;
      };
      sent++;
      switch (options.fault) {
        case 'wrong-pong-clientseq':
          if (message.type === 'pong') message.clientseq -= 1;
          break;
        case 'seq-gap':
          if (sent >= 2) message.seq += 1;
          break;
        case 'two-media':
          if (message.type === 'opened') {
            const offer = (
              record.events.find((e) => e.type === 'opened') as Extract<SessionEvent, { type: 'opened' }>
            ).open.parameters.media;
            message.parameters.media = offer.slice(0, 2);
          }
          break;
        case 'unknown-member': // the field failure: the offer echoed with a member Genesys's model lacks
          if (message.type === 'opened') {
            const media = message.parameters.media as Record<string, unknown>[];
            message.parameters.media = media.map((m) => ({ ...m, codec: 'PCMU' }));
          }
          break;
        case 'no-closed':
          if (message.type === 'closed') return;
          break;
        case 'slow-opened':
          if (message.type === 'opened') {
            timers.push(setTimeout(() => ws.send(JSON.stringify(message)), 6_000));
            return;
          }
          break;
      }
      ws.send(JSON.stringify(message));
      if (message.type === 'opened' && options.fault === 'binary') ws.send(Buffer.alloc(320));
    };

    const onEvent = (event: SessionEvent) => {
      if (event.type === 'opened' && !event.isProbe) {
        if (options.fault === 'disconnect') {
          timers.push(setTimeout(() => apply(session.disconnect('error', 'test server gives up')), 300));
        }
        if (options.pauseAfterMs !== undefined) {
          timers.push(
            setTimeout(() => {
              apply(session.pause());
              timers.push(setTimeout(() => apply(session.resume()), options.pauseForMs ?? 500));
            }, options.pauseAfterMs),
          );
        }
      }
      if (event.type === 'audio' && options.transcript && !transcriptSent) {
        transcriptSent = true;
        apply(
          session.sendEvent([
            {
              type: 'transcript',
              data: {
                id: '5d1c2b7e-3f0a-4c1e-9b8d-7a6f5e4d3c2b',
                channelId: 0,
                isFinal: true,
                offset: 'PT0.2S',
                duration: 'PT0.4S',
                alternatives: [
                  {
                    confidence: 0.9,
                    interpretations: [
                      {
                        type: 'display',
                        transcript: options.transcript,
                        tokens: options.transcript.split(' ').map((value, i) => ({
                          type: 'word' as const,
                          value,
                          confidence: 0.9,
                          offset: `PT${(0.2 + i * 0.05).toFixed(2)}S`,
                          duration: 'PT0.05S',
                        })),
                      },
                    ],
                  },
                ],
              },
            },
          ]),
        );
      }
      if (event.type === 'closing') apply(session.finishClose());
    };

    ws.on('message', (data: Buffer, isBinary: boolean) => {
      apply(isBinary ? session.receiveBinary(new Uint8Array(data)) : session.receiveText(data.toString()));
    });
    ws.on('close', () => {
      for (const t of timers) clearTimeout(t);
      apply(session.socketClosed());
    });
  }

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: (path = '/api/v1/audiohook/ws') => `ws://127.0.0.1:${port}${path}`,
    sessions,
    get refusedUpgrades() {
      return refused;
    },
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
