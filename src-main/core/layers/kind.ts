/**
 * What one kind of background layer is: its schema, how it draws, whether it
 * draws anything random, what a new one looks like and what it costs. Each kind
 * is one module in this folder; index.ts lists them.
 */
import type { Image, SKRSContext2D } from '@napi-rs/canvas';
import type { z } from 'zod';
import type { RGBA } from '../color.ts';
import type { LayerCostContext } from '../cost-model.ts';
import type { Length } from '../expr.ts';
import type { Rng } from '../random.ts';
import type { Surface } from '../surface.ts';

/** Decoded image-layer sources, by their `src` text; see loadImages (image-load.ts). */
export type ImageSet = ReadonlyMap<string, Image>;

export interface LayerContext {
  /** Design-pixel size (before scale). */
  w: number;
  h: number;
  rng: Rng;
  /** Image-layer sources, decoded beforehand by loadImages. */
  images?: ImageSet;
  /** The layer's field, e.g. "background.2". */
  field: string;
  /**
   * This render's device pixels per device pixel of the full-size render: below 1 for a
   * preview drawn smaller. Per-pixel effects (grain) soften by it, as a downscale would.
   */
  reduction?: number;
}

export interface LayerDrawContext extends LayerContext {
  /** A length in design pixels, its expression evaluated for this canvas. */
  L(v: Length): number;
}

/** A layer's schema: a strict object whose `type` is the kind's name. */
export type LayerSchema = z.ZodObject<{ type: z.ZodLiteral<string> } & z.core.$ZodShape, z.core.$strict>;

export interface LayerKind<S extends LayerSchema = LayerSchema> {
  readonly schema: S;
  /** True when drawing it uses the seed's randomness (so without a seed it differs each time). */
  readonly random: boolean | ((layer: z.output<S>) => boolean);
  /** A new layer of this kind as the designer adds it: every required field filled. */
  readonly defaults: z.input<S>;
  draw(s: Surface, layer: z.output<S>, dc: LayerDrawContext): void;
  /** Adds what drawing it costs (see cost.ts) and moves the surface model as drawing would. */
  cost(layer: z.output<S>, cc: LayerCostContext): void;
}

/** Checks a kind's parts against its schema's types. */
export function defineLayer<S extends LayerSchema>(kind: LayerKind<S>): LayerKind<S> {
  return kind;
}

export const withAlpha = (c: RGBA, opacity: number): RGBA => [c[0], c[1], c[2], Math.round(c[3] * opacity)];

/** The Skia context, at the layer's opacity, for a kind that draws on the canvas. */
export function layerCanvas(s: Surface, opacity: number): SKRSContext2D {
  const ctx = s.ctx();
  ctx.globalAlpha = opacity;
  return ctx;
}
