/**
 * The background layer kinds, in the order the schema lists them. Each kind's
 * module holds its schema, drawing, randomness, defaults and cost; a new kind is
 * a new module and one line in LAYER_KINDS.
 */
import { z } from 'zod';
import type { LayerCostContext } from '../cost-model.ts';
import { SIZE_VARS, evalLength, type Length } from '../expr.ts';
import type { Surface } from '../surface.ts';
import { blob } from './blob.ts';
import { bubbles } from './bubbles.ts';
import { circle } from './circle.ts';
import { dots } from './dots.ts';
import { ellipse } from './ellipse.ts';
import { grain } from './grain.ts';
import { grid } from './grid.ts';
import { image } from './image.ts';
import type { LayerContext, LayerKind } from './kind.ts';
import { linearGradient } from './linear-gradient.ts';
import { radialGradient } from './radial-gradient.ts';
import { randomColor } from './random-color.ts';
import { rect } from './rect.ts';
import { solid } from './solid.ts';
import { stripes } from './stripes.ts';
import { triangles } from './triangles.ts';

export type { ImageSet, LayerContext } from './kind.ts';

export const LAYER_KINDS = [
  solid,
  randomColor,
  linearGradient,
  radialGradient,
  ellipse,
  circle,
  rect,
  blob,
  bubbles,
  stripes,
  dots,
  grid,
  grain,
  triangles,
  image,
] as const;

type KindSchema = (typeof LAYER_KINDS)[number]['schema'];
const typeOf = (kind: (typeof LAYER_KINDS)[number]) => kind.schema.shape.type.value;

export const layerSchema = z.discriminatedUnion('type', LAYER_KINDS.map((k) => k.schema) as unknown as [KindSchema, ...KindSchema[]], {
  error: `must be a layer with a known type: ${LAYER_KINDS.map(typeOf).join(', ')}`,
});

export type Layer = z.output<typeof layerSchema>;
export type LayerInput = z.input<typeof layerSchema>;
export type LayerType = Layer['type'];
/** The layer of one kind, e.g. LayerOf<'image'>. */
export type LayerOf<T extends LayerType> = Extract<Layer, { type: T }>;

/** Every kind's name, in schema order. */
export const LAYER_TYPES = LAYER_KINDS.map(typeOf) as LayerType[];

const byType = new Map<string, LayerKind>(LAYER_KINDS.map((k) => [typeOf(k), k as unknown as LayerKind]));
function kindOf(layer: { type: string }): LayerKind {
  const kind = byType.get(layer.type);
  // The schema admits only the kinds listed; anything else was built by hand.
  if (!kind) throw new Error(`unknown layer type "${layer.type}"`);
  return kind;
}

/** Hidden layers stay in the design (the designer's visibility toggle) and are skipped by everything below. */
export function drawLayer(s: Surface, layer: Layer, lc: LayerContext): void {
  if (layer.hidden) return;
  const size = { w: lc.w, h: lc.h };
  kindOf(layer).draw(s, layer, { ...lc, L: (v: Length) => evalLength(v, size, SIZE_VARS) });
}

/** True when the layer draws anything random (so without a seed it differs each time). */
export function layerUsesRandomness(layer: Layer): boolean {
  if (layer.hidden) return false;
  const { random } = kindOf(layer);
  return typeof random === 'function' ? random(layer) : random;
}

/** Adds the layer's cost to the estimate (see cost.ts). */
export function estimateLayerCost(layer: Layer, cc: LayerCostContext): void {
  if (layer.hidden) return;
  kindOf(layer).cost(layer, cc);
}

/** A new layer of a kind as the designer adds it (a fresh copy). */
export function newLayer<T extends LayerType>(type: T): Extract<LayerInput, { type: T }> {
  return structuredClone(kindOf({ type }).defaults) as Extract<LayerInput, { type: T }>;
}
