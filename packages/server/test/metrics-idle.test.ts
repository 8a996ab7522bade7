import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, startTestServer, type TestServer } from './support/audiohook-test-client.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe('metrics of a server that has had no call yet', () => {
  it('reports the known series at 0 instead of leaving them absent', async () => {
    const { status, body } = await getJson(server, '/metrics');
    expect(status).toBe(200);
    const text = body as string;
    for (const endpoint of ['/api/v1/audiohook/ws', '/api/v1/voicetranscription/ws', '/audiohook/ws']) {
      const e = endpoint.replaceAll('/', '\\/');
      expect(text).toMatch(new RegExp(`hookscribe_sessions_active\\{endpoint="${e}"\\} 0\\n`));
      expect(text).toMatch(
        new RegExp(`hookscribe_sessions_total\\{endpoint="${e}",outcome="closed"\\} 0\\n`),
      );
      expect(text).toMatch(new RegExp(`hookscribe_probes_total\\{endpoint="${e}"\\} 0\\n`));
      expect(text).toMatch(new RegExp(`hookscribe_open_latency_seconds_count\\{endpoint="${e}"\\} 0\\n`));
      expect(text).toMatch(
        new RegExp(`hookscribe_frames_received_total\\{endpoint="${e}",kind="binary"\\} 0\\n`),
      );
    }
    expect(text).toMatch(/hookscribe_auth_failures_total\{reason="bad-signature"\} 0\n/);
    expect(text).toMatch(/hookscribe_upgrade_rejections_total\{reason="draining"\} 0\n/);
  });
});
