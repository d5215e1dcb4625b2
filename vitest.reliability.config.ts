import { defineConfig } from 'vitest/config';

// `pnpm test:reliability`: the heavy scenarios of issue 5 against real processes (ingest service,
// Postgres, Redis, example apps). One file at a time: they measure load and must not share 2 cores.
export default defineConfig({
  test: {
    include: ['reliability/scenarios/**/*.test.ts', 'reliability/lib/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
