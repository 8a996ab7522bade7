/**
 * buildApp: wires one hookscribe server instance — fastify for HTTP (health, readiness, metrics, plugins such as the
 * REST/live API), a `ws` server in noServer mode behind the UpgradeGate for the AudioHook endpoints, the
 * SessionEventHub with its subscribers (the recorder here; transcription, storage and assist join through
 * `deps.subscribers`), and graceful drain.
 */
import type { AddressInfo } from 'node:net';
import { NonceCache } from '@hookscribe/audiohook';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyPluginCallback,
} from 'fastify';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { CallConnection } from './call-connection.js';
import type { AudiohookKeys, ServerConfig } from './config.js';
import { devKeysOf, loadOrCreateDevAudiohookKey, type DevAudiohookKey } from './dev-audiohook-key.js';
import './api/route-access.js'; // route config type: { access: { role } }
import { AUDIOHOOK_ENDPOINTS } from './endpoints.js';
import { createLogger, ErrorsOnlyRequestLog } from './logger.js';
import { ServerMetrics } from './metrics.js';
import { attachCallRecorder, type CallRecorderOptions } from './recording/call-recorder.js';
import { SessionEventHub, type SessionSubscriber } from './session-events.js';
import { UpgradeGate } from './upgrade/upgrade-gate.js';

/**
 * Largest WebSocket message accepted. Text is limited to 64 KiB by the protocol and enforced by the session
 * (answered with `disconnect` error); binary audio frames are client-sized, so the transport limit sits above the
 * text limit: 256 KiB is 16 s of stereo PCMU or 8 s of stereo L16. Larger messages make ws close with 1009.
 */
export const MAX_WS_MESSAGE_BYTES = 256 * 1024;

