import { defineConfig } from 'vitest/config';

// Tests do not load the Remix Vite plugin: loaders and actions are called as plain functions
// and the browser tests run against a real build served by server/main.ts.
export default defineConfig({
  test: {
    include: ['{app,server,workers,db,tests}/**/*.test.{ts,tsx}'],
    globalSetup: ['tests/global-setup.ts'],
    reporters: ['default', './tests/summary-reporter.ts'],
    setupFiles: ['tests/setup-file.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    fileParallelism: true,
  },
});
