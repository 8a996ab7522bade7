import { defineConfig } from 'vitest/config';

// One runner for the whole tree. Tests import workspace packages through the "source" export
// condition, so they run against TypeScript sources without a build step.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'packages/*/test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // one temp dir per run, removed at the end (see vitest.temp-sandbox.ts)
    globalSetup: ['./vitest.temp-sandbox.ts'],
  },
});
