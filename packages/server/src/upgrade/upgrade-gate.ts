/**
 * The `upgrade` listener: everything that decides whether an HTTP request may become an AudioHook WebSocket, in
 * order — known endpoint (else 404), not draining (else 503), capacity (else 503), authentication (else 400/401,
 * answered no sooner than 500 ms after the request arrived, protocol digest §1.4). Only then is the socket handed
 * to the WebSocket server. Every refusal is a complete HTTP response on the raw socket; no upgrade ever happens.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { endpointForTarget, type AudiohookEndpoint } from '../endpoints.js';
import type { ServerMetrics } from '../metrics.js';
import { writeRawHttpResponse } from './raw-http-response.js';
import { authenticateUpgrade, type UpgradeAuthSettings, type UpgradeIdentity } from './upgrade-auth.js';

/** Failed authentications are answered no sooner than this after the request started (timing side channels). */
export const AUTH_FAILURE_MIN_DELAY_MS = 500;

export interface UpgradeGateOptions {
  auth: UpgradeAuthSettings;
  maxSessions: number;
  metrics: ServerMetrics;
  logger: Logger;
  isDraining(): boolean;
  /** WebSocket connections currently alive */
  liveConnections(): number;
  /** hands an authenticated request to the WebSocket server */
  accept(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    endpoint: AudiohookEndpoint,
    identity: UpgradeIdentity,
  ): void;
}

/** Client-supplied header values go into logs only shortened. */
function clip(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value.join(', ') : value;
  return text === undefined ? undefined : text.slice(0, 64);
}

export class UpgradeGate {
  /** upgrades being authenticated or waiting out the failure delay; they count against maxSessions */
  private pending = 0;

  constructor(private readonly options: UpgradeGateOptions) {}

  get pendingUpgrades(): number {
    return this.pending;
  }

  /** Listener for the HTTP server's `upgrade` event. */
  readonly handle = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const startedAt = performance.now();
    // a client that resets a refused connection must not crash the process
    socket.on('error', () => socket.destroy());
    const { metrics, logger } = this.options;
    const target = req.url ?? '';
    const path = target.split('?', 1)[0];

    const endpoint = endpointForTarget(target);
    if (!endpoint) {
      metrics.upgradeRejections.inc({ reason: 'not-found' });
      writeRawHttpResponse(socket, 404, { error: 'not found' });
      return;
    }
    if (this.options.isDraining()) {
      metrics.upgradeRejections.inc({ reason: 'draining' });
      writeRawHttpResponse(socket, 503, { error: 'server is draining' }, { 'Retry-After': '5' });
      return;
    }
    if (this.pending + this.options.liveConnections() >= this.options.maxSessions) {
      metrics.upgradeRejections.inc({ reason: 'capacity' });
      logger.warn({ path, maxSessions: this.options.maxSessions }, 'upgrade refused: session limit reached');
      writeRawHttpResponse(socket, 503, { error: 'session limit reached' }, { 'Retry-After': '5' });
      return;
    }

    this.pending += 1;
    let result;
    try {
      result = authenticateUpgrade(req, this.options.auth);
    } catch (err) {
      logger.error({ err, path }, 'upgrade authentication threw; refusing');
      result = { ok: false as const, status: 401 as const, reason: 'malformed-signature' as const };
    }
    if (result.ok) {
      this.pending -= 1;
      this.options.accept(req, socket, head, endpoint, result.identity);
      return;
    }

    const { status, reason } = result;
    metrics.authFailures.inc({ reason });
    // ids are not trusted yet, but they help support find the attempt; never the key or the signature
    logger.warn(
      {
        path,
        status,
        reason,
        sessionId: clip(req.headers['audiohook-session-id']),
        correlationId: clip(req.headers['audiohook-correlation-id']),
        organizationId: clip(req.headers['audiohook-organization-id']),
      },
      'upgrade refused: authentication failed',
    );
    const wait = Math.max(0, AUTH_FAILURE_MIN_DELAY_MS - (performance.now() - startedAt));
    setTimeout(() => {
      this.pending -= 1;
      writeRawHttpResponse(socket, status, { error: status === 400 ? 'bad request' : 'unauthorized' });
    }, Math.ceil(wait));
  };
}
