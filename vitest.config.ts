import { configDefaults, defineConfig } from 'vitest/config';

const BROWSER_TESTS = 'test/e2e/**/*.test.ts';
/** They use the built library (dist/lib), built once by their globalSetup when stale. */
const LIBRARY_TESTS = 'test/examples/**/*.test.ts';

export default defineConfig({
  test: {
    // The core draws with a native module; separate processes keep each file's Skia state apart.
    pool: 'forks',
    testTimeout: 30_000,
    projects: [
      { extends: true, test: { name: 'node', include: ['test/**/*.test.ts', 'test/**/*.test.tsx'], exclude: [...configDefaults.exclude, BROWSER_TESTS, LIBRARY_TESTS] } },
      // A project of their own so that the UI is built only for runs that include them
      // (vitest calls a project's globalSetup only when it has tests queued).
      { extends: true, test: { name: 'browser', include: [BROWSER_TESTS], globalSetup: ['test/support/build-ui.ts'] } },
      { extends: true, test: { name: 'library', include: [LIBRARY_TESTS], globalSetup: ['test/support/build-lib.ts'] } },
    ],
  },
});
