import { describe, expect, it } from 'vitest';
import { ClientSession, encodeFrame } from '../src/index.js';
import { CONVERSATION_ID, EXTERNAL, INTERNAL, ORG_ID, SESSION_ID, STEREO } from './fixtures.js';

function openedClient(): ClientSession {
  const c = new ClientSession({
    sessionId: SESSION_ID,
    organizationId: ORG_ID,
    conversationId: CONVERSATION_ID,
    participant: { id: '6b0a5c1e-1f2b-4c8e-9d3a-0e5f6a7b8c9d', ani: '+1', aniName: 'x', dnis: '+2' },
    media: [STEREO, EXTERNAL, INTERNAL],
  });
  c.open();
  c.receiveText(
    JSON.stringify({
      version: '2',
      id: SESSION_ID,
      type: 'opened',
      seq: 1,
      clientseq: 1,
      parameters: { media: [STEREO] },
    }),
  );
  return c;
}

describe('ClientSession.audioEncoded (pre-encoded frames, used by the simulator load mode)', () => {
  it('passes the frame through and advances the position by its samples per channel', () => {
    const c = openedClient();
    const frame = encodeFrame([new Int16Array(1600), new Int16Array(1600)], 'PCMU');
    expect(c.audioEncoded(frame)).toBe(frame);
    expect(c.positionSamples).toBe(1600);
    expect(JSON.parse(c.ping())).toMatchObject({ position: 'PT0.2S' });
  });

  it('rejects a frame that does not hold whole samples for every channel', () => {
    const c = openedClient();
    expect(() => c.audioEncoded(new Uint8Array(3))).toThrow(RangeError);
    expect(c.positionSamples).toBe(0);
  });

  it('refuses audio before opened', () => {
    const c = new ClientSession({
      sessionId: SESSION_ID,
      organizationId: ORG_ID,
      conversationId: CONVERSATION_ID,
      participant: { id: '6b0a5c1e-1f2b-4c8e-9d3a-0e5f6a7b8c9d', ani: '', aniName: '', dnis: '' },
      media: [STEREO],
    });
    expect(() => c.audioEncoded(new Uint8Array(2))).toThrow(/no media/);
  });
});
