// Image layers: only PNG, JPEG, WebP and GIF, recognised by their bytes, with the
// declared size checked before Skia sees them (issue 10, attack 2).
import * as canvas from '@napi-rs/canvas';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { parseDesign } from '../../src-main/core/design.ts';
import { ImageHeaderError, sniffImage } from '../../src-main/core/image-header.ts';
import { loadImages, renderImage } from '../../src-main/core/render.ts';
import { decodePng, pixel } from '../support/png.ts';

// Counts every Skia Image made, to prove a refused source never reached Skia;
// `lie` makes Skia's reading of the size disagree, for the second-line check.
const skia = vi.hoisted(() => ({ images: 0, lie: false }));
vi.mock('@napi-rs/canvas', async (importOriginal) => {
  const real = await importOriginal<typeof import('@napi-rs/canvas')>();
  const Image = new Proxy(real.Image, {
    construct(target, args, newTarget) {
      skia.images++;
      const img = Reflect.construct(target, args, newTarget);
      if (skia.lie) Object.defineProperty(img, 'width', { get: () => 1 });
      return img;
    },
  });
  return { ...real, Image };
});
beforeEach(() => {
  skia.images = 0;
  skia.lie = false;
});

const { createCanvas } = canvas;
const encode = (c: canvas.Canvas, format: 'png' | 'jpeg' | 'webp' | 'gif', quality: number) => format === 'png' ? c.encodeSync('png') : format === 'gif' ? c.encodeSync('gif', quality) : c.encodeSync(format, quality);

/** A 3x2 picture: red, green, blue / white, black, red. */
const PIXELS = [
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
  [255, 255, 255],
  [0, 0, 0],
  [255, 0, 0],
] as const;
/** The picture in cells of `cell` pixels (JPEG needs big cells: it blurs colour across 16 px). */
function picture(cell = 1) {
  const c = createCanvas(3 * cell, 2 * cell);
  const g = c.getContext('2d');
  PIXELS.forEach(([r, gg, b], i) => {
    g.fillStyle = `rgb(${r},${gg},${b})`;
    g.fillRect((i % 3) * cell, Math.floor(i / 3) * cell, cell, cell);
  });
  return c;
}

/** RIFF chunks of a WebP, by type. */
function webpChunks(b: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (let at = 12; at + 8 <= b.length; ) {
    const size = b.readUInt32LE(at + 4);
    out.set(b.toString('latin1', at, at + 4), b.subarray(at + 8, at + 8 + size));
    at += 8 + size + (size & 1);
  }
  return out;
}
const riffChunk = (type: string, data: Buffer) => {
  const head = Buffer.alloc(8);
  head.write(type, 0, 'latin1');
  head.writeUInt32LE(data.length, 4);
  return Buffer.concat([head, data, Buffer.alloc(data.length & 1)]);
};
const riff = (...chunks: Buffer[]) => {
  const body = Buffer.concat([Buffer.from('WEBP'), ...chunks]);
  const head = Buffer.alloc(8);
  head.write('RIFF');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
};
const vp8x = (w: number, h: number, flags = 0) => {
  const d = Buffer.alloc(10);
  d[0] = flags;
  d.writeUIntLE(w - 1, 4, 3);
  d.writeUIntLE(h - 1, 7, 3);
  return riffChunk('VP8X', d);
};

/**
 * A GIF with a 4-colour table and one frame, written by hand. The LZW stream
 * sends a clear code before every second pixel, so the code width stays 3 bits
 * (an "uncompressed" GIF, which every decoder reads).
 */
