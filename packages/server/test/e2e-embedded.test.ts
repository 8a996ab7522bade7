/**
 * Issue 3/4 end to end on the default embedded setup: main.js with nothing configured but keys and an API token
 * (SQLite, in-process bus, recordings on disk, pocketsphinx, local assist), driven by hookscribe-sim.
 * See support/e2e-call-scenario.ts for what is asserted.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runCallScenario } from './support/e2e-call-scenario.js';
import { API_TOKEN, SECRET_BASE64, startServer, stopAll } from './support/e2e-stack.js';
import { secretsInLog } from './support/log-secret-scan.js';
import { buildProductOnce } from './support/e2e-build.js';

buildProductOnce();
afterAll(stopAll, 60_000);

describe('end to end, embedded defaults', () => {
  it('a demo call to the connector and monitor endpoints is transcribed, sent back, stored, recorded, seen live and assisted; a probe leaves no trace', async () => {
    const server = await startServer();
    await runCallScenario(server);
    // the pipeline's own view of the calls: finals counted per engine and their latency after end of speech timed
    const metrics = await (await fetch(`${server.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /hookscribe_transcripts_total\{endpoint="transcription",kind="final",engine="[^"]+"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /hookscribe_transcript_final_latency_seconds_count\{endpoint="transcription",engine="[^"]+"\} [1-9]/,
    );
    expect(metrics).toMatch(/hookscribe_dependency_degraded\{dependency="store"\} 0/);
    expect(await server.stop()).toBe(0);
    // every log line of the run, shutdown included: no API token, no AudioHook client secret
    expect(server.logs.length).toBeGreaterThan(10);
    expect(secretsInLog(server.logs, [API_TOKEN, SECRET_BASE64])).toEqual([]);
  }, 240_000);
});
