import { describe, expect, it } from 'vitest';
import {
  ClientSession,
  ServerSession,
  encodeFrame,
  parseServerMessage,
  type ServerSessionOptions,
  type SessionEvent,
  type SessionStep,
} from '../src/index.js';
import {
  CONVERSATION_ID,
  EXTERNAL,
  INTERNAL,
  NIL,
  ORG_ID,
  SESSION_ID,
  STEREO,
  openParameters,
  transcriptEntity,
} from './fixtures.js';

type Sent = { type: string; seq: number; clientseq: number; id: string; parameters: Record<string, unknown> };

/** Drives a ServerSession like a well-behaved client and records everything it answers. */
class Harness {
  readonly session: ServerSession;
  seq = 0;
  sent: Sent[] = [];
  events: SessionEvent[] = [];

  constructor(options: Partial<ServerSessionOptions> = {}) {
    this.session = new ServerSession({
      sessionId: SESSION_ID,
      organizationId: ORG_ID,
      profile: 'transcription',
      supportedLanguages: ['en-US', 'fr-FR'],
      pauseOnUnsupportedLanguage: false,
      nowMs: () => 0,
      ...options,
    });
  }

  take(step: SessionStep): Sent[] {
    const out = step.send.map((text) => {
      expect(typeof text).toBe('string');
      const parsed = parseServerMessage(text);
      expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
      return JSON.parse(text) as Sent;
    });
    this.sent.push(...out);
    this.events.push(...step.events);
    return out;
  }

  text(type: string, parameters: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Sent[] {
    this.seq += 1;
    const message = {
      version: '2',
      id: SESSION_ID,
      type,
      seq: this.seq,
      serverseq: this.session.lastServerSeq,
      position: 'PT0S',
      parameters,
      ...extra,
    };
    return this.take(this.session.receiveText(JSON.stringify(message)));
  }

  raw(text: string): Sent[] {
    return this.take(this.session.receiveText(text));
  }

  binary(frame: Uint8Array): Sent[] {
    return this.take(this.session.receiveBinary(frame));
  }

  open(overrides: Record<string, unknown> = {}): Sent[] {
    return this.text('open', openParameters(overrides));
  }

  ofType<T extends SessionEvent['type']>(type: T): Extract<SessionEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type);
  }
}

const disconnectError = expect.objectContaining({
  type: 'disconnect',
  parameters: expect.objectContaining({ reason: 'error' }),
});

