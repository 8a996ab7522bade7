import { describe, expect, it } from 'vitest';
import { ClientSession, parseClientMessage, type ClientSessionOptions } from '../src/index.js';
import {
  CONVERSATION_ID,
  EXTERNAL,
  INTERNAL,
  ORG_ID,
  SESSION_ID,
  STEREO,
  transcriptEntity,
} from './fixtures.js';

const participant = { id: '6b0a5c1e-1f2b-4c8e-9d3a-0e5f6a7b8c9d', ani: '+1', aniName: 'x', dnis: '+2' };

function client(options: Partial<ClientSessionOptions> = {}): ClientSession {
  return new ClientSession({
    sessionId: SESSION_ID,
    organizationId: ORG_ID,
    conversationId: CONVERSATION_ID,
    participant,
    media: [STEREO, EXTERNAL, INTERNAL],
    language: 'en-US',
    ...options,
  });
}

function server(
  type: string,
  seq: number,
  clientseq: number,
  parameters: Record<string, unknown> = {},
  extra = {},
) {
  return JSON.stringify({ version: '2', id: SESSION_ID, type, seq, clientseq, parameters, ...extra });
}

function opened(c: ClientSession, parameters: Record<string, unknown> = { media: [STEREO] }) {
  c.open();
  return c.receiveText(server('opened', 1, 1, parameters));
}

describe('ClientSession: building client messages', () => {
  it('numbers messages, carries serverseq and position, and validates as client messages', () => {
    const c = client({ supportedLanguages: true, customConfig: { a: 1 } });
    const open = JSON.parse(c.open());
    expect(open).toMatchObject({
      version: '2',
      id: SESSION_ID,
      type: 'open',
      seq: 1,
      serverseq: 0,
      position: 'PT0S',
    });
    expect(open.parameters).toMatchObject({
      supportedLanguages: true,
      customConfig: { a: 1 },
      language: 'en-US',
    });
    expect(
      c.receiveText(server('opened', 1, 1, { media: [STEREO], supportedLanguages: [] })).violations,
    ).toEqual([]);
    const frame = c.audio([new Int16Array(1600), new Int16Array(1600)]);
    expect(frame.length).toBe(3200);
    const ping = c.ping(12.5);
    expect(JSON.parse(ping)).toMatchObject({
      seq: 2,
      serverseq: 1,
      position: 'PT0.2S',
      parameters: { rtt: 'PT0.0125S' },
    });
    for (const text of [ping, c.paused(), c.resumed(1600, 8000), c.discarded(9600, 800), c.update('fr-FR')]) {
      expect(parseClientMessage(text).ok).toBe(true);
    }
    expect(c.positionSamples).toBe(10400);
    expect(JSON.parse(c.error(429, 'slow', 3000)).parameters).toEqual({
      code: 429,
      message: 'slow',
      retryAfter: 'PT3S',
    });
    expect(JSON.parse(c.close('end'))).toMatchObject({ type: 'close', seq: 8, position: 'PT1.3S' });
    expect(c.state).toBe('closing');
  });

  it('encodes audio in the selected media and refuses audio without media or with the wrong channel count', () => {
    const c = client();
    expect(() => c.audio([new Int16Array(4)])).toThrow(/no media/);
    expect(opened(c, { media: [{ ...EXTERNAL, format: 'L16' }] }).violations.join()).toMatch(
      /not one of the offered/,
    );
    const d = client({ media: [{ ...EXTERNAL, format: 'L16' }] });
    opened(d, { media: [{ ...EXTERNAL, format: 'L16' }] });
    expect(d.audio([Int16Array.from([1, -1])])).toEqual(Uint8Array.from([1, 0, 0xff, 0xff]));
    expect(() => d.audio([new Int16Array(1), new Int16Array(1)])).toThrow(RangeError);
  });
});

