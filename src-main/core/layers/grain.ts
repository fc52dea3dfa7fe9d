/** Per-pixel luminance grain; it changes what is below rather than covering it. */
import { z } from 'zod';
import { BUSY, COST_WEIGHTS, FLAT, HINT } from '../cost-model.ts';
import { num, opacity } from '../fields.ts';
import { defineLayer } from './kind.ts';

export const grain = defineLayer({
  schema: z.strictObject({ type: z.literal('grain'), amount: num(0, 1).default(0.15), monochrome: z.boolean().default(true), opacity }),
  random: true,
  defaults: { type: 'grain' },
  draw(s, layer, { rng }) {
    const px = s.pixels();
    const span = layer.amount * layer.opacity * 255;
    const mono = layer.monochrome;
    for (let i = 0; i < px.length; i += 4) {
      if (mono) {
        const d = (rng.next() - 0.5) * 2 * span;
        px[i] += d;
        px[i + 1] += d;
        px[i + 2] += d;
      } else {
        px[i] += (rng.next() - 0.5) * 2 * span;
        px[i + 1] += (rng.next() - 0.5) * 2 * span;
        px[i + 2] += (rng.next() - 0.5) * 2 * span;
      }
    }
  },
  cost(layer, cc) {
    cc.surface.pixels(cc.field);
    cc.add(cc.field, cc.A * (layer.monochrome ? COST_WEIGHTS.grainMono : COST_WEIGHTS.grainColor), HINT.grain);
    cc.busier(layer.amount * layer.opacity > 0 ? BUSY : FLAT);
  },
});
