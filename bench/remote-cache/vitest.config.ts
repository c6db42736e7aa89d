import { defineConfig } from 'vitest/config';

/** Runs only the remote-cache bench: `npx vitest run --config bench/remote-cache/vitest.config.ts`. */
export default defineConfig({
  test: {
    root: `${__dirname}/../..`,
    include: ['bench/remote-cache/*.bench.ts'],
    testTimeout: 60 * 60 * 1000,
    hookTimeout: 5 * 60 * 1000,
    pool: 'forks',
  },
});