describe('ClientSession: checking server messages', () => {
  it('accepts a correct opened and exposes it', () => {
    const c = client();
    expect(opened(c).violations).toEqual([]);
    expect(c.state).toBe('open');
    expect(c.media).toEqual(STEREO);
  });

  it('MUST 11: flags more than one media, and media not in the offer (inverted channel order)', () => {
    expect(opened(client(), { media: [STEREO, EXTERNAL] }).violations.join()).toMatch(/more than one media/);
    const inverted = { ...STEREO, channels: ['internal', 'external'] };
    expect(opened(client(), { media: [inverted] }).violations.join()).toMatch(/not one of the offered/);
    expect(opened(client(), { media: [] }).violations).toEqual([]);
  });

  it('MUST 8: flags an opened that does not acknowledge the open', () => {
    const c = client();
    c.open();
    expect(c.receiveText(server('opened', 1, 0, { media: [STEREO] })).violations.join()).toMatch(
      /clientseq 0/,
    );
  });

  it('MUST 12: flags a missing supportedLanguages when it was requested', () => {
    expect(opened(client({ supportedLanguages: true })).violations.join()).toMatch(/MUST 12/);
  });

  it('MUST 7/8: flags a wrong id, a server seq gap and clientseq ahead of ours', () => {
    const c = client();
    opened(c);
    expect(c.receiveText(server('pause', 3, 1)).violations.join()).toMatch(/does not follow 1/);
    expect(c.receiveText(server('pause', 4, 9)).violations.join()).toMatch(/ahead/);
    const other = server('pause', 5, 1, {}, { id: 'a0b0e395-84d3-4570-ac13-9a62d8f514c0' });
    expect(c.receiveText(other).violations.join()).toMatch(/MUST 7/);
  });

  it('MUST 13: pong must answer an outstanding ping with clientseq == ping seq', () => {
    const c = client();
    opened(c);
    expect(c.receiveText(server('pong', 2, 1)).violations.join()).toMatch(/without an outstanding ping/);
    c.ping();
    expect(c.receiveText(server('pong', 3, 1)).violations.join()).toMatch(/does not match/);
    expect(c.pendingPings).toEqual([2]);
    expect(c.receiveText(server('pong', 4, 2)).violations).toEqual([]);
    expect(c.pendingPings).toEqual([]);
  });

  it('MUST 14/15: closed must answer our close with clientseq = our last seq; nothing after closed', () => {
    const c = client();
    opened(c);
    expect(c.receiveText(server('closed', 2, 1)).violations.join()).toMatch(/without a close/);
    const d = client();
    opened(d);
    d.close('end');
    expect(d.receiveText(server('closed', 2, 2)).violations).toEqual([]);
    expect(d.state).toBe('closed');
    expect(
      d.receiveText(server('event', 3, 2, { entities: [transcriptEntity()] })).violations.join(),
    ).toMatch(/after closed/);
  });

  it('MUST 15: flags a disconnect after close', () => {
    const c = client();
    opened(c);
    c.close('end');
    expect(c.receiveText(server('disconnect', 2, 2, { reason: 'error' })).violations.join()).toMatch(
      /MUST 15/,
    );
  });

  it('MUST 16/17: flags events on monitor sessions and before opened; pause after close', () => {
    const monitor = client({ eventsAllowed: false });
    opened(monitor);
    expect(
      monitor.receiveText(server('event', 2, 1, { entities: [transcriptEntity()] })).violations.join(),
    ).toMatch(/MUST 16/);
    const early = client();
    early.open();
    expect(
      early.receiveText(server('event', 1, 1, { entities: [transcriptEntity()] })).violations.join(),
    ).toMatch(/MUST 17/);
    const late = client();
    opened(late);
    late.close('end');
    expect(late.receiveText(server('pause', 2, 2)).violations.join()).toMatch(/MUST 17/);
    expect(late.receiveText(server('event', 3, 2, { entities: [transcriptEntity()] })).violations).toEqual(
      [],
    );
  });

  it('MUST 26: flags transcripts with a channelId outside the selection, or finals without unique tokens', () => {
    const transcript = (data: Record<string, unknown>) => ({
      type: 'transcript',
      data: {
        id: '5d1c2b7e-3f0a-4c1e-9b8d-7a6f5e4d3c2b',
        channelId: 0,
        isFinal: true,
        alternatives: [
          {
            confidence: 0.9,
            interpretations: [
              {
                type: 'display',
                transcript: 'hi there',
                tokens: [
                  { type: 'word', value: 'hi', confidence: 0.9, offset: 'PT1S', duration: 'PT0.2S' },
                  { type: 'word', value: 'there', confidence: 0.9, offset: 'PT1.3S', duration: 'PT0.2S' },
                ],
              },
            ],
          },
        ],
        ...data,
      },
    });
    const mono = client();
    opened(mono, { media: [EXTERNAL] });
    const send = (c: ClientSession, seq: number, entity: unknown) =>
      c.receiveText(server('event', seq, 1, { entities: [entity] })).violations.join();
    expect(send(mono, 2, transcript({}))).toBe('');
    expect(send(mono, 3, transcript({ channelId: 1 }))).toMatch(/channelId 1/);
    const noTokens = [{ confidence: 0.9, interpretations: [{ type: 'display', transcript: 'x' }] }];
    expect(send(mono, 4, transcript({ alternatives: noTokens }))).toMatch(/without tokens/);
    expect(send(mono, 5, transcript({ alternatives: noTokens, isFinal: false }))).toBe('');
    const dup = [
      {
        confidence: 0.9,
        interpretations: [
          {
            type: 'display',
            transcript: 'a b',
            tokens: [
              { type: 'word', value: 'a', confidence: 1, offset: 'PT1S', duration: 'PT0.1S' },
              { type: 'word', value: 'b', confidence: 1, offset: 'PT1S', duration: 'PT0.1S' },
            ],
          },
        ],
      },
    ];
    expect(send(mono, 6, transcript({ alternatives: dup }))).toMatch(/duplicate token offsets/);
  });

  it('MUST 18: flags server text over 64 KiB', () => {
    const c = client();
    opened(c);
    const big = server('event', 2, 1, { entities: [transcriptEntity('y'.repeat(70000))] });
    expect(c.receiveText(big)).toEqual({ violations: [expect.stringMatching(/413/)] });
  });

  it('flags malformed server messages', () => {
    const c = client();
    expect(c.receiveText('{').violations.join()).toMatch(/malformed/);
    expect(c.receiveText(server('opened', 1, 1, { media: 'x' })).violations.join()).toMatch(/malformed/);
  });

  it('§7.7: rejects a server message carrying a member its type does not define, as Genesys does', () => {
    const c = client();
    c.open();
    const echoed = { ...STEREO, codec: 'PCMU' }; // the field failure: the offer echoed verbatim
    expect(c.receiveText(server('opened', 1, 1, { media: [echoed] })).violations.join()).toMatch(
      /400: malformed server message: opened.parameters.media.0: .*codec/,
    );
    const d = client();
    opened(d);
    expect(d.receiveText(server('pong', 2, 1, { note: 1 })).violations.join()).toMatch(/malformed/);
    expect(d.receiveText(server('pause', 2, 1, {}, { extra: true })).violations.join()).toMatch(/malformed/);
  });

  it('§7.6: with a clock, flags a pause or resume beyond 2/s, burst 4 (Genesys closes the socket)', () => {
    let now = 0;
    const c = client({ nowMs: () => now });
    opened(c);
    const results = Array.from({ length: 5 }, (_, i) =>
      c.receiveText(server('pause', i + 2, 1)).violations.join(),
    );
    expect(results.slice(0, 4)).toEqual(['', '', '', '']);
    expect(results[4]).toMatch(/pause rate limit exceeded/);
    now = 500; // one token back
    expect(c.receiveText(server('pause', 7, 1)).violations).toEqual([]);
    expect(c.receiveText(server('resume', 8, 1)).violations).toEqual([]); // resume has its own budget
  });

  it('accepts opened after a close sent during the open transaction', () => {
    const c = client();
    c.open();
    c.close('end');
    expect(c.receiveText(server('opened', 1, 1, { media: [STEREO] })).violations).toEqual([]);
    expect(c.receiveText(server('closed', 2, 2)).violations).toEqual([]);
  });
});
