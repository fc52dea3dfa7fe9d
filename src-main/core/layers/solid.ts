/** One colour over the whole canvas. */
import { z } from 'zod';
import { color } from '../color.ts';
import { alphaOf, fillAllCost } from '../cost-model.ts';
import { colorSchema, hidden, opacity } from '../fields.ts';
import { defineLayer, withAlpha } from './kind.ts';

export const solid = defineLayer({
  schema: z.strictObject({ type: z.literal('solid'), color: colorSchema, opacity, hidden }),
  random: false,
  defaults: { type: 'solid', color: '#ffffff' },
  draw: (s, layer) => s.fillAll(withAlpha(color(layer.color), layer.opacity)),
  cost: (layer, cc) => fillAllCost(cc, Math.round(alphaOf(layer.color) * layer.opacity)),
});
