import { defineConfig } from 'vitest/config';

// One `vitest run` from the root runs every project; each project has its own vitest.config.ts.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'e2e'],
  },
});
