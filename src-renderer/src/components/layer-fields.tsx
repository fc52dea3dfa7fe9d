/**
 * The fields of each background layer type, one entry per type: the table's type
 * makes a new layer type in the core fail the UI's type-check until it has fields here.
 */
import type { ReactNode } from 'react';
import type { Limit, LayerType } from '../design-types.ts';
import { IMAGE_FITS } from './choices.ts';
import { useDesign } from './design-context.ts';
import { CheckField, ColorField, ImageSourceField, LengthField, NumberField, PaletteField, SelectField } from './fields.tsx';

const MAX_STOPS: Limit<'stops'> = 16;

/** `p(field)` is the design path of a field of this layer; `i` is the layer's index. */
type LayerFieldsOf = (p: (field: string) => string, i: number) => ReactNode;

const fillOutline: LayerFieldsOf = (p) => (
  <>
    <ColorField path={p('fill')} label="Fill" fallback="" />
    <ColorField path={p('outline')} label="Outline" fallback="" />
    <NumberField path={p('outlineWidth')} label="Outline width" min={0} max={50} fallback={1} />
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
      <NumberField path={p('min')} label="Channel min" min={0} max={255} fallback={0} />
      <NumberField path={p('max')} label="Channel max" min={0} max={255} fallback={255} />
      <NumberField path={p('alpha')} label="Alpha" min={0} max={255} fallback={255} />
    </>
  ),
  'linear-gradient': (p, i) => (
    <>
      <NumberField path={p('angle')} label="Angle" min={-360} max={360} fallback={90} />
      <StopsField i={i} />
    </>
  ),
  'radial-gradient': (p, i) => (
    <>
      <LengthField path={p('cx')} label="Centre x" />
      <LengthField path={p('cy')} label="Centre y" />
      <LengthField path={p('radius')} label="Radius" />
      <StopsField i={i} />
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
      <NumberField path={p('points')} label="Points" min={3} max={32} fallback={8} />
      <NumberField path={p('irregularity')} label="Irregularity" min={0} max={1} step={0.05} fallback={0.35} />
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
      <NumberField path={p('count')} label="Count" min={0} max={500} fallback={20} />
      <NumberField path={p('minRadius')} label="Min radius" min={0.5} max={200} fallback={4} />
      <NumberField path={p('maxRadius')} label="Max radius" min={0.5} max={400} fallback={24} />
      <NumberField path={p('alpha')} label="Bubble alpha" min={0} max={1} step={0.05} fallback={0.35} />
      <PaletteField path={p('colors')} label="Colours" />
    </>
  ),
  stripes: (p) => (
    <>
      <NumberField path={p('width')} label="Stripe width" min={1} max={200} fallback={10} />
      <NumberField path={p('angle')} label="Angle" min={-360} max={360} fallback={45} />
      <PaletteField path={p('colors')} label="Colours" min={1} />
    </>
  ),
  dots: (p) => (
    <>
      <ColorField path={p('color')} label="Colour" />
      <NumberField path={p('spacing')} label="Spacing" min={2} max={200} fallback={16} />
      <NumberField path={p('radius')} label="Dot radius" min={0.25} max={50} step={0.25} fallback={2} />
      <NumberField path={p('jitter')} label="Jitter" min={0} max={1} step={0.05} fallback={0} />
    </>
  ),
  grid: (p) => (
    <>
      <ColorField path={p('color')} label="Colour" />
      <NumberField path={p('spacing')} label="Spacing" min={2} max={200} fallback={20} />
      <NumberField path={p('lineWidth')} label="Line width" min={0.25} max={20} step={0.25} fallback={1} />
    </>
  ),
  grain: (p) => (
    <>
      <NumberField path={p('amount')} label="Amount" min={0} max={1} step={0.01} fallback={0.15} />
      <CheckField path={p('monochrome')} label="Monochrome" fallback />
    </>
  ),
  triangles: (p) => (
    <>
      <NumberField path={p('cellSize')} label="Cell size" min={4} max={400} fallback={60} />
      <NumberField path={p('variance')} label="Variance" min={0} max={1} step={0.05} fallback={0.75} />
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

function StopsField({ i }: { i: number }) {
  const { design, edit } = useDesign();
  const stops = ((design.background as { stops?: { offset: number; color: string }[] }[] | undefined)?.[i]?.stops ?? []) as { offset: number; color: string }[];
  return (
    <fieldset className="palette">
      <legend>Stops</legend>
      {stops.map((_, k) => (
        <div key={k} className="palette-item">
          <ColorField path={`background.${i}.stops.${k}.color`} label={`Stop ${k + 1} colour`} />
          <NumberField path={`background.${i}.stops.${k}.offset`} label={`Stop ${k + 1} offset`} min={0} max={1} step={0.01} />
          <button type="button" aria-label={`Remove stop ${k + 1}`} disabled={stops.length <= 2} onClick={() => edit(`background.${i}.stops`, stops.filter((_s, j) => j !== k))}>
            ✕
          </button>
        </div>
      ))}
      <button type="button" disabled={stops.length >= MAX_STOPS} onClick={() => edit(`background.${i}.stops`, [...stops, { offset: 1, color: stops[stops.length - 1]?.color ?? '#ffffff' }])}>
        Add stop
      </button>
    </fieldset>
  );
}