describe('ServerSession: open transaction', () => {
  it('MUST 10: answers open with exactly one opened, synchronously', () => {
    const h = new Harness();
    const [opened, ...rest] = h.open();
    expect(rest).toEqual([]);
    expect(opened).toMatchObject({ type: 'opened', seq: 1, clientseq: 1, id: SESSION_ID });
    expect(h.session.state).toBe('active');
    expect(h.text('open', openParameters())).toEqual([]); // a second open is ignored, never a second opened
    expect(h.ofType('ignored')).toHaveLength(1);
    expect(h.ofType('opened')).toHaveLength(1);
  });

  it('MUST 11: selects the stereo offer in its offered channel order, with only the defined members (§7.7)', () => {
    const inverted = { ...STEREO, channels: ['internal', 'external'] };
    const h = new Harness();
    const [opened] = h.open({ media: [EXTERNAL, { ...inverted, codec: 'PCMU', extra: 'x' }, STEREO] });
    expect(opened!.parameters.media).toEqual([inverted]); // never the offer echoed with codec/extra
    expect(Object.keys((opened!.parameters.media as object[])[0]!)).toEqual([
      'type',
      'format',
      'channels',
      'rate',
    ]);
    expect(h.session.media).toEqual(inverted);
  });

  it('§7.7: skips unusable offer entries (format, rate, channel name) and selects a usable one', () => {
    const opus = { type: 'audio', format: 'opus', channels: ['external', 'internal'], rate: 48000 };
    const wideband = { ...STEREO, rate: 16000 };
    const oddChannel = { ...STEREO, channels: ['external', 'supervisor'] };
    const h = new Harness();
    const [opened] = h.open({ media: [opus, wideband, oddChannel, 'junk', EXTERNAL] });
    expect(opened).toMatchObject({ type: 'opened', parameters: { media: [EXTERNAL] } });
    const skipped = h.ofType('ignored').map((e) => e.reason);
    expect(skipped).toEqual([
      expect.stringMatching(/^media\[0\] skipped: format/),
      expect.stringMatching(/^media\[1\] skipped: rate/),
      expect.stringMatching(/^media\[2\] skipped: channels/),
      expect.stringMatching(/^media\[3\] skipped/),
    ]);
    const stereo = new Harness();
    const [picked] = stereo.open({ media: [opus, { ...STEREO, channels: ['external', 'internal'] }] });
    expect(picked!.parameters.media).toEqual([STEREO]); // the field case: opus first, PCMU stereo second
    const opusOnly = new Harness();
    expect(opusOnly.open({ media: [opus] })).toEqual([disconnectError]); // nothing usable: still the error
    expect(opusOnly.ofType('violation')[0]!.violation.code).toBe('no-media');
  });

  it('MUST 11: falls back to the first mono offer; accepts L16', () => {
    const h = new Harness();
    expect(h.open({ media: [INTERNAL, EXTERNAL] })[0]!.parameters.media).toEqual([INTERNAL]);
    const l16 = { ...STEREO, format: 'L16' };
    expect(new Harness().open({ media: [l16] })[0]!.parameters.media).toEqual([l16]);
  });

  it('MUST 11: no acceptable media → disconnect error with a clear info, no opened', () => {
    const h = new Harness();
    const sent = h.open({ media: [] });
    expect(sent).toEqual([disconnectError]);
    expect(sent[0]!.parameters.info).toMatch(/No acceptable media/);
    expect(h.session.state).toBe('error');
  });

  it('MUST 12: includes supportedLanguages when asked (only valid codes), omits it otherwise', () => {
    const h = new Harness({ supportedLanguages: ['en-US', 'bad', 'cmn-CN'] });
    expect(h.open({ supportedLanguages: true })[0]!.parameters.supportedLanguages).toEqual([
      'en-US',
      'cmn-CN',
    ]);
    const empty = new Harness({ supportedLanguages: [] });
    expect(empty.open({ supportedLanguages: true })[0]!.parameters.supportedLanguages).toEqual([]);
    expect(new Harness().open()[0]!.parameters).not.toHaveProperty('supportedLanguages');
  });

  it('MUST 6: organizationId different from the header → disconnect unauthorized, never opened', () => {
    const h = new Harness();
    const sent = h.open({ organizationId: 'a7934305-0972-4844-938e-9060eef73d05' });
    expect(sent).toEqual([
      expect.objectContaining({
        type: 'disconnect',
        parameters: expect.objectContaining({ reason: 'unauthorized' }),
      }),
    ]);
    expect(h.session.state).toBe('unauthorized');
    expect(h.sent.some((m) => m.type === 'opened')).toBe(false);
  });

  it('MUST 25: a connection probe gets opened with media [] and no downstream work flag', () => {
    const h = new Harness({ pauseOnUnsupportedLanguage: true });
    const [opened] = h.open({
      conversationId: NIL,
      participant: { id: NIL, ani: '', aniName: '', dnis: '' },
      language: undefined,
    });
    expect(opened!.parameters).toEqual({ media: [] });
    expect(h.ofType('opened')[0]).toMatchObject({ isProbe: true, media: null, startPaused: false });
    h.text('close', { reason: 'end' });
    expect(h.take(h.session.finishClose())).toEqual([
      expect.objectContaining({ type: 'closed', seq: 2, clientseq: 2 }),
    ]);
  });

  it('MUST 27: transcription opens paused when the language is missing or unsupported', () => {
    const opts = { pauseOnUnsupportedLanguage: true };
    expect(new Harness(opts).open({ language: undefined })[0]!.parameters.startPaused).toBe(true);
    const unsupported = new Harness(opts);
    expect(unsupported.open({ language: 'de-DE' })[0]!.parameters.startPaused).toBe(true);
    expect(unsupported.ofType('opened')[0]).toMatchObject({ language: null, startPaused: true });
    const supported = new Harness(opts);
    expect(supported.open({ language: 'en-us' })[0]!.parameters).not.toHaveProperty('startPaused');
    expect(supported.session.language).toBe('en-US');
    expect(
      new Harness({ ...opts, profile: 'monitor' }).open({ language: undefined })[0]!.parameters,
    ).not.toHaveProperty('startPaused');
  });

  it('MUST 17: pause()/resume() before opened turn into opened.startPaused instead of messages', () => {
    const h = new Harness();
    expect(h.session.pause().send).toEqual([]);
    expect(h.open()[0]!.parameters.startPaused).toBe(true);
    const r = new Harness();
    r.session.pause();
    r.session.resume();
    expect(r.open()[0]!.parameters).not.toHaveProperty('startPaused');
  });

  it('§7.7: sends nothing on its own initiative before opened, so opened is always seq 1', () => {
    const h = new Harness({ pauseOnUnsupportedLanguage: true });
    for (const step of [h.session.pause(), h.session.wake(), h.session.resume(), h.session.wake()])
      expect(step.send).toEqual([]);
    expect(() => h.session.sendEvent([transcriptEntity()])).toThrow(/not allowed/);
    expect(h.open({ language: 'de-DE' })).toEqual([
      expect.objectContaining({
        type: 'opened',
        seq: 1,
        parameters: expect.objectContaining({ startPaused: true }),
      }),
    ]);
  });
});

