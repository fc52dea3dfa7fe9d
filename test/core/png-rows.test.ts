/**
 * The one-pass encoder for flat images (core/png-rows.ts): every
 * image it writes must decode to exactly its pixels in two independent decoders, and it
 * must step aside for images it would write badly.
 */
import zlib from 'node:zlib';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { parseDesign } from '../../src-main/core/design.ts';
import { encodePng } from '../../src-main/core/png.ts';
import { deflateFlatRows, huffmanLengths } from '../../src-main/core/png-rows.ts';
import { getPreset } from '../../src-main/core/presets.ts';
import { seededRng } from '../../src-main/core/random.ts';
import { renderDesign } from '../../src-main/core/render.ts';
import { decodePng } from '../support/png.ts';

const bytesOf = (px: Uint8Array | Uint8ClampedArray) => new Uint8Array(px.buffer, px.byteOffset, px.length);

/** The PNG's IDAT payload (this encoder writes one). */
function idatOf(png: Buffer): Buffer {
  for (let o = 8; o < png.length; ) {
    const len = png.readUInt32BE(o);
    if (png.toString('latin1', o + 4, o + 8) === 'IDAT') return png.subarray(o + 8, o + 8 + len);
    o += 12 + len;
  }
  throw new Error('no IDAT');
}

/** A transparent image whose rows mostly repeat: a few random rectangles, random lone pixels, long runs of one colour. */
function sparseImage(seed: number): { px: Uint8ClampedArray; w: number; h: number } {
  const rng = seededRng(seed, 'png-rows');
  const w = rng.int(1, 700);
  const h = rng.int(1, 120);
  const px = new Uint8ClampedArray(w * h * 4);
  const u32 = new Uint32Array(px.buffer);
  const colour = () => (rng.int(0, 3) === 0 ? 0 : rng.int(0, 2 ** 32 - 1)) >>> 0;
  for (let r = rng.int(0, 4); r > 0; r--) {
    const [x0, y0] = [rng.int(0, w - 1), rng.int(0, h - 1)];
    const [x1, y1] = [rng.int(x0, w - 1), rng.int(y0, h - 1)];
    const c = colour();
    for (let y = y0; y <= y1; y++) u32.fill(c, y * w + x0, y * w + x1 + 1);
  }
  for (let n = rng.int(0, (w * h) / 200); n > 0; n--) u32[rng.int(0, w * h - 1)] = colour();
  return { px, w, h };
}

