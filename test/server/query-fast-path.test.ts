// applyQuery's fast path for `?width=&height=` (server/query.ts) must give exactly what
// the schema's path gives, and leave every refusal to it: same rules, same errors.
import { describe, expect, it } from 'vitest';
import { canonicalDesign } from '../../src-main/core/design.ts';
import { InputError } from '../../src-main/core/input-error.ts';
import { getPreset, presetNames } from '../../src-main/core/presets.ts';
import { applyQuery, applyQueryThroughSchema } from '../../src-main/server/query.ts';

function outcome(fn: () => unknown): unknown {
  try {
    const d = fn() as Parameters<typeof canonicalDesign>[0];
    return { design: canonicalDesign(d) };
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return { field: (e as InputError).field, message: (e as Error).message };
  }
}

const QUERIES = [
  'width=1920&height=1080',
  'width=1921&height=1081',
  'height=7&width=3',
  'width=1',
  'height=8192',
  'width=8192&height=4050',
  'width=8192&height=4051', // over the area limit
  'width=8192&height=8192',
  'width=8193',
  'width=0',
  'width=-5',
  'width=012',
  'width=12.0',
  'width=1e3',
  'width= 12',
  'width=',
  'width=10&width=20',
  'width=10&_=1716',
  '_=1716',
  'width=10&seed=3',
  'width=10&depth=3',
  '',
];

describe('applyQuery: the size-only fast path', () => {
  for (const name of presetNames()) {
    it(`${name}: the same design, or the same error, as the schema's path`, () => {
      const base = getPreset(name)!;
      for (const q of QUERIES) {
        const fast = outcome(() => applyQuery(base, new URLSearchParams(q)));
        const full = outcome(() => applyQueryThroughSchema(base, new URLSearchParams(q)));
        expect(fast, `${name}?${q}`).toEqual(full);
      }
    });
  }

  // Not timed here (speed is for benchmarks: bench:server's background row asks a distinct
  // size per request); what makes it cheap is checked instead: no clone, no schema pass.
  it('answers a plain size without a clone or a schema pass: the result shares the fields of the base', () => {
    const base = getPreset('seed-000-background')!;
    for (const q of ['width=1921&height=1080', 'height=7&width=3', 'width=10&_=1716', 'height=8192']) {
      const d = applyQuery(base, new URLSearchParams(q));
      expect(d.background, q).toBe(base.background);
      expect(d.output, q).toBe(base.output);
      expect(d).not.toBe(base);
    }
    // The schema's path clones (so the check above can fail), and so does anything the fast path is not sure of.
    expect(applyQueryThroughSchema(base, new URLSearchParams('width=1921&height=1080')).background).not.toBe(base.background);
    for (const q of ['width=12.0', 'width=10&seed=3']) expect(applyQuery(base, new URLSearchParams(q)).background, q).not.toBe(base.background);
  });
});
