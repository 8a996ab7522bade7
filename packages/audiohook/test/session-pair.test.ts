import { describe, expect, it } from 'vitest';
import { ClientSession, ServerSession, type SessionEvent, type SessionStep } from '../src/index.js';
import { CONVERSATION_ID, EXTERNAL, NIL, ORG_ID, SESSION_ID, STEREO, transcriptEntity } from './fixtures.js';

/** ClientSession and ServerSession talking to each other in memory: neither may see a violation. */
function pair(profile: 'monitor' | 'transcription', conversationId = CONVERSATION_ID) {
  const server = new ServerSession({
    nowMs: () => performance.now(),
    sessionId: SESSION_ID,
    organizationId: ORG_ID,
    profile,
    supportedLanguages: ['en-US'],
    pauseOnUnsupportedLanguage: true,
  });
  const client = new ClientSession({
    sessionId: SESSION_ID,
    organizationId: ORG_ID,
    conversationId,
    participant: { id: conversationId, ani: '', aniName: '', dnis: '' },
    media: [STEREO, EXTERNAL],
    language: 'en-US',
    supportedLanguages: true,
    eventsAllowed: profile === 'transcription',
  });
  const events: SessionEvent[] = [];
  const clientViolations: string[] = [];
  const received: string[] = [];
  const deliver = (step: SessionStep) => {
    events.push(...step.events);
    for (const text of step.send) {
      const r = client.receiveText(text);
      clientViolations.push(...r.violations);
      if (r.message) received.push(r.message.type);
    }
  };
  return {
    server,
    client,
    events,
    clientViolations,
    received,
    text: (t: string) => deliver(server.receiveText(t)),
    binary: (b: Uint8Array) => deliver(server.receiveBinary(b)),
    deliver,
  };
}

describe('ClientSession ↔ ServerSession', () => {
  it('a full transcription call runs without a violation on either side and timelines agree', () => {
    const p = pair('transcription');
    p.text(p.client.open());
    const tone = Int16Array.from({ length: 1600 }, (_, i) => Math.round(8000 * Math.sin(i / 5)));
    for (let i = 0; i < 5; i++) p.binary(p.client.audio([tone, tone]));
    p.text(p.client.ping());
    p.text(p.client.paused());
    p.text(p.client.resumed(8000, 16000));
    p.binary(p.client.audio([tone, tone]));
    p.text(p.client.discarded(25600, 800));
    p.deliver(p.server.sendEvent([transcriptEntity('one')]));
    p.text(p.client.update('de-DE')); // unsupported → server pauses
    p.text(p.client.paused());
    p.text(p.client.update('en-US')); // supported → server resumes
    p.text(p.client.resumed(p.client.positionSamples, 0));
    p.text(p.client.close('end'));
    p.deliver(p.server.sendEvent([transcriptEntity('two')]));
    p.deliver(p.server.finishClose());
    expect(p.clientViolations).toEqual([]);
    expect(p.events.filter((e) => e.type === 'violation')).toEqual([]);
    expect(p.received).toEqual(['opened', 'pong', 'event', 'pause', 'resume', 'event', 'closed']);
    expect(p.server.positionSamples).toBe(p.client.positionSamples);
    expect(p.server.positionDriftSamples).toBe(0);
    expect(p.client.state).toBe('closed');
  });

  it('MUST 25: a probe opens with media [] and closes cleanly', () => {
    const p = pair('monitor', NIL);
    p.text(p.client.open());
    p.text(p.client.close('end'));
    p.deliver(p.server.finishClose());
    expect(p.clientViolations).toEqual([]);
    expect(p.client.opened?.media).toEqual([]);
    expect(p.received).toEqual(['opened', 'closed']);
  });
});
