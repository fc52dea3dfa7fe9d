/**
 * fast-check generators for designs: valid-looking ones built from the schema's
 * own shape (at small sizes, so thousands render in seconds) and hostile values
 * to put anywhere in them.
 */
import fc from 'fast-check';
import { CHARSETS, LIMITS } from '../../src-main/core/design.ts';

/** Values that break parsers: wrong types, non-finite numbers, huge strings, prototype keys. */
export const nasty: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, -0, -1, 0, 1e308, -1e308, 2 ** 53, 2 ** 32, 1.5, Number.MIN_VALUE),
  fc.constantFrom('', ' ', 'NaN', '1e3', '0x10', '../../etc/passwd', '\\\\host\\share\\x.png', '%00', '\u0000', '𝕏', '\uD800', '__proto__', 'constructor'),
  fc.constantFrom(null, true, false, [], {}, [[]], { __proto__: { polluted: 1 } }, Object.create(null)),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.constant('x'.repeat(5000)),
  fc.anything({ maxDepth: 2, maxKeys: 4 }),
);

const FAMILIES = ['DejaVu Sans', 'DejaVu Serif', 'Liberation Sans', 'Bebas Neue', 'Comic Neue', 'Courier Prime', 'Humor Sans', 'Leckerli One', 'Lobster Two', 'Roboto Slab', 'Droid Sans Fallback'];

/** Mostly small, sometimes at the limit: the costly corners must be visited too. */
const count = (max: number) => fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: Math.min(max, 20) }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max }) });
const unit = fc.double({ min: 0, max: 1, noNaN: true });
const numIn = (min: number, max: number) => fc.oneof(fc.double({ min, max, noNaN: true }), fc.constantFrom(min, max));

export const colorArb = fc.oneof(
  fc.constantFrom('red', 'transparent', '#000', '#fff8', 'rgb(10, 20, 30)', 'rgba(0,0,0,0.5)', 'hsl(120, 50%, 50%)', '#12345678'),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map(([r, g, b]) => `rgb(${r},${g},${b})`),
);
const palette = (min: number) => fc.array(colorArb, { minLength: min, maxLength: 4 });

/** Expressions of the given names: valid ones, and near-misses the parser must reject cleanly. */
export function exprArb(vars: readonly string[]): fc.Arbitrary<string> {
  const { e } = fc.letrec<{ e: string; atom: string }>((tie) => ({
    atom: fc.oneof(fc.constantFrom(...vars), fc.nat(100_000).map(String), fc.constantFrom('0.5', '.25', '1e3', '99999999999999999999')),
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      tie('atom'),
      fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '/', '%', '^'), tie('e')).map(([a, op, b]) => `${a}${op}${b}`),
      tie('e').map((a) => `(${a})`),
      tie('e').map((a) => `-${a}`),
      fc.tuple(fc.constantFrom('min', 'max', 'abs', 'sin'), fc.array(tie('e'), { minLength: 0, maxLength: 3 })).map(([f, args]) => `${f}(${args.join(',')})`),
    ),
  }));
  return fc.oneof(e, fc.string({ maxLength: 12 }), fc.constant('('.repeat(200)));
}

const length = fc.oneof(numIn(-1_000_000, 1_000_000), fc.integer({ min: -100, max: 300 }), exprArb(['w', 'h']));
const opacity = fc.option(unit, { nil: undefined });
const shape = { fill: fc.option(colorArb, { nil: undefined }), outline: fc.option(colorArb, { nil: undefined }), outlineWidth: fc.option(numIn(0, 1000), { nil: undefined }), opacity };
const stops = fc.array(fc.record({ offset: unit, color: colorArb }), { minLength: 2, maxLength: 5 });

/** A tiny PNG as a data URL, plus references the renderer must refuse cleanly. */
const TINY_PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAEUlEQVR4AWM8AQQMQMDEAAUAMKYDJOk+9mYAAAAASUVORK5CYII=';
const imageSrc = fc.constantFrom(TINY_PNG, 'data:image/png;base64,AAAA', 'data:text/plain;base64,aGk=', '/nonexistent/x.png', 'relative.png', '\\\\server\\share\\x.png', 'file:///etc/passwd', '/etc/passwd');

