/**
 * The project's own ESLint rules (eslint.config.js), tried on snippets placed where they
 * would live: the import restrictions depend on a file's folder, so a moved folder or a
 * mistyped glob would otherwise switch them off without anyone noticing.
 */
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: repo });

async function rulesHit(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(repo, path) });
  return result!.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

const electron = `import { app } from 'electron';\nexport const a = app;\n`;

describe('eslint.config.js', () => {
  it('electron only in the desktop glue', async () => {
    for (const path of ['src-main/server/x.ts', 'src-main/core/x.ts', 'src-main/cli-x.ts', 'test/x.test.ts']) {
      expect(await rulesHit(path, electron), path).toEqual(['@typescript-eslint/no-restricted-imports']);
    }
    for (const path of ['src-main/app/x.ts', 'src-main/preload/x.ts', 'src-main/index.ts']) {
      expect(await rulesHit(path, electron), path).toEqual([]);
    }
  });

  it('the UI imports types from src-main, never values, and no Node modules', async () => {
    const ui = 'src-renderer/src/x.ts';
    expect(await rulesHit(ui, `import type { StudioApi } from '../../src-main/api.ts';\nexport type A = StudioApi;\n`)).toEqual([]);
    expect(await rulesHit(ui, `import { type StudioApi } from '../../src-main/api.ts';\nexport type A = StudioApi;\n`)).toEqual([]);
    expect(await rulesHit(ui, `import { STUDIO } from '../../src-main/api.ts';\nexport const a = STUDIO;\n`)).toEqual(['@typescript-eslint/no-restricted-imports']);
    expect(await rulesHit(ui, `import { join } from 'node:path';\nexport const a = join;\n`)).toEqual(['@typescript-eslint/no-restricted-imports']);
  });

  it('hooks rules apply to the UI', async () => {
    const code = `import { useState } from 'react';\nexport function C(p: { on: boolean }) {\n  if (p.on) { const [s] = useState(0); return s; }\n  return 0;\n}\n`;
    expect(await rulesHit('src-renderer/src/components/C.tsx', code)).toContain('react-hooks/rules-of-hooks');
  });

  it('eqeqeq, except the == null idiom', async () => {
    expect(await rulesHit('src-main/core/x.ts', `export const f = (a: unknown) => a == 1;\n`)).toEqual(['eqeqeq']);
    expect(await rulesHit('src-main/core/x.ts', `export const f = (a: unknown) => a == null;\n`)).toEqual([]);
  });
});
