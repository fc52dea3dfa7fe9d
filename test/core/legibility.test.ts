/** Glyphs that leave the canvas: flagged by the render, named in a warning, and fixed by fitText. */
import { describe, expect, it } from 'vitest';
import { parseDesign, type Design } from '../../src-main/core/design.ts';
import { fitText, type DesignChange } from '../../src-main/core/fit-text.ts';
import { fontRegistry } from '../../src-main/core/fonts.ts';
import { CHECK_SEEDS, firstCutSeed, glyphsAt, legibilityWarnings } from '../../src-main/core/legibility.ts';
import { getPreset, listPresets } from '../../src-main/core/presets.ts';
import { renderDesign } from '../../src-main/core/render.ts';

const withText = (name: string, text: object): Design => {
  const base = getPreset(name)!;
  return parseDesign({ ...base, text: { ...base.text, ...text } });
};
/** The three cases (issue 12, "Glyphs that leave the canvas are flagged"). */
const CASES = {
  'classic-captcha at length 12': withText('classic-captcha', { length: 12 }),
  'seed-002-captcha at length 8': withText('seed-002-captcha', { length: 8 }),
  // The preset's own spacing (-0.08) fits 999+999=? at its size; a little larger, it does not.
  'a math question with three-digit operands': withText('math-captcha', { size: 40, math: { ...getPreset('math-captcha')!.text!.math, min: 100, max: 999 } }),
};

function apply(design: Design, changes: DesignChange[]): Design {
  const text: Record<string, unknown> = { ...design.text };
  for (const c of changes) {
    expect(c.path).toMatch(/^text\.(size|position)$/);
    text[c.path.slice('text.'.length)] = c.value;
  }
  return parseDesign({ ...design, text });
}


describe('glyphs that leave the canvas', () => {
  it.each(Object.entries(CASES))('%s: the render flags the glyphs cut off and the warning names them', (_, design) => {
    const cut = CHECK_SEEDS.find((seed) => renderDesign(design, { seed }).glyphs.some((g) => g.outside))!;
    expect(cut, 'some seed cuts a glyph').toBeDefined();
    const r = renderDesign(design, { seed: cut });
    const out = r.glyphs.flatMap((g, i) => (g.outside ? [i] : []));
    // A flagged box really reaches past an edge.
    for (const i of out) {
      const g = r.glyphs[i];
      expect(g.x < 0 || g.y < 0 || g.x + g.w > design.width || g.y + g.h > design.height).toBe(true);
    }
    const [warning, ...rest] = legibilityWarnings(design, r.glyphs);
    expect(rest).toEqual([]);
    expect(warning.field).toBe(design.text!.position ? 'text.position' : 'text.size');
    // Counted from 1 and named by their characters, as the user reads them.
    for (const i of out.slice(0, 6)) {
      expect(warning.rule).toContain(String(i + 1));
      expect(warning.rule).toContain(JSON.stringify(r.glyphs[i].char));
    }
    expect(warning.rule).toMatch(/leaves? the canvas/);
    expect(r.glyphs.map((g) => g.char).join('')).toBe(r.challenge!.text);
  });

  it('no preset cuts a glyph at its usual seed, and no warning is made for it', () => {
    for (const { name } of listPresets()) {
      const d = getPreset(name)!;
      const r = renderDesign(d, { seed: 1 });
      expect(r.glyphs.filter((g) => g.outside), name).toEqual([]);
      expect(legibilityWarnings(d, r.glyphs), name).toEqual([]);
      expect(r.glyphs.length, name).toBe(d.text ? [...r.challenge!.text].length : 0);
    }
  });

  it('the boxes are where the ink is: no ink outside the union of the boxes', () => {
    const d = withText('classic-captcha', { color: { mode: 'palette', palette: ['#000'] } });
    const bare = parseDesign({ ...d, background: [], noise: { ...d.noise, lines: 0, curves: 0, dots: 0 }, distortion: { wave: { ...d.distortion.wave, amplitude: 0 } } });
    for (const seed of [1, 2, 3]) {
      const r = renderDesign(bare, { seed });
      const inside = (x: number, y: number) => r.glyphs.some((g) => x + 1 >= g.x - 1 && x <= g.x + g.w + 1 && y + 1 >= g.y - 1 && y <= g.y + g.h + 1);
      let ink = 0;
      for (let y = 0; y < r.height; y++)
        for (let x = 0; x < r.width; x++) {
          if (r.pixels[(y * r.width + x) * 4 + 3] === 0) continue;
          ink++;
          expect(inside(x, y), `seed ${seed}: ink at ${x},${y}`).toBe(true);
        }
      expect(ink).toBeGreaterThan(100);
    }
  });

  it('lays out each checked seed as the render does', () => {
    const d = CASES['classic-captcha at length 12'];
    for (const seed of [1, 7]) expect(glyphsAt(d, d.text!, seed, fontRegistry())).toEqual(renderDesign(d, { seed }).glyphs);
  });
});

describe('fit text to canvas', () => {
  it.each(Object.entries(CASES))('%s: the changes keep every glyph inside for every seed checked, as large as they can', (_, design) => {
    const changes = fitText(design);
    expect(changes.length).toBeGreaterThan(0);
    const fitted = apply(design, changes);
    expect(firstCutSeed(fitted, fitted.text!, fontRegistry())).toBeNull();
    expect(fitted.text!.size).toBeLessThanOrEqual(design.text!.size);
    // One size larger (where the size changed) cuts a glyph again: the largest that fits.
    if (fitted.text!.size < design.text!.size) {
      const bigger = parseDesign({ ...fitted, text: { ...fitted.text, size: fitted.text!.size + 1 } });
      expect(firstCutSeed(bigger, bigger.text!, fontRegistry())).not.toBeNull();
    }
    expect(fitText(fitted)).toEqual([]);
  });

  it('centres text whose position pushes glyphs out, keeping its size when that is enough', () => {
    const changes = fitText(CASES['seed-002-captcha at length 8']);
    expect(changes).toEqual([{ path: 'text.position', value: undefined }]);
  });

  it('changes nothing for text that fits, or a design without text', () => {
    expect(fitText(getPreset('classic-captcha')!)).toEqual([]);
    expect(fitText(getPreset('sunset-background')!)).toEqual([]);
  });

  it('names text.length when no size fits', () => {
    const d = parseDesign({ width: 40, height: 20, text: { mode: 'random', length: 32, size: 12 } });
    expect(() => fitText(d)).toThrow(/^text\.length: the text leaves the canvas even at size 4/);
  });
});
