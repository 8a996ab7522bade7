/**
 * A local fake of the OpenAI chat completions API (node:http on 127.0.0.1, random port). Each request is answered
 * by the current `behaviour`; requests are recorded for assertions.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeBehaviour =
  | { kind: 'json' }
  | { kind: 'stream'; chunkSize?: number }
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'garbage'; body: string; contentType?: string }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'hangup' }
  /** hold the answer until release() */
  | { kind: 'held' };

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: {
    messages: { role: string; content: string }[];
    stream?: boolean;
    model?: string;
    response_format?: unknown;
  };
}

/** The answer content the fake model gives for a request (default: valid JSON for whichever prompt it is). */
export type Answerer = (request: RecordedRequest) => string;

export const defaultAnswer: Answerer = (request) => {
  const system = request.body.messages[0]?.content ?? '';
  const user = request.body.messages[1]?.content ?? '';
  if (/after-call summary/i.test(system)) {
    return JSON.stringify({
      summary:
        'LLM: the customer wanted to cancel because of price; the agent moved them to the Essentials plan.',
      nextSteps: ['LLM: send the plan change confirmation'],
    });
  }
  const candidateIds = [...user.matchAll(/^- (\S+) — /gm)].map((m) => m[1]);
  return JSON.stringify({
    issue: 'LLM: price too high',
    customerNeed: 'LLM: wants to cancel the subscription',
    actions: ['LLM: offered a retention discount'],
    summary: 'LLM: customer wants to cancel over price; agent is making a retention offer.',
    suggestions: candidateIds.slice(0, 1).map((id) => ({ id, reason: 'fits' })),
  });
};

export class FakeLlmServer {
  behaviour: FakeBehaviour = { kind: 'json' };
  /** behaviours consumed one per request before falling back to `behaviour` */
  queue: FakeBehaviour[] = [];
  answer: Answerer = defaultAnswer;
  readonly requests: RecordedRequest[] = [];
  private server: Server | null = null;
  private held: (() => void)[] = [];

  /** Answers every request held so far. */
  release(): void {
    for (const r of this.held.splice(0)) r();
  }

  private readonly sockets = new Set<import('node:net').Socket>();

  get url(): string {
    const { port } = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${port}/v1`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.release();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as RecordedRequest['body'],
    };
    this.requests.push(recorded);
    const b = this.queue.shift() ?? this.behaviour;
    switch (b.kind) {
      case 'status':
        res.writeHead(b.status, {
          'content-type': 'application/json',
          ...(b.retryAfter ? { 'retry-after': b.retryAfter } : {}),
        });
        res.end(JSON.stringify({ error: { message: `fake ${b.status}` } }));
        return;
      case 'garbage':
        res.writeHead(200, { 'content-type': b.contentType ?? 'application/json' });
        res.end(b.body);
        return;
      case 'hangup':
        req.socket.destroy();
        return;
      case 'held':
        await new Promise<void>((r) => this.held.push(r));
        this.sendJson(res, this.answer(recorded));
        return;
      case 'slow':
        await new Promise((r) => setTimeout(r, b.delayMs));
        if (res.destroyed) return;
        this.sendJson(res, this.answer(recorded));
        return;
      case 'stream': {
        const content = this.answer(recorded);
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        const size = b.chunkSize ?? 7;
        for (let i = 0; i < content.length; i += size) {
          res.write(
            `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: content.slice(i, i + size) } }] })}\n\n`,
          );
          await new Promise((r) => setImmediate(r));
        }
        res.write(
          `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
        );
        res.end('data: [DONE]\n\n');
        return;
      }
      default:
        this.sendJson(res, this.answer(recorded));
    }
  }

  private sendJson(res: ServerResponse, content: string): void {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: 'x',
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      }),
    );
  }
}
