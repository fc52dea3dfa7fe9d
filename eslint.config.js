// Lint: typescript-eslint's recommended set (not the type-checked one: lint stays fast
// and `npm run typecheck` already runs the compiler), React's hook rules for the UI, and
// a few rules that catch real mistakes. Where parts may import from each other is
// dependency-cruiser's job (.dependency-cruiser.cjs); the electron rule below repeats
// the most important one so editors flag it while typing.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Electron's API exists only in the desktop glue: the CLI, the server and the tests run in plain Node. */
const electronOnlyInGlue = {
  name: 'electron',
  message: 'Only the desktop glue (src-main/app/, src-main/preload/, src-main/index.ts) may import electron: everything else must run in plain Node.',
};

export default defineConfig(
  globalIgnores(['out/', 'dist/', 'node_modules/', '.tmp/', 'test/core/golden/', 'test/e2e/screenshots/', 'bench/seed-baseline/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    name: 'captcha-studio/all',
    languageOptions: { globals: globals.node },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'off',
      // Handlers keep positional parameters they do not use; a leading _ says so on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [electronOnlyInGlue] }],
    },
  },
  {
    name: 'captcha-studio/desktop-glue',
    files: ['src-main/app/**', 'src-main/preload/**', 'src-main/index.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': 'off' },
  },
  {
    name: 'captcha-studio/renderer',
    files: ['src-renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    plugins: reactHooks.configs.flat.recommended.plugins,
    rules: {
      ...reactHooks.configs.flat.recommended.rules,
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInGlue],
          patterns: [
            {
              group: ['**/src-main/**'],
              allowTypeImports: true,
              message: 'The UI talks to the main process through StudioApi only: import types (`import type`) from src-main/api.ts or core/design.ts, never values.',
            },
            { regex: '^node:', message: 'The renderer runs in a browser page: no Node modules.' },
          ],
        },
      ],
    },
  },
  {
    // Tests run without Electron (a fake stands in for it) and drive the UI in jsdom. Their
    // fakes and JSON bodies are loosely typed on purpose: `any` there is noise, not risk.
    name: 'captcha-studio/tests',
    files: ['test/**'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-function-type': 'off',
    },
  },
);
