/**
 * Small previews for the preset and recent lists: the design is rendered at its
 * real size (so text and noise look as they will) and box-filtered down.
 */
import type { Design } from './design.ts';
import { deviceSize } from './limits.ts';
import { encodePng } from './png.ts';
import { renderDesign, type ImageSet } from './render.ts';
import { releasePixels } from './surface.ts';

export const THUMBNAIL_BOX = { width: 160, height: 90 } as const;

/**
 * Area-averaging downscale of RGBA. Colours are averaged weighted by alpha, so a
 * transparent pixel's (meaningless) colour does not bleed into its neighbours.
 */
export function downscale(src: Uint8ClampedArray, sw: number, sh: number, dw: number, dh: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(dw * dh * 4);
  for (let y = 0; y < dh; y++) {
    const y0 = Math.floor((y * sh) / dh);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * sh) / dh));
    for (let x = 0; x < dw; x++) {
      const x0 = Math.floor((x * sw) / dw);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * sw) / dw));
      let r = 0, g = 0, b = 0, a = 0;
      for (let yy = y0; yy < y1; yy++) {
        let i = (yy * sw + x0) * 4;
        for (let xx = x0; xx < x1; xx++, i += 4) {
          const al = src[i + 3];
          r += src[i] * al;
          g += src[i + 1] * al;
          b += src[i + 2] * al;
          a += al;
        }
      }
      const o = (y * dw + x) * 4;
      const n = (y1 - y0) * (x1 - x0);
      if (a > 0) {
        out[o] = r / a;
        out[o + 1] = g / a;
        out[o + 2] = b / a;
      }
      out[o + 3] = a / n;
    }
  }
  return out;
}

/** Size that fits `w`x`h` inside the box, keeping the aspect ratio, never enlarging. */
export function fitInside(w: number, h: number, box: { width: number; height: number } = THUMBNAIL_BOX): { width: number; height: number } {
  return deviceSize(w, h, Math.min(1, box.width / w, box.height / h));
}

/** A PNG thumbnail of the design (at most THUMBNAIL_BOX). */
export function renderThumbnail(design: Design, seed?: number, images?: ImageSet): { bytes: Buffer; width: number; height: number } {
  const r = renderDesign(design, { seed, images, pooled: true });
  const { width, height } = fitInside(r.width, r.height);
  const px = width === r.width && height === r.height ? r.pixels : downscale(r.pixels, r.width, r.height, width, height);
  const bytes = encodePng(px, width, height, { effort: 6 });
  releasePixels(r.pixels);
  return { bytes, width, height };
}
