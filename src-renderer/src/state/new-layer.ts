/**
 * What "Add layer" inserts for each background layer type: every required field
 * filled with a visible default. Typed per kind against the core's schema, so a new
 * layer type (or a new required field) fails the UI's type-check until it is given
 * a default here; the order here is the order of the "New layer" menu.
 */
import type { LayerOf, LayerType } from '../design-types.ts';

const STOPS = [
  { offset: 0, color: '#4f7cac' },
  { offset: 1, color: '#c0e0de' },
];

const NEW_LAYER: { [K in LayerType]: LayerOf<K> } = {
  solid: { type: 'solid', color: '#ffffff' },
  'random-color': { type: 'random-color' },
  'linear-gradient': { type: 'linear-gradient', stops: STOPS },
  'radial-gradient': { type: 'radial-gradient', stops: STOPS },
  ellipse: { type: 'ellipse', box: [0, 0, 'w-1', 'h-1'], fill: '#f0efef80' },
  circle: { type: 'circle', cx: 'w/2', cy: 'h/2', r: 'min(w,h)/4', fill: '#ff990080' },
  rect: { type: 'rect', x: 'w/4', y: 'h/4', width: 'w/2', height: 'h/2', fill: '#3366cc55' },
  blob: { type: 'blob', cx: 'w/2', cy: 'h/2', r: 'min(w,h)/3', fill: '#66aa8877' },
  bubbles: { type: 'bubbles' },
  stripes: { type: 'stripes', colors: ['#ffffff', '#eeeeee'] },
  dots: { type: 'dots', color: '#00000022' },
  grid: { type: 'grid', color: '#00000022' },
  grain: { type: 'grain' },
  triangles: { type: 'triangles', colors: ['#264653', '#2a9d8f', '#e9c46a'] },
  image: { type: 'image', src: 'background.png' },
};

export const LAYER_TYPES = Object.keys(NEW_LAYER) as LayerType[];

/** A fresh copy: layers in a design are never shared with this table. */
export function newLayer<K extends LayerType>(type: K): LayerOf<K> {
  return structuredClone(NEW_LAYER[type]);
}
