import { afterAll, describe, expect, it } from 'vitest';
import { IPC, studioMethods } from '../../src-main/api.ts';
import { registerIpc } from '../../src-main/app/ipc.ts';
import { getPreset } from '../../src-main/core/presets.ts';
import { desktopHarness } from './harness.ts';

const h = desktopHarness();
afterAll(() => h.close());
const handlers = new Map<string, Function>();
registerIpc({ handle: (ch: string, fn: Function) => handlers.set(ch, fn) } as any, h.studio);
const OWN = 'file:///app/out/renderer/index.html';
const call = (channel: string, url: string | undefined, ...args: unknown[]) => handlers.get(channel)!({ senderFrame: url ? { url } : null, sender: { id: 7 } }, ...args);

/** Bad input for every handler that takes input, and the error naming the field. */
const BAD_INPUT: [string, unknown[], RegExp][] = [
  [IPC.getPreset, ['../../etc/passwd'], /name: no preset called/],
  [IPC.getPreset, [{ name: 1 }], /name: must be a preset name/],
  [IPC.renderThumbnail, [{ width: 0 }], /width: must be at least 1/],
  [IPC.renderThumbnail, [{}, 1.5], /seed: must be a whole number/],
  [IPC.previewAudio, [{ width: 0 }, 1], /width: must be at least 1/],
  [IPC.previewAudio, [{}, 1.5], /seed: must be a whole number/],
  [IPC.importFont, [{ name: 'x.ttf', bytes: 'nope' }], /file\.bytes/],
  [IPC.importFont, [{ name: 'evil.exe', bytes: new Uint8Array(10) }], /font: must be a \.ttf or \.otf file/],
  [IPC.importFont, [{ name: 'broken.ttf', bytes: new Uint8Array(100) }], /font: broken\.ttf is not a usable font/],
  [IPC.openDesign, [{ path: '/etc/passwd' }], /path: must be one of the recent files/],
  [IPC.openDesign, [{ name: 'a.json', bytes: new TextEncoder().encode('{"width": 9') }], /a\.json: is not valid JSON/],
  [IPC.openDesign, [{ name: 'new.json', bytes: new TextEncoder().encode('{"version": 2}') }], /new\.json: version: was written by a newer Captcha Studio/],
  [IPC.saveDesign, [{ height: -1 }], /height: must be at least 1/],
  [IPC.saveDesign, [{}, { path: 42 }], /path: must be a file path/],
  [IPC.autosave, [{ scale: 9 }], /scale: must be at most 4/],
  [IPC.setDocumentState, ['x'], /state: must be/],
  [IPC.exportImage, [{ output: { format: 'gif' } }], /output\.format/],
  [IPC.exportImage, [{}, -1], /seed: must be a whole number/],
  [IPC.exportBatch, [{}, 0, 'b1'], /count: must be a whole number from 1 to 10000/],
  [IPC.exportBatch, [{}, 5, '../x'], /id: must be a new batch id/],
  [IPC.exportBatch, [{ noise: { lines: -1 } }, 5, 'b2'], /noise\.lines/],
  [IPC.cancelBatch, [{}], /id: must be a batch id/],
  [IPC.startServer, [70000], /port: must be a whole number from 0 to 65535/],
  [IPC.publishDesign, [{ background: [{ type: 'nope' }] }], /background\.0/],
  [IPC.renderSamples, [{}, Array(17).fill(1)], /seeds: must be a list of 1 to 16 seeds/],
  [IPC.renderSamples, [{}, [1, -1]], /seeds\.1: must be a whole number/],
  [IPC.fitText, [{ width: 'wide' }], /width/],
  [IPC.startStrengthCheck, [{}, { samples: 5 }], /options\.samples: must be a whole number from 20 to 1000/],
  [IPC.startStrengthCheck, [{}, { attacks: ['cnn'] }], /options\.attacks\.0/],
  [IPC.strengthStatus, ['../x'], /id: must be a strength check id/],
  [IPC.cancelStrengthCheck, [{}], /id: must be a strength check id/],
];
/** Handlers that take no input (extra arguments are ignored). */
const NO_INPUT: string[] = [IPC.info, IPC.listPresets, IPC.listFonts, IPC.listRecent, IPC.restoreAutosave, IPC.serverStatus, IPC.stopServer];

