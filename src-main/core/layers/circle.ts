/** A circle by centre and radius. */
import { z } from 'zod';
import { hidden, length, opacity } from '../fields.ts';
import { defineLayer } from './kind.ts';
import { drawShape, shapeCost, shapeFields } from './shape.ts';

export const circle = defineLayer({
  schema: z.strictObject({ type: z.literal('circle'), cx: length, cy: length, r: length, ...shapeFields, opacity, hidden }),
  random: false,
  defaults: { type: 'circle', cx: 'w/2', cy: 'h/2', r: 'min(w,h)/4', fill: '#ff990080' },
  draw(s, layer, { L }) {
    const k = s.scale;
    const [cx, cy, r] = [L(layer.cx), L(layer.cy), Math.abs(L(layer.r))];
    drawShape(
      s,
      layer,
      (ctx) => ctx.arc(cx, cy, r, 0, Math.PI * 2),
      (c) => s.fillEllipse(cx * k, cy * k, r * k, r * k, c),
    );
  },
  cost(layer, cc) {
    const { w, h } = cc;
    const [cx, cy, r] = [cc.L(layer.cx, w / 2), cc.L(layer.cy, h / 2), Math.abs(cc.L(layer.r, Math.max(w, h)))];
    shapeCost(cc, layer, [cx - r, cy - r, cx + r, cy + r], true, true);
  },
});
