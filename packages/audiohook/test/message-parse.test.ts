import { describe, expect, it } from 'vitest';
import { parseClientMessage, parseServerMessage } from '../src/index.js';
import { NIL, SESSION_ID, clientMessage, openParameters, transcriptEntity } from './fixtures.js';

describe('client message parsing', () => {
  it('parses a well-formed open', () => {
    const result = parseClientMessage(clientMessage('open', 1, openParameters()));
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.message.type).toBe('open');
      expect(result.message.seq).toBe(1);
    }
  });

  it('bad input: malformed JSON → malformed-json', () => {
    expect(parseClientMessage('{"version":"2",')).toMatchObject({
      ok: false,
      violation: { code: 'malformed-json' },
    });
    expect(parseClientMessage('[1,2]')).toMatchObject({ ok: false, violation: { code: 'bad-envelope' } });
    expect(parseClientMessage('null')).toMatchObject({ ok: false, violation: { code: 'bad-envelope' } });
  });

  it('bad input: wrong version → bad-version', () => {
    for (const version of ['1', 2, undefined, '2.0']) {
      expect(parseClientMessage(clientMessage('ping', 1, {}, { version }))).toMatchObject({
        ok: false,
        violation: { code: 'bad-version' },
      });
    }
  });

  it('MUST 7: an id that is not a UUID → bad-id; the nil UUID is a valid id', () => {
    expect(parseClientMessage(clientMessage('ping', 1, {}, { id: 'abc' }))).toMatchObject({
      ok: false,
      violation: { code: 'bad-id' },
    });
    expect(parseClientMessage(clientMessage('ping', 1, {}, { id: NIL })).ok).toBe(true);
    // version nibble must be 1-5, variant 8-b
    expect(
      parseClientMessage(clientMessage('ping', 1, {}, { id: SESSION_ID.replace('-4570-', '-c570-') })).ok,
    ).toBe(false);
  });

  it('MUST 9: seq/serverseq must be non-negative integers; position must be a Duration', () => {
    for (const extra of [
      { seq: -1 },
      { seq: 1.5 },
      { seq: '1' },
      { serverseq: -1 },
      { serverseq: null },
      { position: '1.0' },
      { position: 'PT1e-7S' },
      { parameters: [] },
      { parameters: undefined },
      { type: 7 },
    ]) {
      expect(parseClientMessage(clientMessage('ping', 1, {}, extra))).toMatchObject({
        ok: false,
        violation: { code: 'bad-envelope' },
      });
    }
  });

  it('MUST 29: tolerates unknown members and unknown message types (marked unknownType)', () => {
    const withExtra = parseClientMessage(clientMessage('ping', 2, { rtt: 'PT0.01S', foo: 1 }, { bar: true }));
    expect(withExtra.ok).toBe(true);
    if (withExtra.ok) expect(withExtra.message.parameters).toMatchObject({ foo: 1 });
    const unknown = parseClientMessage(clientMessage('dtmf', 3, { digit: '1' }));
    expect(unknown).toMatchObject({ ok: true, message: { type: 'dtmf', seq: 3, unknownType: true } });
  });

  it('validates parameters: language regex, error code range, durations, close reason, media', () => {
    const bad = (type: string, p: Record<string, unknown>) =>
      expect(parseClientMessage(clientMessage(type, 1, p))).toMatchObject({
        ok: false,
        violation: { code: 'bad-parameters' },
      });
    bad('open', openParameters({ language: 'en' }));
    bad('open', openParameters({ language: 'zh-Hans-CN' }));
    bad('open', openParameters({ organizationId: 'x' }));
    bad('open', openParameters({ media: 'PCMU' })); // not a list at all
    // an unusable entry (rate, duplicate channel) no longer fails the parse: the session skips it (§7.7)
    const odd = [
      { type: 'audio', format: 'PCMU', channels: ['external'], rate: 16000 },
      { type: 'audio', format: 'PCMU', channels: ['external', 'external'], rate: 8000 },
    ];
    expect(parseClientMessage(clientMessage('open', 1, openParameters({ media: odd }))).ok).toBe(true);
    bad('update', { language: 'EN-us' });
    bad('error', { code: 399, message: 'x' });
    bad('error', { code: 10000, message: 'x' });
    bad('resumed', { start: 'PT1S' });
    bad('discarded', { start: 'PT1S', discarded: '-PT1S' });
    bad('close', { reason: 'bye' });
    expect(parseClientMessage(clientMessage('update', 1, { language: 'cmn-CN' })).ok).toBe(true);
    expect(
      parseClientMessage(clientMessage('error', 1, { code: 429, message: 'slow', retryAfter: 'PT3S' })).ok,
    ).toBe(true);
  });

  it('bad input: text over 64 KiB → too-large', () => {
    const big = clientMessage('ping', 1, { pad: 'x'.repeat(65536) });
    expect(parseClientMessage(big)).toMatchObject({ ok: false, violation: { code: 'too-large' } });
  });
});

