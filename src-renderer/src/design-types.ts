/**
 * Names for the parts of a design the inspector edits, derived from the core's schema.
 * The UI may import only types from src-main (the bundle must not pull in zod or the
 * core), so every list of choices the UI shows is its own copy; typing each copy with
 * these names makes a new charset, layer type or limit in the core fail the UI's
 * type-check until the UI handles it, instead of silently missing from a menu.
 */
import type { DesignInput, LIMITS } from '../../src-main/core/design.ts';

type Defined<T> = Exclude<T, undefined>;
/** Captcha text as a design file may write it. */
export type TextInput = Defined<DesignInput['text']>;

/** One background layer as a design file may write it (defaulted fields optional). */
export type LayerInput = Defined<DesignInput['background']>[number];
export type LayerType = LayerInput['type'];
/** The layer of one type, e.g. `LayerOf<'solid'>` has `color`. */
export type LayerOf<T extends LayerType> = Extract<LayerInput, { type: T }>;

export type TextMode = Defined<TextInput['mode']>;
export type TextCharset = Defined<TextInput['charset']>;
export type TextColorMode = Defined<TextInput['color']>['mode'];
export type MathOperator = Defined<Defined<TextInput['math']>['operators']>[number];
export type ImageFit = Defined<LayerOf<'image'>['fit']>;
export type NoisePlacement = Defined<Defined<DesignInput['noise']>['placement']>;
export type WaveDirection = Defined<Defined<Defined<DesignInput['distortion']>['wave']>['direction']>;
export type ImageFormat = Defined<Defined<DesignInput['output']>['format']>;

/** The core's limits as literal types: `const n: Limit<'layers'> = 32` stops compiling when the core's limit changes. */
export type Limit<K extends keyof typeof LIMITS> = (typeof LIMITS)[K];

export interface EditOptions {
  /** Part of a continuous gesture on this field (typing, dragging a slider): merged into one undo step. Otherwise the edit is a step of its own. */
  continuous?: boolean;
}