describe('IPC handlers', () => {
  it('registers one handler per StudioApi method', () => {
    expect([...handlers.keys()].sort()).toEqual(Object.values(IPC).sort());
  });

  it.each(Object.values(IPC))('%s refuses calls from any page but our own', async (channel) => {
    await expect(call(channel, 'https://evil.example/')).rejects.toThrow(/refused/);
    await expect(call(channel, undefined)).rejects.toThrow(/refused/);
    await expect(call(channel, 'http://127.0.0.1:7878/studio/')).rejects.toThrow(/refused/);
  });

  it('accepts the dev server only at its exact origin', async () => {
    const dev = new Map<string, Function>();
    registerIpc({ handle: (ch: string, fn: Function) => dev.set(ch, fn) } as any, h.studio, 'http://localhost:5173');
    await expect(dev.get(IPC.listPresets)!({ senderFrame: { url: 'http://localhost:5174/' } })).rejects.toThrow(/refused/);
    expect((await dev.get(IPC.listPresets)!({ senderFrame: { url: 'http://localhost:5173/index.html' } })).length).toBeGreaterThan(8);
  });

  it('renders a valid design as raw pixels with the answer', async () => {
    const r = await call(IPC.renderPreview, OWN, getPreset('seed-002-captcha'), 5);
    expect(r).toMatchObject({ ok: true, width: 270, height: 40, seed: 5 });
    expect(r.pixels.length).toBe(270 * 40 * 4);
    expect(r.answer).toMatch(/^[A-Za-z0-9]{5}$/);
  });

  it.each([
    [IPC.renderPreview, [{ width: 99999 }, 1], 'width', /must be at most 8192/],
    [IPC.renderPreview, [{ text: { length: 99 } }, 1], 'text.length', /must be at most 32/],
    [IPC.renderPreview, [{}, -3], 'seed', /whole number/],
    [IPC.renderPreview, [{}, 'x'], 'seed', /whole number/],
  ])('%s resolves with the issues of bad input %j', async (channel, args, field, rule) => {
    const r = await call(channel, OWN, ...args);
    expect(r.ok).toBe(false);
    expect(r.issues[0].field).toBe(field);
    expect(r.issues[0].rule).toMatch(rule);
  });

  it.each(BAD_INPUT)('%s rejects bad input %j naming the field', async (channel, args, message) => {
    await expect(call(channel, OWN, ...args)).rejects.toThrow(message);
  });

  it('every handler is covered: bad input is refused, or it takes no input and ignores junk', async () => {
    const covered = new Set([...BAD_INPUT.map(([ch]) => ch), IPC.renderPreview, ...NO_INPUT]);
    expect([...covered].sort()).toEqual(Object.values(IPC).sort());
    const junk = [JSON.parse('{"__proto__": {"polluted": true}}'), 'x'.repeat(100_000), -1, null];
    for (const channel of NO_INPUT) if (channel !== IPC.stopServer) await call(channel, OWN, ...junk);
    expect((await call(IPC.stopServer, OWN, ...junk)).running).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers with what the table says each call returns', async () => {
    const checks: [keyof typeof studioMethods, unknown[]][] = [
      ['info', []],
      ['listPresets', []],
      ['listFonts', []],
      ['listRecent', []],
      ['serverStatus', []],
      ['restoreAutosave', []],
      ['renderThumbnail', [getPreset('seed-000-background')]],
      ['publishDesign', [getPreset('seed-000-background')]],
    ];
    for (const [method, args] of checks) {
      const r = await call(IPC[method], OWN, ...args);
      expect(studioMethods[method].result.safeParse(r).success, method).toBe(true);
    }
  });

  it('answers the read-only calls', async () => {
    expect(await call(IPC.info, OWN)).toEqual({ mode: 'desktop', version: '9.9.9', problems: [] });
    expect((await call(IPC.listFonts, OWN)).some((f: { family: string }) => f.family === 'DejaVu Sans')).toBe(true);
    expect(await call(IPC.serverStatus, OWN)).toMatchObject({ running: false, controllable: true });
    expect(await call(IPC.listRecent, OWN)).toEqual([]);
    expect(await call(IPC.restoreAutosave, OWN)).toBeNull();
    expect(await call(IPC.renderThumbnail, OWN, getPreset('seed-002-captcha'))).toMatch(/^data:image\/png;base64,/);
    expect(await call(IPC.publishDesign, OWN, getPreset('seed-000-background'))).toMatchObject({ name: 'seed-000-background', path: expect.stringMatching(/^\/designs\/seed-000-background\.png\?v=[0-9a-f]{12}$/), stored: 'preset' });
    // Issuing routes take design= only in a URL signed with the server's secret.
    expect(await call(IPC.publishDesign, OWN, { ...getPreset('seed-002-captcha'), width: 300 })).toMatchObject({ name: 'seed-002-captcha-edited', path: expect.stringMatching(/^\/captcha\.png\?design=seed-002-captcha-edited&sig=[\w-]{43}$/) });
  });
});