function gif(w: number, h: number, indices: number[], colours: number[][], extra: Buffer = Buffer.alloc(0)): Buffer {
  const codes = [4];
  indices.forEach((p, i) => {
    if (i && i % 2 === 0) codes.push(4);
    codes.push(p);
  });
  codes.push(5);
  const data: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const c of codes) {
    acc |= c << bits;
    bits += 3;
    while (bits >= 8) {
      data.push(acc & 255);
      acc >>= 8;
      bits -= 8;
    }
  }
  if (bits) data.push(acc);
  const screen = Buffer.alloc(7);
  screen.writeUInt16LE(w, 0);
  screen.writeUInt16LE(h, 2);
  screen[4] = 0x81; // global colour table of 2^(1+1) entries
  const frame = Buffer.alloc(10);
  frame[0] = 0x2c;
  frame.writeUInt16LE(w, 5);
  frame.writeUInt16LE(h, 7);
  return Buffer.concat([
    Buffer.from('GIF89a'),
    screen,
    Buffer.from(colours.flat()),
    extra,
    frame,
    Buffer.from([2, data.length, ...data, 0]),
    Buffer.from([0x3b]),
  ]);
}
const GIF_COLOURS = [
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
  [255, 255, 255],
];
const realGif = () => gif(3, 2, [0, 1, 2, 3, 3, 0], GIF_COLOURS);

const dataUrl = (bytes: Buffer | string, mime = 'image/png') => `data:${mime};base64,${Buffer.from(bytes).toString('base64')}`;
const design = (src: string, w = 3, h = 2) => parseDesign({ width: w, height: h, background: [{ type: 'image', src, fit: 'stretch' }] });

/** loadImages' refusal of a source, asserting that Skia never saw it. */
async function refusal(src: string, assetDir?: string): Promise<{ field: string; rule: string }> {
  const err = await loadImages(design(src), assetDir).then(
    () => null,
    (e) => e,
  );
  expect(err, 'refused').not.toBeNull();
  expect(err.name).toBe('DesignError');
  expect(skia.images, 'Skia was handed the bytes').toBe(0);
  return err.issues[0];
}

const HUGE_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="60000" height="60000"><rect width="60000" height="60000" fill="red"/></svg>';
const NESTED_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">${'<g>'.repeat(50_000)}${'</g>'.repeat(50_000)}</svg>`;

function pngHeader(w: number, h: number): Buffer {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(w, 16);
  b.writeUInt32BE(h, 20);
  b[24] = 8;
  b[25] = 6;
  return b;
}

