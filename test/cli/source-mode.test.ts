/**
 * Source mode (src-main/bin/source-mode.mjs): how the CLI and its workers run the
 * TypeScript sources. Compiled, not stripped; closures keep their names without
 * esbuild's `__name` wrapper (whose per-closure defineProperty kept Node's request
 * handler from being optimised: source-hooks.mjs).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = `
import { registerSource } from './src-main/bin/source-mode.mjs';
registerSource();
registerSource(); // a second call (a worker's bootstrap in a source-mode process) changes nothing
const m = await import('./test/cli/fixtures/source-mode-sample.ts');
const fn = m.perCall(3).L;
let stack = '';
try { m.thrower(); } catch (e) { stack = e.stack; }
console.log(JSON.stringify({
  twice: new m.Held(21).twice,
  named: m.named.name,
  named2: m.named(1),
  closure: fn.name,
  closure2: fn(2),
  wrapped: [m.named, m.perCall, fn].some((f) => f.toString().includes('__name')),
  json: m.fromJson,
  stack,
}));
`;

describe('source mode', () => {
  const run = () => JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { encoding: 'utf8' })) as Record<string, unknown>;

  it('compiles TypeScript (parameter properties), imports JSON without attributes, and names closures without __name', () => {
    const r = run();
    expect(r.twice).toBe(42);
    expect(r.named2).toBe(2);
    expect(r.closure2).toBe(6);
    expect(r.json).toBe(42);
    // JavaScript itself names closures by their place; nothing wraps them to do it.
    expect(r.named).toBe('named');
    expect(r.closure).toBe('L');
    expect(r.wrapped).toBe(false);
  });

  it('maps stack traces to the .ts lines', () => {
    expect(run().stack).toMatch(/source-mode-sample\.ts:22:\d+/);
  });

  it('compiles the project when it is installed as a package (under node_modules), and leaves its dependencies alone', () => {
    // <tmp>/node_modules/captcha-studio/{src-main/bin,test/cli/fixtures}, esbuild beside it as npm would hoist it.
    const tmp = mkdtempSync(join(tmpdir(), 'source-mode-'));
    try {
      const pkg = join(tmp, 'node_modules', 'captcha-studio');
      for (const dir of ['src-main/bin', 'test/cli/fixtures']) mkdirSync(join(pkg, dir), { recursive: true });
      for (const f of ['src-main/bin/source-mode.mjs', 'src-main/bin/source-hooks.mjs', 'test/cli/fixtures/source-mode-sample.ts', 'test/cli/fixtures/source-mode-sample.json']) copyFileSync(f, join(pkg, f));
      symlinkSync(resolve('node_modules/esbuild'), join(tmp, 'node_modules', 'esbuild'), 'dir');
      const script = `
        import { registerSource } from ${JSON.stringify(join(pkg, 'src-main/bin/source-mode.mjs'))};
        registerSource();
        const m = await import(${JSON.stringify(join(pkg, 'test/cli/fixtures/source-mode-sample.ts'))});
        console.log(JSON.stringify({ twice: new m.Held(21).twice, json: m.fromJson }));`;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: tmp });
      expect(JSON.parse(out)).toEqual({ twice: 42, json: 42 });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
