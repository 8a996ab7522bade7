/**
 * Test support: a real hookscribe server on 127.0.0.1 (random port, temp data dir) and a raw AudioHook client over
 * `ws` that signs its upgrade with signRequest and builds protocol messages by hand, so tests can send exactly the
 * malformed input they need.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseServerMessage, signRequest } from '@hookscribe/audiohook';
import { pino } from 'pino';
import WebSocket from 'ws';
import { buildApp, type AppDeps, type HookscribeApp } from '../../src/app.js';
import { loadConfig, type ServerConfig } from '../../src/config.js';
import { makeTempDir } from './temp-dirs.js';

export const SECRET_BYTES = Buffer.from('MySuperSecretKeyTellNo-1!2@3#4$5');
export const SIGNED_KEY = 'SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh';
export const UNSIGNED_KEY = 'key-without-secret';
export const ORG_ID = 'd7934305-0972-4844-938e-9060eef73d05';
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export const STEREO_PCMU = {
  type: 'audio',
  format: 'PCMU',
  channels: ['external', 'internal'],
  rate: 8000,
} as const;
export const MONO_PCMU = { type: 'audio', format: 'PCMU', channels: ['external'], rate: 8000 } as const;
export const STEREO_L16 = {
  type: 'audio',
  format: 'L16',
  channels: ['external', 'internal'],
  rate: 8000,
} as const;

export interface TestServer {
  app: HookscribeApp;
  port: number;
  httpUrl: string;
  wsBase: string;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startTestServer(
  overrides: Partial<ServerConfig> = {},
  deps: AppDeps = {},
): Promise<TestServer> {
  const dataDir = makeTempDir('hookscribe-server-');
  const config: ServerConfig = {
    ...loadConfig({}, dataDir),
    port: 0,
    host: '127.0.0.1',
    dataDir,
    logLevel: 'silent',
    audiohookKeys: { [SIGNED_KEY]: SECRET_BYTES.toString('base64'), [UNSIGNED_KEY]: '' },
    ...overrides,
  };
  const app = await buildApp(config, {
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    ...deps,
  });
  const { port } = await app.start();
  let stopped = false;
  return {
    app,
    port,
    httpUrl: `http://127.0.0.1:${port}`,
    wsBase: `ws://127.0.0.1:${port}`,
    dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.drain({ timeoutMs: 0 });
      await app.stop();
    },
  };
}

export interface CallIds {
  sessionId: string;
  organizationId: string;
  correlationId: string;
  conversationId: string;
  participantId: string;
}

export function newCallIds(overrides: Partial<CallIds> = {}): CallIds {
  return {
    sessionId: randomUUID(),
    organizationId: ORG_ID,
    correlationId: randomUUID(),
    conversationId: randomUUID(),
    participantId: randomUUID(),
    ...overrides,
  };
}

export interface HeaderOptions {
  target: string;
  authority: string;
  ids: CallIds;
  apiKey?: string;
  secret?: Uint8Array | null;
  nonce?: string;
  created?: number;
  expires?: number;
  /** sign with this key id instead of the api key */
  keyid?: string;
}

/** Upgrade headers as Genesys sends them; signed unless secret is null. */
export function audiohookHeaders(o: HeaderOptions): Record<string, string> {
  const apiKey = o.apiKey ?? SIGNED_KEY;
  const headers: Record<string, string> = {
    'Audiohook-Organization-Id': o.ids.organizationId,
    'Audiohook-Session-Id': o.ids.sessionId,
    'Audiohook-Correlation-Id': o.ids.correlationId,
    'X-API-KEY': apiKey,
  };
  const secret = o.secret === undefined ? SECRET_BYTES : o.secret;
  if (secret) {
    const created = o.created ?? Math.floor(Date.now() / 1000);
    const signed = signRequest({
      requestTarget: o.target,
      authority: o.authority,
      organizationId: o.ids.organizationId,
      sessionId: o.ids.sessionId,
      correlationId: o.ids.correlationId,
      apiKey: o.keyid ?? apiKey,
      secret,
      nonce: o.nonce ?? randomBytes(18).toString('base64'),
      created,
      expires: o.expires ?? created + 30,
    });
    headers['Signature-Input'] = signed.signatureInput;
    headers['Signature'] = signed.signature;
  }
  return headers;
}

export type UpgradeOutcome =
  | { upgraded: true; client: AudiohookTestClient }
  | { upgraded: false; status: number; body: string; headers: Record<string, string | string[] | undefined> };

export interface ConnectOptions extends Partial<Omit<HeaderOptions, 'target' | 'authority' | 'ids'>> {
  server: TestServer;
  /** path + query, e.g. /api/v1/audiohook/ws?tenant=a */
  target?: string;
  ids?: CallIds;
  /** override the signed @authority (defaults to the Host the client sends) */
  authority?: string;
  /** headers to send instead of the generated ones (or merged over them with `extraHeaders`) */
  headers?: Record<string, string>;
  extraHeaders?: Record<string, string>;
  omitHeaders?: string[];
  protocols?: string[];
}

