/** A rectangle, optionally with rounded corners. */
import { z } from 'zod';
import type { RGBA } from '../color.ts';
import { hidden, length, opacity } from '../fields.ts';
import { defineLayer } from './kind.ts';
import { drawShape, shapeCost, shapeFields } from './shape.ts';

export const rect = defineLayer({
  schema: z.strictObject({
    type: z.literal('rect'),
    x: length,
    y: length,
    width: length,
    height: length,
    radius: length.default(0),
    ...shapeFields,
    opacity,
    hidden,
  }),
  random: false,
  defaults: { type: 'rect', x: 'w/4', y: 'h/4', width: 'w/2', height: 'h/2', fill: '#3366cc55' },
  draw(s, layer, { L }) {
    const k = s.scale;
    const [x, y, w, h, r] = [L(layer.x), L(layer.y), L(layer.width), L(layer.height), L(layer.radius)];
    // Rounded corners need Skia; square ones are filled straight into the bytes.
    const flat = r <= 0 ? (c: RGBA) => s.fillRect(x * k, y * k, w * k, h * k, c) : undefined;
    drawShape(s, layer, (ctx) => (r > 0 ? ctx.roundRect(x, y, w, h, r) : ctx.rect(x, y, w, h)), flat);
  },
  cost(layer, cc) {
    const [x, y, rw, rh] = [cc.L(layer.x, 0), cc.L(layer.y, 0), cc.L(layer.width, cc.w), cc.L(layer.height, cc.h)];
    const box: [number, number, number, number] = [Math.min(x, x + rw), Math.min(y, y + rh), Math.max(x, x + rw), Math.max(y, y + rh)];
    shapeCost(cc, layer, box, !(cc.L(layer.radius, 0) > 0), false);
  },
});
