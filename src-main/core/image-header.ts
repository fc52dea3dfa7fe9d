/**
 * Identifies an image-layer source by its bytes and reads the size its header
 * declares, before any decoder sees it. Skia decodes whatever it recognises,
 * SVG included, and a 300-byte SVG declaring 60000x60000 pixels (or 50,000
 * nested groups) aborts the whole process; a few KiB of PNG can declare a
 * 3.6-gigapixel image. So only PNG, JPEG, WebP and GIF pass, and only when the
 * header is complete and consistent. Pure: no I/O, no decoding, no allocation
 * proportional to the input; every loop advances through the bytes, so the
 * work is at most linear in their length.
 */

import { ParseError } from './parse-error.ts';

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif';

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
}

/** The bytes are not an acceptable image; the message (the rule) says why, for the caller to put after its field. */
export class ImageHeaderError extends ParseError {
  constructor(rule: string) {
    super('image', rule);
    this.name = 'ImageHeaderError';
  }
}

export const IMAGE_FORMATS = 'PNG, JPEG, WebP or GIF';

const fail = (why: string): never => {
  throw new ImageHeaderError(why);
};

const u16be = (b: Uint8Array, i: number) => (b[i] << 8) | b[i + 1];
const u32be = (b: Uint8Array, i: number) => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
const u16le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8);
const u24le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
const u32le = (b: Uint8Array, i: number) => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
const ascii = (b: Uint8Array, i: number, n: number) => String.fromCharCode(...b.subarray(i, i + n));
const startsWith = (b: Uint8Array, sig: readonly number[], at = 0) => b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * The format and declared size of an image, from its header alone.
 * Throws ImageHeaderError for anything that is not a complete, consistent PNG,
 * JPEG, WebP or GIF header (SVG, BMP, ICO, TIFF, AVIF, text, truncated files).
 */
export function sniffImage(bytes: Uint8Array): ImageHeader {
  const parse = startsWith(bytes, PNG_SIG)
    ? png
    : startsWith(bytes, [0xff, 0xd8, 0xff])
      ? jpeg
      : bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP'
        ? webp
        : bytes.length >= 6 && (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a')
          ? gif
          : null;
  if (!parse) return fail(`must be a ${IMAGE_FORMATS} image${lookalike(bytes)}`);
  try {
    return parse(bytes);
  } catch (e) {
    // The message is a rule for "field: rule", so it names what is accepted.
    if (e instanceof ImageHeaderError) fail(`must be a valid ${IMAGE_FORMATS} image: ${e.rule}`);
    throw e;
  }
}

/** Names a well-known format that is refused, so the message says what was sent. */
function lookalike(b: Uint8Array): string {
  if (b.length === 0) return ' (it is empty)';
  const bom = startsWith(b, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  const head = ascii(b, bom, Math.min(b.length - bom, 1024)).trimStart().toLowerCase();
  if (head.startsWith('<') && head.includes('<svg')) return '; SVG is not accepted';
  if (head.startsWith('<')) return '; this is XML or HTML';
  if (startsWith(b, [0x42, 0x4d])) return '; BMP is not accepted';
  if (startsWith(b, [0, 0, 1, 0]) || startsWith(b, [0, 0, 2, 0])) return '; ICO/CUR is not accepted';
  if (startsWith(b, [0x49, 0x49, 0x2a, 0]) || startsWith(b, [0x4d, 0x4d, 0, 0x2a])) return '; TIFF is not accepted';
  if (b.length >= 12 && ascii(b, 4, 4) === 'ftyp') return '; AVIF/HEIF is not accepted';
  if (startsWith(b, [0xff, 0xd8])) return '; the JPEG header is truncated or invalid';
  if (startsWith(b, PNG_SIG.slice(0, Math.min(b.length, 8))) || startsWith(b, [0x47, 0x49, 0x46, 0x38])) return '; the header is truncated';
  return '';
}

function png(b: Uint8Array): ImageHeader {
  // Signature (8), then IHDR must be the first chunk: length 13, type, 13 bytes, CRC.
  if (b.length < 33) fail('PNG header is truncated');
  if (u32be(b, 8) !== 13 || ascii(b, 12, 4) !== 'IHDR') fail('PNG does not start with its IHDR chunk');
  const width = u32be(b, 16);
  const height = u32be(b, 20);
  const [depth, colour, compression, filter, interlace] = b.subarray(24, 29);
  // PNG allows 1..2^31-1 a side; the allowed bit depths depend on the colour type.
  if (!width || !height || width > 0x7fffffff || height > 0x7fffffff) fail(`PNG declares an impossible size ${width}x${height}`);
  const depths: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
  if (!depths[colour]?.includes(depth) || compression !== 0 || filter !== 0 || interlace > 1) fail('PNG header is inconsistent (colour type, bit depth or method)');
  return { format: 'png', width, height };
}

/** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC): the frame headers. */
const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function jpeg(b: Uint8Array): ImageHeader {
  // Walks the marker segments after SOI to the first frame header. Each step
  // consumes at least one byte, so the walk ends within b.length steps.
  let i = 2;
  for (;;) {
    if (i >= b.length) fail('JPEG ends before its frame header (truncated)');
    if (b[i] !== 0xff) fail(`JPEG has no marker where one must be (byte ${i})`);
    while (i < b.length && b[i] === 0xff) i++; // fill bytes
    if (i >= b.length) fail('JPEG ends before its frame header (truncated)');
    const m = b[i++];
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd7)) continue; // TEM, RSTn: no length
    if (m === 0x00 || m === 0xd8) fail('JPEG has a misplaced marker before its frame header');
    if (m === 0xd9) fail('JPEG ends (EOI) before any frame header');
    if (m === 0xda) fail('JPEG starts a scan before its frame header');
    if (i + 2 > b.length) fail('JPEG ends before its frame header (truncated)');
    const len = u16be(b, i);
    if (len < 2) fail('JPEG has a segment of impossible length');
    if (isSof(m)) {
      if (i + 8 > b.length) fail('JPEG frame header is truncated');
      const height = u16be(b, i + 3);
      const width = u16be(b, i + 5);
      const components = b[i + 7];
      // Height 0 defers the size to a DNL marker after the first scan: the size
      // could not be checked before decoding, so it is refused.
      if (!width || !height) fail(`JPEG declares size ${width}x${height} (a size given later, by DNL, is not accepted)`);
      if (components < 1 || components > 4 || len !== 8 + 3 * components) fail('JPEG frame header is inconsistent');
      if (i + len > b.length) fail('JPEG frame header is truncated');
      return { format: 'jpeg', width, height };
    }
    i += len;
  }
}

