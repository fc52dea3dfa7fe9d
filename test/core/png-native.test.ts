import { Transformer } from '@napi-rs/image';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseDesign } from '../../src-main/core/design.ts';
import { encodePng, NATIVE_MAX_PIXELS } from '../../src-main/core/png.ts';
import { hasNativePng } from '../../src-main/core/png-native.ts';
import { getPreset } from '../../src-main/core/presets.ts';
import { renderDesign } from '../../src-main/core/render.ts';
import { decodePng } from '../support/png.ts';

/** IHDR's colour type: 2 RGB (our own writer on opaque images above 64K pixels), 6 RGBA. */
const colourType = (png: Buffer) => png[25];
/** What @napi-rs/image writes for these pixels with fdeflate and the Sub filter (its enums' values: Fast = 1, Sub = 1). */
const nativeBytes = (px: Uint8ClampedArray, w: number, h: number) =>
  Transformer.fromRgbaPixels(new Uint8Array(px.buffer, px.byteOffset, px.length), w, h).pngSync({ compressionType: 1, filterType: 1 });

function captcha(name: string, seed: number) {
  const r = renderDesign(parseDesign(getPreset(name)!), { seed });
  return { ...r, px: r.pixels };
}

describe('effort 1: fdeflate for busy images (png-native.ts)', () => {
  afterEach(() => {
    vi.doUnmock('node:module');
    vi.resetModules();
  });

  it('loads on this platform', () => {
    expect(hasNativePng()).toBe(true);
  });

  for (const name of ['classic-captcha', 'digits-captcha', 'neon-captcha']) {
    it(`writes ${name} exactly, through the native encoder, within 1.6x effort 2's bytes`, () => {
      for (const seed of [1, 2, 3]) {
        const r = captcha(name, seed);
        const fast = encodePng(r.px, r.width, r.height, { effort: 1, opaque: r.opaque });
        const zlib = encodePng(r.px, r.width, r.height, { effort: 2, opaque: r.opaque });
        expect(fast.equals(nativeBytes(r.px, r.width, r.height))).toBe(true);
        expect(fast.equals(zlib)).toBe(false);
        const out = decodePng(fast);
        expect([out.width, out.height]).toEqual([r.width, r.height]);
        expect(Buffer.from(out.data).equals(Buffer.from(r.px.buffer, r.px.byteOffset, r.px.length))).toBe(true);
        expect(fast.length).toBeLessThan(zlib.length * 1.6);
      }
    });
  }

  it('leaves flat artwork to the run encoder (fdeflate has no match search: a byte a pixel)', () => {
    const w = 640;
    const h = 360;
    const px = new Uint8ClampedArray(w * h * 4);
    for (let i = 0; i < px.length; i += 4) px.set(i < px.length / 2 ? [20, 40, 60, 255] : [200, 180, 160, 255], i);
    const png = encodePng(px, w, h, { effort: 1 });
    expect(colourType(png)).toBe(2);
    expect(png.length).toBeLessThan(2000);
    expect(Buffer.from(decodePng(png).data).equals(Buffer.from(px.buffer))).toBe(true);
  });

  it('keeps images over NATIVE_MAX_PIXELS on zlib (the native encoder holds its memory until V8 collects), exact either way', () => {
    // Busy, with alpha, and read through a view into a larger buffer.
    const encodeBoth = (w: number, h: number) => {
      const backing = new Uint8ClampedArray(w * h * 4 + 16);
      for (let i = 0; i < backing.length; i++) backing[i] = (i * 2654435761) >>> 24;
      const px = backing.subarray(8, 8 + w * h * 4);
      const png = encodePng(px, w, h, { effort: 1 });
      expect(Buffer.from(decodePng(png).data).equals(Buffer.from(px.buffer, px.byteOffset, px.length))).toBe(true);
      return { png, native: nativeBytes(new Uint8ClampedArray(px), w, h) };
    };
    const small = encodeBoth(333, 211);
    expect(small.png.equals(small.native)).toBe(true);
    const side = Math.ceil(Math.sqrt(NATIVE_MAX_PIXELS + 1));
    const large = encodeBoth(side, side);
    expect(large.png.equals(large.native)).toBe(false);
  });

  it('falls back to zlib, still exact, when the binding cannot load', async () => {
    vi.resetModules();
    vi.doMock('node:module', async (importOriginal) => {
      const real = await importOriginal<typeof import('node:module')>();
      const createRequire = (url: string | URL) => {
        const req = real.createRequire(url);
        return Object.assign((id: string) => {
          if (id === '@napi-rs/image') throw new Error('Cannot find module @napi-rs/image-linux-x64-gnu');
          return req(id);
        }, req);
      };
      return { ...real, default: { ...real, createRequire }, createRequire };
    });
    const png = await import('../../src-main/core/png.ts');
    const native = await import('../../src-main/core/png-native.ts');
    expect(native.hasNativePng()).toBe(false);
    const r = captcha('seed-002-captcha', 4);
    const bytes = png.encodePng(r.px, r.width, r.height, { effort: 1, opaque: r.opaque });
    expect(bytes.equals(nativeBytes(r.px, r.width, r.height))).toBe(false);
    expect(Buffer.from(decodePng(bytes).data).equals(Buffer.from(r.px.buffer, r.px.byteOffset, r.px.length))).toBe(true);
  });
});
