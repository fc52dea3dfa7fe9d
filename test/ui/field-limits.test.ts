/**
 * The inspector's number bounds (state/field-limits.ts) are a copy of the core schema's;
 * this walks the schema and fails on any difference, in either direction.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { designSchema } from '../../src-main/core/design.ts';
import { LAYER_KINDS } from '../../src-main/core/layers/index.ts';
import { limitKey, limitOf, NUMBER_LIMITS, type NumberLimit } from '../../src-renderer/src/state/field-limits.ts';

type Def = { type: string; innerType?: z.ZodType; in?: z.ZodType; shape?: Record<string, z.ZodType>; element?: z.ZodType; options?: z.ZodType[] };
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Every plain number field under `s`, by its table key (unions, i.e. lengths and expressions, are not sliders). */
function numberFields(s: z.ZodType, path: string, out: Map<string, NumberLimit>): Map<string, NumberLimit> {
  const def = defOf(s);
  switch (def.type) {
    case 'default':
    case 'prefault':
    case 'optional':
    case 'nullable':
      return numberFields(def.innerType!, path, out);
    case 'pipe':
      return numberFields(def.in!, path, out);
    case 'object':
      for (const [k, v] of Object.entries(def.shape!)) numberFields(v, path ? `${path}.${k}` : k, out);
      return out;
    case 'union':
      // A choice of objects (text colour modes) has fields; a number-or-expression has none to slide.
      if (def.options!.every((o) => defOf(o).type === 'object')) for (const o of def.options!) numberFields(o, path, out);
      return out;
    case 'array':
      return numberFields(def.element!, `${path}.*`, out);
    case 'number': {
      const n = s as z.ZodNumber;
      out.set(path, { min: n.minValue!, max: n.maxValue!, ...(n.isInt ? { int: true } : {}) });
      return out;
    }
    default:
      return out;
  }
}

describe('number field bounds', () => {
  it('mirror every number field of the core schema, bound for bound', () => {
    const schema = numberFields(designSchema, '', new Map());
    schema.delete('version'); // not edited in the inspector
    for (const k of [...schema.keys()]) if (k.startsWith('background.')) schema.delete(k); // listed by kind below
    for (const kind of LAYER_KINDS) {
      const type = kind.schema.shape.type.value;
      for (const [k, v] of numberFields(kind.schema, '', new Map())) schema.set(`layer:${type}.${k}`, v);
    }
    expect(Object.fromEntries([...schema].sort(([a], [b]) => a.localeCompare(b)))).toEqual(Object.fromEntries(Object.entries(NUMBER_LIMITS).sort(([a], [b]) => a.localeCompare(b))));
    // The three: width to 8192, noise lines to 500, text size to 1024.
    expect(NUMBER_LIMITS.width.max).toBe(8192);
    expect(NUMBER_LIMITS['noise.lines'].max).toBe(500);
    expect(NUMBER_LIMITS['text.size'].max).toBe(1024);
  });

  it('finds a field by its design path, layers by their kind', () => {
    const design = { background: [{ type: 'solid' }, { type: 'linear-gradient', stops: [] }] };
    expect(limitKey(design, 'background.1.stops.0.offset')).toBe('layer:linear-gradient.stops.*.offset');
    expect(limitOf(design, 'background.0.opacity')).toEqual({ min: 0, max: 1 });
    expect(limitOf(design, 'text.size')).toEqual({ min: 4, max: 1024 });
    expect(limitOf(design, 'text.position.x')).toBeUndefined();
  });
});
