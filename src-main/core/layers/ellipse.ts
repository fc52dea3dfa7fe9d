/** Seed 000's ellipse: a PIL-style bounding box (x0, y0, x1, y1), inclusive. */
import { z } from 'zod';
import { hidden, length, opacity } from '../fields.ts';
import { defineLayer } from './kind.ts';
import { drawShape, shapeCost, shapeFields } from './shape.ts';

export const ellipse = defineLayer({
  schema: z.strictObject({
    type: z.literal('ellipse'),
    box: z.tuple([length, length, length, length], { error: 'must be [x0, y0, x1, y1]' }),
    ...shapeFields,
    opacity,
    hidden,
  }),
  random: false,
  defaults: { type: 'ellipse', box: [0, 0, 'w-1', 'h-1'], fill: '#f0efef80' },
  draw(s, layer, { L }) {
    const k = s.scale;
    // PIL's box is inclusive: x0..x1 covers x1 - x0 + 1 pixels.
    const [x0, y0, x1, y1] = layer.box.map((v) => L(v));
    const [ax, bx] = x0 <= x1 ? [x0, x1 + 1] : [x1, x0 + 1];
    const [ay, by] = y0 <= y1 ? [y0, y1 + 1] : [y1, y0 + 1];
    const [cx, cy, rx, ry] = [(ax + bx) / 2, (ay + by) / 2, (bx - ax) / 2, (by - ay) / 2];
    drawShape(
      s,
      layer,
      (ctx) => ctx.ellipse(cx, cy, rx, ry, 0, 0, Math.PI * 2),
      (c) => s.fillEllipse(cx * k, cy * k, rx * k, ry * k, c),
    );
  },
  cost(layer, cc) {
    const [x0, y0, x1, y1] = layer.box.map((v) => cc.L(v, 0));
    shapeCost(cc, layer, [Math.min(x0, x1), Math.min(y0, y1), Math.max(x0, x1) + 1, Math.max(y0, y1) + 1], true, true);
  },
});
