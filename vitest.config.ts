import { defineConfig } from 'vitest/config';

// One `vitest run` from the root runs every project; each project has its own vitest.config.ts, except
// `repo`: the tests of the repository as a whole (test/, e.g. the markdown link check).
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'e2e', { test: { name: 'repo', include: ['test/**/*.test.ts'] } }],
  },
});
