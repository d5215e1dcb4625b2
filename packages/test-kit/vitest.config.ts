import { defineProject } from 'vitest/config';

// The kit has no tests of its own: the adapters' tests run it.
export default defineProject({
  test: {
    name: 'test-kit',
    include: ['src/**/*.test.ts'],
  },
});