/** Languages answered in `opened.supportedLanguages` until a speech engine provides its own list. */
export const DEFAULT_SUPPORTED_LANGUAGES = ['en-US'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyPlugin = FastifyPluginAsync<any> | FastifyPluginCallback<any>;

export interface AppPlugin {
  plugin: AnyPlugin;
  options?: Record<string, unknown>;
}

export interface AppDeps {
  logger?: Logger;
  metrics?: ServerMetrics;
  hub?: SessionEventHub;
  /** components that subscribe to session events (transcription pipeline, storage, ...) */
  subscribers?: SessionSubscriber[];
  /** fastify plugins registered after the built-in routes (REST/live API, web UI) */
  plugins?: (AppPlugin | AnyPlugin)[];
  supportedLanguages?: string[];
  /** a call's recording files are final on disk (the pipeline moves them to the recording store) */
  onRecordingFinalized?: CallRecorderOptions['onFinalized'];
  /** a call's recording is being written: not to be read before onRecordingFinalized */
  onRecordingStarted?: CallRecorderOptions['onStarted'];
  /** state of downstream dependencies for GET /health (store, bus, outbox, recordings) */
  dependencyHealth?: () => Promise<{ name: string; status: 'ok' | 'degraded'; detail: string | null }[]>;
  /** runs after the drain, before the HTTP server closes (e.g. closing stores and buses) */
  onStopped?: () => Promise<void>;
  /** injected clock for signature checks (seconds) */
  nowSeconds?: () => number;
}

/** What plugins get through `fastify.hookscribe`. */
export interface HookscribeContext {
  config: ServerConfig;
  hub: SessionEventHub;
  metrics: ServerMetrics;
  isDraining(): boolean;
  activeSessions(): number;
}

declare module 'fastify' {
  interface FastifyInstance {
    hookscribe: HookscribeContext;
  }
}

export interface DrainOptions {
  /** how long live calls may continue before they get `disconnect` (default config.drainTimeoutMs) */
  timeoutMs?: number;
}

export interface HookscribeApp {
  config: ServerConfig;
  fastify: FastifyInstance;
  hub: SessionEventHub;
  metrics: ServerMetrics;
  logger: Logger;
  /** set when no keys were configured and the development key was used */
  devKey: DevAudiohookKey | null;
  readonly draining: boolean;
  activeSessions(): number;
  start(): Promise<{ host: string; port: number; url: string }>;
  /** stop accepting upgrades, let calls finish (bounded), disconnect the rest, finalise recordings */
  drain(options?: DrainOptions): Promise<void>;
  /** ends the wait for live calls of a running drain right away (second SIGTERM) */
  hurryDrain(): void;
  /** resolves once no connection is left and every `ended` subscriber (recordings) has finished */
  idle(): Promise<void>;
  /** drain, then close the HTTP server */
  stop(): Promise<void>;
}

function decodeSecrets(keys: AudiohookKeys): Map<string, Uint8Array> {
  return new Map(
    Object.entries(keys).map(([apiKey, secret]) => [apiKey, new Uint8Array(Buffer.from(secret, 'base64'))]),
  );
}

function sleep(ms: number, signal?: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void signal?.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function buildApp(config: ServerConfig, deps: AppDeps = {}): Promise<HookscribeApp> {
  const logger = deps.logger ?? createLogger(config.logLevel);
  const metrics = deps.metrics ?? new ServerMetrics();
  metrics.initialiseSeries(AUDIOHOOK_ENDPOINTS.map((endpoint) => endpoint.path));
  const hub =
    deps.hub ??
    new SessionEventHub({
      logger,
      waitTimeoutMs: config.closingTimeoutMs,
      onHandlerFailure: (event, kind) => metrics.subscriberFailures.inc({ event, kind }),
    });

  let devKey: DevAudiohookKey | null = null;
  let keys = config.audiohookKeys;
  if (!keys) {
    devKey = await loadOrCreateDevAudiohookKey(config.dataDir);
    keys = devKeysOf(devKey);
  }

  if (config.recording) {
    attachCallRecorder(hub, {
      dataDir: config.dataDir,
      logger,
      metrics,
      ...(deps.onRecordingFinalized ? { onFinalized: deps.onRecordingFinalized } : {}),
      ...(deps.onRecordingStarted ? { onStarted: deps.onRecordingStarted } : {}),
    });
  }
  for (const subscribe of deps.subscribers ?? []) subscribe(hub);

  const connections = new Set<CallConnection>();
  let draining = false;
  let drainPromise: Promise<void> | null = null;
  let hurry: () => void = () => undefined;
  const hurried = new Promise<void>((resolve) => (hurry = resolve));

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_WS_MESSAGE_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
    // AudioHook defines none, but a client that offers one (Genesys reportedly offers `audiohook`) may fail the
    // handshake if none comes back: select the first offered, as the reference server does; never require one (§1.1)
    handleProtocols: (offered: Set<string>) => offered.values().next().value ?? false,
  });

  const nonceCache = new NonceCache({
    maxEntries: config.nonceCacheSize,
    // a nonce must be remembered for as long as its signature could still be accepted
    ttlSeconds: config.signatureMaxAgeSeconds + 2 * config.signatureClockSkewSeconds,
  });
  const gate = new UpgradeGate({
    auth: {
      secrets: decodeSecrets(keys),
      nonceCache,
      publicAuthority: config.publicAuthority,
      publicPathPrefix: config.publicPathPrefix,
      clockSkewSeconds: config.signatureClockSkewSeconds,
      maxAgeSeconds: config.signatureMaxAgeSeconds,
      nowSeconds: deps.nowSeconds ?? (() => Math.floor(Date.now() / 1000)),
    },
    maxSessions: config.maxSessions,
    metrics,
    logger,
    isDraining: () => draining,
    liveConnections: () => connections.size,
    accept: (req, socket, head, endpoint, identity) => {
      wss.handleUpgrade(req, socket, head, (ws) => {
        const connection = new CallConnection({
          ws,
          endpoint,
          identity,
          hub,
          metrics,
          logger,
          supportedLanguages: deps.supportedLanguages ?? DEFAULT_SUPPORTED_LANGUAGES,
          openTimeoutMs: config.openTimeoutMs,
          closeTimeoutMs: config.closeTimeoutMs,
        });
        connections.add(connection);
        void connection.finished.then(() => connections.delete(connection));
      });
    },
  });

  const fastify = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // health probes and metric scrapes would drown the session logs: errors only, URLs without credentials
    logController: new ErrorsOnlyRequestLog(),
    // request.ip (audit log, auth rate limits) is the client's address only behind proxies named here
    // (a hop count is supported at runtime — fastify docs, "trustProxy: Integer" — but missing from its types)
    trustProxy: config.trustProxy as boolean | string[],
  });
  fastify.server.on('upgrade', gate.handle);
  // accept() failures and the like must be logged, not crash the process holding live calls
  fastify.server.on('error', (err) => logger.error({ err }, 'HTTP server error'));
  fastify.decorate('hookscribe', {
    config,
    hub,
    metrics,
    isDraining: () => draining,
    activeSessions: () => connections.size,
  } satisfies HookscribeContext);

  // Liveness: 200 while the process serves. A degraded dependency is reported, not fatal: calls go on and
  // events wait in the outbox, so restarting the process would not help.
  fastify.get('/health', async () => {
    if (!deps.dependencyHealth) return { status: 'healthy' };
    const dependencies = await deps
      .dependencyHealth()
      .catch((err: unknown) => [{ name: 'health-check', status: 'degraded' as const, detail: String(err) }]);
    const degraded = dependencies.some((d) => d.status !== 'ok');
    return { status: degraded ? 'degraded' : 'healthy', dependencies };
  });
  fastify.get('/ready', async (_req, reply) =>
    draining ? reply.code(503).send({ status: 'draining' }) : { status: 'ready' },
  );
  fastify.get('/metrics', async (_req, reply) => {
    reply.header('Content-Type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  for (const endpoint of AUDIOHOOK_ENDPOINTS) {
    // a plain GET on a WebSocket endpoint: say what is expected instead of a bare 404
    // public: it only says what is expected (the upgrade itself is authenticated by the UpgradeGate)
    fastify.get(endpoint.path, { config: { access: { role: 'public' } } }, async (_req, reply) =>
      reply.code(426).header('Upgrade', 'websocket').send({ error: 'WebSocket upgrade required' }),
    );
  }
  for (const entry of deps.plugins ?? []) {
    const { plugin, options } = typeof entry === 'function' ? { plugin: entry, options: {} } : entry;
    await fastify.register(plugin, options ?? {});
  }

  const allFinished = () => Promise.all([...connections].map((c) => c.finished)).then(() => undefined);

  async function runDrain(timeoutMs: number): Promise<void> {
    draining = true;
    logger.info({ liveSessions: connections.size, timeoutMs }, 'draining: refusing new sessions');
    if (connections.size > 0) {
      await Promise.race([allFinished(), sleep(timeoutMs, hurried)]);
    }
    if (connections.size > 0) {
      logger.info(
        { liveSessions: connections.size },
        'drain limit reached: disconnecting live sessions (completed)',
      );
      for (const connection of connections) connection.disconnect('completed', 'Server is shutting down');
      // the client answers with close → our closed; the connection's own safety nets bound each step
      const bound = config.closeTimeoutMs * 2 + config.closingTimeoutMs + 1_000;
      await Promise.race([allFinished(), sleep(bound)]);
      for (const connection of connections) connection.terminate();
    }
    // recordings and other `ended` work finish here (each bounded by the hub's wait timeout)
    await allFinished();
    logger.info('drain complete');
  }

  const app: HookscribeApp = {
    config,
    fastify,
    hub,
    metrics,
    logger,
    devKey,
    get draining() {
      return draining;
    },
    activeSessions: () => connections.size,
    async start() {
      await fastify.listen({ port: config.port, host: config.host });
      const address = fastify.server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return { host: address.address, port: address.port, url: `http://${host}:${address.port}` };
    },
    drain(options = {}) {
      drainPromise ??= runDrain(options.timeoutMs ?? config.drainTimeoutMs);
      return drainPromise;
    },
    async idle() {
      while (connections.size > 0) await allFinished();
    },
    hurryDrain() {
      hurry();
    },
    async stop() {
      await app.drain();
      await deps.onStopped?.().catch((err: unknown) => logger.error({ err }, 'closing dependencies failed'));
      wss.close();
      await fastify.close();
    },
  };
  return app;
}
