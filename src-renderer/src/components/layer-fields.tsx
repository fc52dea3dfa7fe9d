/**
 * The fields of each background layer type, one entry per type: the table's type
 * makes a new layer type in the core fail the UI's type-check until it has fields here.
 */
import type { ReactNode } from 'react';
import type { LayerType } from '../design-types.ts';
import { IMAGE_FITS } from './choices.ts';
import { CheckField, ColorField, ImageSourceField, LengthField, NumberField, PaletteField, SelectField } from './fields.tsx';
import { StopBar } from './StopBar.tsx';

/** `p(field)` is the design path of a field of this layer; `i` is the layer's index. */
type LayerFieldsOf = (p: (field: string) => string, i: number) => ReactNode;

const fillOutline: LayerFieldsOf = (p) => (
  <>
    <ColorField path={p('fill')} label="Fill" fallback="" />
    <ColorField path={p('outline')} label="Outline" fallback="" />
    <NumberField path={p('outlineWidth')} label="Outline width" fallback={1} />
  </>
);

const roundShape: LayerFieldsOf = (p) => (
  <>
    <LengthField path={p('cx')} label="Centre x" />
    <LengthField path={p('cy')} label="Centre y" />
    <LengthField path={p('r')} label="Radius" />
  </>
);

const LAYER_FIELDS: Record<LayerType, LayerFieldsOf> = {
  solid: (p) => <ColorField path={p('color')} label="Colour" />,
  'random-color': (p) => (
    <>
      <NumberField path={p('min')} label="Channel min" fallback={0} />
      <NumberField path={p('max')} label="Channel max" fallback={255} />
      <NumberField path={p('alpha')} label="Alpha" fallback={255} />
    </>
  ),
  'linear-gradient': (p, i) => (
    <>
      <NumberField path={p('angle')} label="Angle" fallback={90} />
      <StopBar path={p('stops')} layerNumber={i + 1} />
    </>
  ),
  'radial-gradient': (p, i) => (
    <>
      <LengthField path={p('cx')} label="Centre x" />
      <LengthField path={p('cy')} label="Centre y" />
      <LengthField path={p('radius')} label="Radius" />
      <StopBar path={p('stops')} layerNumber={i + 1} />
    </>
  ),
  ellipse: (p, i) => (
    <>
      {['x0', 'y0', 'x1', 'y1'].map((n, k) => (
        <LengthField key={n} path={p(`box.${k}`)} label={`Box ${n}`} />
      ))}
      {fillOutline(p, i)}
    </>
  ),
  circle: (p, i) => (
    <>
      {roundShape(p, i)}
      {fillOutline(p, i)}
    </>
  ),
  blob: (p, i) => (
    <>
      {roundShape(p, i)}
      <NumberField path={p('points')} label="Points" fallback={8} />
      <NumberField path={p('irregularity')} label="Irregularity" step={0.05} fallback={0.35} />
      {fillOutline(p, i)}
    </>
  ),
  rect: (p, i) => (
    <>
      <LengthField path={p('x')} label="x" />
      <LengthField path={p('y')} label="y" />
      <LengthField path={p('width')} label="Width" />
      <LengthField path={p('height')} label="Height" />
      <LengthField path={p('radius')} label="Corner radius" />
      {fillOutline(p, i)}
    </>
  ),
  bubbles: (p) => (
    <>
      <NumberField path={p('count')} label="Count" fallback={20} />
      <NumberField path={p('minRadius')} label="Min radius" fallback={4} />
      <NumberField path={p('maxRadius')} label="Max radius" fallback={24} />
      <NumberField path={p('alpha')} label="Bubble alpha" step={0.05} fallback={0.35} />
      <PaletteField path={p('colors')} label="Colours" />
    </>
  ),
  stripes: (p) => (
    <>
      <NumberField path={p('width')} label="Stripe width" fallback={10} />
      <NumberField path={p('angle')} label="Angle" fallback={45} />
      <PaletteField path={p('colors')} label="Colours" min={1} />
    </>
  ),
  dots: (p) => (
    <>
      <ColorField path={p('color')} label="Colour" />
      <NumberField path={p('spacing')} label="Spacing" fallback={16} />
      <NumberField path={p('radius')} label="Dot radius" step={0.25} fallback={2} />
      <NumberField path={p('jitter')} label="Jitter" step={0.05} fallback={0} />
    </>
  ),
  grid: (p) => (
    <>
      <ColorField path={p('color')} label="Colour" />
      <NumberField path={p('spacing')} label="Spacing" fallback={20} />
      <NumberField path={p('lineWidth')} label="Line width" step={0.25} fallback={1} />
    </>
  ),
  grain: (p) => (
    <>
      <NumberField path={p('amount')} label="Amount" step={0.01} fallback={0.15} />
      <CheckField path={p('monochrome')} label="Monochrome" fallback />
    </>
  ),
  triangles: (p) => (
    <>
      <NumberField path={p('cellSize')} label="Cell size" fallback={60} />
      <NumberField path={p('variance')} label="Variance" step={0.05} fallback={0.75} />
      <PaletteField path={p('colors')} label="Colours" min={1} />
    </>
  ),
  image: (p) => (
    <>
      <ImageSourceField path={p('src')} label="Image" />
      <SelectField path={p('fit')} label="Fit" options={IMAGE_FITS} fallback="cover" />
    </>
  ),
};

/** The fields of layer `i`; nothing for a type this UI does not know (the schema would have refused it). */
export function LayerFields({ i, type }: { i: number; type: string }) {
  const fields = Object.hasOwn(LAYER_FIELDS, type) ? LAYER_FIELDS[type as LayerType] : null;
  return fields ? fields((f) => `background.${i}.${f}`, i) : null;
}