describe('server message parsing', () => {
  const server = (type: string, parameters: unknown, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ version: '2', id: SESSION_ID, type, seq: 1, clientseq: 1, parameters, ...extra });

  it('parses every server type and rejects bad envelopes', () => {
    expect(parseServerMessage(server('opened', { media: [] })).ok).toBe(true);
    expect(parseServerMessage(server('pong', {})).ok).toBe(true);
    expect(parseServerMessage(server('disconnect', { reason: 'error', info: 'x' })).ok).toBe(true);
    expect(parseServerMessage(server('closed', {})).ok).toBe(true);
    expect(parseServerMessage(server('closed', {}, { clientseq: undefined })).ok).toBe(false);
    expect(parseServerMessage(server('closed', {}, { version: '3' })).ok).toBe(false);
    expect(parseServerMessage(server('hello', {})).ok).toBe(false);
    expect(parseServerMessage(server('opened', { media: [], supportedLanguages: ['en'] })).ok).toBe(false);
  });

  it('MUST 26: validates transcript entities (channelId 0/1, confidence in [0,1], non-empty alternatives)', () => {
    const transcript = (data: Record<string, unknown>) => ({
      type: 'transcript',
      data: {
        id: '5d1c2b7e-3f0a-4c1e-9b8d-7a6f5e4d3c2b',
        channelId: 0,
        isFinal: true,
        offset: 'PT4.9S',
        duration: 'PT1.02S',
        alternatives: [{ confidence: 0.9, interpretations: [{ type: 'display', transcript: 'hi' }] }],
        ...data,
      },
    });
    expect(parseServerMessage(server('event', { entities: [transcript({})] })).ok).toBe(true);
    for (const bad of [
      { channelId: 'external' },
      { channelId: 2 },
      { alternatives: [] },
      { offset: 'PT-1S' },
    ]) {
      expect(parseServerMessage(server('event', { entities: [transcript(bad)] })).ok).toBe(false);
    }
    const badConfidence = transcript({
      alternatives: [{ confidence: 1.2, interpretations: [{ type: 'display', transcript: 'x' }] }],
    });
    expect(parseServerMessage(server('event', { entities: [badConfidence] })).ok).toBe(false);
    // closed schemas: only the two defined entity types, no unknown member anywhere (digest §7.7)
    expect(parseServerMessage(server('event', { entities: [{ type: 'custom', data: 1 }] })).ok).toBe(false);
    expect(parseServerMessage(server('event', { entities: [transcript({ speaker: 'x' })] })).ok).toBe(false);
  });

  it('§7.7: every server message type and entity is a closed object: an unknown member is refused', () => {
    const media = { type: 'audio', format: 'PCMU', channels: ['external'], rate: 8000 };
    const valid: [string, Record<string, unknown>][] = [
      ['opened', { media: [media], startPaused: false, supportedLanguages: ['en-US'] }],
      ['pong', {}],
      ['pause', {}],
      ['resume', {}],
      ['disconnect', { reason: 'error', info: 'x' }],
      ['closed', {}],
      ['event', { entities: [transcriptEntity()] }],
      [
        'event',
        {
          entities: [
            {
              type: 'agentassist',
              data: {
                id: SESSION_ID,
                utterances: [
                  {
                    id: SESSION_ID,
                    position: 'PT1S',
                    text: 'hi',
                    language: 'en-US',
                    confidence: 0.5,
                    channel: 'external',
                    isFinal: true,
                  },
                ],
                suggestions: [
                  { type: 'faq', id: SESSION_ID, confidence: 0.5, question: 'q', answer: 'a' },
                  {
                    type: 'article',
                    id: SESSION_ID,
                    confidence: 0.5,
                    title: 't',
                    excerpts: ['e'],
                    documentUri: 'https://kb.example/a',
                  },
                ],
              },
            },
          ],
        },
      ],
    ];
    for (const [type, parameters] of valid) {
      expect(parseServerMessage(server(type, parameters)), type).toMatchObject({ ok: true });
      expect(parseServerMessage(server(type, { ...parameters, extra: 1 })).ok, type).toBe(false);
    }
    expect(parseServerMessage(server('pong', {}, { extra: 1 })).ok).toBe(false); // envelope too
    const codec = { ...media, codec: 'PCMU' }; // the field report: Unrecognized field "codec" in Media model
    const opened = parseServerMessage(server('opened', { media: [codec] }));
    expect(opened).toMatchObject({ ok: false, reason: expect.stringMatching(/codec/) });
    const token = transcriptEntity();
    const tokens = token.data.alternatives[0].interpretations[0].tokens;
    const withBadToken = {
      ...token,
      data: {
        ...token.data,
        alternatives: [
          {
            ...token.data.alternatives[0],
            interpretations: [
              { type: 'display', transcript: 'hello', tokens: [{ ...tokens[0], speaker: 1 }] },
            ],
          },
        ],
      },
    };
    expect(parseServerMessage(server('event', { entities: [withBadToken] })).ok).toBe(false);
  });
});
