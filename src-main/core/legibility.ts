/**
 * Legibility checks the designer shows beside the preview: glyphs that leave the
 * canvas (cut off, so the answer cannot be read). Layout only (text.ts layoutText),
 * nothing is painted; pure apart from font metrics. The strength check's fuller pass
 * over the checked seeds (legibilityIssues) also renders them, to measure contrast.
 */
import { color, contrastRatio } from './color.ts';
import { parseDesign, type Design, type DesignIssue, type TextSpec } from './design.ts';
import { fontRegistry, type FontRegistry } from './fonts.ts';
import { seededRng } from './random.ts';
import { renderDesign, type ImageSet } from './render.ts';
import { averageColorOf, Surface } from './surface.ts';
import { checkFonts, glyphBoxes, layoutText, makeChallenge, paintText, type GlyphBox, type LaidGlyph } from './text.ts';

/** The seeds a design's text is checked with: enough to catch the long answers and the wide glyphs, bounded work. */
export const CHECK_SEEDS: readonly number[] = Array.from({ length: 64 }, (_, i) => i + 1);

/** The glyphs the text of `design` gets with `seed`, laid out as renderDesign lays them out (answers from the seed); null when a font is missing. */
function layoutAt(design: Design, t: TextSpec, seed: number, fonts: FontRegistry): LaidGlyph[] | null {
  const size = { w: design.width, h: design.height };
  const challenge = makeChallenge(t, size, seededRng(seed, 'answer'));
  try {
    checkFonts(t, fonts, challenge.text);
  } catch {
    return null;
  }
  return layoutText(t, challenge.text, { ...size, rng: seededRng(seed, 'text'), fonts });
}

