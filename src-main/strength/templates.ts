/**
 * What the segmentation attack compares glyphs with: every character the design can draw,
 * in each of its fonts at its size, rendered by the core itself and turned through the
 * design's range of rotations. An attacker who has the design file can make the same set.
 */
import { parseDesign, type TextSpec } from '../core/design.ts';
import type { FontRegistry } from '../core/fonts.ts';
import { BoundedMemo } from '../core/memo.ts';
import { renderDesign } from '../core/render.ts';
import { toShape, type Shape } from './image.ts';

export interface Template {
  ch: string;
  font: string;
  /** Degrees. */
  rotation: number;
  shape: Shape;
}

/** A glyph's coverage as a binary mask, cropped to its ink. */
interface Mask {
  w: number;
  h: number;
  on: Uint8Array;
}

/** One glyph, unrotated, drawn by the core in black on a transparent canvas at `scale` device pixels a design pixel. */
function glyphMask(ch: string, font: string, size: number, scale: number, fonts: FontRegistry): Mask | null {
  const side = Math.ceil(size * 3);
  let r;
  try {
    const design = parseDesign({
      width: side,
      height: side,
      background: [],
      text: { mode: 'fixed', value: ch, fonts: [font], size, sizeJitter: 0, rotation: 0, baselineJitter: 0, spacing: 0, color: { mode: 'palette', palette: ['#000000'] } },
    });
    r = renderDesign(design, { seed: 1, viewScale: scale, fonts });
  } catch {
    return null; // a character no installed font has: the design cannot draw it either
  }
  const { width: w, height: h, pixels } = r;
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (pixels[(y * w + x) * 4 + 3] >= 128) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null; // a space or an invisible character
  const mw = x1 - x0 + 1;
  const mh = y1 - y0 + 1;
  const on = new Uint8Array(mw * mh);
  for (let y = 0; y < mh; y++) for (let x = 0; x < mw; x++) on[y * mw + x] = pixels[((y + y0) * w + x + x0) * 4 + 3] >= 128 ? 1 : 0;
  return { w: mw, h: mh, on };
}

/** The mask turned by `deg` about its centre (nearest sample), in a box that holds all of it. */
function rotate(m: Mask, deg: number): Mask {
  if (deg === 0) return m;
  const a = (deg * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const w = Math.ceil(Math.abs(m.w * cos) + Math.abs(m.h * sin));
  const h = Math.ceil(Math.abs(m.w * sin) + Math.abs(m.h * cos));
  const on = new Uint8Array(w * h);
  const cx = m.w / 2;
  const cy = m.h / 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dx = x + 0.5 - w / 2;
      const dy = y + 0.5 - h / 2;
      const sx = Math.floor(dx * cos + dy * sin + cx);
      const sy = Math.floor(-dx * sin + dy * cos + cy);
      if (sx >= 0 && sy >= 0 && sx < m.w && sy < m.h) on[y * w + x] = m.on[sy * m.w + sx];
    }
  }
  return { w, h, on };
}

/** The rotations tried: the design's whole range, at most 10 degrees apart. */
export function rotationsFor(t: TextSpec): number[] {
  const r = Math.min(t.rotation, 60);
  if (r < 3) return [0];
  const steps = Math.ceil(r / 10);
  return Array.from({ length: 2 * steps + 1 }, (_, i) => ((i - steps) * r) / steps);
}

const cache = new BoundedMemo<string, Template[]>(16);

/** Templates for every character in `chars`, in each of the design's fonts, at its size and rotations. */
export function glyphTemplates(t: TextSpec, chars: readonly string[], scale: number, fonts: FontRegistry): Template[] {
  const rotations = rotationsFor(t);
  const key = JSON.stringify([t.fonts, t.size, scale, rotations, chars]);
  const hit = cache.get(key);
  if (hit) return hit;
  const out: Template[] = [];
  for (const font of new Set(t.fonts)) {
    for (const ch of chars) {
      const m = glyphMask(ch, font, t.size, scale, fonts);
      if (!m) continue;
      for (const rotation of rotations) {
        const r = rotate(m, rotation);
        out.push({ ch, font, rotation, shape: toShape(r.w, r.h, r.on) });
      }
    }
  }
  cache.set(key, out);
  return out;
}