describe('sniffImage accepts the four formats with their size', () => {
  it.each(['png', 'jpeg', 'webp', 'gif'] as const)('%s from Skia’s encoder', (format) => {
    const bytes = encode(createCanvas(37, 23), format, 80);
    expect(sniffImage(bytes)).toEqual({ format, width: 37, height: 23 });
  });

  it('webp in its three layouts: simple lossy (VP8), simple lossless (VP8L), extended (VP8X)', async () => {
    const extended = createCanvas(37, 23).encodeSync('webp', 80);
    const lossless = createCanvas(37, 23).encodeSync('webp', 100);
    const vp8 = webpChunks(extended).get('VP8 ')!;
    const vp8l = webpChunks(lossless).get('VP8L')!;
    expect(vp8 && vp8l).toBeTruthy();
    for (const bytes of [riff(riffChunk('VP8 ', vp8)), riff(riffChunk('VP8L', vp8l)), extended, lossless]) {
      expect(sniffImage(bytes)).toEqual({ format: 'webp', width: 37, height: 23 });
      // Skia reads the rewrapped files too, at the same size.
      const img = await loadImages(design(dataUrl(bytes, 'image/webp')));
      expect([...img.values()].map((i) => [i.width, i.height])).toEqual([[37, 23]]);
    }
  });

  it('a hand-written GIF, which Skia then decodes to the same pixels', async () => {
    const bytes = realGif();
    expect(sniffImage(bytes)).toEqual({ format: 'gif', width: 3, height: 2 });
    const d = design(dataUrl(bytes, 'image/gif'));
    const out = decodePng(renderImage(d, { images: await loadImages(d) }).bytes);
    expect([0, 1, 2, 3, 3, 0].map((c, i) => pixel(out, i % 3, Math.floor(i / 3)))).toEqual([0, 1, 2, 3, 3, 0].map((c) => [...GIF_COLOURS[c], 255]));
  });

  it('a GIF with extensions before its frame, and one cut off after a whole frame', () => {
    const gce = Buffer.from([0x21, 0xf9, 4, 1, 0, 0, 0, 0]);
    const withExt = gif(3, 2, [0, 1, 2, 3, 3, 0], GIF_COLOURS, gce);
    expect(sniffImage(withExt)).toEqual({ format: 'gif', width: 3, height: 2 });
    expect(sniffImage(withExt.subarray(0, withExt.length - 1))).toEqual({ format: 'gif', width: 3, height: 2 });
  });

  it.each([
    ['png', 1, 0],
    ['webp', 1, 0], // quality 100 is lossless
    ['gif', 1, 0], // six colours fit its palette
    ['jpeg', 16, 40], // lossy: close, not exact, away from the cell edges
  ] as const)('%s decodes to the same pixels through loadImages', async (format, cell, tolerance) => {
    const d = design(dataUrl(encode(picture(cell), format, 100), `image/${format}`), 3 * cell, 2 * cell);
    const out = decodePng(renderImage(d, { images: await loadImages(d) }).bytes);
    for (const [i, want] of PIXELS.entries()) {
      const got = pixel(out, (i % 3) * cell + (cell >> 1), Math.floor(i / 3) * cell + (cell >> 1));
      for (let ch = 0; ch < 3; ch++) expect(Math.abs(got[ch] - want[ch]), `${format} pixel ${i}`).toBeLessThanOrEqual(tolerance);
    }
  });

  it('a JPEG with fill bytes and standalone markers before its frame header, and one turned by EXIF', async () => {
    const j = createCanvas(37, 23).encodeSync('jpeg', 90);
    const odd = Buffer.concat([j.subarray(0, 2), Buffer.from([0xff, 0xff, 0xff, 0x01]), j.subarray(2)]);
    expect(sniffImage(odd)).toEqual({ format: 'jpeg', width: 37, height: 23 });
    // EXIF orientation 6: Skia turns the picture, so it reads as 23x37; that is the same area, and accepted.
    const tiff = Buffer.from('4d4d002a00000008000101120003000000010006000000000000', 'hex');
    const exif = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
    const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, 0, exif.length + 2]), exif]);
    const turned = Buffer.concat([j.subarray(0, 2), app1, j.subarray(2)]);
    expect(sniffImage(turned)).toEqual({ format: 'jpeg', width: 37, height: 23 });
    const img = await loadImages(design(dataUrl(turned, 'image/jpeg')));
    expect([...img.values()].map((i) => [i.width, i.height])).toEqual([[23, 37]]);
  });

  it('the bytes decide, not the data URL’s declared type', async () => {
    const png = picture().encodeSync('png');
    expect((await loadImages(design(dataUrl(png, 'image/jpeg')))).size).toBe(1);
    skia.images = 0;
    expect(await refusal(dataUrl(HUGE_SVG, 'image/png'))).toEqual({ field: 'background.0.src', rule: 'must be a PNG, JPEG, WebP or GIF image; SVG is not accepted' });
  });
});

