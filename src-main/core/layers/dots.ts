/** A grid of dots, optionally jittered. */
import { z } from 'zod';
import { color, cssColor } from '../color.ts';
import { BUSY, COST_WEIGHTS, HINT, SMOOTH } from '../cost-model.ts';
import { colorSchema, hidden, num, opacity } from '../fields.ts';
import { range } from '../random.ts';
import { defineLayer, layerCanvas } from './kind.ts';

export const dots = defineLayer({
  schema: z.strictObject({
    type: z.literal('dots'),
    color: colorSchema,
    spacing: num(2, 4096).default(16),
    radius: num(0.25, 2048).default(2),
    jitter: num(0, 1).default(0),
    opacity,
    hidden,
  }),
  random: (layer) => layer.jitter > 0,
  defaults: { type: 'dots', color: '#00000022' },
  draw(s, layer, { w, h, rng }) {
    const ctx = layerCanvas(s, layer.opacity);
    ctx.fillStyle = cssColor(color(layer.color));
    const sp = layer.spacing;
    for (let y = sp / 2; y < h + sp; y += sp) {
      // One path per row: Skia's time to fill a path grows faster than its contour
      // count (one path of 25,000 dots took minutes), a row's worth stays linear.
      ctx.beginPath();
      for (let x = sp / 2; x < w + sp; x += sp) {
        const jx = layer.jitter ? range(rng, -0.5, 0.5) * sp * layer.jitter : 0;
        const jy = layer.jitter ? range(rng, -0.5, 0.5) * sp * layer.jitter : 0;
        ctx.moveTo(x + jx + layer.radius, y + jy);
        ctx.arc(x + jx, y + jy, layer.radius, 0, Math.PI * 2);
      }
      ctx.fill();
    }
  },
  cost(layer, cc) {
    const { w, h, k, A, H } = cc;
    cc.surface.canvas(cc.field);
    const sp = layer.spacing;
    const cols = Math.max(0, Math.ceil((w + sp / 2) / sp));
    const rowCount = Math.max(0, Math.ceil((h + sp / 2) / sp));
    const n = cols * rowCount;
    const r = layer.radius * k;
    const covered = Math.min(A, n * Math.PI * r * r);
    cc.add(`${cc.field}.spacing`, rowCount * cols * cols * COST_WEIGHTS.dotsPath + n * COST_WEIGHTS.dot + covered * COST_WEIGHTS.skiaFill + n * Math.min(H, 2 * r) * 2 * COST_WEIGHTS.edgeRow, HINT.dots);
    cc.busier(sp < 8 && layer.jitter > 0 ? BUSY : SMOOTH);
  },
});
