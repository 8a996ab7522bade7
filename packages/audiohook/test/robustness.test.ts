import { describe, expect, it } from 'vitest';
import { ClientSession, ServerSession, parseWav, verifyRequestSignature } from '../src/index.js';
import { CONVERSATION_ID, ORG_ID, SESSION_ID, STEREO, clientMessage, openParameters } from './fixtures.js';

/** Deterministic pseudo-random numbers (no Math.random in tests either: failures must reproduce). */
function lcg(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const FRAGMENTS = [
  '{',
  '}',
  '"version":"2"',
  `"id":"${SESSION_ID}"`,
  '"type":"open"',
  '"type":"close"',
  '"seq":1',
  '"seq":-1',
  '"serverseq":99',
  '"position":"PT1e5S"',
  '"parameters":{}',
  '"parameters":null',
  ',',
  ':',
  '[',
  ']',
  'null',
  '\u0000',
  '"\ud800"',
];

describe('robustness: arbitrary input never throws and ends in a protocol answer', () => {
  it('ServerSession survives random text and binary in every state, sending at most one disconnect', () => {
    const random = lcg(42);
    for (let run = 0; run < 200; run++) {
      const session = new ServerSession({
        nowMs: () => performance.now(),
        sessionId: SESSION_ID,
        organizationId: ORG_ID,
        profile: run % 2 ? 'monitor' : 'transcription',
        supportedLanguages: ['en-US'],
        pauseOnUnsupportedLanguage: true,
      });
      const sent: string[] = [];
      if (run % 3 === 0) sent.push(...session.receiveText(clientMessage('open', 1, openParameters())).send);
      for (let i = 0; i < 30; i++) {
        const r = random();
        if (r < 0.4) {
          const parts = Array.from(
            { length: 1 + Math.floor(random() * 8) },
            () => FRAGMENTS[Math.floor(random() * FRAGMENTS.length)],
          );
          sent.push(...session.receiveText(parts.join('')).send);
        } else if (r < 0.7) {
          const frame = Uint8Array.from({ length: Math.floor(random() * 12) }, () =>
            Math.floor(random() * 256),
          );
          sent.push(...session.receiveBinary(frame).send);
        } else if (r < 0.8) {
          sent.push(
            ...session.receiveText(clientMessage('close', session.lastClientSeq + 1, { reason: 'end' })).send,
          );
        } else if (r < 0.9) {
          sent.push(...session.receiveText(clientMessage('ping', session.lastClientSeq + 1)).send);
        } else {
          sent.push(...session.finishClose().send);
        }
      }
      sent.push(...session.socketClosed().send);
      const types = sent.map((t) => (JSON.parse(t) as { type: string }).type);
      expect(types.filter((t) => t === 'disconnect').length).toBeLessThanOrEqual(1);
      expect(types.filter((t) => t === 'closed').length).toBeLessThanOrEqual(1);
      const closedAt = types.indexOf('closed');
      if (closedAt >= 0) expect(closedAt).toBe(types.length - 1); // nothing after closed
      expect(sent.map((t) => (JSON.parse(t) as { seq: number }).seq)).toEqual(sent.map((_, i) => i + 1));
    }
  });

  it('ClientSession, parseWav and verifyRequestSignature never throw on garbage', () => {
    const random = lcg(7);
    const client = new ClientSession({
      sessionId: SESSION_ID,
      organizationId: ORG_ID,
      conversationId: CONVERSATION_ID,
      participant: { id: CONVERSATION_ID, ani: '', aniName: '', dnis: '' },
      media: [STEREO],
    });
    client.open();
    for (let i = 0; i < 300; i++) {
      const bytes = Uint8Array.from({ length: Math.floor(random() * 80) }, () => Math.floor(random() * 256));
      const text = Buffer.from(bytes).toString('latin1');
      expect(() => client.receiveText(text)).not.toThrow();
      expect(() => {
        try {
          parseWav(Uint8Array.from([...Buffer.from('RIFF\0\0\0\0WAVE'), ...bytes]));
        } catch (err) {
          if ((err as Error).name !== 'WavFormatError') throw err;
        }
      }).not.toThrow();
      const result = verifyRequestSignature({
        requestTarget: '/',
        authority: 'h',
        headers: {
          'audiohook-organization-id': ORG_ID,
          'audiohook-session-id': SESSION_ID,
          'audiohook-correlation-id': ORG_ID,
          'x-api-key': 'k',
          'signature-input': text,
          signature: text.split('').reverse().join(''),
        },
        secretForKey: () => new Uint8Array(4),
        nowSeconds: 0,
        randomBytes: (n) => new Uint8Array(n),
      });
      expect(result.ok).toBe(false);
    }
  });
});
