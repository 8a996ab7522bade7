/**
 * Genesys limits server `pause` and `resume` to 2/s, burst 4 per session and closes the socket on a breach (digest
 * §7.6). A burst of language updates flipping supported/unsupported is coalesced by the session; the connection's
 * timer sends the last wanted state once the budget allows. Real server, real WebSocket, real timers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectOk, startTestServer, type TestServer } from './support/audiohook-test-client.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe('pause/resume rate limit on the Transcription Connector endpoint', () => {
  it('10 language updates in a burst: within the budget, alternating, and the last state (unsupported) wins', async () => {
    const client = await connectOk({ server, target: '/api/v1/voicetranscription/ws' });
    expect(await client.open({ language: 'en-US' })).toMatchObject({ type: 'opened' });
    // en-US is supported (no change), xx-YY is not (pause): ends on xx-YY, so the client must end up paused
    for (let i = 0; i < 10; i += 1) client.send('update', { language: i % 2 === 0 ? 'en-US' : 'xx-YY' });
    const controls = () => client.received.filter((m) => m.type === 'pause' || m.type === 'resume');
    // the first four go out at once; the coalesced last state follows when the budget refills (≈ 0.5 s)
    for (let i = 0; i < 500 && controls().length < 5; i += 1) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 700)); // nothing more may follow
    const types = controls().map((m) => m.type);
    expect(types.length).toBeLessThan(9); // 9 without coalescing: one per flip
    expect(types.at(-1)).toBe('pause');
    types.forEach((type, i) => expect(type).toBe(i % 2 === 0 ? 'pause' : 'resume'));
    expect(client.received.some((m) => m.type === 'disconnect')).toBe(false);
    client.send('paused');
    expect(await client.close()).toMatchObject({ type: 'closed' });
  });
});
