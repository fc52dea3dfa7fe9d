/** A picture from a file or a data URL, fitted to the canvas; its sources are decoded beforehand (image-load.ts). */
import { createCanvas } from '@napi-rs/canvas';
import { z } from 'zod';
import { BUSY, COST_WEIGHTS, HINT, SMOOTH, clamp } from '../cost-model.ts';
import { hidden, opacity } from '../fields.ts';
import { dataUrlImageSize } from '../image-header.ts';
import { LIMITS } from '../limits.ts';
import { defineLayer, layerCanvas } from './kind.ts';

export const image = defineLayer({
  schema: z.strictObject({
    type: z.literal('image'),
    src: z.string().min(1, 'must name an image file or be a data URL').max(LIMITS.imageSource, 'is too long'),
    fit: z.enum(['cover', 'contain', 'stretch', 'tile']).default('cover'),
    opacity,
    hidden,
  }),
  random: false,
  defaults: { type: 'image', src: 'background.png' },
  draw(s, layer, { w, h, images, field }) {
    const ctx = layerCanvas(s, layer.opacity);
    // Drawn smaller than the design (a preview): average the source, as shrinking the full render would, instead of sampling it.
    if (s.scale < 1) ctx.imageSmoothingQuality = 'medium';
    const img = images?.get(layer.src);
    // A caller bug, not bad input: the set comes from loadImages(design).
    if (!img) throw new Error(`${field}.src: image not loaded; call loadImages(design) before rendering`);
    if (layer.fit === 'stretch') return void ctx.drawImage(img, 0, 0, w, h);
    if (layer.fit === 'tile') {
      // Skia filters pattern fills even at 1:1, bleeding each tile's edge into the
      // next; drawImage at whole-pixel offsets copies pixels exactly. One row of
      // tiles is built, then copied down: cols + rows draws, not cols x rows.
      const cols = Math.ceil(w / img.width);
      const rowH = Math.min(img.height, h);
      const row = createCanvas(w, rowH);
      const rc = row.getContext('2d');
      for (let c = 0; c < cols; c++) rc.drawImage(img, c * img.width, 0);
      for (let y = 0; y < h; y += img.height) ctx.drawImage(row, 0, y);
      return;
    }
    const f = layer.fit === 'cover' ? Math.max(w / img.width, h / img.height) : Math.min(w / img.width, h / img.height);
    const dw = img.width * f;
    const dh = img.height * f;
    ctx.drawImage(img, (w - dw) / 2, (h - dh) / 2, dw, dh);
  },
  cost(layer, cc) {
    const { w, h, A } = cc;
    cc.surface.canvas(cc.field);
    const field = `${cc.field}.src`;
    const size = cc.imageSize?.(layer.src) ?? (layer.src.startsWith('data:') ? dataUrlImageSize(layer.src) : { width: w, height: h });
    // A source whose size cannot be read may still decode: assume the largest the loader accepts.
    const iw = size ? clamp(size.width, 1, LIMITS.side * 8) : w;
    const ih = size ? clamp(size.height, 1, LIMITS.side * 8) : h;
    const srcPixels = size ? Math.min(iw * ih, LIMITS.area) : LIMITS.area;
    if (cc.firstUse(layer.src)) cc.add(field, srcPixels * COST_WEIGHTS.decode, HINT.image);
    // Tiling draws one row of tiles, then copies it down: cols + rows calls.
    const calls = layer.fit === 'tile' ? Math.ceil(w / iw) + Math.ceil(h / ih) : 1;
    cc.add(field, calls * COST_WEIGHTS.call * 0.25 + A * (layer.fit === 'tile' ? COST_WEIGHTS.drawTiles : COST_WEIGHTS.drawImage), HINT.image);
    // Small tiles repeat, which deflate finds at once; anything else may be a photo.
    cc.busier(layer.fit === 'tile' && iw * ih < 65_536 ? SMOOTH : BUSY);
  },
});
