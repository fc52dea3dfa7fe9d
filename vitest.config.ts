import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // The core draws with a native module; separate processes keep each file's Skia state apart.
    pool: 'forks',
    testTimeout: 30_000,
  },
});