export const layerArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ type: fc.constant('solid'), color: colorArb, opacity }, { requiredKeys: ['type', 'color'] }),
  fc.record({ type: fc.constant('random-color'), min: fc.integer({ min: 0, max: 255 }), max: fc.integer({ min: 0, max: 255 }), alpha: fc.integer({ min: 0, max: 255 }), opacity }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('linear-gradient'), angle: numIn(-360, 360), stops, opacity }, { requiredKeys: ['type', 'stops'] }),
  fc.record({ type: fc.constant('radial-gradient'), cx: length, cy: length, radius: length, stops, opacity }, { requiredKeys: ['type', 'stops'] }),
  fc.record({ type: fc.constant('ellipse'), box: fc.tuple(length, length, length, length), ...shape }, { requiredKeys: ['type', 'box'] }),
  fc.record({ type: fc.constant('circle'), cx: length, cy: length, r: length, ...shape }, { requiredKeys: ['type', 'cx', 'cy', 'r'] }),
  fc.record({ type: fc.constant('rect'), x: length, y: length, width: length, height: length, radius: length, ...shape }, { requiredKeys: ['type', 'x', 'y', 'width', 'height'] }),
  fc.record({ type: fc.constant('blob'), cx: length, cy: length, r: length, points: fc.integer({ min: 3, max: 32 }), irregularity: unit, ...shape }, { requiredKeys: ['type', 'cx', 'cy', 'r'] }),
  fc.record({ type: fc.constant('bubbles'), count: count(LIMITS.bubbles), minRadius: numIn(0.5, 4096), maxRadius: numIn(0.5, 4096), colors: palette(0), alpha: unit, opacity }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('stripes'), colors: palette(1), width: numIn(1, 4096), angle: numIn(-360, 360), opacity }, { requiredKeys: ['type', 'colors'] }),
  fc.record({ type: fc.constant('dots'), color: colorArb, spacing: numIn(2, 4096), radius: numIn(0.25, 2048), jitter: unit, opacity }, { requiredKeys: ['type', 'color'] }),
  fc.record({ type: fc.constant('grid'), color: colorArb, spacing: numIn(2, 4096), lineWidth: numIn(0.25, 256), opacity }, { requiredKeys: ['type', 'color'] }),
  fc.record({ type: fc.constant('grain'), amount: unit, monochrome: fc.boolean(), opacity }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('triangles'), cellSize: numIn(4, 4096), colors: palette(1), variance: unit, opacity }, { requiredKeys: ['type', 'colors'] }),
  fc.record({ type: fc.constant('image'), src: imageSrc, fit: fc.constantFrom('cover', 'contain', 'stretch', 'tile'), opacity }, { requiredKeys: ['type', 'src'] }),
);

const textArb = fc.record(
  {
    mode: fc.constantFrom('random', 'fixed', 'math'),
    charset: fc.constantFrom(...CHARSETS.filter((c) => c !== 'custom')),
    length: fc.integer({ min: 1, max: LIMITS.textLength }),
    value: fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.constantFrom('AB12', '中文字', 'x', 'ÄÖÜ', '👍')),
    math: fc.record({ operators: fc.subarray(['+', '-', '*'] as const, { minLength: 1 }), min: fc.integer({ min: 0, max: 20 }), max: fc.integer({ min: 20, max: 999 }) }),
    fonts: fc.array(fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...FAMILIES) }, { weight: 1, arbitrary: fc.constantFrom('No Such Font', '../../fonts/x') }), { minLength: 1, maxLength: 3 }),
    size: numIn(4, 1024),
    sizeJitter: numIn(0, 0.9),
    rotation: numIn(0, 90),
    baselineJitter: unit,
    spacing: numIn(-0.8, 4),
    position: fc.record({ x: fc.oneof(fc.integer({ min: -50, max: 300 }), exprArb(['w', 'h', 'i', 'n', 's'])), y: fc.oneof(fc.integer({ min: -50, max: 300 }), exprArb(['w', 'h', 'i', 'n', 's'])) }),
    color: fc.oneof(fc.record({ mode: fc.constant('palette'), palette: palette(1) }), fc.record({ mode: fc.constant('random'), minContrast: numIn(1, 21) })),
    outline: fc.record({ color: colorArb, width: numIn(0.25, 64) }),
  },
  { requiredKeys: [] },
).map((t) => (t.mode === 'fixed' && t.value === undefined ? { ...t, value: 'AB' } : t));

/** Designs shaped like the schema, small enough to render thousands per run. */
export const designArb: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    name: fc.string({ maxLength: 20 }),
    width: fc.integer({ min: 1, max: 64 }),
    height: fc.integer({ min: 1, max: 64 }),
    scale: fc.integer({ min: 1, max: 2 }),
    seed: fc.nat(),
    background: fc.array(layerArb, { maxLength: 4 }),
    text: textArb,
    noise: fc.record(
      { lines: count(LIMITS.lines), curves: count(LIMITS.curves), dots: count(LIMITS.dots), lineWidth: numIn(0.25, 64), dotRadius: numIn(0.25, 32), colors: palette(0), opacity: unit, placement: fc.constantFrom('over', 'under') },
      { requiredKeys: [] },
    ),
    distortion: fc.record({ wave: fc.record({ amplitude: numIn(0, 200), period: numIn(1, 10_000), direction: fc.constantFrom('horizontal', 'vertical') }, { requiredKeys: [] }) }),
    output: fc.record({ format: fc.constantFrom('png', 'jpeg', 'webp'), quality: fc.integer({ min: 1, max: 100 }), compression: fc.integer({ min: 0, max: 9 }) }, { requiredKeys: [] }),
  },
  { requiredKeys: ['width', 'height'] },
);

/** Every [path, value] leaf and branch of a JSON-like value, for mutation. */
function paths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy: any = Array.isArray(root) ? [...root] : { ...(root as object) };
  copy[path[0]] = setAt(copy[path[0]], path.slice(1), value);
  return copy;
}

/** A design with one value (or one new key) replaced by something hostile. */
export const mutatedDesignArb: fc.Arbitrary<unknown> = fc
  .tuple(designArb, fc.nat(), nasty, fc.boolean(), fc.constantFrom('extra', '__proto__', 'constructor', 'colour', ''))
  .map(([d, pick, value, addKey, key]) => {
    const all = paths(d);
    const path = all[pick % all.length];
    return addKey && path.length ? setAt(d, [...path.slice(0, -1), key], value) : setAt(d, path, value);
  });
