import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'libs/*/test/**/*.test.ts',
      'services/*/test/**/*.test.ts',
      'deploy/**/*.test.ts',
      'docs/**/*.test.ts',
    ],
    globalSetup: [
      'libs/testing/src/postgres-global-setup.ts',
      'libs/testing/src/broker-global-setup.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    coverage: {
      provider: 'v8',
      include: ['libs/*/src/**', 'services/*/src/**'],
      reporter: ['text-summary', 'html'],
    },
  },
});
