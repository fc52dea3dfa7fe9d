/** A linear gradient across the canvas, at a CSS angle. */
import { z } from 'zod';
import { color, cssColor } from '../color.ts';
import { COST_WEIGHTS, HINT, SMOOTH } from '../cost-model.ts';
import { hidden, num, opacity, stops } from '../fields.ts';
import { defineLayer, layerCanvas } from './kind.ts';

export const linearGradient = defineLayer({
  schema: z.strictObject({ type: z.literal('linear-gradient'), angle: num(-360, 360).default(90), stops, opacity, hidden }),
  random: false,
  defaults: {
    type: 'linear-gradient',
    stops: [
      { offset: 0, color: '#4f7cac' },
      { offset: 1, color: '#c0e0de' },
    ],
  },
  draw(s, layer, { w, h }) {
    const ctx = layerCanvas(s, layer.opacity);
    // CSS semantics: 0deg points up, 90deg points right; the line spans the corners.
    const a = (layer.angle * Math.PI) / 180;
    const half = (Math.abs(w * Math.sin(a)) + Math.abs(h * Math.cos(a))) / 2;
    const dx = Math.sin(a) * half;
    const dy = -Math.cos(a) * half;
    const g = ctx.createLinearGradient(w / 2 - dx, h / 2 - dy, w / 2 + dx, h / 2 + dy);
    for (const st of layer.stops) g.addColorStop(st.offset, cssColor(color(st.color)));
    ctx.fillStyle = g;
    ctx.fillRect(0, 0, w, h);
  },
  cost(_layer, cc) {
    cc.surface.canvas(cc.field);
    cc.add(cc.field, COST_WEIGHTS.call + cc.A * COST_WEIGHTS.linearGradient, HINT.layer);
    cc.busier(SMOOTH);
  },
});
