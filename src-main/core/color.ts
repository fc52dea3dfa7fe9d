/** Colours: parsing the forms design files accept, random colours, and WCAG contrast maths. */
import type { Rng } from './random.ts';

export type RGBA = readonly [r: number, g: number, b: number, a: number]; // 0..255 each

const NAMED: Record<string, RGBA> = {
  transparent: [0, 0, 0, 0],
  black: [0, 0, 0, 255],
  white: [255, 255, 255, 255],
  red: [255, 0, 0, 255],
  green: [0, 128, 0, 255],
  blue: [0, 0, 255, 255],
  gray: [128, 128, 128, 255],
  grey: [128, 128, 128, 255],
};

export const COLOR_RULE =
  'must be a colour: #rgb, #rgba, #rrggbb, #rrggbbaa, rgb(r, g, b), rgba(r, g, b, a) with a in 0..1, or a basic name';

/** Returns the colour, or null when the text is not one of the accepted forms. */
export function parseColor(text: string): RGBA | null {
  const s = text.trim().toLowerCase();
  // Own keys only: "constructor" or "__proto__" must not reach Object.prototype.
  if (Object.hasOwn(NAMED, s)) return NAMED[s];
  if (s.startsWith('#')) {
    const hex = s.slice(1);
    if (!/^[0-9a-f]+$/.test(hex)) return null;
    if (hex.length === 3 || hex.length === 4) {
      const v = [...hex].map((c) => parseInt(c + c, 16));
      return [v[0], v[1], v[2], v[3] ?? 255];
    }
    if (hex.length === 6 || hex.length === 8) {
      const v = [0, 2, 4, 6].map((i) => (i < hex.length ? parseInt(hex.slice(i, i + 2), 16) : 255));
      return [v[0], v[1], v[2], v[3]];
    }
    return null;
  }
  const m = /^rgba?\(\s*([^)]*)\)$/.exec(s);
  if (!m) return null;
  const parts = m[1].split(/\s*,\s*|\s+\/\s+|\s+/).filter(Boolean);
  if (parts.length < 3 || parts.length > 4) return null;
  const rgb = parts.slice(0, 3).map(Number);
  if (rgb.some((v) => !Number.isFinite(v) || v < 0 || v > 255)) return null;
  let a = 255;
  if (parts[3] !== undefined) {
    const alpha = parts[3].endsWith('%') ? Number(parts[3].slice(0, -1)) / 100 : Number(parts[3]);
    if (!Number.isFinite(alpha) || alpha < 0 || alpha > 1) return null;
    a = Math.round(alpha * 255);
  }
  return [Math.round(rgb[0]), Math.round(rgb[1]), Math.round(rgb[2]), a];
}

export function isColor(text: string): boolean {
  return parseColor(text) !== null;
}

/** Parses a colour already accepted by the schema. */
export function color(text: string): RGBA {
  const c = parseColor(text);
  if (!c) throw new Error(`not a colour: ${text}`);
  return c;
}

/** CSS form Skia understands, exact to the byte for the alpha channel. */
export function cssColor([r, g, b, a]: RGBA): string {
  return a === 255 ? `rgb(${r},${g},${b})` : `rgba(${r},${g},${b},${+(a / 255).toFixed(4)})`;
}

/** An opaque colour with each channel uniform in [min, max]. */
export function randomRgb(rng: Rng, min = 0, max = 255): RGBA {
  return [rng.int(min, max), rng.int(min, max), rng.int(min, max), 255];
}

function channel(v: number): number {
  const c = v / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** WCAG relative luminance of an opaque colour. */
export function luminance(r: number, g: number, b: number): number {
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** WCAG contrast ratio, 1..21. */
export function contrastRatio(a: readonly number[], b: readonly number[]): number {
  const la = luminance(a[0], a[1], a[2]);
  const lb = luminance(b[0], b[1], b[2]);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}
