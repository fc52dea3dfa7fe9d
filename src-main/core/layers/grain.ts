/** Per-pixel luminance grain; it changes what is below rather than covering it. */
import { z } from 'zod';
import { BUSY, COST_WEIGHTS, FLAT, HINT } from '../cost-model.ts';
import { hidden, num, opacity } from '../fields.ts';
import { defineLayer } from './kind.ts';

export const grain = defineLayer({
  schema: z.strictObject({ type: z.literal('grain'), amount: num(0, 1).default(0.15), monochrome: z.boolean().default(true), opacity, hidden }),
  random: true,
  defaults: { type: 'grain' },
  draw(s, layer, { rng, reduction = 1 }) {
    const px = s.pixels();
    // One device pixel of a reduced render stands for 1/reduction² of the full render's,
    // whose independent grain averages out by a factor of `reduction` when shrunk.
    const span = layer.amount * layer.opacity * 255 * Math.min(1, reduction);
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
