import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { SessionEventHub, type CallInfo, type SessionEventName } from '../src/session-events.js';

const call: CallInfo = {
  sessionId: '30b0e395-84d3-4570-ac13-9a62d8f514c0',
  conversationId: '1f3e52b0-6a4e-4d53-9a8f-2b8f2e9d7c11',
  organizationId: 'd7934305-0972-4844-938e-9060eef73d05',
  correlationId: 'e160e428-53e2-487c-977d-96989bf5c99d',
  participant: { id: '6b0a5c1e-1f2b-4c8e-9d3a-0e5f6a7b8c9d', ani: '', aniName: '', dnis: '' },
  media: { type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: 8000 },
  language: 'en-US',
  endpoint: '/api/v1/audiohook/ws',
  profile: 'monitor',
  isProbe: false,
  openedAt: new Date().toISOString(),
  customConfig: {},
};

function makeHub(waitTimeoutMs = 1000) {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  const failures: [SessionEventName, string][] = [];
  const hub = new SessionEventHub({
    logger,
    waitTimeoutMs,
    onHandlerFailure: (event, kind) => failures.push([event, kind]),
  });
  return { hub, lines, failures };
}

describe('SessionEventHub', () => {
  it('delivers typed events to every handler in registration order', () => {
    const { hub } = makeHub();
    const seen: string[] = [];
    hub.on('paused', (e) => void seen.push(`a:${e.atSample}:${e.serverInitiated}`));
    hub.on('paused', (e) => void seen.push(`b:${e.call.sessionId}`));
    hub.emit('paused', { call, atSample: 800, serverInitiated: false });
    expect(seen).toEqual(['a:800:false', `b:${call.sessionId}`]);
  });

  it('stops delivering to a handler once unsubscribed', () => {
    const { hub } = makeHub();
    const handler = vi.fn();
    const off = hub.on('update', handler);
    hub.emit('update', { call, language: 'fr-FR', atSample: 0 });
    off();
    hub.emit('update', { call, language: 'de-DE', atSample: 0 });
    expect(handler).toHaveBeenCalledTimes(1);
    expect(hub.listenerCount('update')).toBe(0);
  });

  it('isolates a throwing or rejecting subscriber: others still run, the failure is logged with the call ids', async () => {
    const { hub, lines, failures } = makeHub();
    const after = vi.fn();
    hub.on('audio', function brokenSubscriber() {
      throw new Error('boom');
    });
    hub.on('audio', async function rejectingSubscriber() {
      throw new Error('async boom');
    });
    hub.on('audio', after);
    expect(() =>
      hub.emit('audio', {
        call,
        channels: [],
        raw: new Uint8Array(0),
        mulaw: null,
        samples: 0,
        startSample: 0,
      }),
    ).not.toThrow();
    expect(after).toHaveBeenCalledTimes(1);
    await new Promise((r) => setImmediate(r));
    expect(failures).toEqual([
      ['audio', 'error'],
      ['audio', 'error'],
    ]);
    const logged = lines.filter((l) => l.msg === 'session event handler failed; the call continues');
    expect(logged.map((l) => l.handler)).toEqual(['brokenSubscriber', 'rejectingSubscriber']);
    expect(logged[0]).toMatchObject({
      sessionId: call.sessionId,
      conversationId: call.conversationId,
      correlationId: call.correlationId,
      organizationId: call.organizationId,
      event: 'audio',
    });
  });

  it('emitAndWait waits for async closing handlers', async () => {
    const { hub } = makeHub();
    const order: string[] = [];
    hub.on('closing', async () => {
      await new Promise((r) => setTimeout(r, 30));
      order.push('flushed');
    });
    hub.on('closing', () => void order.push('sync'));
    await hub.emitAndWait('closing', { call, reason: 'end', atSample: 8000 });
    order.push('closed');
    expect(order).toEqual(['sync', 'flushed', 'closed']);
  });

  it('emitAndWait gives up on a stuck handler after the timeout and never rejects', async () => {
    const { hub, failures, lines } = makeHub(50);
    hub.on('closing', () => new Promise<void>(() => undefined));
    hub.on('closing', async () => {
      throw new Error('flush failed');
    });
    await expect(hub.emitAndWait('closing', { call, reason: 'end', atSample: 0 })).resolves.toBeUndefined();
    expect(failures).toEqual([
      ['closing', 'error'],
      ['closing', 'timeout'],
    ]);
    expect(
      lines.some((l) => l.msg === 'session event handler did not finish in time; continuing without it'),
    ).toBe(true);
  });

  it('emitAndWait resolves at once when nothing is asynchronous', async () => {
    const { hub } = makeHub(10_000);
    hub.on('ended', () => undefined);
    let done = false;
    void hub
      .emitAndWait('ended', { call, outcome: 'closed', atSample: 0, endedAt: new Date() })
      .then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(true);
  });
});
