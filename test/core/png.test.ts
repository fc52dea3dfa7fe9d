import { describe, expect, it } from 'vitest';
import { encodePng } from '../../src-main/core/png.ts';
import { seededRng } from '../../src-main/core/random.ts';
import { decodePng } from '../support/png.ts';

function image(w: number, h: number, kind: 'noise' | 'flat' | 'gradient', opaque: boolean): Uint8ClampedArray {
  const rng = seededRng(w * h, kind);
  const px = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      if (kind === 'noise') for (let c = 0; c < 4; c++) px[i + c] = rng.int(0, 255);
      else if (kind === 'flat') px.set(x < w / 2 ? [10, 20, 30, 200] : [250, 240, 230, 60], i);
      else px.set([x & 255, y & 255, (x + y) & 255, (x * 3) & 255], i);
      if (opaque) px[i + 3] = 255;
    }
  }
  return px;
}

describe('PNG encoder', () => {
  for (const effort of [0, 1, 2, 3, 4, 6, 7, 9]) {
    for (const [w, h] of [[1, 1], [37, 5], [300, 300]] as const) {
      for (const kind of ['noise', 'flat', 'gradient'] as const) {
        for (const opaque of [true, false]) {
          it(`round-trips ${w}x${h} ${kind} ${opaque ? 'opaque' : 'alpha'} at effort ${effort}`, () => {
            const px = image(w, h, kind, opaque);
            const out = decodePng(encodePng(px, w, h, { effort }));
            expect([out.width, out.height]).toEqual([w, h]);
            expect(Buffer.from(out.data).equals(Buffer.from(px.buffer))).toBe(true);
          });
        }
      }
    }
  }

  it('writes RGB for opaque images above the small-image size and RGBA when any pixel is translucent', () => {
    const colourType = (png: Buffer) => png[25];
    expect(colourType(encodePng(image(300, 300, 'flat', true), 300, 300))).toBe(2);
    expect(colourType(encodePng(image(300, 300, 'flat', false), 300, 300))).toBe(6);
  });

  it('higher effort does not make flat artwork larger than storing it', () => {
    const px = image(300, 300, 'flat', false);
    const stored = encodePng(px, 300, 300, { effort: 0 }).length;
    for (const effort of [1, 2, 5, 9]) expect(encodePng(px, 300, 300, { effort }).length).toBeLessThan(stored / 20);
  });

  it('keeps pixel pairs whose bits read as -0, +0 or NaN doubles exact (fast row compare)', () => {
    const w = 300;
    const h = 300;
    const px = new Uint8ClampedArray(w * h * 4);
    const u32 = new Uint32Array(px.buffer);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x += 2) {
        const pattern = (x / 2 + y) % 4;
        // little-endian pairs: [lo, hi] -> +0, -0, a NaN, another NaN payload
        const pair = [[0, 0], [0, 0x80000000], [1, 0x7ff80000], [2, 0x7ff80000]][pattern];
        u32[y * w + x] = pair[0];
        u32[y * w + x + 1] = pair[1];
      }
    }
    for (const effort of [1, 2, 3]) {
      const out = decodePng(encodePng(px, w, h, { effort }));
      expect(Buffer.from(out.data).equals(Buffer.from(px.buffer)), `effort ${effort}`).toBe(true);
    }
  });

  it('rejects a pixel buffer of the wrong size', () => {
    expect(() => encodePng(new Uint8ClampedArray(10), 2, 2)).toThrow(/expected 16 bytes/);
  });
});
