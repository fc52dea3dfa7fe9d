/** Seed 002 way 2: one random RGB colour per image, channels within [min, max]. */
import { z } from 'zod';
import { randomRgb } from '../color.ts';
import { fillAllCost } from '../cost-model.ts';
import { hidden, int, opacity } from '../fields.ts';
import { defineLayer } from './kind.ts';

export const randomColor = defineLayer({
  schema: z.strictObject({
    type: z.literal('random-color'),
    min: int(0, 255).default(0),
    max: int(0, 255).default(255),
    alpha: int(0, 255).default(255),
    opacity,
    hidden,
  }),
  random: true,
  defaults: { type: 'random-color' },
  draw(s, layer, { rng }) {
    const [lo, hi] = layer.min <= layer.max ? [layer.min, layer.max] : [layer.max, layer.min];
    const c = randomRgb(rng, lo, hi);
    s.fillAll([c[0], c[1], c[2], Math.round(layer.alpha * layer.opacity)]);
  },
  cost: (layer, cc) => fillAllCost(cc, Math.round(layer.alpha * layer.opacity)),
});