export async function connect(options: ConnectOptions): Promise<UpgradeOutcome> {
  const target = options.target ?? '/api/v1/audiohook/ws';
  const ids = options.ids ?? newCallIds();
  const host = `127.0.0.1:${options.server.port}`;
  let headers =
    options.headers ??
    audiohookHeaders({
      ...options,
      target,
      authority: options.authority ?? host,
      ids,
      secret: options.secret,
    });
  headers = { ...headers, ...options.extraHeaders };
  for (const name of options.omitHeaders ?? []) delete headers[name];
  const ws = new WebSocket(`${options.server.wsBase}${target}`, options.protocols ?? [], {
    headers,
    followRedirects: false,
    perMessageDeflate: false,
  });
  return new Promise<UpgradeOutcome>((resolve, reject) => {
    ws.once('upgrade', () => undefined);
    ws.once('open', () => resolve({ upgraded: true, client: new AudiohookTestClient(ws, ids) }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({ upgraded: false, status: res.statusCode ?? 0, body, headers: res.headers }),
      );
      res.on('error', reject);
    });
    ws.once('error', (err) => reject(err));
  });
}

export async function connectOk(options: ConnectOptions): Promise<AudiohookTestClient> {
  const outcome = await connect(options);
  if (!outcome.upgraded) throw new Error(`upgrade refused: ${outcome.status} ${outcome.body}`);
  return outcome.client;
}

export interface ServerMessageJson {
  version: string;
  id: string;
  type: string;
  seq: number;
  clientseq: number;
  parameters: Record<string, unknown>;
}

/** A raw AudioHook client: tracks seq/serverseq for well-formed messages; tests can override any field. */
export class AudiohookTestClient {
  readonly received: ServerMessageJson[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  seq = 0;
  positionSamples = 0;
  private waiters: { type: string | undefined; resolve: (m: ServerMessageJson) => void }[] = [];
  private cursor = 0;

  constructor(
    readonly ws: WebSocket,
    readonly ids: CallIds,
  ) {
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    ws.on('error', () => undefined);
    ws.on('message', (data, isBinary) => {
      if (isBinary) throw new Error('server sent a binary frame');
      // Genesys's client validates every server message against its closed model (digest §7.7): so does this one
      const checked = parseServerMessage(data.toString());
      if (!checked.ok) throw new Error(`server message does not match its schema: ${checked.reason}`);
      const message = JSON.parse(data.toString()) as ServerMessageJson;
      this.received.push(message);
      this.deliver();
    });
  }

  get lastServerSeq(): number {
    return this.received.at(-1)?.seq ?? 0;
  }

  /** Next server message not yet consumed (optionally of a type: earlier messages of other types are skipped). */
  next(type?: string, timeoutMs = 10_000): Promise<ServerMessageJson> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${type ?? 'a message'}`)),
        timeoutMs,
      );
      this.waiters.push({
        type,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
      this.deliver();
    });
  }

  private deliver(): void {
    while (this.waiters.length && this.cursor < this.received.length) {
      const waiter = this.waiters[0]!;
      const message = this.received[this.cursor++]!;
      if (waiter.type && message.type !== waiter.type) continue;
      this.waiters.shift();
      waiter.resolve(message);
    }
  }

  message(
    type: string,
    parameters: Record<string, unknown> = {},
    overrides: Record<string, unknown> = {},
  ): string {
    this.seq += 1;
    return JSON.stringify({
      version: '2',
      id: this.ids.sessionId,
      type,
      seq: this.seq,
      serverseq: this.lastServerSeq,
      position: `PT${this.positionSamples / 8000}S`,
      parameters,
      ...overrides,
    });
  }

  send(
    type: string,
    parameters: Record<string, unknown> = {},
    overrides: Record<string, unknown> = {},
  ): void {
    this.ws.send(this.message(type, parameters, overrides));
  }

  sendRaw(data: string | Uint8Array): void {
    this.ws.send(data);
  }

  openParameters(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      organizationId: this.ids.organizationId,
      conversationId: this.ids.conversationId,
      participant: {
        id: this.ids.participantId,
        ani: '+15555551234',
        aniName: 'Jane Doe',
        dnis: '+18005556789',
      },
      media: [STEREO_PCMU, MONO_PCMU],
      language: 'en-US',
      ...overrides,
    };
  }

  async open(overrides: Record<string, unknown> = {}): Promise<ServerMessageJson> {
    this.send('open', this.openParameters(overrides));
    return this.next();
  }

  /** Sends audio bytes and advances the position by the given number of samples per channel. */
  audio(bytes: Uint8Array, samplesPerChannel: number): void {
    this.ws.send(bytes);
    this.positionSamples += samplesPerChannel;
  }

  async ping(): Promise<ServerMessageJson> {
    this.send('ping');
    return this.next('pong');
  }

  /** close transaction as Genesys runs it: `close`, wait for `closed`, then close the socket */
  async close(reason = 'end'): Promise<ServerMessageJson> {
    this.send('close', { reason });
    const closed = await this.next('closed');
    this.ws.close();
    await this.closed;
    return closed;
  }

  terminate(): void {
    this.ws.terminate();
  }
}

export async function getJson(server: TestServer, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${server.httpUrl}${path}`);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (metrics)
  }
  return { status: res.status, body };
}

/** Waits until the call's sidecar is finalised (valid JSON with `ended`) and returns it. */
export async function finalisedSidecar(
  server: TestServer,
  sessionId: string,
  timeoutMs = 10_000,
): Promise<{
  call: Record<string, unknown>;
  messages: Record<string, unknown>[];
  ended: Record<string, unknown>;
}> {
  const { readFile } = await import('node:fs/promises');
  const dir = join(server.dataDir, 'recordings', new Date().toISOString().slice(0, 10));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const parsed = JSON.parse(await readFile(join(dir, `${sessionId}.json`), 'utf8'));
      if (parsed.ended) return parsed;
    } catch {
      // not there or not finalised yet
    }
    if (Date.now() > deadline) throw new Error(`sidecar of ${sessionId} not finalised`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
