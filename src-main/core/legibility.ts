/**
 * Legibility checks the designer shows beside the preview: glyphs that leave the
 * canvas (cut off, so the answer cannot be read). Layout only (text.ts layoutText),
 * nothing is painted; pure apart from font metrics.
 */
import type { Design, DesignIssue, TextSpec } from './design.ts';
import type { FontRegistry } from './fonts.ts';
import { seededRng } from './random.ts';
import { checkFonts, glyphBoxes, layoutText, makeChallenge, type GlyphBox } from './text.ts';

/** The seeds a design's text is checked with: enough to catch the long answers and the wide glyphs, bounded work. */
export const CHECK_SEEDS: readonly number[] = Array.from({ length: 64 }, (_, i) => i + 1);

/** The glyph boxes the text of `design` gets with `seed`, as renderDesign lays it out (answers from the seed); null when a font is missing (the render reports that). */
export function glyphsAt(design: Design, t: TextSpec, seed: number, fonts: FontRegistry): GlyphBox[] | null {
  const size = { w: design.width, h: design.height };
  const challenge = makeChallenge(t, size, seededRng(seed, 'answer'));
  try {
    checkFonts(t, fonts, challenge.text);
  } catch {
    return null;
  }
  return glyphBoxes(layoutText(t, challenge.text, { ...size, rng: seededRng(seed, 'text'), fonts }), size.w, size.h);
}

/** True when some glyph leaves the canvas for this text spec and this seed. */
function cutAt(design: Design, t: TextSpec, seed: number, fonts: FontRegistry): boolean {
  return glyphsAt(design, t, seed, fonts)?.some((g) => g.outside) ?? false;
}

/** The first seed of CHECK_SEEDS (and the design's own) for which a glyph leaves the canvas, or null when none does. */
export function firstCutSeed(design: Design, t: TextSpec, fonts: FontRegistry): number | null {
  const seeds = design.seed !== undefined ? [design.seed, ...CHECK_SEEDS] : CHECK_SEEDS;
  for (const seed of seeds) if (cutAt(design, t, seed, fonts)) return seed;
  return null;
}

const quoteList = (items: string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);
/** More than this many glyphs named would make the warning harder to read than the picture. */
const NAMED = 6;
const FIX = 'make the text smaller or shorter, or use "Fit text to canvas"';

/** The field a user changes to bring the text back inside: where it is placed, or its size. */
function fieldFor(t: TextSpec): string {
  return t.position ? 'text.position' : 'text.size';
}

/**
 * Warnings for `glyphs` (this render's, from Rendered.glyphs): which glyphs leave the
 * canvas, counted from 1 and named. Other seeds are not laid out here: that costs tens
 * of milliseconds for each new text size, too much for every preview (fitText does it).
 */
export function legibilityWarnings(design: Design, glyphs: readonly GlyphBox[]): DesignIssue[] {
  const t = design.text;
  if (!t) return [];
  const out = glyphs.flatMap((g, i) => (g.outside ? [i] : []));
  if (!out.length) return [];
  const shown = out.slice(0, NAMED);
  const more = out.length - shown.length;
  const which = `${quoteList(shown.map((i) => String(i + 1)))}${more ? ` and ${more} more` : ''}`;
  const chars = shown.map((i) => JSON.stringify(glyphs[i].char)).join(', ');
  const one = out.length === 1;
  return [{ field: fieldFor(t), rule: `${one ? 'glyph' : 'glyphs'} ${which} (${chars}) ${one ? 'leaves' : 'leave'} the canvas: ${FIX}` }];
}
