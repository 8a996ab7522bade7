/**
 * The README's two commands and the files behind them: CI runs exactly the README's test command, npm has no
 * unknown project config to warn about, every dependency with an install script has a reviewed allowScripts
 * decision, and the run-time install does not pull in test-only software.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe('quick start', () => {
  it('CI runs the README test command, and the README start command installs run-time packages only', () => {
    const readme = read('README.md');
    const ciCommand = read('.ci/run')
      .split('\n')
      .find((line) => line.includes('npm test'));
    expect(ciCommand).toBe('bash scripts/install-system-deps.sh --test && npm ci && npm test');
    expect(readme).toContain(ciCommand);
    expect(readme).toContain('bash scripts/install-system-deps.sh && npm ci && npm start');
  });

  it('the run-time package list holds the speech engine (flite for vocabulary pronunciations), nothing the tests alone need; sphinxtrain only for the optional speaker adaptation and the tests', () => {
    const script = read('scripts/install-system-deps.sh');
    const runtime = /runtime=\(([^)]*)\)/
      .exec(script)![1]!
      .replace(/#.*$/gm, '')
      .split(/\s+/)
      .filter(Boolean);
    expect(runtime).toEqual(['libpocketsphinx3', 'pocketsphinx-en-us', 'flite']);
    expect(/speaker_adaptation=\(([^)]*)\)/.exec(script)![1]!.split(/\s+/).filter(Boolean)).toEqual([
      'sphinxtrain',
      'sphinxbase-utils',
      'pocketsphinx',
    ]);
    expect(script).toContain('--test) packages+=("${speaker_adaptation[@]}" "${test_only[@]}")');
    for (const testOnly of ['redis-server', 'postgresql', 'chromium', 'pocketsphinx-testdata', 'espeak-ng']) {
      expect(runtime).not.toContain(testOnly);
      expect(script).toContain(testOnly);
    }
  });

  it('.npmrc holds only settings npm knows (unknown ones print a warning on every npm command)', () => {
    const keys = read('.npmrc')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => line.split('=')[0]!.trim());
    for (const key of keys) expect(['fund', 'audit', 'engine-strict']).toContain(key);
  });

  it('every locked package with an install script has an allowScripts decision', () => {
    const lock = JSON.parse(read('package-lock.json')) as {
      packages: Record<string, { hasInstallScript?: boolean }>;
    };
    const allow = (JSON.parse(read('package.json')) as { allowScripts: Record<string, boolean> })
      .allowScripts;
    const withScripts = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    expect(withScripts.length).toBeGreaterThan(0);
    for (const name of withScripts) expect(Object.keys(allow), name).toContain(name);
  });
});
