import { defineConfig } from 'vitest/config';

// Browser tests drive Debian chromium through playwright-core against a real stva-dev.
// Each file starts its own server; run files one after the other (2 shared cores).
export default defineConfig({
  test: {
    include: ['tests/browser/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['verbose'],
  },
});
