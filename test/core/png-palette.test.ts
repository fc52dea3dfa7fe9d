/**
 * Indexed-colour PNGs (core/png-palette.ts) at effort 1: every file must decode to exactly
 * its pixels in two independent decoders, and images of more than 256 colours must get
 * the other encoders' files, still exact.
 */
import zlib from 'node:zlib';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { parseDesign } from '../../src-main/core/design.ts';
import { encodePng, PALETTE_MAX_PIXELS } from '../../src-main/core/png.ts';
import { encodePngFast } from '../../src-main/core/png-native.ts';
import { encodeIndexed, indexPixels, SPANS_PER_ROW, type InkSpans } from '../../src-main/core/png-palette.ts';
import { getPreset } from '../../src-main/core/presets.ts';
import { seededRng } from '../../src-main/core/random.ts';
import { renderDesign } from '../../src-main/core/render.ts';
import { decodePng } from '../support/png.ts';

const bytesOf = (px: Uint8Array | Uint8ClampedArray) => new Uint8Array(px.buffer, px.byteOffset, px.length);
const sameBytes = (a: Uint8Array | Uint8ClampedArray, b: Uint8Array | Uint8ClampedArray) => Buffer.from(bytesOf(a)).equals(Buffer.from(bytesOf(b)));
/** IHDR's colour type: 2 RGB, 3 indexed, 6 RGBA. */
const colourType = (png: Buffer) => png[25];

/** The named chunk's data (the first one). */
function chunkOf(png: Buffer, type: string): Buffer | null {
  for (let o = 8; o < png.length; ) {
    const len = png.readUInt32BE(o);
    if (png.toString('latin1', o + 4, o + 8) === type) return png.subarray(o + 8, o + 8 + len);
    o += 12 + len;
  }
  return null;
}

/** `colours` random colours (opaque unless `translucent`) in runs of random length, as drawing makes them. */
function runsImage(seed: number, colours: number, translucent = false): { px: Uint8ClampedArray; w: number; h: number } {
  const rng = seededRng(seed, 'png-palette');
  const w = rng.int(1, 400);
  const h = rng.int(1, Math.min(160, Math.floor(PALETTE_MAX_PIXELS / w)));
  const palette = Array.from({ length: colours }, (_, i) => (((translucent && i % 3 === 0 ? rng.int(0, 254) : 255) << 24) | rng.int(0, 0xffffff)) >>> 0);
  const px = new Uint8ClampedArray(w * h * 4);
  const u32 = new Uint32Array(px.buffer);
  for (let i = 0; i < u32.length; ) {
    const run = rng.int(0, 3) === 0 ? rng.int(1, 600) : rng.int(1, 4);
    u32.fill(palette[rng.int(0, colours - 1)], i, Math.min(u32.length, i + run));
    i += run;
  }
  // Every colour at least once, so an image asked for 256 colours holds 256.
  for (let c = 0; c < colours && c < u32.length; c++) u32[rng.int(0, u32.length - 1)] = palette[c];
  return { px, w, h };
}

