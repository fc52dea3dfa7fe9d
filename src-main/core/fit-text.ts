/**
 * "Fit text to canvas": the changes that keep every glyph inside the canvas for
 * every seed checked (legibility.ts CHECK_SEEDS): the largest text size up to the
 * current one, and the centred layout instead of a position that pushes glyphs
 * out. Layout only; at most two binary searches over the size.
 */
import type { Design, TextSpec } from './design.ts';
import { fontRegistry, type FontRegistry } from './fonts.ts';
import { InputError } from './input-error.ts';
import { CHECK_SEEDS, firstCutSeed, glyphsAt } from './legibility.ts';

/** One field to set, by its dotted path in the design; `value` undefined removes the field. */
export interface DesignChange {
  path: string;
  value: unknown;
}

/** The schema's smallest text size. */
const MIN_SIZE = 4;

const fits = (design: Design, t: TextSpec, fonts: FontRegistry) => firstCutSeed(design, t, fonts) === null;

/**
 * Centred text grows about the canvas's centre in proportion to its size, so the size at
 * which each checked seed's ink just reaches the edges predicts the answer (to within the
 * fonts' hinting, which the caller's search settles). Null for positioned text, which need not scale.
 */
function proportionalGuess(design: Design, t: TextSpec, fonts: FontRegistry): number | null {
  if (t.position) return null;
  const cx = design.width / 2;
  const cy = design.height / 2;
  let k = 1;
  for (const seed of CHECK_SEEDS) {
    for (const g of glyphsAt(design, t, seed, fonts) ?? []) {
      // How far from the centre each edge may go, over how far it went.
      if (g.x < cx) k = Math.min(k, cx / (cx - g.x));
      if (g.x + g.w > cx) k = Math.min(k, cx / (g.x + g.w - cx));
      if (g.y < cy) k = Math.min(k, cy / (cy - g.y));
      if (g.y + g.h > cy) k = Math.min(k, cy / (g.y + g.h - cy));
    }
  }
  return Math.floor(t.size * k);
}

/** The largest whole size from MIN_SIZE up to (not including) `t.size` at which the text fits, or null. */
function largestFit(design: Design, t: TextSpec, fonts: FontRegistry): number | null {
  let lo = MIN_SIZE;
  let hi = Math.ceil(t.size) - 1;
  if (hi < lo) return null;
  const guess = proportionalGuess(design, t, fonts);
  if (guess !== null && guess >= lo && guess <= hi) {
    // Usually right or one off: a few checks instead of a search; else the search's bounds narrow.
    if (fits(design, { ...t, size: guess }, fonts)) {
      if (guess === hi || !fits(design, { ...t, size: guess + 1 }, fonts)) return guess;
      lo = guess + 1;
    } else {
      hi = guess - 1;
      if (hi >= lo && fits(design, { ...t, size: hi }, fonts)) return hi;
      hi--;
    }
  }
  if (hi < lo || !fits(design, { ...t, size: lo }, fonts)) return null;
  // Fitting is monotonic in size for all but pathological positions; the search stays bounded either way.
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(design, { ...t, size: mid }, fonts)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** [] when the text already fits (or there is none); throws an InputError naming text.length when no size fits. */
export function fitText(design: Design, fonts: FontRegistry = fontRegistry()): DesignChange[] {
  const t = design.text;
  if (!t || fits(design, t, fonts)) return [];
  const centred: TextSpec = { ...t, position: undefined };
  if (t.position && fits(design, centred, fonts)) return [{ path: 'text.position', value: undefined }];
  const kept = largestFit(design, t, fonts);
  const moved = t.position ? largestFit(design, centred, fonts) : null;
  // The larger text wins; on a tie the user's position stays.
  if (kept !== null && (moved === null || kept >= moved)) return [{ path: 'text.size', value: kept }];
  if (moved !== null) return [{ path: 'text.position', value: undefined }, { path: 'text.size', value: moved }];
  throw new InputError('text.length', `the text leaves the canvas even at size ${MIN_SIZE}: make it shorter, or the canvas larger`);
}
