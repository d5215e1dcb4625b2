import { configDefaults, defineProject } from 'vitest/config';
// By path, not @mbuzz/test-kit/services: a config file is bundled on its own, and the bare imports
// it leaves to Node cannot be TypeScript.
import { excludeWithoutPostgres } from '../packages/test-kit/src/services-for-tests.js';

// Every file but demo.test.ts (which runs on the embedded database) starts the ingest service on a
// database of its own: without a Postgres to create it on they are left out, after one line saying so —
// except when CI is set, where they run and fail with that line (@mbuzz/test-kit/services).
const NEEDS_POSTGRES = ['!(demo).test.ts'];

export default defineProject({
  test: {
    name: 'e2e',
    include: ['**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(await excludeWithoutPostgres(NEEDS_POSTGRES))],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
