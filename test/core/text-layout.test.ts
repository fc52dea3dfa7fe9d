import { describe, expect, it } from 'vitest';
import { parseDesign, type TextSpec } from '../../src-main/core/design.ts';
import { fontRegistry } from '../../src-main/core/fonts.ts';
import { seededRng } from '../../src-main/core/random.ts';
import { Surface } from '../../src-main/core/surface.ts';
import { layoutText, paintText, type LaidGlyph } from '../../src-main/core/text.ts';

const W = 220;
const H = 70;
const spec = (text: object): TextSpec => parseDesign({ width: W, height: H, text }).text!;
const layout = (t: TextSpec, s: string, seed = 1) => layoutText(t, s, { w: W, h: H, rng: seededRng(seed, 'text'), fonts: fontRegistry() });

describe('text layout', () => {
  it('is reproducible from the seed and draws nothing', () => {
    const t = spec({ mode: 'fixed', value: 'Kq7x', rotation: 30, sizeJitter: 0.3, baselineJitter: 0.3 });
    const a = layout(t, 'Kq7x', 5);
    expect(a.map((g) => g.ch)).toEqual(['K', 'q', '7', 'x']);
    expect(layout(t, 'Kq7x', 5)).toEqual(a);
    expect(layout(t, 'Kq7x', 6)).not.toEqual(a);
  });

  it('an unrotated glyph box is its cell moved by its lift; centred text stays inside the canvas', () => {
    const glyphs = layout(spec({ mode: 'fixed', value: 'ABCDE', rotation: 0 }), 'ABCDE');
    for (const g of glyphs) {
      expect(g.box.x0).toBeCloseTo(g.x, 9);
      expect(g.box.x1).toBeCloseTo(g.x + g.advance, 9);
      expect(g.box.y0).toBeCloseTo(g.y + g.lift, 9);
      expect(g.box.y1).toBeCloseTo(g.y + g.lift + g.ascent + g.descent, 9);
      expect(g.box.x0).toBeGreaterThanOrEqual(0);
      expect(g.box.x1).toBeLessThanOrEqual(W);
    }
    for (let i = 1; i < glyphs.length; i++) expect(glyphs[i].x).toBeGreaterThan(glyphs[i - 1].x);
  });

  it('tells a glyph placed outside the canvas', () => {
    const glyphs = layout(spec({ mode: 'fixed', value: 'ABC', rotation: 0, position: { x: 'i*150', y: 'h/3' } }), 'ABC');
    const outside = (g: LaidGlyph) => g.box.x1 <= 0 || g.box.x0 >= W || g.box.y1 <= 0 || g.box.y0 >= H;
    expect(glyphs.map(outside)).toEqual([false, false, true]);
  });

  it.each([0, 35])('painting puts ink only inside the laid-out boxes (rotation up to %i°)', (rotation) => {
    const t = spec({ mode: 'fixed', value: 'WgQ8', rotation, sizeJitter: 0.3, baselineJitter: 0.4, color: { mode: 'palette', palette: ['#000'] } });
    for (let seed = 1; seed <= 4; seed++) {
      const rng = seededRng(seed, 'text');
      const glyphs = layoutText(t, 'WgQ8', { w: W, h: H, rng, fonts: fontRegistry() });
      const s = new Surface(W, H, 1);
      paintText(s, t, glyphs, rng);
      const px = s.pixels();
      // Anti-aliasing may reach a pixel beyond the cell.
      const inBox = (x: number, y: number) => glyphs.some(({ box }) => x + 1 >= box.x0 - 1 && x <= box.x1 + 1 && y + 1 >= box.y0 - 1 && y <= box.y1 + 1);
      let ink = 0;
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) {
          if (px[(y * W + x) * 4 + 3] === 0) continue;
          ink++;
          expect(inBox(x, y), `seed ${seed}: ink at ${x},${y}`).toBe(true);
        }
      expect(ink).toBeGreaterThan(100);
    }
  });
});
