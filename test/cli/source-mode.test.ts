/**
 * Source mode (src-main/bin/source-mode.mjs): how the CLI and its workers run the
 * TypeScript sources. Compiled, not stripped; closures keep their names without
 * esbuild's `__name` wrapper (whose per-closure defineProperty kept Node's request
 * handler from being optimised: source-hooks.mjs).
 */
import { execFileSync } from 'node:child_process';
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
});