describe('everything else is refused, naming the field and the rule, before Skia sees it', () => {
  it('SVG: 60000x60000 (aborts Skia), 50,000 nested groups (crashes it), and with an XML prolog', async () => {
    expect(HUGE_SVG.length).toBeLessThan(300);
    for (const svg of [HUGE_SVG, NESTED_SVG, `\ufeff<?xml version="1.0"?>\n<!-- hi -->\n${HUGE_SVG}`])
      expect(await refusal(dataUrl(svg, 'image/svg+xml'))).toEqual({ field: 'background.0.src', rule: 'must be a PNG, JPEG, WebP or GIF image; SVG is not accepted' });
  });

  it.each([
    ['BMP', Buffer.concat([Buffer.from('BM'), Buffer.alloc(60)]), 'must be a PNG, JPEG, WebP or GIF image; BMP is not accepted'],
    ['ICO', Buffer.concat([Buffer.from([0, 0, 1, 0, 1, 0]), Buffer.alloc(40)]), 'must be a PNG, JPEG, WebP or GIF image; ICO/CUR is not accepted'],
    ['TIFF', Buffer.concat([Buffer.from('II*\0'), Buffer.alloc(40)]), 'must be a PNG, JPEG, WebP or GIF image; TIFF is not accepted'],
    ['AVIF', Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypavif'), Buffer.alloc(40)]), 'must be a PNG, JPEG, WebP or GIF image; AVIF/HEIF is not accepted'],
    ['HTML', Buffer.from('<html><body>hi</body></html>'), 'must be a PNG, JPEG, WebP or GIF image; this is XML or HTML'],
    ['nothing', Buffer.alloc(0), 'must be a PNG, JPEG, WebP or GIF image (it is empty)'],
    ['text', Buffer.from('hello'), 'must be a PNG, JPEG, WebP or GIF image'],
  ])('%s', async (_name, bytes, rule) => {
    expect(await refusal(dataUrl(bytes))).toEqual({ field: 'background.0.src', rule });
    expect(() => sniffImage(bytes)).toThrow(ImageHeaderError);
  });

  it('a real BMP and a real AVIF, which Skia would decode', async () => {
    // 1x1 24-bit BMP.
    const bmp = Buffer.alloc(58);
    bmp.write('BM');
    bmp.writeUInt32LE(58, 2);
    bmp.writeUInt32LE(54, 10);
    bmp.writeUInt32LE(40, 14);
    bmp.writeInt32LE(1, 18);
    bmp.writeInt32LE(1, 22);
    bmp.writeUInt16LE(1, 26);
    bmp.writeUInt16LE(24, 28);
    const skiaReads = new canvas.Image();
    skiaReads.src = bmp;
    await skiaReads.decode();
    expect(skiaReads.width).toBe(1);
    const avif = createCanvas(8, 8).encodeSync('avif');
    const skiaReadsToo = new canvas.Image();
    skiaReadsToo.src = avif;
    await skiaReadsToo.decode();
    expect(skiaReadsToo.width).toBe(8);
    skia.images = 0;
    expect((await refusal(dataUrl(bmp, 'image/bmp'))).rule).toBe('must be a PNG, JPEG, WebP or GIF image; BMP is not accepted');
    expect((await refusal(dataUrl(avif, 'image/avif'))).rule).toBe('must be a PNG, JPEG, WebP or GIF image; AVIF/HEIF is not accepted');
  });

  it('truncated headers of each format', async () => {
    const png = picture().encodeSync('png');
    const jpeg = picture().encodeSync('jpeg', 90);
    const webp = picture().encodeSync('webp', 80);
    const sofAt = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    const cases: [Buffer, RegExp][] = [
      [png.subarray(0, 20), /^must be a valid PNG, JPEG, WebP or GIF image: PNG header is truncated$/],
      [png.subarray(0, 5), /^must be a PNG, JPEG, WebP or GIF image; the header is truncated$/],
      [jpeg.subarray(0, sofAt), /^must be a valid PNG, JPEG, WebP or GIF image: JPEG ends before its frame header \(truncated\)$/],
      [jpeg.subarray(0, sofAt + 6), /^must be a valid PNG, JPEG, WebP or GIF image: JPEG frame header is truncated$/],
      [jpeg.subarray(0, 2), /^must be a PNG, JPEG, WebP or GIF image; the JPEG header is truncated or invalid$/],
      [webp.subarray(0, 40), /^must be a valid PNG, JPEG, WebP or GIF image: WebP is truncated \(shorter than its RIFF size\)$/],
      [realGif().subarray(0, 12), /^must be a valid PNG, JPEG, WebP or GIF image: GIF header is truncated$/],
      [realGif().subarray(0, 30), /^must be a valid PNG, JPEG, WebP or GIF image: GIF (ends before its first image|image descriptor is truncated)/],
    ];
    for (const [bytes, rule] of cases) {
      const r = await refusal(dataUrl(bytes));
      expect(r.field).toBe('background.0.src');
      expect(r.rule).toMatch(rule);
    }
  });

  it('a PNG whose IHDR claims 60000x60000 (a few bytes; no pixel data needed)', async () => {
    expect(sniffImage(pngHeader(60000, 60000))).toEqual({ format: 'png', width: 60000, height: 60000 });
    expect(await refusal(dataUrl(pngHeader(60000, 60000)))).toEqual({
      field: 'background.0.src',
      rule: 'is 60000x60000 pixels; images may have at most 33,177,600 (checked before decoding)',
    });
    // The limit itself: 7680x4320 passes the header check, one more row does not.
    expect((await refusal(dataUrl(pngHeader(7680, 4321)))).rule).toMatch(/^is 7680x4321 pixels/);
    expect(() => sniffImage(pngHeader(0, 5))).toThrow(/PNG declares an impossible size 0x5/);
    expect(() => sniffImage(pngHeader(2 ** 31, 5))).toThrow(/impossible size/);
  });

  it('a JPEG whose frame header claims 65535x65535', async () => {
    const jpeg = Buffer.from(picture().encodeSync('jpeg', 90));
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    jpeg.writeUInt16BE(65535, sof + 5);
    jpeg.writeUInt16BE(65535, sof + 7);
    expect(await refusal(dataUrl(jpeg))).toEqual({ field: 'background.0.src', rule: 'is 65535x65535 pixels; images may have at most 33,177,600 (checked before decoding)' });
    jpeg.writeUInt16BE(0, sof + 5); // height 0: given later by DNL, so unknown before decoding
    expect((await refusal(dataUrl(jpeg))).rule).toMatch(/JPEG declares size 65535x0 \(a size given later, by DNL, is not accepted\)/);
  });

  it('a WebP whose VP8X canvas claims 16384x16384, with or without a bitstream that agrees', async () => {
    // A lossless bitstream header declaring 16384x16384: consistent, and over the area limit.
    const vp8l = Buffer.alloc(5);
    vp8l[0] = 0x2f;
    vp8l.writeUInt32LE(16383 | (16383 << 14), 1);
    const big = riff(vp8x(16384, 16384), riffChunk('VP8L', vp8l));
    expect(sniffImage(big)).toEqual({ format: 'webp', width: 16384, height: 16384 });
    expect(await refusal(dataUrl(big))).toEqual({ field: 'background.0.src', rule: 'is 16384x16384 pixels; images may have at most 33,177,600 (checked before decoding)' });
    // A real 3x2 bitstream under a canvas that claims more: the two disagree.
    const small = webpChunks(picture().encodeSync('webp', 80)).get('VP8 ')!;
    expect((await refusal(dataUrl(riff(vp8x(16384, 16384), riffChunk('VP8 ', small))))).rule).toBe(
      'must be a valid PNG, JPEG, WebP or GIF image: WebP image is 3x2 but its canvas says 16384x16384',
    );
  });

  it('animation frames outside their canvas or screen', async () => {
    const anmf = Buffer.alloc(16);
    anmf.writeUIntLE(5, 0, 3); // x = 10
    anmf.writeUIntLE(99, 6, 3); // 100 wide
    anmf.writeUIntLE(9, 9, 3); // 10 high
    const animated = riff(vp8x(100, 100, 0x02), riffChunk('ANIM', Buffer.alloc(6)), riffChunk('ANMF', anmf));
    expect((await refusal(dataUrl(animated))).rule).toBe('must be a valid PNG, JPEG, WebP or GIF image: WebP frame 1 (100x10 at 10,0) lies outside its 100x100 canvas');
    anmf.writeUIntLE(0, 0, 3);
    expect(sniffImage(riff(vp8x(100, 100, 0x02), riffChunk('ANMF', anmf)))).toEqual({ format: 'webp', width: 100, height: 100 });
    expect(() => sniffImage(riff(vp8x(100, 100, 0x02)))).toThrow(/WebP has no image data/);

    // A GIF whose 3x2 frame sits in a 2x2 screen: decoders enlarge the screen to fit it.
    const g = realGif();
    g.writeUInt16LE(2, 6);
    expect((await refusal(dataUrl(g))).rule).toBe('must be a valid PNG, JPEG, WebP or GIF image: GIF frame 1 (3x2 at 0,0) lies outside its 2x2 screen');
  });

  it('Skia must read the size the header declared (second line)', async () => {
    skia.lie = true;
    const err = await loadImages(design(dataUrl(picture().encodeSync('png')))).catch((e) => e);
    expect(err.message).toBe('background.0.src: must be a valid PNG, JPEG, WebP or GIF image: its header says 3x2 but it reads as 1x2');
  });
});

describe('image files go through the same check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'image-header-'));
  it('an SVG file named .png, relative to the design’s folder or absolute', async () => {
    writeFileSync(join(dir, 'logo.png'), HUGE_SVG);
    for (const [src, assetDir] of [['logo.png', dir], [join(dir, 'logo.png'), undefined]] as const)
      expect(await refusal(src, assetDir)).toEqual({ field: 'background.0.src', rule: 'must be a PNG, JPEG, WebP or GIF image; SVG is not accepted' });
    writeFileSync(join(dir, 'ok.gif'), realGif());
    expect((await loadImages(design('ok.gif'), dir)).size).toBe(1);
  });

  it('a folder, a device or a pipe is not read', async () => {
    expect((await refusal(dir)).rule).toMatch(/^must be an image file, not a device, folder or pipe/);
    if (process.platform === 'win32') return;
    expect((await refusal('/dev/zero')).rule).toMatch(/^must be an image file, not a device, folder or pipe/);
    const fifo = join(dir, 'pipe.png');
    execFileSync('mkfifo', [fifo]);
    // Opening a FIFO for reading would block until a writer came; this must answer at once.
    expect((await refusal(fifo)).rule).toMatch(/^must be an image file, not a device, folder or pipe/);
  });
});

