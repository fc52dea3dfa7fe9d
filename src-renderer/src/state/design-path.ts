/** Reading and immutably writing a design field by its dotted path ("text.color.palette.0"). */
export type Path = (string | number)[];

export function parsePath(path: string): Path {
  return path === '' ? [] : path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

export function getIn(obj: unknown, path: string | Path): unknown {
  let cur = obj;
  for (const k of typeof path === 'string' ? parsePath(path) : path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

/** A copy of `obj` with the value at `path` replaced (undefined deletes an object key). */
export function setIn<T>(obj: T, path: string | Path, value: unknown): T {
  const p = typeof path === 'string' ? parsePath(path) : path;
  if (p.length === 0) return value as T;
  const [head, ...rest] = p;
  const src = (obj ?? (typeof head === 'number' ? [] : {})) as Record<string | number, unknown>;
  const child = setIn(src[head], rest, value);
  if (Array.isArray(src)) {
    const copy = src.slice();
    copy[head as number] = child;
    return copy as T;
  }
  const copy: Record<string | number, unknown> = { ...src };
  if (child === undefined) delete copy[head];
  else copy[head] = child;
  return copy as T;
}

/** Words for field names whose camelCase does not read as English. */
const WORDS: Record<string, string> = {
  color: 'colour',
  colors: 'colours',
  cx: 'centre x',
  cy: 'centre y',
  r: 'radius',
  minContrast: 'minimum contrast',
  outlineWidth: 'outline width',
  sizeJitter: 'size jitter',
  baselineJitter: 'baseline jitter',
  lineWidth: 'line width',
  dotRadius: 'dot radius',
  cellSize: 'cell size',
  minRadius: 'min radius',
  maxRadius: 'max radius',
  src: 'image',
};

/** Items of a list named by what one of them is, counted from 1 as the inspector shows them. */
const ITEM: Record<string, string> = { background: 'layer', stops: 'stop', palette: 'colour', colors: 'colour', fonts: 'font', operators: 'operator' };
const BOX = ['x0', 'y0', 'x1', 'y1'];

/**
 * A design path as the inspector labels it: "background.1.color" is "Layer 2 › colour",
 * "text.color.palette.0" is "Text › colour › colour 1". Error messages use it so that a
 * layer is counted the way the layer list counts it, from 1.
 */
export function fieldLabel(path: string): string {
  const p = parsePath(path);
  const out: string[] = [];
  for (let i = 0; i < p.length; i++) {
    const k = p[i];
    const next = p[i + 1];
    if (typeof k === 'string' && typeof next === 'number') {
      out.push(k === 'box' ? `box ${BOX[next] ?? next + 1}` : `${ITEM[k] ?? WORDS[k] ?? k} ${next + 1}`);
      i++;
    } else if (typeof k === 'string') out.push(WORDS[k] ?? k.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`));
    else out.push(String(k + 1));
  }
  if (out.length === 0) return 'design';
  out[0] = out[0][0].toUpperCase() + out[0].slice(1);
  return out.join(' › ');
}