describe('ServerSession: sequence numbers and envelope', () => {
  it('MUST 8: numbers server messages 1,2,3 with clientseq = last client seq', () => {
    const h = new Harness();
    h.open();
    h.text('ping');
    h.text('update', { language: 'fr-FR' });
    h.text('ping');
    h.take(h.session.pause());
    expect(h.sent.map((m) => [m.type, m.seq, m.clientseq])).toEqual([
      ['opened', 1, 1],
      ['pong', 2, 2],
      ['pong', 3, 4],
      ['pause', 4, 4],
    ]);
  });

  it('MUST 7: every server message carries the session id; another id → disconnect error', () => {
    const h = new Harness();
    h.open();
    expect(h.sent.every((m) => m.id === SESSION_ID)).toBe(true);
    const sent = h.text('ping', {}, { id: 'a0b0e395-84d3-4570-ac13-9a62d8f514c0' });
    expect(sent).toEqual([disconnectError]);
    expect(h.ofType('violation')[0]!.violation.code).toBe('bad-id');
  });

  it('MUST 9: seq gap → disconnect error', () => {
    const h = new Harness();
    h.open();
    h.seq += 1; // skip one
    expect(h.text('ping')).toEqual([disconnectError]);
    expect(h.ofType('violation')[0]!.violation.code).toBe('bad-seq');
  });

  it('MUST 9: repeated seq → disconnect error', () => {
    const h = new Harness();
    h.open();
    h.seq -= 1;
    expect(h.text('ping')).toEqual([disconnectError]);
  });

  it('MUST 9: serverseq ahead of ours → disconnect error', () => {
    const h = new Harness();
    h.open();
    const sent = h.text('ping', {}, { serverseq: 5 });
    expect(sent).toEqual([disconnectError]);
    expect(h.ofType('violation')[0]!.violation.code).toBe('bad-serverseq');
  });

  it('MUST 29: unknown message types are ignored (logged as an event) and their seq still counts', () => {
    const h = new Harness();
    h.open();
    expect(h.text('dtmf', { digit: '5' })).toEqual([]);
    expect(h.ofType('ignored')).toEqual([
      { type: 'ignored', messageType: 'dtmf', reason: 'unknown message type' },
    ]);
    expect(h.text('ping', { extra: 1 })).toEqual([expect.objectContaining({ type: 'pong', clientseq: 3 })]);
  });

  it('bad input: malformed JSON → disconnect error', () => {
    const h = new Harness();
    h.open();
    expect(h.raw('{"version":"2","type":')).toEqual([disconnectError]);
    expect(h.ofType('violation')[0]!.violation.code).toBe('malformed-json');
  });

  it('bad input: wrong version → disconnect error', () => {
    const h = new Harness();
    h.open();
    expect(h.text('ping', {}, { version: '1' })).toEqual([disconnectError]);
  });

  it('bad input: text over 64 KiB → disconnect error (recorded truncated)', () => {
    const h = new Harness();
    h.open();
    expect(h.text('ping', { pad: 'x'.repeat(70000) })).toEqual([disconnectError]);
    expect(h.ofType('violation')[0]!.violation.code).toBe('too-large');
    const recorded = h.ofType('message').filter((m) => m.direction === 'in');
    expect(recorded[1]!.text.length).toBe(1024);
  });

  it('after disconnect completed, a bad message does not stop the close from being answered', () => {
    const h = new Harness();
    h.open();
    h.take(h.session.disconnect('completed'));
    h.raw('{bad'); // the client counted it as seq 2
    h.seq = 2;
    expect(h.text('ping', {}, { id: 'a0b0e395-84d3-4570-ac13-9a62d8f514c0' })).toEqual([]); // foreign id: ignored
    h.text('close', { reason: 'disconnect' });
    expect(h.session.state).toBe('closing');
    expect(h.take(h.session.finishClose())).toEqual([
      expect.objectContaining({ type: 'closed', clientseq: 4 }),
    ]);
    expect(h.sent.filter((m) => m.type === 'disconnect')).toHaveLength(1);
  });

  it('sends exactly one disconnect, suppresses further errors and still answers close with closed', () => {
    const h = new Harness();
    h.open();
    h.raw('nonsense');
    h.raw('more nonsense');
    h.binary(new Uint8Array(3));
    expect(h.sent.filter((m) => m.type === 'disconnect')).toHaveLength(1);
    expect(h.session.disconnect('error', 'again').send).toEqual([]);
    h.seq = 7; // after a signalled error the client's seq is accepted as-is
    h.text('close', { reason: 'disconnect' });
    expect(h.session.state).toBe('closing');
    expect(h.take(h.session.finishClose())).toEqual([
      expect.objectContaining({ type: 'closed', clientseq: 8 }),
    ]);
    expect(h.ofType('ended')).toEqual([{ type: 'ended', outcome: 'error', atSample: 0 }]);
  });
});

