import { fileURLToPath } from 'node:url';
import { configDefaults, defineProject } from 'vitest/config';
// By path, not @mbuzz/test-kit/services: a config file is bundled on its own, and the bare imports
// it leaves to Node cannot be TypeScript.
import {
  excludeWithoutPostgres,
  testFilesMentioning,
} from '../../packages/test-kit/src/services-for-tests.js';

// The browser tests start the ingest service on a database of their own (test/helpers/dashboard-fixture.ts):
// without a Postgres to create it on they are left out, after one line saying so — except when CI is set,
// where they run and fail with that line (@mbuzz/test-kit/services). Without a Chromium they are skipped
// by describeWithChromium, likewise. The bundle-size test needs neither.
const NEEDS_POSTGRES = testFilesMentioning(
  fileURLToPath(new URL('.', import.meta.url)),
  'helpers/dashboard-fixture',
);

export default defineProject({
  test: {
    name: 'dashboard',
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(await excludeWithoutPostgres(NEEDS_POSTGRES))],
    environment: 'node',
    // The browser tests poll the page until it shows what they expect: up to 10 s.
    expect: { poll: { timeout: 10_000, interval: 100 } },
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // One browser at a time on a small machine.
    fileParallelism: false,
  },
});
