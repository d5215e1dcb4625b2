import { defineProject } from 'vitest/config';

// The adapters' tests run the kit; its own tests cover what no adapter test exercises (findChromium).
export default defineProject({
  test: {
    name: 'test-kit',
    include: ['src/**/*.test.ts'],
  },
});
