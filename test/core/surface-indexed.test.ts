/**
 * The surface's indexed state (core/surface.ts): glyph masks blended on an opaque fill
 * are kept as palette indices. Whatever is drawn, the pixels must be exactly those of
 * the same drawing on RGBA bytes, and a captcha's PNG written from the indices must
 * decode to them.
 */
import { describe, expect, it } from 'vitest';
import type { RGBA } from '../../src-main/core/color.ts';
import { parseDesign } from '../../src-main/core/design.ts';
import { getPreset } from '../../src-main/core/presets.ts';
import { seededRng, type Rng } from '../../src-main/core/random.ts';
import { renderDesign, renderImage } from '../../src-main/core/render.ts';
import { encodeIndexedPng } from '../../src-main/core/png.ts';
import { Surface } from '../../src-main/core/surface.ts';
import { decodePng } from '../support/png.ts';

const W = 160;
const H = 48;
const FILL = 0xff5a7a2c; // opaque, little-endian RGBA

interface MaskDraw {
  mask: Uint8Array;
  mw: number;
  mh: number;
  left: number;
  top: number;
  c: RGBA;
}

/** A glyph-like mask: solid inside, graded edges of `levels` distinct coverages, placed at (left, top) (partly off the surface at times). */
function mask(rng: Rng, left: number, top: number, levels: number, c: RGBA, mw = rng.int(4, 30), mh = rng.int(4, 30)): MaskDraw {
  const m = new Uint8Array(mw * mh);
  for (let i = 0; i < m.length; i++) m[i] = rng.int(0, 2) === 0 ? 0 : rng.int(0, 1) ? 255 : 1 + ((i * 7) % levels) * Math.floor(254 / levels);
  return { mask: m, mw, mh, left, top, c };
}

const opaque = (rng: Rng): RGBA => [rng.int(0, 255), rng.int(0, 255), rng.int(0, 255), 255];

/** The drawing on a surface left in (or entering) the indexed state, and on one forced onto bytes first. */
function both(draws: MaskDraw[], after?: (s: Surface) => void): { indexed: Uint8ClampedArray; bytes: Uint8ClampedArray; stayedIndexed: boolean } {
  const a = new Surface(W, H, 1);
  a.fillOpaque(FILL);
  for (const d of draws) a.blendMask(d.mask, d.mw, d.mh, d.left, d.top, d.c);
  const stayedIndexed = a.indexed() !== null;
  after?.(a);
  const b = new Surface(W, H, 1);
  b.fillOpaque(FILL);
  b.pixels(); // the bytes exist before any mask: the RGBA path throughout
  expect(b.indexed()).toBeNull();
  for (const d of draws) b.blendMask(d.mask, d.mw, d.mh, d.left, d.top, d.c);
  after?.(b);
  return { indexed: a.pixels(), bytes: b.pixels(), stayedIndexed };
}

const same = (a: Uint8ClampedArray, b: Uint8ClampedArray) => Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));