/** The glyph boxes the text of `design` gets with `seed`, as renderDesign lays it out (answers from the seed); null when a font is missing (the render reports that). */
export function glyphsAt(design: Design, t: TextSpec, seed: number, fonts: FontRegistry): GlyphBox[] | null {
  const glyphs = layoutAt(design, t, seed, fonts);
  return glyphs && glyphBoxes(glyphs, design.width, design.height);
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

// ---- the strength check's pass over the checked seeds --------------------------------------

/** A letter or digit whose ink is smaller than this both ways (design pixels, about a CSS pixel each) is hard to read. */
export const MIN_GLYPH_PX = 10;
/** Palette colours have no minimum of their own: they are held to the default minimum of random colours (WCAG's 3:1 for large text). */
export const PALETTE_MIN_CONTRAST = 3;
/** A glyph with this share of its ink under other glyphs' ink is taken as hidden. */
export const HIDDEN_SHARE = 0.5;
/** Contrast is measured on renders of at most about this many pixels: enough for a glyph's fill, bounded work for big designs. */
const CONTRAST_PIXELS = 250_000;

interface Worst {
  value: number;
  seed: number;
  glyph: number;
  char: string;
}

const at = (w: Worst) => `glyph ${w.glyph + 1} (${JSON.stringify(w.char)}) at seed ${w.seed}`;

/** The minimum contrast a design's glyphs are held to. */
export function minimumContrast(t: TextSpec): number {
  return t.color.mode === 'random' ? t.color.minContrast : PALETTE_MIN_CONTRAST;
}

/**
 * The lowest contrast between a glyph's fill and the background under it (its cell, as
 * the core averages it when it picks colours) over `seeds`: the text is rendered without
 * noise drawn over it and without the wave or warp, once with the text and once without, and each
 * glyph's fill is the commonest colour that changed inside its ink box (outline excluded).
 */
function lowestContrast(design: Design, t: TextSpec, seeds: readonly number[], fonts: FontRegistry, images?: ImageSet): Worst | null {
  const plain = parseDesign({
    ...design,
    noise: design.noise.placement === 'under' ? design.noise : { ...design.noise, lines: 0, curves: 0, dots: 0 },
    distortion: { wave: { ...design.distortion.wave, amplitude: 0 } },
  });
  const bare = parseDesign({ ...plain, text: undefined });
  const k = Math.min(design.scale, Math.sqrt(CONTRAST_PIXELS / (design.width * design.height)));
  // An outline is not the fill: its pixels are left out when the fill's colour is looked for.
  const outline = t.outline ? color(t.outline.color) : null;
  let worst: Worst | null = null;
  for (const seed of seeds) {
    const glyphs = layoutAt(design, t, seed, fonts);
    if (!glyphs) continue;
    const withText = renderDesign(plain, { seed, fonts, images, viewScale: k });
    const under = renderDesign(bare, { seed, fonts, images, viewScale: k });
    const W = withText.width;
    const H = withText.height;
    const a = withText.pixels;
    const b = under.pixels;
    glyphs.forEach((g, i) => {
      const counts = new Map<number, number>();
      for (let y = Math.max(0, Math.floor(g.ink.y0 * k)); y < Math.min(H, Math.ceil(g.ink.y1 * k)); y++) {
        for (let x = Math.max(0, Math.floor(g.ink.x0 * k)); x < Math.min(W, Math.ceil(g.ink.x1 * k)); x++) {
          const o = (y * W + x) * 4;
          if (Math.abs(a[o] - b[o]) + Math.abs(a[o + 1] - b[o + 1]) + Math.abs(a[o + 2] - b[o + 2]) < 24) continue;
          if (outline && Math.abs(a[o] - outline[0]) + Math.abs(a[o + 1] - outline[1]) + Math.abs(a[o + 2] - outline[2]) < 48) continue;
          const key = (a[o] << 16) | (a[o + 1] << 8) | a[o + 2];
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      }
      let fill = -1;
      let most = 0;
      for (const [key, n] of counts) if (n > most) [fill, most] = [key, n];
      if (fill < 0) return;
      const bg = averageColorOf(b, W, H, g.x * k, g.y * k, (g.x + g.advance) * k, (g.y + g.ascent + g.descent) * k);
      const ratio = contrastRatio([fill >> 16, (fill >> 8) & 255, fill & 255], bg);
      if (!worst || ratio < worst.value) worst = { value: ratio, seed, glyph: i, char: g.ch };
    });
  }
  return worst;
}

const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;

/**
 * Ink masks are painted at a scale that keeps each seed's work to about this many pixels:
 * the hidden share is a ratio, which a coarser grid barely moves, while glyphs of any size
 * (a fuzzed 1024 px font with a 64 px outline took 10 s and 2.5 GB at full size) stay cheap.
 */
export const INK_PIXELS = 200_000;

/** One glyph's visible ink as the core paints it (turned, outlined), alone: a mask in device pixels (`k` per design pixel), clipped to the canvas. */
interface Ink {
  x0: number;
  y0: number;
  w: number;
  h: number;
  on: Uint8Array;
  count: number;
}

/** The part of a glyph's cell and ink that lies on the canvas, in design pixels (empty when none does). */
function visibleBox(g: LaidGlyph, width: number, height: number): { x0: number; y0: number; x1: number; y1: number } {
  return {
    x0: Math.max(0, Math.floor(Math.min(g.box.x0, g.ink.x0)) - 1),
    y0: Math.max(0, Math.floor(Math.min(g.box.y0, g.ink.y0)) - 1),
    x1: Math.min(width, Math.ceil(Math.max(g.box.x1, g.ink.x1)) + 1),
    y1: Math.min(height, Math.ceil(Math.max(g.box.y1, g.ink.y1)) + 1),
  };
}

function inkOf(t: TextSpec, g: LaidGlyph, width: number, height: number, k: number): Ink {
  const v = visibleBox(g, width, height);
  if (v.x1 <= v.x0 || v.y1 <= v.y0) return { x0: 0, y0: 0, w: 0, h: 0, on: new Uint8Array(0), count: 0 };
  // Whole device pixels, so every glyph's mask sits on the same grid.
  const x0 = Math.floor(v.x0 * k);
  const y0 = Math.floor(v.y0 * k);
  const w = Math.max(1, Math.ceil(v.x1 * k) - x0);
  const h = Math.max(1, Math.ceil(v.y1 * k) - y0);
  const s = new Surface(w, h, k);
  const black: TextSpec = { ...t, color: { mode: 'palette', palette: ['#000000'] } };
  paintText(s, black, [{ ...g, x: g.x - x0 / k, y: g.y - y0 / k }], seededRng(0, 'ink'));
  const px = s.pixels();
  const on = new Uint8Array(w * h);
  let count = 0;
  for (let i = 0; i < on.length; i++) {
    if (px[i * 4 + 3] < 128) continue;
    on[i] = 1;
    count++;
  }
  return { x0, y0, w, h, on, count };
}

/**
 * The share of each glyph's visible ink that the other glyphs' ink covers, together: one
 * count of masks per device pixel, then each glyph's pixels where another mask lies too.
 * Linear in the masks' area, however many glyphs overlap.
 */
function hiddenShares(t: TextSpec, glyphs: readonly LaidGlyph[], width: number, height: number): number[] {
  const area = glyphs.reduce((sum, g) => {
    const v = visibleBox(g, width, height);
    return sum + Math.max(0, v.x1 - v.x0) * Math.max(0, v.y1 - v.y0);
  }, 0);
  const k = Math.min(1, Math.sqrt(INK_PIXELS / Math.max(1, area)));
  const inks = glyphs.map((g) => inkOf(t, g, width, height, k));
  const W = Math.ceil(width * k) + 1;
  const H = Math.ceil(height * k) + 1;
  const layers = new Uint8Array(W * H);
  for (const ink of inks) {
    for (let y = 0; y < ink.h; y++) {
      const row = (y + ink.y0) * W + ink.x0;
      for (let x = 0; x < ink.w; x++) if (ink.on[y * ink.w + x] && layers[row + x] < 255) layers[row + x]++;
    }
  }
  return inks.map((ink) => {
    if (!ink.count) return 0;
    let under = 0;
    for (let y = 0; y < ink.h; y++) {
      const row = (y + ink.y0) * W + ink.x0;
      for (let x = 0; x < ink.w; x++) if (ink.on[y * ink.w + x] && layers[row + x] > 1) under++;
    }
    return under / ink.count;
  });
}

/**
 * The smallest letter or digit (the larger side of its unturned ink, design pixels: "一" is
 * thin but wide) and the glyph most covered by the others' visible ink, over `seeds`.
 */
function smallestAndHidden(design: Design, t: TextSpec, seeds: readonly number[], fonts: FontRegistry): { smallest: Worst | null; hidden: Worst | null } {
  let smallest: Worst | null = null;
  let hidden: Worst | null = null;
  for (const seed of seeds) {
    const glyphs = layoutAt(design, t, seed, fonts);
    if (!glyphs) continue;
    const shares = hiddenShares(t, glyphs, design.width, design.height);
    glyphs.forEach((g, i) => {
      if (LETTER_OR_DIGIT.test(g.ch)) {
        const m = g.inkMetrics;
        const side = Math.max(m.up + m.down, m.left + m.right);
        if (!smallest || side < smallest.value) smallest = { value: side, seed, glyph: i, char: g.ch };
      }
      if (!hidden || shares[i] > hidden.value) hidden = { value: shares[i], seed, glyph: i, char: g.ch };
    });
  }
  return { smallest, hidden };
}

/**
 * What makes a design hard for people to read, over the checked seeds (and the design's
 * own): glyphs that leave the canvas, glyph fills whose contrast with the background under
 * them is below the design's minimum, letters and digits smaller than MIN_GLYPH_PX, and
 * glyphs mostly covered by the others. One issue per kind, naming the worst case found.
 * `images`: the design's image layers, decoded (contrast is not measured without them).
 */
export function legibilityIssues(design: Design, opts: { fonts?: FontRegistry; images?: ImageSet; seeds?: readonly number[] } = {}): DesignIssue[] {
  const t = design.text;
  if (!t) return [];
  const fonts = opts.fonts ?? fontRegistry();
  const seeds = opts.seeds ?? (design.seed !== undefined ? [design.seed, ...CHECK_SEEDS] : CHECK_SEEDS);
  const issues: DesignIssue[] = [];
  const cut = seeds.find((seed) => cutAt(design, t, seed, fonts));
  if (cut !== undefined) issues.push({ field: fieldFor(t), rule: `glyphs leave the canvas (seed ${cut} is one): ${FIX}` });
  const needsImages = design.background.some((l) => l.type === 'image' && !l.hidden);
  const low = needsImages && !opts.images ? null : lowestContrast(design, t, seeds, fonts, opts.images);
  const min = minimumContrast(t);
  if (low && low.value < min - 0.01) {
    const whose = t.color.mode === 'random' ? 'the design\'s minimum' : 'the minimum for palette colours';
    issues.push({
      field: 'text.color',
      rule: `glyph contrast falls to ${low.value.toFixed(2)}:1 (${at(low)}) against the background under it, below ${whose} of ${min}:1: choose colours further from the background`,
    });
  }
  const { smallest, hidden } = smallestAndHidden(design, t, seeds, fonts);
  const small: Worst | null = smallest;
  if (small && small.value < MIN_GLYPH_PX) {
    issues.push({ field: 'text.size', rule: `glyphs are as small as ${small.value.toFixed(1)} px (${at(small)}), below the ${MIN_GLYPH_PX} px people read reliably: make the text larger` });
  }
  const hid: Worst | null = hidden;
  if (hid && hid.value >= HIDDEN_SHARE) {
    issues.push({
      field: 'text.spacing',
      rule: `${Math.round(hid.value * 100)}% of ${at(hid)} lies under other glyphs, too much to read: space the glyphs further apart or turn them less`,
    });
  }
  return issues;
}
