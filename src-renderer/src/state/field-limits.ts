/**
 * The schema's bounds of every number field, mirrored once for the inspector's sliders
 * and step keys (the page may not import the core's zod schema at run time).
 * test/ui/field-limits.test.ts walks the core's schema and fails when this table and it
 * differ in any field, bound or integer rule, so the sliders cannot fall behind again.
 * Layer fields are keyed by kind: `layer:<type>.<field>`; list items by `*`.
 */
import { getIn, parsePath } from './design-path.ts';

export interface NumberLimit {
  min: number;
  max: number;
  /** Whole numbers only. */
  int?: boolean;
}

const I = (min: number, max: number): NumberLimit => ({ min, max, int: true });
const N = (min: number, max: number): NumberLimit => ({ min, max });
const OPACITY = N(0, 1);

export const NUMBER_LIMITS: Record<string, NumberLimit> = {
  width: I(1, 8192),
  height: I(1, 8192),
  scale: I(1, 4),
  seed: I(0, 4294967295),
  'text.length': I(1, 32),
  'text.math.min': I(0, 999),
  'text.math.max': I(0, 999),
  'text.size': N(4, 1024),
  'text.sizeJitter': N(0, 0.9),
  'text.rotation': N(0, 90),
  'text.baselineJitter': N(0, 1),
  'text.spacing': N(-0.8, 4),
  'text.color.minContrast': N(1, 21),
  'text.outline.width': N(0.25, 64),
  'noise.lines': I(0, 500),
  'noise.curves': I(0, 500),
  'noise.dots': I(0, 50000),
  'noise.lineWidth': N(0.25, 64),
  'noise.dotRadius': N(0.25, 32),
  'noise.opacity': OPACITY,
  'distortion.wave.amplitude': N(0, 200),
  'distortion.wave.period': N(1, 10000),
  'distortion.warp.amplitude': N(0, 50),
  'distortion.warp.period': N(4, 10000),
  'output.quality': I(1, 100),
  'output.compression': I(0, 9),
  'layer:solid.opacity': OPACITY,
  'layer:random-color.min': I(0, 255),
  'layer:random-color.max': I(0, 255),
  'layer:random-color.alpha': I(0, 255),
  'layer:random-color.opacity': OPACITY,
  'layer:linear-gradient.angle': N(-360, 360),
  'layer:linear-gradient.stops.*.offset': N(0, 1),
  'layer:linear-gradient.opacity': OPACITY,
  'layer:radial-gradient.stops.*.offset': N(0, 1),
  'layer:radial-gradient.opacity': OPACITY,
  'layer:ellipse.outlineWidth': N(0, 1000),
  'layer:ellipse.opacity': OPACITY,
  'layer:circle.outlineWidth': N(0, 1000),
  'layer:circle.opacity': OPACITY,
  'layer:rect.outlineWidth': N(0, 1000),
  'layer:rect.opacity': OPACITY,
  'layer:blob.points': I(3, 32),
  'layer:blob.irregularity': N(0, 1),
  'layer:blob.outlineWidth': N(0, 1000),
  'layer:blob.opacity': OPACITY,
  'layer:bubbles.count': I(0, 2000),
  'layer:bubbles.minRadius': N(0.5, 4096),
  'layer:bubbles.maxRadius': N(0.5, 4096),
  'layer:bubbles.alpha': N(0, 1),
  'layer:bubbles.opacity': OPACITY,
  'layer:stripes.width': N(1, 4096),
  'layer:stripes.angle': N(-360, 360),
  'layer:stripes.opacity': OPACITY,
  'layer:dots.spacing': N(2, 4096),
  'layer:dots.radius': N(0.25, 2048),
  'layer:dots.jitter': N(0, 1),
  'layer:dots.opacity': OPACITY,
  'layer:grid.spacing': N(2, 4096),
  'layer:grid.lineWidth': N(0.25, 256),
  'layer:grid.opacity': OPACITY,
  'layer:grain.amount': N(0, 1),
  'layer:grain.opacity': OPACITY,
  'layer:triangles.cellSize': N(4, 4096),
  'layer:triangles.variance': N(0, 1),
  'layer:triangles.opacity': OPACITY,
  'layer:image.opacity': OPACITY,
};

/** The table key of a design path: "background.2.stops.0.offset" of a linear gradient is "layer:linear-gradient.stops.*.offset". */
export function limitKey(design: unknown, path: string): string {
  const p = parsePath(path);
  if (p[0] === 'background' && typeof p[1] === 'number') {
    const type = (getIn(design, p.slice(0, 2)) as { type?: string } | undefined)?.type;
    return `layer:${type}.${p.slice(2).map((k) => (typeof k === 'number' ? '*' : k)).join('.')}`;
  }
  return p.map((k) => (typeof k === 'number' ? '*' : k)).join('.');
}

/** The schema's bounds of the number at `path`, or undefined when it is not a number field. */
export function limitOf(design: unknown, path: string): NumberLimit | undefined {
  const key = limitKey(design, path);
  return Object.hasOwn(NUMBER_LIMITS, key) ? NUMBER_LIMITS[key] : undefined;
}
