import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'probes/**/*.test.ts', 'tools/**/*.test.ts', 'executors/**/*.test.ts'],
    // Nx end-to-end tests spawn real `nx` processes; give them room on a 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
