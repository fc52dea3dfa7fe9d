import { describe, expect, it } from 'vitest';
import { seededRng } from '../../src-main/core/random.ts';

describe('seeded PRNG (SFC32 via SplitMix32)', () => {
  it('repeats exactly for the same seed and label', () => {
    const a = seededRng(42, 'text');
    const b = seededRng(42, 'text');
    const xs = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(xs);
  });

  it('gives independent streams per label and per seed', () => {
    const first = (seed: number, label: string) => seededRng(seed, label).next();
    expect(first(42, 'text')).not.toBe(first(42, 'noise'));
    expect(first(42, 'text')).not.toBe(first(43, 'text'));
  });

  it('produces integers in range, each value reachable, roughly uniform', () => {
    const rng = seededRng(7, 'x');
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) {
      const v = rng.int(0, 9);
      expect(v >= 0 && v <= 9 && Number.isInteger(v)).toBe(true);
      counts[v]++;
    }
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(600); // ~6 sigma
  });

  it('floats stay in [0, 1)', () => {
    const rng = seededRng(1, 'f');
    for (let i = 0; i < 10_000; i++) {
      const v = rng.next();
      expect(v >= 0 && v < 1).toBe(true);
    }
  });
});
