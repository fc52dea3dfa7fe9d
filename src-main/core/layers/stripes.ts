/** Parallel stripes in a cycle of colours, at an angle. */
import { z } from 'zod';
import { color, cssColor } from '../color.ts';
import { COST_WEIGHTS, HINT, SMOOTH } from '../cost-model.ts';
import { hidden, num, opacity, palette } from '../fields.ts';
import { defineLayer, layerCanvas } from './kind.ts';

export const stripes = defineLayer({
  schema: z.strictObject({ type: z.literal('stripes'), colors: palette(1), width: num(1, 4096).default(10), angle: num(-360, 360).default(45), opacity, hidden }),
  random: false,
  defaults: { type: 'stripes', colors: ['#ffffff', '#eeeeee'] },
  draw(s, layer, { w, h }) {
    const ctx = layerCanvas(s, layer.opacity);
    const diag = Math.hypot(w, h);
    ctx.translate(w / 2, h / 2);
    ctx.rotate((layer.angle * Math.PI) / 180);
    const colors = layer.colors.map((c) => cssColor(color(c)));
    const n = Math.ceil(diag / layer.width) + 1;
    for (let i = 0; i < n; i++) {
      ctx.fillStyle = colors[i % colors.length];
      ctx.fillRect(-diag / 2 + i * layer.width, -diag / 2, layer.width + 0.5, diag);
    }
  },
  cost(layer, cc) {
    const { w, h, W, H, A } = cc;
    cc.surface.canvas(cc.field);
    const diag = Math.hypot(w, h);
    const n = Math.ceil(diag / layer.width) + 1;
    // Each stripe is a rotated rectangle as tall as the diagonal: its two long edges cross every row.
    cc.add(`${cc.field}.width`, n * COST_WEIGHTS.call * 0.25 + A * COST_WEIGHTS.skiaFill + n * Math.hypot(W, H) * 5 * COST_WEIGHTS.edgeRow, HINT.stripes);
    // Regular patterns deflate fast however fine they are.
    cc.busier(SMOOTH);
  },
});