describe('indexed PNGs at effort 1 (png-palette.ts)', () => {
  it("writes seed 002's captcha as indexed colour at every seed, exactly, at about half fdeflate's bytes", () => {
    const design = parseDesign(getPreset('seed-002-captcha')!);
    let ours = 0;
    let native = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const r = renderDesign(design, { seed });
      const png = encodePng(r.pixels, r.width, r.height, { effort: 1, opaque: r.opaque });
      expect(colourType(png), `seed ${seed}`).toBe(3);
      expect(chunkOf(png, 'tRNS')).toBeNull(); // every colour opaque
      // Glyph coverage in 16 levels (core/text.ts): the background and 15 levels per glyph at most.
      expect(chunkOf(png, 'PLTE')!.length / 3, `seed ${seed}`).toBeLessThanOrEqual(1 + 5 * 15);
      // zlib checks the stream and its Adler-32; a row is its filter byte (None) and 270 indices.
      const raw = zlib.inflateSync(chunkOf(png, 'IDAT')!);
      expect(raw.length).toBe(271 * 40);
      for (let y = 0; y < 40; y++) expect(raw[y * 271]).toBe(0);
      expect(sameBytes(decodePng(png).data, r.pixels), `seed ${seed}`).toBe(true);
      ours += png.length;
      native += encodePngFast(r.pixels, r.width, r.height)!.length;
    }
    expect(ours).toBeLessThan(native * 0.65);
  });

  it('round-trips 150 random images of 1-256 colours exactly (pngjs), translucent ones with a tRNS chunk', () => {
    let indexed = 0;
    for (let seed = 0; seed < 150; seed++) {
      const colours = seed % 5 === 0 ? 256 : 1 + (seed % 97);
      const translucent = seed % 2 === 1;
      const { px, w, h } = runsImage(seed, colours, translucent);
      const png = encodePng(px, w, h, { effort: 1 });
      const label = `seed ${seed}, ${w}x${h}, ${colours} colours`;
      expect(sameBytes(decodePng(png).data, px), label).toBe(true);
      // Up to 96 colours pass the early pace check wherever they appear; more, spread from
      // the first row on as here, may be left to the other encoders (still exact, above).
      if (colours <= 96) expect(colourType(png), label).toBe(3);
      if (colourType(png) !== 3) continue;
      indexed++;
      const anyTranslucent = new Uint32Array(px.buffer).some((c) => c >>> 24 !== 255);
      expect(chunkOf(png, 'tRNS') !== null, label).toBe(anyTranslucent);
      expect(chunkOf(png, 'PLTE')!.length).toBeLessThanOrEqual(256 * 3);
    }
    expect(indexed).toBeGreaterThan(110);
  });

  it('decodes to the same pixels in Skia (a second decoder), opaque and odd-sized', async () => {
    for (const seed of [3, 8, 13]) {
      const { px, w, h } = runsImage(seed, 200);
      const png = encodePng(px, w, h, { effort: 1 });
      expect(colourType(png)).toBe(3);
      const ctx = createCanvas(w, h).getContext('2d');
      ctx.drawImage(await loadImage(png), 0, 0);
      expect(sameBytes(ctx.getImageData(0, 0, w, h).data, px), `seed ${seed}`).toBe(true);
    }
  });

  it('gives up at the 257th colour: the other encoders write the image, still exactly', () => {
    /** One background colour and `n - 1` others in the last rows (late enough for the pace check to pass them). */
    const image = (n: number) => {
      const [w, h] = [120, 50];
      const px = new Uint8ClampedArray(w * h * 4);
      const u32 = new Uint32Array(px.buffer).fill(0xff808080);
      for (let c = 1; c < n; c++) u32[u32.length - c * 3] = (0xff000000 | (c * 0x010203)) >>> 0;
      return { px, w, h };
    };
    const over = image(257);
    expect(indexPixels(bytesOf(over.px), over.w, over.h)).toBeNull();
    const png = encodePng(over.px, over.w, over.h, { effort: 1 });
    expect(colourType(png)).not.toBe(3);
    expect(sameBytes(decodePng(png).data, over.px)).toBe(true);
    // One colour fewer fits.
    const fits = image(256);
    expect(indexPixels(bytesOf(fits.px), fits.w, fits.h)?.size).toBe(256);
    expect(sameBytes(decodePng(encodePng(fits.px, fits.w, fits.h, { effort: 1 })).data, fits.px)).toBe(true);
  });

  it('steps aside early for busy captchas (a gradient under noise), and only at effort 1 and small sizes', () => {
    for (const name of ['classic-captcha', 'digits-captcha', 'neon-captcha']) {
      const r = renderDesign(parseDesign(getPreset(name)!), { seed: 4 });
      expect(indexPixels(bytesOf(r.pixels), r.width, r.height), name).toBeNull();
      expect(colourType(encodePng(r.pixels, r.width, r.height, { effort: 1, opaque: r.opaque }))).not.toBe(3);
    }
    const flat = runsImage(21, 12);
    expect(colourType(encodePng(flat.px, flat.w, flat.h, { effort: 2 }))).not.toBe(3);
    const w = 300;
    const h = Math.ceil((PALETTE_MAX_PIXELS + 1) / w);
    const large = new Uint8ClampedArray(w * h * 4).fill(255);
    expect(colourType(encodePng(large, w, h, { effort: 1 }))).not.toBe(3);
  });

  it('keeps runs longer than a match exact, including 258 + 1 and 258 + 2, and across rows', () => {
    for (const w of [1, 3, 258, 259, 260, 261, 517, 1000]) {
      const h = 40;
      const px = new Uint8ClampedArray(w * h * 4);
      const u32 = new Uint32Array(px.buffer);
      u32.fill(0xff102030);
      u32[Math.floor(w * 20.5)] = 0xff405060; // one lone pixel in the middle
      u32.fill(0xff708090, w * 30, w * 30 + Math.min(w, 260)); // a run of another colour
      const png = encodePng(px, w, h, { effort: 1 });
      expect(colourType(png)).toBe(3);
      expect(zlib.inflateSync(chunkOf(png, 'IDAT')!).length).toBe((w + 1) * h);
      expect(sameBytes(decodePng(png).data, px), `${w}x${h}`).toBe(true);
    }
  });

  it("keeps Adler-32 exact at the largest indexed size with the largest sums (all index 255), and refuses a plane past the exact range", () => {
    const w = 256;
    const h = PALETTE_MAX_PIXELS / w;
    const colours = new Uint32Array(256).map((_, k) => (0xff000000 | (k * 0x010101)) >>> 0);
    // Index 255 everywhere but a short run of index 1 per row: Adler's sums grow fastest on high bytes.
    const plane = new Uint8Array(w * h).fill(255);
    for (let y = 0; y < h; y++) plane.fill(1, y * w + (y % 200), y * w + (y % 200) + 3);
    const { idat } = encodeIndexed({ plane, colours, size: 256 }, w, h);
    const rows = zlib.inflateSync(idat); // zlib checks the Adler-32 trailer: a wrong one throws
    for (let y = 0; y < h; y++) expect(rows.subarray(y * (w + 1) + 1, (y + 1) * (w + 1)).equals(Buffer.from(plane.subarray(y * w, (y + 1) * w))), `row ${y}`).toBe(true);
    expect(() => encodeIndexed({ plane: new Uint8Array(2048 * 2048), colours, size: 256 }, 2048, 2048)).toThrow(RangeError);
  });

  it('counts the zeros outside the inked spans it is given without reading them, and writes the same stream as from the whole plane', () => {
    const w = 97;
    const h = 23;
    const colours = new Uint32Array(256).map((_, k) => (0xff000000 | (k * 0x010203)) >>> 0);
    let strays = 0;
    for (let seed = 0; seed < 60; seed++) {
      const rng = seededRng(seed, 'ink-spans');
      const plane = new Uint8Array(w * h);
      const ink: InkSpans = { spans: new Int32Array(h * SPANS_PER_ROW * 2), count: new Uint8Array(h) };
      for (let y = 0; y < h; y++) {
        // Up to 10 spans a row (past SPANS_PER_ROW the row is marked to be read whole), some touching.
        const n = rng.int(0, 10);
        let x = rng.int(0, 6);
        const row: [number, number][] = [];
        for (let k = 0; k < n && x < w; k++) {
          const to = Math.min(w, x + rng.int(1, 9));
          for (let i = x; i < to; i++) plane[y * w + i] = rng.int(0, 3) === 0 ? 0 : rng.int(0, 2) === 0 ? 7 : rng.int(1, 200);
          row.push([x, to]);
          x = to + rng.int(0, 8);
        }
        ink.count[y] = row.length > SPANS_PER_ROW ? SPANS_PER_ROW + 1 : row.length;
        if (row.length <= SPANS_PER_ROW) row.forEach(([f, t], k) => ink.spans.set([f, t], (y * SPANS_PER_ROW + k) * 2));
      }
      const whole = encodeIndexed({ plane, colours, size: 256 }, w, h).idat;
      const spanned = encodeIndexed({ plane, colours, size: 256, ink }, w, h).idat;
      expect(Buffer.from(spanned).equals(Buffer.from(whole)), `seed ${seed}`).toBe(true);
      // What lies outside the spans is taken as 0 unread: a stray index there does not reach the file.
      const stray = Uint8Array.from(plane);
      const y = ink.count.indexOf(0);
      if (y >= 0) {
        stray[y * w + (seed % w)] = 9;
        const rows = zlib.inflateSync(encodeIndexed({ plane: stray, colours, size: 256, ink }, w, h).idat);
        expect(rows[y * (w + 1) + 1 + (seed % w)], `seed ${seed}`).toBe(0);
        strays++;
      }
    }
    expect(strays).toBeGreaterThan(10);
  });

  it('writes the same file from an index plane as from the pixels it stands for', () => {
    const { px, w, h } = runsImage(42, 60);
    const indexed = indexPixels(bytesOf(px), w, h)!;
    const fromPlane = encodeIndexed({ plane: Uint8Array.from(indexed.plane.subarray(0, w * h)), colours: indexed.colours, size: indexed.size }, w, h);
    const viaPixels = encodePng(px, w, h, { effort: 1 });
    expect(chunkOf(viaPixels, 'IDAT')!.equals(fromPlane.idat)).toBe(true);
    expect(chunkOf(viaPixels, 'PLTE')!.equals(fromPlane.palette)).toBe(true);
  });
});
