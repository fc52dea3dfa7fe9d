import { describe, expect, it, vi } from 'vitest';
import { STUDIO_METHODS, studioMethods, type StudioHandlers } from '../../src-main/api.ts';
import { InputError } from '../../src-main/core/input-error.ts';
import { callStudio } from '../../src-main/studio/calls.ts';

/** Handlers that record what they were called with. */
function recording() {
  const calls: [string, unknown[]][] = [];
  const handlers = Object.fromEntries(STUDIO_METHODS.map((m) => [m, (...args: unknown[]) => (calls.push([m, args]), `${m}-result`)])) as unknown as StudioHandlers;
  return { calls, handlers };
}

describe('callStudio: one checked entry for every StudioApi call', () => {
  it('refuses names that are not rows of the table, including inherited ones', async () => {
    const { handlers, calls } = recording();
    for (const name of ['nope', '__proto__', 'constructor', 'hasOwnProperty', 'toString', '']) {
      const e = await callStudio(handlers, name, []).catch((x) => x);
      expect(e).toBeInstanceOf(InputError);
      expect(e).toMatchObject({ field: 'method', kind: 'not-found' });
    }
    expect(calls).toEqual([]);
  });

  it('refuses a row this side does not serve', async () => {
    await expect(callStudio({ info: () => ({ mode: 'web', version: '1', problems: [] }) }, 'listPresets', [])).rejects.toMatchObject({ field: 'method', kind: 'not-found' });
  });

  it('passes checked arguments on, and never the ones beyond the row', async () => {
    const { handlers, calls } = recording();
    expect(await callStudio(handlers, 'getPreset', ['classic-captcha', 'extra', { junk: 1 }])).toBe('getPreset-result');
    expect(await callStudio(handlers, 'listPresets', [JSON.parse('{"__proto__": {"polluted": 1}}')])).toBe('listPresets-result');
    expect(calls).toEqual([
      ['getPreset', ['classic-captcha']],
      ['listPresets', []],
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['getPreset', [42], 'name', /must be a preset name/],
    ['getPreset', [], 'name', /must be a preset name/],
    ['exportBatch', [{}], 'count', /whole number from 1 to 10000/],
    ['renderThumbnail', ['not a design'], 'design', /must be a design object/],
    ['renderThumbnail', [{}, 2 ** 32], 'seed', /whole number from 0 to 4294967295/],
    ['importFont', [{ name: 'a.ttf', bytes: 'AAAA' }], 'file.bytes', /the file's bytes/],
    ['importFont', [{ name: '', bytes: new Uint8Array(1) }], 'file.name', /must be a file name/],
    ['openDesign', [{ neither: true }], 'from', /a file \{name, bytes\} or a recent file \{path\}/],
    ['saveDesign', [{}, { path: 42 }], 'opts.path', /must be a file path/],
    ['setDocumentState', [{ title: 'x' }], 'state.dirty', /true or false/],
    ['exportBatch', [{}, 10_001, 'b1'], 'count', /whole number from 1 to 10000/],
    ['exportBatch', [{}, 5, '../x'], 'id', /must be a new batch id/],
    ['startServer', [-1], 'port', /0 to 65535/],
  ] as const)('%s(%j) is refused naming %s', async (method, args, field, rule) => {
    const { handlers, calls } = recording();
    const e = (await callStudio(handlers, method, args).catch((x) => x)) as InputError;
    expect(e).toBeInstanceOf(InputError);
    expect(e.field).toBe(field);
    expect(e.rule).toMatch(rule);
    expect(e.message).toBe(`${field}: ${e.rule}`);
    expect(calls).toEqual([]);
  });

  it('a preview reports bad arguments in its result, as it does bad designs', async () => {
    const render = vi.fn();
    const r = await callStudio({ renderPreview: render }, 'renderPreview', [{}, -1]);
    expect(r).toEqual({ ok: false, issues: [{ field: 'seed', rule: 'must be a whole number from 0 to 4294967295' }] });
    expect(render).not.toHaveBeenCalled();
  });

  it('every row names each of its arguments, and the web side of every row is decided', () => {
    for (const m of STUDIO_METHODS) {
      const spec = studioMethods[m];
      expect(spec.names.length, m).toBe(spec.args.def.items.length);
      expect(['server', 'client'], m).toContain(spec.web);
      expect(spec.doc.length, m).toBeGreaterThan(10);
    }
  });
});
