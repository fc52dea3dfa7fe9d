/** Horizontal and vertical hairlines at a spacing. */
import { z } from 'zod';
import { color, cssColor } from '../color.ts';
import { COST_WEIGHTS, HINT, SMOOTH } from '../cost-model.ts';
import { colorSchema, hidden, num, opacity } from '../fields.ts';
import { defineLayer, layerCanvas } from './kind.ts';

export const grid = defineLayer({
  schema: z.strictObject({ type: z.literal('grid'), color: colorSchema, spacing: num(2, 4096).default(20), lineWidth: num(0.25, 256).default(1), opacity, hidden }),
  random: false,
  defaults: { type: 'grid', color: '#00000022' },
  draw(s, layer, { w, h }) {
    const ctx = layerCanvas(s, layer.opacity);
    ctx.strokeStyle = cssColor(color(layer.color));
    ctx.lineWidth = layer.lineWidth;
    ctx.beginPath();
    for (let x = 0.5; x <= w; x += layer.spacing) {
      ctx.moveTo(x, 0);
      ctx.lineTo(x, h);
    }
    for (let y = 0.5; y <= h; y += layer.spacing) {
      ctx.moveTo(0, y);
      ctx.lineTo(w, y);
    }
    ctx.stroke();
  },
  cost(layer, cc) {
    const { w, h, k, W, H, A } = cc;
    cc.surface.canvas(cc.field);
    const nx = Math.floor(Math.max(0, w - 0.5) / layer.spacing) + 1;
    const ny = Math.floor(Math.max(0, h - 0.5) / layer.spacing) + 1;
    const lw = Math.max(1, layer.lineWidth * k);
    const covered = Math.min(A, (nx * H + ny * W) * lw);
    cc.add(`${cc.field}.spacing`, (nx + ny) * 200 + covered * COST_WEIGHTS.stroke + (nx * H + ny * lw) * 2 * COST_WEIGHTS.edgeRow * 0.25, HINT.grid);
    cc.busier(SMOOTH);
  },
});
