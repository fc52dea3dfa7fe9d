/**
 * Previews at the size they are shown: PreviewService renders at the view's scale
 * (clamped to the design's own and to one pixel), counts the budget at that size,
 * and fills in what the designer draws around the pixels.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { PreviewPixels } from '../../src-main/api.ts';
import { parseDesign } from '../../src-main/core/design.ts';
import { getPreset } from '../../src-main/core/presets.ts';
import { renderDesign } from '../../src-main/core/render.ts';
import { RenderPool } from '../../src-main/render/pool.ts';
import { PreviewService, previewScale } from '../../src-main/studio/preview.ts';

const pool = new RenderPool({ size: 1 });
afterAll(() => pool.close());
const service = new PreviewService(pool, false, 1e8, 'this test');

async function pixels(...args: Parameters<PreviewService['preview']>): Promise<PreviewPixels> {
  const out = await service.preview(...args);
  if (!out.ok) throw new Error(JSON.stringify(out.issues));
  return out;
}

describe('previews at the view scale', () => {
  it('renders a 1920x1080 design at the scale it is shown, with its design size and nothing else lost', async () => {
    const design = getPreset('sunset-background')!;
    const p = await pixels('a', design, 4, { scale: 0.5 });
    expect([p.width, p.height, p.pixels.byteLength]).toEqual([960, 540, 960 * 540 * 4]);
    expect([p.designWidth, p.designHeight, p.scale]).toEqual([1920, 1080, 0.5]);
    expect(p).toMatchObject({ seed: 4, answer: null, glyphs: [], warnings: [], random: false });
    // The same pixels the core renders at that scale.
    expect(Buffer.from(p.pixels).equals(Buffer.from(renderDesign(design, { seed: 4, viewScale: 0.5 }).pixels.buffer))).toBe(true);
  });

  it('never renders larger than the design, nor under a pixel; full size without a view', async () => {
    const design = getPreset('seed-002-captcha')!;
    expect((await pixels('b', design, 1, { scale: 3 })).width).toBe(270);
    expect((await pixels('b', design, 1, null)).scale).toBe(1);
    const tiny = await pixels('b', design, 1, { scale: 1e-9 });
    expect([tiny.width, tiny.height]).toEqual([Math.round(270 / 40), 1]);
    expect(previewScale(parseDesign({ ...design, scale: 2 }), 1.5)).toBe(1.5);
  });

  it('sends the glyph boxes, randomness and the warnings of a captcha whose glyphs leave the canvas', async () => {
    const base = getPreset('classic-captcha')!;
    const p = await pixels('c', { ...base, text: { ...base.text, length: 12 } }, 1, { scale: 0.4 });
    expect(p.random).toBe(true);
    expect(p.glyphs.map((g) => g.char).join('')).toBe(p.answer);
    expect(p.glyphs.some((g) => g.outside)).toBe(true);
    expect(p.warnings).toEqual([{ field: 'text.size', rule: expect.stringMatching(/^glyphs? .* leaves? the canvas/) }]);
  });

  it('refuses a view that is not {scale} with a number greater than 0, naming the field', async () => {
    for (const [view, field] of [
      [{ scale: 0 }, 'view.scale'],
      [{ scale: -2 }, 'view.scale'],
      [{ scale: 'big' }, 'view.scale'],
      [{}, 'view.scale'],
      ['x', 'view'],
    ] as const) {
      const out = await service.preview('d', getPreset('seed-002-captcha'), 1, view as never);
      expect(out, JSON.stringify(view)).toEqual({ ok: false, issues: [{ field, rule: expect.stringMatching(/^must be a/) }] });
    }
  });

  it('holds the budget at the size rendered: a design over it at full size is previewed small', async () => {
    const big = { ...getPreset('sunset-background')!, width: 8192, height: 4000 };
    const refused = await service.preview('e', big, 1, null);
    expect(refused).toMatchObject({ ok: false, issues: [{ rule: expect.stringMatching(/this test allows/) }] });
    const small = await pixels('e', big, 1, { scale: 0.05 });
    expect([small.width, small.height]).toEqual([410, 200]);
  });
});