describe('ServerSession: ping, pause, update, error, close', () => {
  it('MUST 13: answers ping with pong (clientseq == ping.seq) in every state', () => {
    const h = new Harness();
    expect(h.text('ping')).toEqual([expect.objectContaining({ type: 'pong', seq: 1, clientseq: 1 })]); // preparing
    h.open();
    expect(h.text('ping', { rtt: 'PT0.025S' })).toEqual([
      expect.objectContaining({ type: 'pong', clientseq: 3 }),
    ]);
    expect(h.session.clientRttMs).toBe(25);
    h.text('paused');
    expect(h.text('ping')).toEqual([expect.objectContaining({ type: 'pong', clientseq: 5 })]);
    h.text('close', { reason: 'end' });
    expect(h.text('ping')).toEqual([expect.objectContaining({ type: 'pong', clientseq: 7 })]); // closing
    const e = new Harness();
    e.open();
    e.raw('x');
    e.seq = 10;
    expect(e.text('ping')).toEqual([expect.objectContaining({ type: 'pong', clientseq: 11 })]); // error
  });

  it('MUST 24: accepts unsolicited paused/resumed and a repeat paused in reply to resume', () => {
    const h = new Harness();
    h.open();
    expect(h.text('paused')).toEqual([]);
    expect(h.session.state).toBe('paused');
    expect(h.ofType('paused')[0]).toMatchObject({ serverInitiated: false });
    h.take(h.session.resume());
    expect(h.text('paused')).toEqual([]); // client-side pause still in force
    expect(h.session.state).toBe('paused');
    expect(h.ofType('violation')).toEqual([]);
    h.text('resumed', { start: 'PT0S', discarded: 'PT2S' });
    expect(h.session.state).toBe('active');
    expect(h.ofType('resumed')[0]).toMatchObject({
      startSample: 0,
      discardedSamples: 16000,
      atSample: 16000,
    });
  });

  it('server pause: pause() sends pause; the client paused is marked server-initiated', () => {
    const h = new Harness();
    h.open();
    expect(h.take(h.session.pause())).toEqual([expect.objectContaining({ type: 'pause', seq: 2 })]);
    expect(h.take(h.session.pause())).toEqual([expect.objectContaining({ type: 'pause', seq: 3 })]); // idempotent ask
    h.text('paused');
    expect(h.ofType('paused')[0]).toMatchObject({ serverInitiated: true });
  });

  it('MUST 27: update to an unsupported language pauses, a supported one resumes (transcription)', () => {
    const h = new Harness({ pauseOnUnsupportedLanguage: true });
    h.open();
    expect(h.text('update', { language: 'de-DE' })).toEqual([expect.objectContaining({ type: 'pause' })]);
    expect(h.ofType('update')[0]).toMatchObject({ language: null });
    h.text('paused');
    expect(h.text('update', { language: 'fr-fr' })).toEqual([expect.objectContaining({ type: 'resume' })]);
    expect(h.session.language).toBe('fr-FR');
  });

  it('§7.6: 10 language updates in one second flipping supported/unsupported stay within 2/s, burst 4; the last state wins', () => {
    let now = 0;
    const h = new Harness({ pauseOnUnsupportedLanguage: true, nowMs: () => now });
    const client = new ClientSession({
      sessionId: SESSION_ID,
      organizationId: ORG_ID,
      conversationId: CONVERSATION_ID,
      participant: { id: CONVERSATION_ID, ani: '', aniName: '', dnis: '' },
      media: [STEREO],
      language: 'en-US',
      nowMs: () => now, // checks each of pause and resume against Genesys's own limit
    });
    const violations: string[] = [];
    const sentAt: { type: string; at: number }[] = [];
    let wakeAt: number | null = null;
    const deliver = (step: SessionStep) => {
      for (const text of step.send) {
        violations.push(...client.receiveText(text).violations);
        const { type } = JSON.parse(text) as { type: string };
        if (type === 'pause' || type === 'resume') sentAt.push({ type, at: now });
      }
      if (step.wakeAfterMs !== undefined) wakeAt = now + step.wakeAfterMs;
      h.take(step);
    };
    deliver(h.session.receiveText(client.open()));
    const languages = [
      'de-DE',
      'en-US',
      'de-DE',
      'en-US',
      'de-DE',
      'en-US',
      'de-DE',
      'en-US',
      'de-DE',
      'en-US',
    ];
    languages.forEach((language, i) => {
      now = i * 100;
      if (wakeAt !== null && wakeAt <= now) {
        wakeAt = null;
        deliver(h.session.wake());
      }
      deliver(h.session.receiveText(client.update(language)));
    });
    expect(h.ofType('update')).toHaveLength(10);
    // the transport's timer: wake until nothing more is due
    while (wakeAt !== null) {
      now = wakeAt;
      wakeAt = null;
      deliver(h.session.wake());
    }
    expect(violations).toEqual([]);
    // our own, stricter budget: pause and resume together never beyond 2/s, burst 4
    let tokens = 4;
    let last = 0;
    for (const { at } of sentAt) {
      tokens = Math.min(4, tokens + ((at - last) / 1000) * 2) - 1;
      last = at;
      expect(tokens).toBeGreaterThanOrEqual(-1e-9);
    }
    expect(sentAt.length).toBeLessThan(10);
    // only the last state matters: en-US is supported, so the client was last told to resume
    expect(sentAt.at(-1)?.type).toBe('resume');
  });

  it('§7.6: a flip back before the budget refills sends nothing at all', () => {
    let now = 0;
    const h = new Harness({ pauseOnUnsupportedLanguage: true, nowMs: () => now });
    h.open();
    for (let i = 0; i < 4; i += 1) h.text('update', { language: i % 2 === 0 ? 'de-DE' : 'en-US' }); // budget spent
    const pending = h.session.receiveText(
      JSON.stringify({
        version: '2',
        id: SESSION_ID,
        type: 'update',
        seq: ++h.seq,
        serverseq: h.session.lastServerSeq,
        position: 'PT0S',
        parameters: { language: 'de-DE' },
      }),
    );
    expect(pending.send).toEqual([]);
    expect(pending.wakeAfterMs).toBe(500);
    h.take(pending);
    expect(h.text('update', { language: 'en-US' })).toEqual([]); // back to what the client was told
    now = 1000;
    expect(h.take(h.session.wake())).toEqual([]);
    expect(h.sent.filter((m) => m.type === 'pause' || m.type === 'resume')).toHaveLength(4);
  });

  it('MUST 27: a supported language does not lift a pause the pipeline asked for', () => {
    const h = new Harness({ pauseOnUnsupportedLanguage: true });
    h.open();
    h.take(h.session.pause());
    h.text('paused');
    expect(h.text('update', { language: 'de-DE' })).toEqual([]); // already paused: no second pause
    expect(h.text('update', { language: 'en-US' })).toEqual([]); // pipeline pause still holds
    expect(h.take(h.session.resume())).toEqual([expect.objectContaining({ type: 'resume' })]);
  });

  it('an update without language is ignored (no language change, no pause)', () => {
    const h = new Harness({ pauseOnUnsupportedLanguage: true });
    h.open();
    expect(h.text('update', { other: 1 })).toEqual([]);
    expect(h.ofType('update')).toEqual([]);
    expect(h.session.language).toBe('en-US');
  });

  it('update in monitor raises an update event and sends nothing', () => {
    const h = new Harness({ profile: 'monitor', pauseOnUnsupportedLanguage: true });
    h.open();
    expect(h.text('update', { language: 'de-DE' })).toEqual([]);
    expect(h.ofType('update')).toHaveLength(1);
  });

  it('client error is an event with no reply', () => {
    const h = new Harness();
    h.open();
    expect(h.text('error', { code: 429, message: 'Too many', retryAfter: 'PT3S' })).toEqual([]);
    expect(h.ofType('client-error')).toEqual([
      { type: 'client-error', code: 429, message: 'Too many', retryAfterMs: 3000 },
    ]);
  });

  it('MUST 14: close during active → closing event; finishClose sends exactly one closed', () => {
    const h = new Harness();
    h.open();
    h.text('close', { reason: 'end' });
    expect(h.ofType('closing')).toEqual([{ type: 'closing', reason: 'end', atSample: 0 }]);
    expect(h.take(h.session.sendEvent([transcriptEntity()]))).toHaveLength(1); // flush allowed
    expect(h.take(h.session.finishClose())).toEqual([
      expect.objectContaining({ type: 'closed', seq: 3, clientseq: 2 }),
    ]);
    expect(h.session.finishClose().send).toEqual([]);
    expect(h.ofType('ended')).toEqual([{ type: 'ended', outcome: 'closed', atSample: 0 }]);
  });

  it('MUST 14: close before the open transaction completes (no open yet) still gets closed', () => {
    const h = new Harness();
    h.text('close', { reason: 'end' });
    expect(h.take(h.session.finishClose())).toEqual([
      expect.objectContaining({ type: 'closed', seq: 1, clientseq: 1 }),
    ]);
  });

  it('MUST 14: close while paused and after a disconnect still gets closed', () => {
    const h = new Harness();
    h.open();
    h.text('paused');
    h.text('close', { reason: 'end' });
    expect(h.take(h.session.finishClose())[0]!.type).toBe('closed');
    const d = new Harness();
    d.open();
    d.take(d.session.disconnect('completed', 'done'));
    d.text('close', { reason: 'disconnect' });
    expect(d.take(d.session.finishClose())[0]!.type).toBe('closed');
    expect(d.ofType('ended')[0]!.outcome).toBe('closed');
  });

  it('MUST 15: never disconnects after close; nothing is sent after closed', () => {
    const h = new Harness();
    h.open();
    h.text('close', { reason: 'end' });
    expect(h.binary(new Uint8Array(2))).toEqual([]); // bad input: audio after close → ignored, no disconnect
    expect(h.ofType('ignored').at(-1)).toMatchObject({ messageType: 'binary', reason: 'audio after close' });
    expect(h.raw('garbage')).toEqual([]);
    expect(h.session.disconnect('error').send).toEqual([]);
    expect(h.text('close', { reason: 'end' })).toEqual([]);
    h.take(h.session.finishClose());
    expect(h.text('ping')).toEqual([]);
    expect(h.session.pause().send).toEqual([]);
    expect(() => h.session.sendEvent([transcriptEntity()])).toThrow(/not allowed/);
    expect(h.sent.map((m) => m.type)).toEqual(['opened', 'closed']);
  });

  it('MUST 5: unauthorized() sends disconnect unauthorized and never opened; close is answered', () => {
    const h = new Harness();
    expect(h.take(h.session.unauthorized('bad signature'))).toEqual([
      expect.objectContaining({
        type: 'disconnect',
        seq: 1,
        clientseq: 0,
        parameters: { reason: 'unauthorized', info: 'bad signature' },
      }),
    ]);
    expect(h.open()).toEqual([]);
    h.text('close', { reason: 'disconnect' });
    expect(h.take(h.session.finishClose())[0]!.type).toBe('closed');
    expect(h.sent.some((m) => m.type === 'opened')).toBe(false);
    expect(h.ofType('ended')[0]!.outcome).toBe('unauthorized');
  });

  it('MUST 28: socketClosed ends the session (dropped) exactly once; not after a normal close', () => {
    const h = new Harness();
    h.open();
    h.binary(new Uint8Array(3200));
    h.take(h.session.socketClosed());
    h.take(h.session.socketClosed());
    expect(h.ofType('ended')).toEqual([{ type: 'ended', outcome: 'dropped', atSample: 1600 }]);
    expect(h.session.finishClose().send).toEqual([]);
    const c = new Harness();
    c.open();
    c.text('close', { reason: 'end' });
    c.take(c.session.finishClose());
    c.take(c.session.socketClosed());
    expect(c.ofType('ended')).toHaveLength(1);
  });

  it('raises every sent and received text as a message event', () => {
    const h = new Harness();
    h.open();
    h.text('ping');
    const messages = h.ofType('message');
    expect(messages.map((m) => m.direction)).toEqual(['in', 'out', 'in', 'out']);
    expect(JSON.parse(messages[3]!.text).type).toBe('pong');
  });
});

