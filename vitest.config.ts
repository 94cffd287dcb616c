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
    // A poll waits for what a busy 2-core machine may take a few seconds to show (a password hash,
    // a page after a form); each poll may ask for longer.
    expect: { poll: { timeout: 5_000 } },
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    fileParallelism: true,
  },
});
