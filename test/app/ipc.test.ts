import { describe, expect, it } from 'vitest';
import { IPC } from '../../src-main/api.ts';
import { registerIpc } from '../../src-main/app/ipc.ts';
import { decodePng } from '../support/png.ts';

function harness(devServerUrl?: string) {
  const handlers = new Map<string, Function>();
  registerIpc({ handle: (ch: string, fn: Function) => handlers.set(ch, fn) } as any, devServerUrl);
  const call = (channel: string, url: string | undefined, ...args: unknown[]) => handlers.get(channel)!({ senderFrame: url ? { url } : null }, ...args);
  return { handlers, call };
}
const OWN = 'file:///app/out/renderer/index.html';

describe('IPC handlers', () => {
  it('registers one handler per StudioApi method', () => {
    expect([...harness().handlers.keys()].sort()).toEqual(Object.values(IPC).sort());
  });

  it('refuses calls from any page but our own', () => {
    const { call } = harness();
    for (const channel of Object.values(IPC)) {
      expect(() => call(channel, 'https://evil.example/'), channel).toThrow(/refused/);
      expect(() => call(channel, undefined), channel).toThrow(/refused/);
    }
    const dev = harness('http://localhost:5173');
    expect(() => dev.call(IPC.listPresets, 'http://localhost:5174/')).toThrow(/refused/);
    expect(dev.call(IPC.listPresets, 'http://localhost:5173/index.html').length).toBeGreaterThan(8);
  });

  it('renders a valid design and returns pixels with the answer', () => {
    const { call } = harness();
    const design = call(IPC.getPreset, OWN, 'seed-002-captcha');
    const r = call(IPC.renderPreview, OWN, design, 5);
    expect(r).toMatchObject({ width: 270, height: 40, seed: 5 });
    expect(r.answer).toMatch(/^[A-Za-z0-9]{5}$/);
    const png = decodePng(Buffer.from(r.dataUrl.split(',')[1], 'base64'));
    expect([png.width, png.height]).toEqual([270, 40]);
  });

  it.each([
    [IPC.renderPreview, [{ width: 99999 }], /width: must be at most 8192/],
    [IPC.renderPreview, [{ text: { length: 99 } }], /text\.length: must be at most 32/],
    [IPC.renderPreview, ['not a design'], /must be object|expected object/i],
    [IPC.renderPreview, [{}, -3], /seed: must be a whole number/],
    [IPC.renderPreview, [{}, 'x'], /seed: must be a whole number/],
    [IPC.getPreset, ['../../etc/passwd'], /no preset called/],
    [IPC.getPreset, [{ name: 1 }], /name: must be a preset name/],
  ])('%s rejects bad input %j naming the field', (channel, args, message) => {
    const { call } = harness();
    expect(() => call(channel, OWN, ...args)).toThrow(message);
  });
});
