import { fileURLToPath } from 'node:url';
import { configDefaults, defineProject } from 'vitest/config';
// By path, not @mbuzz/test-kit/services: a config file is bundled on its own, and the bare imports
// it leaves to Node cannot be TypeScript.
import {
  excludeWithoutPostgres,
  testFilesMentioning,
} from '../../packages/test-kit/src/services-for-tests.js';

// The files that need Postgres are those that create a database with test/helpers/test-database.ts.
// Without a Postgres to create it on they are left out, after one line saying so — except when CI is
// set, where they run and fail with that line (@mbuzz/test-kit/services).
const NEEDS_POSTGRES = testFilesMentioning(
  fileURLToPath(new URL('.', import.meta.url)),
  'helpers/test-database',
);

export default defineProject({
  test: {
    name: 'ingest',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(await excludeWithoutPostgres(NEEDS_POSTGRES))],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