describe('one-pass PNG encoder for flat images', () => {
  it('writes seed 000 at even and odd window sizes exactly, and not much larger than zlib', () => {
    const preset = getPreset('seed-000-background')!;
    for (const [width, height] of [[1920, 1080], [1921, 1080], [1366, 768], [375, 667]]) {
      const r = renderDesign(parseDesign({ ...preset, width, height }), { seed: 1 });
      const own = deflateFlatRows(bytesOf(r.pixels), width, height, 4);
      expect(own, `${width}x${height} takes the one-pass path`).not.toBeNull();
      const png = encodePng(r.pixels, width, height);
      expect(idatOf(png).equals(own!)).toBe(true);
      const decoded = decodePng(png);
      expect(Buffer.from(decoded.data).equals(Buffer.from(bytesOf(r.pixels)))).toBe(true);
      // The same scanlines through zlib's RLE, as the general path writes them.
      const zlibSize = zlib.deflateSync(zlib.inflateSync(own!), { level: 1, strategy: zlib.constants.Z_RLE }).length;
      // Its own Huffman table per image: about zlib's size (measured 22.6 KB against 23.2 KB at 1921x1080).
      expect(own!.length, `${width}x${height}`).toBeLessThan(zlibSize * 1.05);
    }
  });

  it('round-trips 200 random sparse images exactly (pngjs)', () => {
    let taken = 0;
    for (let seed = 0; seed < 200; seed++) {
      const { px, w, h } = sparseImage(seed);
      const own = deflateFlatRows(bytesOf(px), w, h, 4);
      if (own) taken++;
      const decoded = decodePng(encodePng(px, w, h));
      expect([decoded.width, decoded.height]).toEqual([w, h]);
      expect(Buffer.from(decoded.data).equals(Buffer.from(px.buffer)), `seed ${seed}, ${w}x${h}`).toBe(true);
    }
    // Most of them are sparse enough for the one-pass path: the loop above tested it, not only zlib.
    expect(taken).toBeGreaterThan(50);
  });

  it('runs longer than one match, and of exactly 258 + 1 and 258 + 2 bytes, stay exact', () => {
    for (const w of [64, 65, 129, 130, 1000]) {
      const h = 300;
      const px = new Uint8ClampedArray(w * h * 4);
      const u32 = new Uint32Array(px.buffer);
      u32.fill(0x80f0efef, 0, w); // row 0: one colour (Sub makes it zeros)
      u32[w + 5] = 0x01020304; // row 1: one changed pixel
      u32.fill(0x01020304, 2 * w, 3 * w); // row 2: the whole row changes
      u32.fill(0x01020304, 3 * w, h * w); // then every row repeats it
      const own = deflateFlatRows(bytesOf(px), w, h, 4);
      expect(own).not.toBeNull();
      const raw = zlib.inflateSync(own!); // zlib checks the Adler-32 too
      expect(raw.length).toBe((w * 4 + 1) * h);
      expect(Buffer.from(decodePng(encodePng(px, w, h)).data).equals(Buffer.from(px.buffer))).toBe(true);
    }
  });

  it('writes opaque flat images as RGB, exactly: random sparse images made opaque', () => {
    let taken = 0;
    for (let seed = 0; seed < 100; seed++) {
      const { px, w, h } = sparseImage(seed);
      for (let i = 3; i < px.length; i += 4) px[i] = 255;
      if (deflateFlatRows(bytesOf(px), w, h, 3)) taken++;
      const png = encodePng(px, w, h, { opaque: true });
      if (w * h > 65_536) expect(png[25], `seed ${seed}: colour type`).toBe(2);
      const decoded = decodePng(png);
      expect(Buffer.from(decoded.data).equals(Buffer.from(px.buffer)), `seed ${seed}, ${w}x${h}`).toBe(true);
    }
    expect(taken).toBeGreaterThan(25);
  });

  it('takes Sub rows for a vertical gradient and Up rows for repeated ones in one image', () => {
    const [w, h] = [500, 300];
    const px = new Uint8ClampedArray(w * h * 4);
    const u32 = new Uint32Array(px.buffer);
    // Top half: one colour per row (a gradient: Sub makes each row zeros after its first pixel).
    for (let y = 0; y < 150; y++) u32.fill((0xff000000 | (y * 0x010203)) >>> 0, y * w, (y + 1) * w);
    // Bottom half: a stripe pattern repeated every row (Up makes each row zeros).
    for (let y = 150; y < h; y++) for (let x = 0; x < w; x++) u32[y * w + x] = x % 7 < 3 ? 0xff2040f0 : 0xff10e080;
    const own = deflateFlatRows(bytesOf(px), w, h, 3);
    expect(own).not.toBeNull();
    const raw = zlib.inflateSync(own!);
    const filters = Array.from({ length: h }, (_, y) => raw[y * (w * 3 + 1)]);
    expect(filters.slice(1, 150).every((f) => f === 1)).toBe(true);
    expect(filters.slice(151).every((f) => f === 2)).toBe(true);
    // Both halves cost little: about a dozen bytes a row.
    expect(own!.length).toBeLessThan(h * 16);
    expect(Buffer.from(decodePng(encodePng(px, w, h)).data).equals(Buffer.from(px.buffer))).toBe(true);
  });

  it('encodes the sunset preview the designer asks for at 1920x1080 fitted in one pass', () => {
    const r = renderDesign(parseDesign(getPreset('sunset-background')!), { seed: 7, viewScale: 0.33 });
    expect(deflateFlatRows(bytesOf(r.pixels), r.width, r.height, 4)).not.toBeNull();
    const decoded = decodePng(encodePng(r.pixels, r.width, r.height));
    expect(Buffer.from(decoded.data).equals(Buffer.from(bytesOf(r.pixels)))).toBe(true);
  });

  it('builds Huffman codes no longer than the limit, complete, from skewed counts', () => {
    // Fibonacci counts build the deepest tree there is: 30 symbols would need 29 bits.
    const fib = [1, 1];
    while (fib.length < 30) fib.push(fib.at(-1)! + fib.at(-2)!);
    const spread = Array.from({ length: 286 }, (_, i) => (i * 7919) % 1000);
    for (const [counts, limit] of [[fib, 15], [fib, 7], [[5, 0, 0, 9, 1], 15], [spread, 15]] as const) {
      const len = huffmanLengths(counts, limit);
      const used = counts.map((c, i) => [c, len[i]] as const).filter(([c]) => c > 0);
      expect(used.every(([, l]) => l >= 1 && l <= limit)).toBe(true);
      expect(counts.every((c, i) => c > 0 || len[i] === 0)).toBe(true);
      expect(used.reduce((k, [, l]) => k + 2 ** -l, 0)).toBe(1);
    }
    // More frequent symbols never get longer codes.
    const len = huffmanLengths([100, 1, 50, 2], 15);
    expect(len[0]).toBeLessThanOrEqual(len[2]);
    expect(len[2]).toBeLessThanOrEqual(len[3]);
    expect([...huffmanLengths([0, 4, 0], 15)]).toEqual([0, 1, 0]);
  });

  it('steps aside for busy images, which the general path still writes exactly', () => {
    const [w, h] = [300, 200];
    const rng = seededRng(7, 'busy');
    const px = new Uint8ClampedArray(w * h * 4).map(() => rng.int(0, 255));
    expect(deflateFlatRows(bytesOf(px), w, h, 4)).toBeNull();
    expect(Buffer.from(decodePng(encodePng(px, w, h)).data).equals(Buffer.from(px.buffer))).toBe(true);
  });

  it('is read by Skia, a second decoder, to the same pixels', async () => {
    const [w, h] = [333, 211];
    const px = new Uint8ClampedArray(w * h * 4);
    const u32 = new Uint32Array(px.buffer);
    // Opaque shapes on transparent: premultiplied decoders keep these exact.
    for (let y = 20; y < 150; y++) u32.fill(0xff3355aa, y * w + 40, y * w + 40 + y);
    for (let y = 100; y < 200; y++) u32.fill(0xff000000 | (Math.floor(y / 20) * 0x1f3d5b), y * w + 200, y * w + 300);
    expect(deflateFlatRows(bytesOf(px), w, h, 4)).not.toBeNull();
    const img = await loadImage(encodePng(px, w, h));
    const ctx = createCanvas(w, h).getContext('2d');
    ctx.drawImage(img, 0, 0);
    const seen = new Uint32Array(ctx.getImageData(0, 0, w, h).data.buffer);
    let wrong = 0;
    for (let i = 0; i < u32.length; i++) if (seen[i] !== u32[i]) wrong++;
    expect(wrong).toBe(0);
  });
});
