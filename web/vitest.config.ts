import { defineConfig } from 'vitest/config';

// Unit tests only: pure functions (validation, formatting), no browser, no server.
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
  },
});
