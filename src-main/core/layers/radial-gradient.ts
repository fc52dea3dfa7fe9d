/** A radial gradient from a centre out to a radius. */
import { z } from 'zod';
import { color, cssColor } from '../color.ts';
import { COST_WEIGHTS, HINT, SMOOTH } from '../cost-model.ts';
import { hidden, length, opacity, stops } from '../fields.ts';
import { defineLayer, layerCanvas } from './kind.ts';

export const radialGradient = defineLayer({
  schema: z.strictObject({
    type: z.literal('radial-gradient'),
    cx: length.default('w/2'),
    cy: length.default('h/2'),
    radius: length.default('max(w,h)/2'),
    stops,
    opacity,
    hidden,
  }),
  random: false,
  defaults: {
    type: 'radial-gradient',
    stops: [
      { offset: 0, color: '#4f7cac' },
      { offset: 1, color: '#c0e0de' },
    ],
  },
  draw(s, layer, { w, h, L }) {
    const ctx = layerCanvas(s, layer.opacity);
    const [cx, cy, r] = [L(layer.cx), L(layer.cy), Math.max(0.001, Math.abs(L(layer.radius)))];
    const g = ctx.createRadialGradient(cx, cy, 0, cx, cy, r);
    for (const st of layer.stops) g.addColorStop(st.offset, cssColor(color(st.color)));
    ctx.fillStyle = g;
    ctx.fillRect(0, 0, w, h);
  },
  cost(_layer, cc) {
    cc.surface.canvas(cc.field);
    cc.add(cc.field, COST_WEIGHTS.call + cc.A * COST_WEIGHTS.radialGradient, HINT.layer);
    cc.busier(SMOOTH);
  },
});
