import { describe, expect, it } from 'vitest';
import { estimateCost } from '../../../src-main/core/cost.ts';
import { LAYER_TYPES, layerSchema, newLayer, parseDesign, safeParseDesign, usesRandomness, type LayerType } from '../../../src-main/core/design.ts';
import { renderDesign } from '../../../src-main/core/render.ts';

/** One layer of the kind's defaults over grey, so every kind draws something visible. */
const GREY = { type: 'solid', color: '#808080' } as const;
const designWith = (type: LayerType) => parseDesign({ width: 48, height: 32, background: [GREY, newLayer(type)] });
const pixelsOf = (type: LayerType, seed: number) => Buffer.from(renderDesign(designWith(type), { seed }).pixels);
const drawable = LAYER_TYPES.filter((t) => t !== 'image'); // the image kind's default names a file next to the design

describe('layer kinds', () => {
  it('the schema admits exactly the registered kinds, and its refusal lists them in order', () => {
    expect(new Set(LAYER_TYPES).size).toBe(LAYER_TYPES.length);
    expect(LAYER_TYPES.length).toBeGreaterThanOrEqual(15);
    for (const type of LAYER_TYPES) expect(layerSchema.safeParse(newLayer(type)).success, type).toBe(true);
    const r = safeParseDesign({ background: [{ type: 'plasma' }] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.issues[0].rule).toBe(`must be a layer with a known type: ${LAYER_TYPES.join(', ')}`);
  });

  it('new layers are fresh copies of their defaults', () => {
    const a = newLayer('linear-gradient');
    a.stops[0].color = '#000000';
    expect(newLayer('linear-gradient').stops[0].color).not.toBe('#000000');
  });

  it.each(drawable)('%s draws something over grey with its defaults', (type) => {
    const grey = Buffer.from(renderDesign(parseDesign({ width: 48, height: 32, background: [GREY] }), { seed: 1 }).pixels);
    expect(pixelsOf(type, 1).equals(grey)).toBe(false);
  });

  it.each(drawable)('%s differs between seeds exactly when it says it is random', (type) => {
    const random = usesRandomness(designWith(type));
    expect(pixelsOf(type, 1).equals(pixelsOf(type, 2)), `${type} random=${random}`).toBe(!random);
  });

  it('dots are random only when jittered', () => {
    expect(usesRandomness(parseDesign({ background: [{ type: 'dots', color: '#000' }] }))).toBe(false);
    expect(usesRandomness(parseDesign({ background: [{ type: 'dots', color: '#000', jitter: 0.5 }] }))).toBe(true);
  });

  // An opaque fill over everything is deferred to whoever reads the pixels next: it costs nothing itself.
  it.each(LAYER_TYPES.filter((t) => t !== 'solid' && t !== 'random-color'))('%s adds its own cost under its field', (type) => {
    const parts = estimateCost(designWith(type)).parts;
    expect(parts.some((p) => p.field.startsWith('background.1') && p.units > 0), JSON.stringify(parts)).toBe(true);
  });
});
