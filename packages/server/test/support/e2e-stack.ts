/**
 * End-to-end test support: the built product as real child processes — `packages/server/dist/main.js`, the
 * `hookscribe-sim` CLI and `hookscribe-assist` workers — on 127.0.0.1 with random ports and temp dirs, plus a small
 * Server-Sent Events reader for the live API. Everything started here is stopped by `stop()`/`stopAll()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SECRET_BYTES, SIGNED_KEY } from './audiohook-test-client.js';
import { makeTempDir } from './temp-dirs.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const mainJs = join(repoRoot, 'packages/server/dist/main.js');
export const simJs = join(repoRoot, 'packages/sim/dist/cli.js');
export const assistJs = join(repoRoot, 'packages/assist/dist/cli.js');
export const demoCall = (name: string) => join(repoRoot, 'packages/server/demo-calls', `${name}.wav`);
export const API_TOKEN = 'e2e-api-token-0123456789';
export const SECRET_BASE64 = SECRET_BYTES.toString('base64');

export interface E2eServer {
  child: ChildProcess;
  port: number;
  httpUrl: string;
  wsBase: string;
  dataDir: string;
  /** JSON log lines so far */
  logs: Record<string, unknown>[];
  exit: Promise<number | null>;
  /** SIGTERM, resolves with the exit code */
  stop(): Promise<number | null>;
}

const started = new Set<{ stop(): Promise<unknown> }>();

/** a process that has not exited 60 s after SIGTERM is killed (the test then sees -9 instead of hanging) */
async function exitOrKill(child: ChildProcess, exit: Promise<number | null>): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<number>((resolve) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(-9);
    }, 60_000);
  });
  const code = await Promise.race([exit, killed]);
  clearTimeout(timer);
  return code;
}

/** Starts main.js with the test AudioHook key and API token; resolves once it logged "hookscribe listening". */
export function startServer(env: Record<string, string> = {}): Promise<E2eServer> {
  const dataDir = env.HOOKSCRIBE_DATA_DIR ?? makeTempDir('hookscribe-e2e-');
  const child = spawn(process.execPath, [mainJs], {
    cwd: dataDir,
    env: {
      PATH: process.env.PATH ?? '',
      HOOKSCRIBE_HOST: '127.0.0.1',
      HOOKSCRIBE_PORT: '0',
      HOOKSCRIBE_DATA_DIR: dataDir,
      HOOKSCRIBE_AUDIOHOOK_KEYS: JSON.stringify({ [SIGNED_KEY]: SECRET_BASE64 }),
      HOOKSCRIBE_API_TOKENS: API_TOKEN,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (c: string) => stderr.push(c));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolvePromise, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return; // the development banner
      }
      logs.push(entry);
      if (entry.msg === 'hookscribe listening') {
        const port = Number(new URL(String(entry.url)).port);
        const server: E2eServer = {
          child,
          port,
          httpUrl: `http://127.0.0.1:${port}`,
          wsBase: `ws://127.0.0.1:${port}`,
          dataDir,
          logs,
          exit,
          stop: async () => {
            started.delete(server);
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            return exitOrKill(child, exit);
          },
        };
        started.add(server);
        resolvePromise(server);
      }
    });
    void exit.then((code) =>
      reject(new Error(`main.js exited with ${code} before listening: ${stderr.join('').slice(-2000)}`)),
    );
  });
}

