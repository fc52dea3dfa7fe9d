/**
 * Pooled renders share one spare pixel buffer (core/surface.ts): a render smaller than
 * the last one takes a zeroed view of it. What comes out must not depend on what the
 * buffer held before or on its size, on the flat path or through Skia.
 */
import { describe, expect, it } from 'vitest';
import { parseDesign } from '../../src-main/core/design.ts';
import { getPreset } from '../../src-main/core/presets.ts';
import { renderDesign, renderImage } from '../../src-main/core/render.ts';
import { releasePixels } from '../../src-main/core/surface.ts';
import { decodePng } from '../support/png.ts';

const design = (name: string, width: number, height: number) => parseDesign({ ...getPreset(name)!, width, height });

describe('the spare pixel buffer', () => {
  it('renders every size exactly as a fresh buffer does, after larger and busier renders', () => {
    // Fill the spare with something busy and large first.
    const big = renderDesign(design('sunset-background', 900, 700), { seed: 3, pooled: true });
    releasePixels(big.pixels);
    for (const [name, w, h] of [
      ['seed-000-background', 640, 480], // flat path: spans straight into the bytes
      ['classic-captcha', 300, 100], // Skia: the flat background is put into the canvas from a view
      ['seed-000-background', 641, 481],
      ['placeholder', 333, 222], // an opaque fill laid with a 32-bit fill over the view
    ] as const) {
      const fresh = renderDesign(design(name, w, h), { seed: 9 });
      const pooled = renderImage(design(name, w, h), { seed: 9 });
      const decoded = decodePng(pooled.bytes);
      expect([decoded.width, decoded.height]).toEqual([w, h]);
      expect(Buffer.from(decoded.data).equals(Buffer.from(fresh.pixels.buffer, fresh.pixels.byteOffset, fresh.pixels.length)), `${name} ${w}x${h}`).toBe(true);
    }
  });

  it('hands out a view no longer than the image, zeroed where the last render drew', () => {
    // Larger than any render before it, so it becomes the spare.
    const first = renderDesign(design('sunset-background', 1000, 800), { seed: 1, pooled: true });
    const buffer = first.pixels.buffer;
    releasePixels(first.pixels);
    const second = renderDesign(design('seed-000-background', 100, 50), { seed: 1, pooled: true });
    expect(second.pixels.buffer === buffer).toBe(true); // the spare was reused, not reallocated
    expect(second.pixels.length).toBe(100 * 50 * 4);
    // Seed 000's ellipse leaves the top-left corner transparent: the sunset's bytes are gone.
    expect([...second.pixels.subarray(0, 4)]).toEqual([0, 0, 0, 0]);
    releasePixels(second.pixels);
  });
});
