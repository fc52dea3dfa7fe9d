/** A hidden layer (the designer's visibility toggle) stays in the design and is not drawn, costed, random or loaded. */
import { describe, expect, it } from 'vitest';
import { estimateCost } from '../../../src-main/core/cost.ts';
import { parseDesign, safeParseDesign, usesRandomness } from '../../../src-main/core/design.ts';
import { LAYER_TYPES, newLayer } from '../../../src-main/core/layers/index.ts';
import { loadImages, renderDesign } from '../../../src-main/core/render.ts';

const base = { width: 20, height: 10, background: [{ type: 'solid', color: '#00ff00' }] };

describe('hidden layers', () => {
  it('every layer kind takes `hidden`, and only as true or false', () => {
    for (const type of LAYER_TYPES) {
      const layer = { ...newLayer(type), hidden: true };
      expect(safeParseDesign({ ...base, background: [layer] }).ok, type).toBe(true);
    }
    const r = safeParseDesign({ ...base, background: [{ type: 'solid', color: 'red', hidden: 'yes' }] });
    expect(r.ok ? [] : r.error.issues).toEqual([{ field: 'background.0.hidden', rule: 'must be true or false' }]);
  });

  it('is not drawn: the pixels are those of the design without it', () => {
    const shown = parseDesign({ ...base, background: [...base.background, { type: 'solid', color: '#ff0000' }] });
    const hidden = parseDesign({ ...base, background: [...base.background, { type: 'solid', color: '#ff0000', hidden: true }] });
    expect([...renderDesign(shown, { seed: 1 }).pixels.slice(0, 4)]).toEqual([255, 0, 0, 255]);
    expect([...renderDesign(hidden, { seed: 1 }).pixels.slice(0, 4)]).toEqual([0, 255, 0, 255]);
    expect(renderDesign(hidden, { seed: 1 }).pixels).toEqual(renderDesign(parseDesign(base), { seed: 1 }).pixels);
  });

  it('costs nothing and draws nothing random', () => {
    const grain = { type: 'grain', amount: 0.5 };
    const withGrain = parseDesign({ ...base, background: [...base.background, grain] });
    const hiddenGrain = parseDesign({ ...base, background: [...base.background, { ...grain, hidden: true }] });
    expect(usesRandomness(withGrain)).toBe(true);
    expect(usesRandomness(hiddenGrain)).toBe(false);
    expect(estimateCost(hiddenGrain).units).toBe(estimateCost(parseDesign(base)).units);
    expect(estimateCost(withGrain).units).toBeGreaterThan(estimateCost(hiddenGrain).units);
  });

  it('a hidden image layer is not read, so a missing file does not fail the render', async () => {
    const layer = { type: 'image', src: '/no/such/file.png' };
    await expect(loadImages(parseDesign({ ...base, background: [layer] }))).rejects.toThrow(/background\.0\.src/);
    const images = await loadImages(parseDesign({ ...base, background: [{ ...layer, hidden: true }] }));
    expect(images.size).toBe(0);
  });
});