function webp(b: Uint8Array): ImageHeader {
  // RIFF's size counts from byte 8; a file shorter than it says is truncated.
  const end = u32le(b, 4) + 8;
  if (end > b.length) fail('WebP is truncated (shorter than its RIFF size)');
  if (end < 20) fail('WebP has no image chunk');
  const chunk = (at: number) => {
    if (at + 8 > end) fail('WebP chunk header is truncated');
    const size = u32le(b, at + 4);
    if (at + 8 + size > end) fail(`WebP ${ascii(b, at, 4).trim()} chunk is truncated`);
    return { type: ascii(b, at, 4), data: at + 8, size, next: at + 8 + size + (size & 1) };
  };
  const first = chunk(12);
  if (first.type === 'VP8 ' || first.type === 'VP8L') return { format: 'webp', ...bitstream(b, first.type, first.data, first.size) };
  if (first.type !== 'VP8X') return fail(`WebP starts with an unknown chunk '${ascii(b, 12, 4)}'`);
  if (first.size < 10) fail('WebP VP8X chunk is truncated');
  const width = u24le(b, first.data + 4) + 1;
  const height = u24le(b, first.data + 7) + 1;
  // The container allows up to 2^24 a side but at most 2^32 pixels in all.
  if (width * height > 2 ** 32) fail(`WebP declares an impossible canvas ${width}x${height}`);
  const animated = (b[first.data] & 0x02) !== 0;
  // The canvas is what gets allocated; the frames inside must agree with it.
  // Each chunk is at least 8 bytes, so this walk ends within end/8 steps.
  let frames = 0;
  for (let at = first.next; at + 8 <= end; ) {
    const c = chunk(at);
    if (!animated && (c.type === 'VP8 ' || c.type === 'VP8L')) {
      const s = bitstream(b, c.type, c.data, c.size);
      if (s.width !== width || s.height !== height) fail(`WebP image is ${s.width}x${s.height} but its canvas says ${width}x${height}`);
      return { format: 'webp', width, height };
    }
    if (animated && c.type === 'ANMF') {
      if (c.size < 16) fail('WebP animation frame is truncated');
      const x = u24le(b, c.data) * 2;
      const y = u24le(b, c.data + 3) * 2;
      const fw = u24le(b, c.data + 6) + 1;
      const fh = u24le(b, c.data + 9) + 1;
      if (x + fw > width || y + fh > height) fail(`WebP frame ${frames + 1} (${fw}x${fh} at ${x},${y}) lies outside its ${width}x${height} canvas`);
      frames++;
    }
    at = c.next;
  }
  if (!frames) fail('WebP has no image data');
  return { format: 'webp', width, height };
}

