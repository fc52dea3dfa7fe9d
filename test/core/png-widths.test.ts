// The Up filter's fast paths (core/png.ts) for every width and alignment: the filtered
// bytes inside IDAT must be exactly the textbook Up filter, so odd widths are not just
// faster but the same stream a byte-by-byte walk writes.
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../src-main/core/png.ts';
import { seededRng } from '../../src-main/core/random.ts';
import { decodePng } from '../support/png.ts';

/** Mostly repeated rows (as backgrounds are) with scattered changes, some translucent pixels, and -0/NaN bit patterns. */
function pixels(w: number, h: number, offset: number): Uint8Array {
  const rng = seededRng(w * 31 + h, 'png-widths');
  const buf = new Uint8Array(w * h * 4 + offset);
  const px = buf.subarray(offset);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      if (y > 0 && rng.int(0, 9) > 0) px.copyWithin(i, i - w * 4, i - w * 4 + 4);
      else px.set([rng.int(0, 255), rng.int(0, 255), rng.int(0, 255), rng.int(0, 3) === 0 ? 255 : rng.int(0, 254)], i);
    }
  }
  // float64 -0 is 00..80 (little-endian), a NaN 00..f8 7f / ff: put both over zeros and each other.
  if (w >= 2) {
    px.set([0, 0, 0, 0, 0, 0, 0, 0x80], 0);
    px.set([0, 0, 0, 0, 0, 0, 0xf8, 0x7f], w * 4 * (h - 1));
  }
  return px;
}

function upFiltered(px: Uint8Array, w: number, h: number): Buffer {
  const row = w * 4;
  const out = Buffer.alloc((row + 1) * h);
  for (let y = 0; y < h; y++) {
    out[y * (row + 1)] = y === 0 ? 0 : 2; // the first row is written unfiltered
    for (let i = 0; i < row; i++) out[y * (row + 1) + 1 + i] = px[y * row + i] - (y > 0 ? px[(y - 1) * row + i] : 0);
  }
  return out;
}

function idat(png: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const len = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') parts.push(png.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  return zlib.inflateSync(Buffer.concat(parts));
}

describe('PNG Up filter at every width', () => {
  // Above the small-image size (64K pixels), so the fast effort filters; translucent, so it is Up on RGBA.
  for (const [w, h] of [[300, 300], [301, 300], [257, 299], [1921, 40], [1, 70_000]] as const) {
    for (const offset of [0, 4, 1]) {
      it(`${w}x${h}, pixels at byte offset ${offset}: the textbook Up filter, and the pixels back`, () => {
        const px = pixels(w, h, offset);
        const png = encodePng(px, w, h, { effort: 2 });
        expect(png[25]).toBe(6); // RGBA
        const filtered = idat(png);
        expect(filtered.equals(upFiltered(px, w, h))).toBe(true);
        const back = decodePng(png);
        expect(Buffer.from(back.data).equals(Buffer.from(px))).toBe(true);
      });
    }
  }
});