/** Starts a `hookscribe-assist` worker process. */
export function startAssistWorker(env: Record<string, string>): {
  child: ChildProcess;
  output: string[];
  stop(): Promise<number | null>;
} {
  const child = spawn(process.execPath, [assistJs], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (c: string) => output.push(c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => output.push(c));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const worker = {
    child,
    output,
    stop: async () => {
      started.delete(worker);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exitOrKill(child, exit);
    },
  };
  started.add(worker);
  return worker;
}

/** Stops everything this module started (afterAll). */
export async function stopAll(): Promise<void> {
  await Promise.all([...started].map((s) => s.stop()));
}

export interface SimTranscript {
  channelId: number;
  channel: string;
  isFinal: boolean;
  offset: string;
  duration: string;
  text: string;
  confidence: number;
}

export interface SimResult {
  exitCode: number | null;
  ok: boolean;
  sessionId: string;
  violations: string[];
  transcripts: SimTranscript[];
  serverMessages: Record<string, number>;
  audioBytesSent: number;
  streamSeconds: number;
  stderr: string;
}

/** Runs `hookscribe-sim --json` against the server; resolves with its parsed summary and exit code. */
export function runSim(server: { wsBase: string }, path: string, args: string[]): Promise<SimResult> {
  const child = spawn(
    process.execPath,
    [
      simJs,
      '--url',
      `${server.wsBase}${path}`,
      '--api-key',
      SIGNED_KEY,
      '--secret',
      SECRET_BASE64,
      '--json',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const out: string[] = [];
  const err: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (c: string) => out.push(c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => err.push(c));
  return new Promise((resolvePromise, reject) => {
    child.once('exit', (code) => {
      try {
        const summary = JSON.parse(out.join('')) as Omit<SimResult, 'exitCode' | 'stderr'>;
        resolvePromise({ ...summary, exitCode: code, stderr: err.join('') });
      } catch {
        reject(new Error(`sim exited ${code} without JSON: ${err.join('').slice(-2000)}`));
      }
    });
  });
}

export const auth = { Authorization: `Bearer ${API_TOKEN}` };

export async function apiJson<T = Record<string, unknown>>(
  server: { httpUrl: string },
  path: string,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.httpUrl}${path}`, { headers: auth });
  return { status: res.status, body: (await res.json()) as T };
}

/** Polls `probe` until it returns a value (not undefined) or `timeoutMs` passes (then throws with `what`). */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface LiveEvent {
  id: string | null;
  event: string;
  data: { type: string; conversationId: string; eventId: string; data: Record<string, unknown> };
}

/** A live-API SSE client (GET /api/live) collecting every event it receives, with the arrival time. */
export class LiveClient {
  readonly events: (LiveEvent & { at: number })[] = [];
  private readonly abort = new AbortController();
  readonly connected: Promise<void>;

  constructor(server: { httpUrl: string }, path = '/api/live') {
    this.connected = this.read(`${server.httpUrl}${path}`);
  }

  private async read(url: string): Promise<void> {
    const res = await fetch(url, { headers: auth, signal: this.abort.signal });
    if (res.status !== 200 || !res.body) throw new Error(`live API answered ${res.status}`);
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    let buffer = '';
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += decoder.decode(value, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            this.parse(block);
          }
        }
      } catch {
        // aborted
      }
    })();
  }

  private parse(block: string): void {
    let id: string | null = null;
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length === 0) return;
    this.events.push({ id, event, data: JSON.parse(data.join('\n')) as LiveEvent['data'], at: Date.now() });
  }

  of(conversationId: string, type?: string): (LiveEvent & { at: number })[] {
    return this.events.filter(
      (e) => e.data.conversationId === conversationId && (type === undefined || e.event === type),
    );
  }

  close(): void {
    this.abort.abort();
  }
}

/** Words of the demo call's script (packages/server/demo-calls/generate.sh), lower case, per side. */
export const DEMO_SCRIPTS: Record<string, { customer: string; agent: string }> = {
  'billing-dispute': {
    agent:
      'Thanks for calling. How can I help? I am sorry about that. Can you confirm the amount of the charge? I see the duplicate charge. I will refund it to your card now. The refund takes three to five business days.',
    customer:
      'Hi. I was charged twice on my last bill and I want a refund. Forty nine dollars, twice on the same day. How long will that take?',
  },
};

export function wordsOf(text: string): Set<string> {
  return new Set(
    text
      .toLowerCase()
      .replace(/[^a-z' ]/g, ' ')
      .split(/\s+/)
      .filter((w) => w.length > 2),
  );
}

/** ISO-8601 duration like PT4.9S → seconds */
export function isoSeconds(duration: string): number {
  const m = /^PT(?:(\d+)M)?([\d.]+)S$/.exec(duration);
  if (!m) throw new Error(`not a PT…S duration: ${duration}`);
  return Number(m[1] ?? 0) * 60 + Number(m[2]);
}
