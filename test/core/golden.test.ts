import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderImage } from '../../src-main/core/render.ts';
import { GOLDEN_DIR, GOLDEN_SEED, goldenDesign, goldenNames } from '../support/golden.ts';
import { decodePng, diffPixels } from '../support/png.ts';

// Refresh with `npm run golden:update` after an intended visual change.
describe('golden images', () => {
  it('covers every preset', () => {
    expect(goldenNames().length).toBeGreaterThanOrEqual(8);
  });
  for (const name of goldenNames()) {
    it(`${name} matches its golden image`, () => {
      const expected = decodePng(readFileSync(new URL(`${name}.png`, GOLDEN_DIR)));
      const actual = decodePng(renderImage(goldenDesign(name), { seed: GOLDEN_SEED }).bytes);
      expect([actual.width, actual.height]).toEqual([expected.width, expected.height]);
      // A small tolerance absorbs anti-aliasing differences between Skia builds.
      expect(diffPixels(actual, expected)).toBeLessThanOrEqual(Math.ceil(actual.width * actual.height * 0.001));
    });
  }
});
