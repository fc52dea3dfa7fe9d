/** Translucent discs at random places and sizes. */
import { z } from 'zod';
import { color, cssColor, randomRgb } from '../color.ts';
import { COST_WEIGHTS, HINT, SMOOTH } from '../cost-model.ts';
import { hidden, int, num, opacity, palette } from '../fields.ts';
import { LIMITS } from '../limits.ts';
import { pick, range } from '../random.ts';
import { defineLayer, layerCanvas } from './kind.ts';

export const bubbles = defineLayer({
  schema: z.strictObject({
    type: z.literal('bubbles'),
    count: int(0, LIMITS.bubbles).default(20),
    minRadius: num(0.5, 4096).default(4),
    maxRadius: num(0.5, 4096).default(24),
    colors: palette(0).default([]),
    alpha: num(0, 1).default(0.35),
    opacity,
    hidden,
  }),
  random: true,
  defaults: { type: 'bubbles' },
  draw(s, layer, { w, h, rng }) {
    const ctx = layerCanvas(s, layer.opacity);
    const lo = Math.min(layer.minRadius, layer.maxRadius);
    const hi = Math.max(layer.minRadius, layer.maxRadius);
    for (let i = 0; i < layer.count; i++) {
      const c = layer.colors.length ? color(pick(rng, layer.colors)) : randomRgb(rng);
      const x = range(rng, 0, w);
      const y = range(rng, 0, h);
      const r = range(rng, lo, hi);
      ctx.fillStyle = cssColor([c[0], c[1], c[2], Math.round(c[3] * layer.alpha)]);
      ctx.beginPath();
      ctx.arc(x, y, r, 0, Math.PI * 2);
      ctx.fill();
    }
  },
  cost(layer, cc) {
    if (layer.count === 0) return;
    const { k, A, H } = cc;
    cc.surface.canvas(cc.field);
    const lo = Math.min(layer.minRadius, layer.maxRadius) * k;
    const hi = Math.max(layer.minRadius, layer.maxRadius) * k;
    // Radii are uniform in [lo, hi]: E[r²] = (lo² + lo·hi + hi²) / 3. Each disc is clipped to the canvas.
    const area = Math.min(A, (Math.PI * (lo * lo + lo * hi + hi * hi)) / 3);
    const rows = Math.min(H, lo + hi);
    cc.add(`${cc.field}.count`, layer.count * (COST_WEIGHTS.call + area * COST_WEIGHTS.skiaFill + rows * 2 * COST_WEIGHTS.edgeRow), HINT.bubbles);
    cc.busier(SMOOTH);
  },
});
