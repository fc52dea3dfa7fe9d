/**
 * Query strings to design overrides. Every value goes through the design schema,
 * so the limits (and the error messages) are the same as for files and IPC, and a
 * size over the limits is refused before any pixel is allocated.
 */
import { DesignError, parseDesign, type Design } from '../core/design.ts';
import { InputError } from '../core/input-error.ts';
import { LIMITS } from '../core/limits.ts';

/** A design being built from a query: any shape until parseDesign checks it (typing it would repeat the schema). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Draft = Record<string, any>;
type Setter = (d: Draft, value: string) => void;
const num = (field: string, v: string): number => {
  if (!/^-?\d+(\.\d+)?$/.test(v.trim())) throw new InputError(field, 'must be a number');
  return Number(v);
};
const text = (d: Draft) => (d.text ??= {});

/** Query parameter -> where it goes in the design. */
const SETTERS: Record<string, Setter> = {
  width: (d, v) => (d.width = num('width', v)),
  height: (d, v) => (d.height = num('height', v)),
  scale: (d, v) => (d.scale = num('scale', v)),
  // "random" drops a preset's fixed seed: a fresh image (and no-store) on every request.
  seed: (d, v) => (v === 'random' ? delete d.seed : (d.seed = num('seed', v))),
  format: (d, v) => (d.output = { ...d.output, format: v }),
  quality: (d, v) => (d.output = { ...d.output, quality: num('quality', v) }),
  compression: (d, v) => (d.output = { ...d.output, compression: num('compression', v) }),
  // One colour replaces the whole background stack, as placeholder services do.
  bg: (d, v) => (d.background = [{ type: 'solid', color: v }]),
  color: (d, v) => (text(d).color = { mode: 'palette', palette: [v] }),
  text: (d, v) => Object.assign(text(d), { mode: 'fixed', value: v }),
  mode: (d, v) => (text(d).mode = v),
  charset: (d, v) => (text(d).charset = v),
  chars: (d, v) => Object.assign(text(d), { charset: 'custom', chars: v }),
  length: (d, v) => (text(d).length = num('length', v)),
  size: (d, v) => (text(d).size = num('size', v)),
  rotation: (d, v) => (text(d).rotation = num('rotation', v)),
  lines: (d, v) => (d.noise = { ...d.noise, lines: num('lines', v) }),
  curves: (d, v) => (d.noise = { ...d.noise, curves: num('curves', v) }),
  dots: (d, v) => (d.noise = { ...d.noise, dots: num('dots', v) }),
  // Only the wave's amplitude: the rest of the distortion (the warp) stays as designed.
  wave: (d, v) => (d.distortion = { ...d.distortion, wave: { ...d.distortion?.wave, amplitude: num('wave', v) } }),
};
/** May be given several times: `font=A&font=B` is a pool of two. */
const LISTS = new Set(['font']);
/** Not design fields: read by the route itself. */
const ROUTE_PARAMS = new Set(['design']);
export const QUERY_PARAMS = [...Object.keys(SETTERS), 'font', ...ROUTE_PARAMS];
const MAX_VALUE = 1024;

/** Query parameters the schema names differently, for error messages. */
const FIELD_TO_PARAM: [RegExp, string][] = [
  [/^output\.(format|quality|compression)$/, '$1'],
  [/^text\.fonts(\.\d+)?$/, 'font'],
  [/^text\.value$/, 'text'],
  [/^text\.color\.palette\.0$/, 'color'],
  [/^background\.0\.color$/, 'bg'],
  [/^noise\.(lines|curves|dots)$/, '$1'],
  [/^distortion\.wave\.amplitude$/, 'wave'],
  [/^text\.(mode|charset|chars|length|size|rotation)$/, '$1'],
];

function paramFor(field: string): string {
  for (const [re, to] of FIELD_TO_PARAM) if (re.test(field)) return field.replace(re, to);
  return field;
}

/**
 * Applies a query's overrides to a base design and validates the result.
 * Throws InputError naming the parameter on anything wrong.
 */
export function applyQuery(base: Design, query: URLSearchParams): Design {
  return sizeOnly(base, query) ?? applyQueryThroughSchema(base, query);
}

/** A plain size: 1 to 9999 without sign, point, spaces or leading zeros (anything else takes the schema's path). */
const PLAIN_SIZE = /^[1-9]\d{0,3}$/;

/**
 * The common query, seed 000's `?width=&height=` (a new one per visitor's window):
 * the base design with a new size, in about a microsecond instead of a clone and a
 * schema pass. Only sizes the schema is certain to accept go this way (whole
 * numbers within the side and area limits, each given once); anything else, valid
 * or not, returns null and takes the full path, so the rules and the errors are
 * the schema's. The result shares the base's other fields, which designs never
 * mutate (see canonicalDesign).
 */
function sizeOnly(base: Design, query: URLSearchParams): Design | null {
  let width = base.width;
  let height = base.height;
  let seen = 0;
  for (const [key, value] of query) {
    if (key.startsWith('_')) continue; // cache busters, ignored as applyQueryThroughSchema does
    const bit = key === 'width' ? 1 : key === 'height' ? 2 : 0;
    if (bit === 0 || seen & bit || !PLAIN_SIZE.test(value)) return null;
    seen |= bit;
    if (bit === 1) width = Number(value);
    else height = Number(value);
  }
  if (seen === 0 || width > LIMITS.side || height > LIMITS.side || width * height * base.scale * base.scale > LIMITS.area) return null;
  return { ...base, width, height };
}

/** applyQuery through the schema, whatever the query: exported so tests can hold the fast path to it. */
export function applyQueryThroughSchema(base: Design, query: URLSearchParams): Design {
  const d: Draft = structuredClone(base);
  const seen = new Set<string>();
  const fonts: string[] = [];
  for (const [key, value] of query) {
    if (key.startsWith('_')) continue; // cache busters such as jQuery's _=163...
    if (value.length > MAX_VALUE) throw new InputError(key, `must be at most ${MAX_VALUE} characters`);
    if (LISTS.has(key)) {
      fonts.push(value);
      continue;
    }
    if (ROUTE_PARAMS.has(key)) continue;
    // Own keys only: "__proto__" or "constructor" must not reach Object.prototype.
    const set = Object.hasOwn(SETTERS, key) ? SETTERS[key] : undefined;
    if (!set) throw new InputError(key, `is not a known parameter (known: ${QUERY_PARAMS.join(', ')})`);
    if (seen.has(key)) throw new InputError(key, 'is given more than once');
    seen.add(key);
    set(d, value);
  }
  if (fonts.length) text(d).fonts = fonts;
  if (d.text && !base.text && d.text.mode === undefined && d.text.value === undefined) {
    // Text options on a background-only design would silently draw a captcha.
    throw new InputError(Object.keys(d.text)[0] === 'fonts' ? 'font' : Object.keys(d.text)[0], 'this design has no text to change');
  }
  try {
    return parseDesign(d);
  } catch (e) {
    if (e instanceof DesignError) throw new InputError(paramFor(e.field), e.issues[0].rule);
    throw e;
  }
}

/** Reads a single optional parameter, refusing repeats. */
export function single(query: URLSearchParams, key: string): string | undefined {
  const all = query.getAll(key);
  if (all.length > 1) throw new InputError(key, 'is given more than once');
  return all[0];
}
