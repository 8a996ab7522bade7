import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const DIST_THREAD = join(dirname(fileURLToPath(import.meta.url)), '../dist/vad/silero-vad-thread.js');
/** variables by which the runtime itself detects a CI machine and stays silent: stripped, so CI tests what a server gets */
const CI_MARKERS = [
  'CI',
  'TF_BUILD',
  'GITHUB_ACTIONS',
  'GITLAB_CI',
  'CIRCLECI',
  'TRAVIS',
  'JENKINS_URL',
  'CODEBUILD_BUILD_ID',
];

/** loads Silero in its thread in a fresh process (the built package, as the server runs it); what it left in TMPDIR */
function tempFilesOfSileroLoad(env: Record<string, string>): string[] {
  const temp = mkdtempSync(join(tmpdir(), 'ort-telemetry-'));
  dirs.push(temp);
  // CommonJS around a dynamic import: the Silero thread's eval'd body is CommonJS and inherits --input-type
  const script = `(async () => {
    const { ThreadedSileroVad } = await import(${JSON.stringify(DIST_THREAD)});
    const vad = await ThreadedSileroVad.load();
    await vad.probability(new Int16Array(256));
    await vad.release();
  })();`;
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => name !== 'ORT_DISABLE_TELEMETRY' && !CI_MARKERS.includes(name),
    ),
  );
  execFileSync(process.execPath, ['-e', script], {
    env: { ...inherited, ...env, TMPDIR: temp },
    timeout: 60_000,
  });
  return readdirSync(temp);
}

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('onnxruntime telemetry', () => {
  it('is off when Silero loads: no telemetry session is started', () => {
    expect(tempFilesOfSileroLoad({})).toEqual([]);
  });

  it('stays the operator’s choice: ORT_DISABLE_TELEMETRY=0 turns it back on', () => {
    // also shows the check above can fail: this is the runtime's own session store
    expect(tempFilesOfSileroLoad({ ORT_DISABLE_TELEMETRY: '0' })).toEqual(expect.arrayContaining(['.ses']));
  });
});
