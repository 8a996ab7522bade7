/**
 * The built server refuses to start (exit 2) on an invalid access setting, naming the variable and never echoing a
 * token or secret.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProductOnce } from './support/e2e-build.js';
import { mainJs } from './support/e2e-stack.js';

buildProductOnce();
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function start(env: Record<string, string>): { status: number | null; stderr: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookscribe-access-start-'));
  dirs.push(dataDir);
  try {
    execFileSync(process.execPath, [mainJs], {
      cwd: dataDir,
      env: { PATH: process.env.PATH ?? '', HOOKSCRIBE_PORT: '0', HOOKSCRIBE_DATA_DIR: dataDir, ...env },
      stdio: 'pipe',
      timeout: 30_000,
    });
    return { status: 0, stderr: '' };
  } catch (err) {
    return {
      status: (err as { status: number | null }).status,
      stderr: String((err as { stderr: Buffer }).stderr),
    };
  }
}

describe('start-up with invalid access settings', () => {
  it('exits 2 naming each problem, without echoing the token or the client secret', () => {
    const { status, stderr } = start({
      HOOKSCRIBE_API_TOKENS: 'good-token-1:viewer,very-secret-token-value:owner',
      HOOKSCRIBE_OIDC_ISSUER: 'https://login.example.com/tenant/v2.0',
      HOOKSCRIBE_OIDC_CLIENT_SECRET: 'very-secret-client-secret',
      HOOKSCRIBE_FRAME_ANCESTORS: 'javascript:alert(1)',
    });
    expect(status).toBe(2);
    expect(stderr).toContain('HOOKSCRIBE_API_TOKENS entry 2: unknown role "owner"');
    expect(stderr).toContain('HOOKSCRIBE_OIDC_CLIENT_ID: required with HOOKSCRIBE_OIDC_ISSUER');
    expect(stderr).toContain('HOOKSCRIBE_PUBLIC_URL: required with HOOKSCRIBE_OIDC_ISSUER');
    expect(stderr).toContain('HOOKSCRIBE_FRAME_ANCESTORS');
    expect(stderr).not.toContain('very-secret-token-value');
    expect(stderr).not.toContain('very-secret-client-secret');
  });
});