describe('surface indexed state', () => {
  it('keeps apart masks as indices, with the same pixels as blending on bytes, clipped at the edges', () => {
    for (let seed = 0; seed < 40; seed++) {
      const rng = seededRng(seed, 'surface-indexed');
      // Four masks in their own 40 px columns (at most 30 wide, 0-8 px in): none lands on
      // another. The first and last hang over the left and right edges, some over the top or bottom.
      const draws = [0, 1, 2, 3].map((i) => mask(rng, i === 0 ? -8 : i === 3 ? 150 : i * 40 + rng.int(0, 8), rng.int(-10, 30), 50, opaque(rng)));
      const r = both(draws);
      expect(r.stayedIndexed, `seed ${seed}`).toBe(true);
      expect(same(r.indexed, r.bytes), `seed ${seed}`).toBe(true);
    }
  });

  it('writes a file from the indices that decodes to the bytes path, with masks drawn right to left and more per row than the spans it keeps', () => {
    for (let seed = 0; seed < 20; seed++) {
      const rng = seededRng(seed, 'surface-indexed-spans');
      // Twelve narrow masks across one band, in a shuffled order: every row they cross has
      // more masks than SPANS_PER_ROW (8), and the spans arrive out of order.
      const order = [...Array(12).keys()].sort(() => rng.int(0, 2) - 1);
      const draws = order.map((i) => mask(rng, i * 13 + rng.int(0, 2), rng.int(-3, 18), 3, opaque(rng), rng.int(3, 10), rng.int(5, 14)));
      // And three wide apart masks lower down, drawn right to left.
      draws.push(...[2, 1, 0].map((i) => mask(rng, i * 55 + 2, 34, 20, opaque(rng), rng.int(10, 40), rng.int(4, 14))));
      const a = new Surface(W, H, 1);
      a.fillOpaque(FILL);
      for (const d of draws) a.blendMask(d.mask, d.mw, d.mh, d.left, d.top, d.c);
      const png = encodeIndexedPng(a.indexed()!, W, H, 1)!;
      expect(png, `seed ${seed}`).not.toBeNull();
      const r = both(draws);
      expect(r.stayedIndexed, `seed ${seed}`).toBe(true);
      expect(same(new Uint8ClampedArray(decodePng(png).data), r.bytes), `seed ${seed}`).toBe(true);
    }
  });

  it('leaves the indexed state, still exact, when a mask lands on another, the palette would pass 256, or a colour is translucent', () => {
    const rng = seededRng(1, 'surface-indexed-fallbacks');
    const overlapping = [mask(rng, 10, 5, 40, opaque(rng), 20, 20), mask(rng, 20, 10, 40, opaque(rng), 20, 20)];
    // Six masks using 60 coverage levels each: the fifth no longer fits (1 + 5 x 60 > 256).
    const crowded = [0, 1, 2, 3, 4, 5].map((i) => ({ mask: Uint8Array.from({ length: 240 }, (_, k) => 1 + (k % 60) * 4), mw: 24, mh: 10, left: i * 26, top: 8, c: opaque(rng) }));
    const translucent = [mask(rng, 5, 5, 30, opaque(rng)), mask(rng, 60, 5, 30, [200, 10, 10, 128])];
    for (const [name, draws] of [['overlapping', overlapping], ['crowded', crowded], ['translucent', translucent]] as const) {
      const r = both(draws);
      expect(r.stayedIndexed, name).toBe(false);
      expect(same(r.indexed, r.bytes), name).toBe(true);
    }
  });

  it('hands the indices over to the canvas first when something draws with Skia afterwards', () => {
    const rng = seededRng(2, 'surface-indexed-canvas');
    const draws = [mask(rng, 5, 5, 30, opaque(rng)), mask(rng, 60, 5, 30, opaque(rng))];
    const r = both(draws, (s) => {
      const ctx = s.ctx();
      ctx.fillStyle = 'rgba(0, 0, 255, 0.5)';
      ctx.fillRect(20, 10, 60, 20);
    });
    expect(r.stayedIndexed).toBe(true);
    expect(same(r.indexed, r.bytes)).toBe(true);
  });

  it("writes seed 002's captcha from its indices: the file decodes to the pixels renderDesign gives", () => {
    const design = parseDesign(getPreset('seed-002-captcha')!);
    for (let seed = 1; seed <= 30; seed++) {
      const img = renderImage(design, { seed });
      expect(img.bytes[25], `seed ${seed}: colour type`).toBe(3);
      const pixels = renderDesign(design, { seed }).pixels;
      expect(same(new Uint8ClampedArray(decodePng(img.bytes).data), pixels), `seed ${seed}`).toBe(true);
    }
  });

  it('still writes designs the indices do not fit (noise, warps, overlaps) from their pixels, exactly', () => {
    const base = parseDesign(getPreset('seed-002-captcha')!);
    const overlapping = parseDesign({ ...getPreset('seed-002-captcha')!, text: { ...getPreset('seed-002-captcha')!.text!, position: { x: 'i*20', y: 3 } } });
    for (const design of [overlapping, parseDesign(getPreset('classic-captcha')!), { ...base, output: { ...base.output, compression: 2 } }]) {
      const img = renderImage(design, { seed: 9 });
      const pixels = renderDesign(design, { seed: 9 }).pixels;
      expect(same(new Uint8ClampedArray(decodePng(img.bytes).data), pixels)).toBe(true);
    }
  });
});