/** The size inside a VP8 (lossy) or VP8L (lossless) bitstream. */
function bitstream(b: Uint8Array, type: string, at: number, size: number): { width: number; height: number } {
  if (type === 'VP8 ') {
    // 3-byte frame tag (bit 0 clear: a key frame), start code 9d 01 2a, 14-bit sizes.
    if (size < 10) fail('WebP VP8 header is truncated');
    if (b[at] & 1 || b[at + 3] !== 0x9d || b[at + 4] !== 0x01 || b[at + 5] !== 0x2a) fail('WebP VP8 header is invalid');
    const width = u16le(b, at + 6) & 0x3fff;
    const height = u16le(b, at + 8) & 0x3fff;
    if (!width || !height) fail(`WebP declares size ${width}x${height}`);
    return { width, height };
  }
  // VP8L: signature 0x2f, then 14 bits width-1, 14 bits height-1, 1 alpha bit, 3 version bits (0).
  if (size < 5) fail('WebP VP8L header is truncated');
  const bits = u32le(b, at + 1);
  if (b[at] !== 0x2f || bits >>> 29 !== 0) fail('WebP VP8L header is invalid');
  return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
}

function gif(b: Uint8Array): ImageHeader {
  if (b.length < 13) fail('GIF header is truncated');
  const width = u16le(b, 6);
  const height = u16le(b, 8);
  if (!width || !height) fail(`GIF declares a ${width}x${height} screen`);
  const table = (packed: number) => (packed & 0x80 ? 3 << ((packed & 7) + 1) : 0);
  let i = 13 + table(b[10]);
  let frames = 0;
  // Every block either ends the walk or consumes at least one byte, so the walk
  // is linear in the length. Decoders enlarge the screen to fit a first frame
  // that overflows it, so every frame must lie inside the declared screen.
  /** Skips a run of data sub-blocks; false when the bytes end inside it. */
  const subBlocks = () => {
    while (i < b.length && b[i] !== 0) i += b[i] + 1;
    i++; // the terminating zero
    return i <= b.length;
  };
  const done = (why: string) => (frames ? { format: 'gif' as const, width, height } : fail(why));
  for (;;) {
    // A GIF cut off after a complete frame still decodes (browsers show it); one
    // cut off before that has nothing to show.
    if (i >= b.length) return done('GIF ends before its first image (truncated)');
    const block = b[i++];
    if (block === 0x3b) return done('GIF has no image');
    if (block === 0x21) {
      i++; // extension label
      if (!subBlocks()) return done('GIF ends before its first image (truncated)');
    } else if (block === 0x2c) {
      if (i + 9 > b.length) return done('GIF image descriptor is truncated');
      const [x, y, fw, fh] = [u16le(b, i), u16le(b, i + 2), u16le(b, i + 4), u16le(b, i + 6)];
      if (x + fw > width || y + fh > height) fail(`GIF frame ${frames + 1} (${fw}x${fh} at ${x},${y}) lies outside its ${width}x${height} screen`);
      i += 9 + table(b[i + 8]) + 1; // descriptor, local colour table, LZW code size
      if (!subBlocks()) return done('GIF image data is truncated');
      frames++;
    } else {
      fail(`GIF has an unknown block 0x${block.toString(16).padStart(2, '0')}`);
    }
  }
}

/**
 * Width and height as the first bytes of a PNG, GIF, WebP or JPEG declare them.
 * Lenient on purpose, unlike sniffImage (which decides what may be decoded and
 * needs the whole file): a cost estimate reads only a prefix, and a lying header
 * is refused by the loader anyway.
 */
export function imageHeaderSize(b: Uint8Array): { width: number; height: number } | undefined {
  if (b.length >= 24 && b[0] === 0x89 && ascii(b, 1, 3) === 'PNG') return { width: u32be(b, 16), height: u32be(b, 20) };
  if (b.length >= 10 && ascii(b, 0, 3) === 'GIF') return { width: u16le(b, 6), height: u16le(b, 8) };
  if (b.length >= 30 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') {
    const kind = ascii(b, 12, 4);
    if (kind === 'VP8X') return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
    if (kind === 'VP8L') {
      const bits = u32le(b, 21);
      return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    if (kind === 'VP8 ') return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
    return undefined;
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    // Walk the segments to the first start-of-frame marker.
    let o = 2;
    while (o + 9 < b.length) {
      if (b[o] !== 0xff) return undefined;
      const marker = b[o + 1];
      if (marker === 0xff) {
        o++;
        continue;
      }
      if (isSof(marker)) return { width: u16be(b, o + 7), height: u16be(b, o + 5) };
      o += 2 + u16be(b, o + 2);
    }
  }
  return undefined;
}

/** Enough of a data URL's bytes to find a JPEG's frame header behind its metadata. */
const HEADER_BASE64 = 349_528; // 256 KiB of bytes

/** The size a base64 data URL's image header declares (imageHeaderSize), reading only its first 256 KiB. */
export function dataUrlImageSize(src: string): { width: number; height: number } | undefined {
  const comma = src.indexOf(',');
  if (comma < 0 || !/;base64$/i.test(src.slice(0, comma))) return undefined;
  const head = src.slice(comma + 1, comma + 1 + HEADER_BASE64);
  return imageHeaderSize(Buffer.from(head.slice(0, head.length - (head.length % 4)), 'base64'));
}
