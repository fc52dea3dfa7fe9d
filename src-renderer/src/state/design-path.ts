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