describe('sniffImage on arbitrary bytes', () => {
  const valid = [picture().encodeSync('png'), picture().encodeSync('jpeg', 90), picture().encodeSync('webp', 80), realGif()];
  const check = (bytes: Uint8Array) => {
    try {
      const h = sniffImage(bytes);
      expect(['png', 'jpeg', 'webp', 'gif']).toContain(h.format);
      expect(Number.isInteger(h.width) && h.width > 0 && Number.isInteger(h.height) && h.height > 0).toBe(true);
      expect(Math.max(h.width, h.height)).toBeLessThan(2 ** 31);
    } catch (e) {
      if (!(e instanceof ImageHeaderError)) throw e;
      expect(e.message).toMatch(/^must be a (valid )?PNG, JPEG, WebP or GIF image/);
    }
  };

  it('answers with a header or an ImageHeaderError, never anything else', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), check), { numRuns: 2000 });
  });

  it('... also for valid images with bytes changed or cut off', () => {
    const mutated = fc
      .tuple(fc.constantFrom(...valid), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat())
      .map(([src, edits, cut]) => {
        const b = Buffer.from(src);
        for (const [at, v] of edits) b[at % b.length] = v;
        return b.subarray(0, b.length - (cut % 8 === 0 ? cut % b.length : 0));
      });
    fc.assert(fc.property(mutated, check), { numRuns: 3000 });
  });
});