describe('ServerSession: audio', () => {
  it('MUST 23: audio events carry decoded channels in negotiated order, the raw frame and the start sample', () => {
    const h = new Harness();
    const inverted = { ...STEREO, channels: ['internal', 'external'] };
    h.open({ media: [inverted] });
    const frame = encodeFrame([Int16Array.from([1000, 2000]), Int16Array.from([-1000, -2000])], 'PCMU');
    expect(h.binary(frame)).toEqual([]);
    const [audio] = h.ofType('audio');
    expect(audio!.raw).toBe(frame);
    expect(audio!.startSample).toBe(0);
    expect(audio!.channels).toHaveLength(2);
    expect(audio!.channels[0]![0]).toBeGreaterThan(0); // first channel = "internal" (offered first)
    expect(audio!.channels[1]![0]).toBeLessThan(0);
  });

  it('MUST 22: start samples count samples and add discarded and resumed spans', () => {
    const h = new Harness();
    h.open();
    h.binary(new Uint8Array(3200)); // 1600 samples stereo PCMU
    h.binary(new Uint8Array(50)); // 25 samples: frame size is never assumed
    h.text('discarded', { start: 'PT0.203125S', discarded: 'PT1S' }, { position: 'PT1.203125S' });
    expect(h.session.positionDriftSamples).toBe(0);
    h.binary(new Uint8Array(2));
    h.text('paused', {}, { position: 'PT1.203250S' });
    h.text('resumed', { start: 'PT1.20325S', discarded: 'PT8S' }, { position: 'PT9.20325S' });
    h.binary(new Uint8Array(2));
    expect(h.ofType('audio').map((a) => a.startSample)).toEqual([0, 1600, 9625, 73626]);
    expect(h.ofType('discarded')).toEqual([{ type: 'discarded', startSample: 1625, discardedSamples: 8000 }]);
    expect(h.session.positionSamples).toBe(73627);
    expect(h.session.positionDriftSamples).toBe(0);
  });

  it('bad input: binary before opened → disconnect error', () => {
    const h = new Harness();
    expect(h.binary(new Uint8Array(2))).toEqual([disconnectError]);
    expect(h.sent[0]!.parameters.info).toMatch(/before opened/);
  });

  it('bad input: binary while paused → disconnect error', () => {
    const h = new Harness();
    h.open();
    h.text('paused');
    expect(h.binary(new Uint8Array(2))).toEqual([disconnectError]);
    expect(h.sent.at(-1)!.parameters.info).toMatch(/while paused/);
  });

  it('bad input: frame length not a multiple of channels × bytes per sample → disconnect error', () => {
    const h = new Harness();
    h.open({ media: [{ ...STEREO, format: 'L16' }] });
    expect(h.binary(new Uint8Array(6))).toEqual([disconnectError]);
    expect(h.ofType('violation')[0]!.violation.code).toBe('bad-frame-length');
  });

  it('bad input: binary on a probe (no media selected) → disconnect error', () => {
    const h = new Harness();
    h.open({ conversationId: NIL });
    expect(h.binary(new Uint8Array(2))).toEqual([disconnectError]);
  });

  it('bad input: paused/resumed/discarded before open → disconnect error', () => {
    for (const [type, p] of [
      ['paused', {}],
      ['resumed', { start: 'PT0S', discarded: 'PT0S' }],
      ['discarded', { start: 'PT0S', discarded: 'PT0S' }],
    ] as const) {
      const h = new Harness();
      expect(h.text(type, p)).toEqual([disconnectError]);
    }
  });
});

describe('ServerSession: events', () => {
  const entity = (i: number) => ({
    type: 'transcript',
    data: {
      id: '5d1c2b7e-3f0a-4c1e-9b8d-7a6f5e4d3c2b',
      channelId: 0,
      isFinal: true,
      offset: `PT${i}S`,
      duration: 'PT1S',
      alternatives: [
        { confidence: 0.9, interpretations: [{ type: 'display', transcript: 'word '.repeat(200) }] },
      ],
    },
  });

  it('MUST 16: no event in a monitor session; the session never produces binary frames', () => {
    const h = new Harness({ profile: 'monitor' });
    h.open();
    expect(() => h.session.sendEvent([entity(1)])).toThrow(/monitor/);
    expect(h.session.canSendEvent).toBe(false);
  });

  it('MUST 17: event only after opened and until closed', () => {
    const h = new Harness();
    expect(() => h.session.sendEvent([entity(1)])).toThrow(/preparing/);
    h.open();
    expect(h.take(h.session.sendEvent([entity(1)]))).toEqual([
      expect.objectContaining({ type: 'event', seq: 2 }),
    ]);
    h.text('paused');
    expect(h.session.canSendEvent).toBe(true);
    h.text('close', { reason: 'end' });
    expect(h.session.canSendEvent).toBe(true);
    h.take(h.session.finishClose());
    expect(() => h.session.sendEvent([entity(1)])).toThrow(/closed/);
  });

  it('MUST 18: splits many entities into several event messages, each under 64 KiB', () => {
    const h = new Harness();
    h.open();
    const step = h.session.sendEvent(Array.from({ length: 200 }, (_, i) => entity(i)));
    expect(step.send.length).toBeGreaterThan(1);
    for (const text of step.send) expect(Buffer.byteLength(text)).toBeLessThan(65536);
    const sent = h.take(step);
    expect(sent.flatMap((m) => m.parameters.entities).length).toBe(200);
    expect(sent.map((m) => m.seq)).toEqual(sent.map((_, i) => i + 2));
    const huge = transcriptEntity('x'.repeat(70000));
    expect(() => h.session.sendEvent([huge])).toThrow(/64 KiB/);
  });
});
