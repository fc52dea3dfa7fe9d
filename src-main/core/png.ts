/**
 * Our own PNG writer. Skia's encoder ignores compression settings and spends ~95%
 * of a render in zlib at a fixed, slow setting; here the filter and zlib strategy
 * follow an effort level, pixels are read once, and opaque images drop the alpha
 * channel (a quarter less data to filter and deflate).
 *
 * Effort (measured on the seed workloads and presets, see BENCHMARKS.md):
 *   0     no filter, stored (no compression): fastest, largest
 *   1     images up to 64K pixels of at most 256 colours as indexed colour
 *         (png-palette.ts: seed 002's captcha); flat images as below; any
 *         other image up to 256K pixels through
 *         fdeflate (Rust, via @napi-rs/image: png-native.ts), 2-5x faster than
 *         effort 2 for up to 1.5x its bytes. What the captcha presets use.
 *   2-3   (and 1 for larger images, or where the native binding is missing)
 *         one fixed filter (Sub for RGB, Up for RGBA); zlib RLE when the
 *         filtered bytes are mostly zero (flat artwork), else zlib at that level
 *         (default 2). Images up to 64K pixels skip the filter (SMALL_IMAGE).
 *         Flat images (rows that repeat the row above or one colour) skip
 *         zlib too: png-rows.ts.
 *   4-6   per-row best of Sub/Up, zlib at that level
 *   7-9   per-row best of all five filters, zlib level 9: smallest, slowest
 */
import zlib from 'node:zlib';
import { deflateFlatRows } from './png-rows.ts';
import { encodePngFast } from './png-native.ts';
import { encodeIndexed, indexPixels, type IndexedPixels } from './png-palette.ts';

export const DEFAULT_EFFORT = 2;
/** The effort whose busy images go to fdeflate (png-native.ts). */
export const FASTEST_EFFORT = 1;
/**
 * Only images up to this many pixels (1 MiB of RGBA) go to fdeflate: @napi-rs/image's
 * memory for an encode (a copy of the pixels and the output, about 2.3x the RGBA size)
 * is freed only once V8 collects its small JS wrapper and the event loop turns, and V8
 * does not hurry for native memory it cannot see. Measured: a synchronous loop of
 * 400x300 encodes held 1.4 MB each until the loop ended (png-native.ts); a server turning
 * its loop between captchas holds a bounded amount (bench:server's RSS, BENCHMARKS.md).
 * Larger images at effort 1 take the zlib path of effort 2-3.
 */
export const NATIVE_MAX_PIXELS = 262_144;
/** Effort 1 tries indexed colour (png-palette.ts) up to this many pixels: a captcha's size, where a failed try costs little. */
export const PALETTE_MAX_PIXELS = 65_536;
/**
 * Effort for previews packed as PNG (render/protocol.ts RenderJob.pack): on the preview
 * benchmark's 634x356 designs effort 2 was as fast as 1 (1.7-1.9 ms) and smaller. The render
 * budget counts packed previews at this effort (core/cost.ts).
 */
export const PREVIEW_PNG_EFFORT = 2;
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let crcTable: Int32Array | undefined;
function crc32(buf: Uint8Array): number {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(buf);
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let c = -1;
  for (let i = 0; i < buf.length; i++) c = crcTable[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** A chunk to write: its type and data. */
type Chunk = [type: string, data: Uint8Array];

/** True when every pixel has alpha 255. */
export function isOpaque(px: Uint8Array | Uint8ClampedArray): boolean {
  if (px.byteOffset % 4 === 0) {
    const u32 = new Uint32Array(px.buffer, px.byteOffset, px.length >> 2);
    for (let i = 0; i < u32.length; i++) if (u32[i] < 0xff000000) return false;
    return true;
  }
  for (let i = 3; i < px.length; i += 4) if (px[i] !== 255) return false;
  return true;
}

/**
 * One zeroed scratch buffer for filtered rows, reused between encodes: zlib copies
 * what it needs synchronously, and a fresh multi-megabyte buffer per image costs
 * page faults and GC. Kept only up to 64 MiB.
 */
let scratch: Buffer | null = null;
function scratchBuffer(n: number): Buffer {
  if (n > 64 * 2 ** 20) return Buffer.alloc(n);
  if (!scratch || scratch.length < n) scratch = Buffer.alloc(Math.max(n, 64 * 1024));
  else scratch.fill(0, 0, n);
  return scratch.subarray(0, n);
}

type FilterSet = 'none' | 'sub' | 'sub-up' | 'all';

/**
 * Below this many pixels, fast efforts skip filtering and keep RGBA: the JS filter
 * pass costs more time than its bytes save (270x40: 42 us / 3.1 KB unfiltered,
 * 64 us / 2.7 KB filtered).
 */
const SMALL_IMAGE = 65_536;

function settings(effort: number, pixels: number): { filters: FilterSet; level: number } {
  if (effort <= 0) return { filters: 'none', level: 0 };
  if (effort <= 3) return { filters: pixels <= SMALL_IMAGE ? 'none' : 'sub', level: effort };
  if (effort <= 6) return { filters: 'sub-up', level: effort };
  return { filters: 'all', level: 9 };
}

/**
 * Filtered scanlines plus how many filtered bytes are zero: a mostly-zero stream
 * (flat artwork) deflates best and fastest with zlib's RLE strategy, anything
 * else (gradients, photos) needs real matching.
 */
function filterImage(src: Uint8Array | Uint8ClampedArray, w: number, h: number, channels: 3 | 4, filters: FilterSet): { raw: Buffer; zeros: number } {
  const rowLen = w * channels;
  const stride = rowLen + 1;
  const out = scratchBuffer(stride * h);
  // The fast paths are separate small functions so V8 keeps them monomorphic.
  const bytes = src instanceof Uint8Array ? src : new Uint8Array(src.buffer, src.byteOffset, src.length);
  if (filters === 'sub' && channels === 3) return { raw: out, zeros: subRgbFromRgba(bytes, w, h, out) };
  if (filters === 'sub') return { raw: out, zeros: upRgba(bytes, w, h, out) }; // RGBA: Up compares faster
  // Pack to RGB once when dropping alpha, so every filter below reads contiguous bytes.
  let px: Uint8Array;
  if (channels === 4) px = bytes;
  else {
    px = new Uint8Array(w * h * 3);
    for (let i = 0, j = 0; i < src.length; i += 4, j += 3) {
      px[j] = src[i];
      px[j + 1] = src[i + 1];
      px[j + 2] = src[i + 2];
    }
  }
  const bpp = channels;
  const rows = filters === 'none' ? null : [0, 1, 2, 3, 4].map(() => new Uint8Array(rowLen));
  for (let y = 0; y < h; y++) {
    const o = y * stride;
    const c = y * rowLen;
    const p = c - rowLen;
    if (filters === 'none') {
      out.set(px.subarray(c, c + rowLen), o + 1);
      continue;
    }
    // Adaptive: compute candidate rows, keep the one with the smallest sum of |signed bytes|.
    const candidates = filters === 'all' ? [0, 1, 2, 3, 4] : [1, 2];
    let best = -1;
    let bestScore = Infinity;
    for (const f of candidates) {
      const r = rows![f];
      let score = 0;
      for (let i = 0; i < rowLen; i++) {
        const x = px[c + i];
        const a = i >= bpp ? px[c + i - bpp] : 0;
        const b = y > 0 ? px[p + i] : 0;
        let v: number;
        if (f === 0) v = x;
        else if (f === 1) v = x - a;
        else if (f === 2) v = x - b;
        else if (f === 3) v = x - ((a + b) >> 1);
        else {
          const cc = i >= bpp && y > 0 ? px[p + i - bpp] : 0;
          const pa = Math.abs(b - cc);
          const pb = Math.abs(a - cc);
          const pc = Math.abs(a + b - 2 * cc);
          v = x - (pa <= pb && pa <= pc ? a : pb <= pc ? b : cc);
        }
        v &= 0xff;
        r[i] = v;
        score += v < 128 ? v : 256 - v;
        if (score >= bestScore) break;
      }
      if (score < bestScore) {
        bestScore = score;
        best = f;
      }
    }
    out[o] = best;
    out.set(rows![best], o + 1);
  }
  // Zeros are counted only where they choose the strategy: the 'sub' effort (see encodePng).
  return { raw: out, zeros: 0 };
}

export interface PngOptions {
  /** 0..9, see the table at the top of this file. */
  effort?: number;
  /** The caller knows every pixel is opaque (skips the scan; written as RGB). */
  opaque?: boolean;
}

/** Share of zero bytes above which RLE beats real matching (measured: BENCHMARKS.md). */
const RLE_ZERO_SHARE = 0.75;

/** Sub filter, writing RGB rows straight from RGBA pixels; returns the zero count. */
function subRgbFromRgba(px: Uint8Array, w: number, h: number, out: Buffer): number {
  const stride = w * 3 + 1;
  let zeros = 0;
  for (let y = 0; y < h; y++) {
    let o = y * stride;
    let i = y * w * 4;
    out[o++] = 1;
    out[o] = px[i];
    out[o + 1] = px[i + 1];
    out[o + 2] = px[i + 2];
    o += 3;
    i += 4;
    for (let x = 1; x < w; x++, o += 3, i += 4) {
      const r = (px[i] - px[i - 4]) & 255;
      const g = (px[i + 1] - px[i - 3]) & 255;
      const b = (px[i + 2] - px[i - 2]) & 255;
      if ((r | g | b) === 0) {
        zeros += 3; // the output is pre-zeroed
        continue;
      }
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
    }
  }
  return zeros;
}

/**
 * Up filter on RGBA (first row unfiltered), comparing two pixels at a time as one
 * float64: an eighth of the loop trips of a byte walk, the same result. Returns
 * the zero count. A Float64Array needs 8-byte alignment, which an odd width breaks
 * on every other row: those images compare aligned copies of each row instead
 * (one memcpy per row; measured at about 1.1x the even-width time, against 4x for
 * the byte walk they took before).
 */
function upRgba(px: Uint8Array, w: number, h: number, out: Buffer): number {
  out.set(px.subarray(0, w * 4), 1);
  if (px.byteOffset % 8 === 0 && w % 2 === 0) return upRgbaInPlace(px, new Float64Array(px.buffer, px.byteOffset, px.length >> 3), w, h, out);
  return upRgbaCopied(px, w, h, out);
}

/** Equal doubles have equal bits, except +0/-0 (Object.is tells them apart); NaNs never compare equal, so they take the byte path: always exact. */
const sameBits = (a: number, b: number): boolean => a === b && (a !== 0 || Object.is(a, b));

/** Every row starts 8-byte aligned (even width, aligned pixels): the pixels are read where they are. */
function upRgbaInPlace(px: Uint8Array, f64: Float64Array, w: number, h: number, out: Buffer): number {
  const rowBytes = w * 4;
  const stride = rowBytes + 1;
  let zeros = 0;
  for (let y = 1; y < h; y++) {
    const o = y * stride;
    out[o] = 2;
    const cur = (y * rowBytes) >> 3;
    const prev = cur - (rowBytes >> 3);
    for (let k = 0; k < rowBytes >> 3; k++) {
      if (sameBits(f64[cur + k], f64[prev + k])) zeros += 8; // the output is pre-zeroed
      else {
        const at = y * rowBytes + k * 8;
        for (let j = 0; j < 8; j++) out[o + 1 + k * 8 + j] = px[at + j] - px[at + j - rowBytes];
      }
    }
  }
  return zeros;
}

/** Any width and alignment: each row is copied into one of two aligned row buffers, which take turns as the row above. */
function upRgbaCopied(px: Uint8Array, w: number, h: number, out: Buffer): number {
  const rowBytes = w * 4;
  const stride = rowBytes + 1;
  const words = rowBytes >> 3;
  let cur = new Uint8Array(words * 8 + 8);
  let prev = new Uint8Array(words * 8 + 8);
  prev.set(px.subarray(0, rowBytes));
  let cur64 = new Float64Array(cur.buffer, 0, words + 1);
  let prev64 = new Float64Array(prev.buffer, 0, words + 1);
  let zeros = 0;
  for (let y = 1; y < h; y++) {
    const o = y * stride + 1;
    out[o - 1] = 2;
    const rowAt = y * rowBytes;
    cur.set(px.subarray(rowAt, rowAt + rowBytes));
    for (let k = 0; k < words; k++) {
      if (sameBits(cur64[k], prev64[k])) zeros += 8;
      else {
        const i = k * 8;
        for (let j = 0; j < 8; j++) out[o + i + j] = cur[i + j] - prev[i + j];
      }
    }
    // An odd width leaves one pixel after the last whole word.
    for (let i = words * 8; i < rowBytes; i++) {
      const v = cur[i] - prev[i];
      if (v === 0) zeros++;
      else out[o + i] = v;
    }
    [cur, prev] = [prev, cur];
    [cur64, prev64] = [prev64, cur64];
  }
  return zeros;
}

/** The fast efforts first try the one-pass encoder for flat images (core/png-rows.ts). */
function flatRows(px: Uint8Array | Uint8ClampedArray, w: number, h: number, channels: 3 | 4): Buffer | null {
  if (px.byteOffset % 4 !== 0) return null;
  return deflateFlatRows(px instanceof Uint8Array ? px : new Uint8Array(px.buffer, px.byteOffset, px.length), w, h, channels);
}

function deflateFiltered(px: Uint8Array | Uint8ClampedArray, w: number, h: number, channels: 3 | 4, filters: FilterSet, level: number): Buffer {
  const { raw, zeros } = filterImage(px, w, h, channels, filters);
  const rle = filters === 'sub' && zeros >= raw.length * RLE_ZERO_SHARE;
  return zlib.deflateSync(raw, rle ? { level: 1, strategy: zlib.constants.Z_RLE } : { level, memLevel: level >= 7 ? 9 : 8 });
}

/** Encodes unpremultiplied RGBA pixels as a PNG (RGB when fully opaque). */
export function encodePng(px: Uint8Array | Uint8ClampedArray, width: number, height: number, opts: PngOptions = {}): Buffer {
  if (px.length !== width * height * 4) throw new RangeError(`expected ${width * height * 4} bytes of RGBA, got ${px.length}`);
  const effort = opts.effort ?? DEFAULT_EFFORT;
  const { filters, level } = settings(effort, width * height);
  // Dropping alpha needs a packing pass; the small fast path copies rows as they are.
  const channels = filters === 'none' && effort > 0 ? 4 : opts.opaque || isOpaque(px) ? 3 : 4;
  if (writesIndexed(effort, width, height) && px.byteOffset % 4 === 0) {
    const indexed = indexPixels(px instanceof Uint8Array ? px : new Uint8Array(px.buffer, px.byteOffset, px.length), width, height);
    if (indexed) return indexedPngFile(indexed, width, height);
  }
  const flat = filters === 'sub' ? flatRows(px, width, height, channels) : null;
  if (!flat && effort === FASTEST_EFFORT && width * height <= NATIVE_MAX_PIXELS) {
    const whole = encodePngFast(px, width, height);
    if (whole) return whole;
  }
  const idat = flat ?? deflateFiltered(px, width, height, channels, filters, level);
  return pngFile(width, height, channels === 4 ? 6 : 2, [['IDAT', idat]]);
}

/**
 * An image already held as palette indices (core/surface.ts keeps a flat captcha that way)
 * as the indexed PNG `effort` writes for images of at most 256 colours; null where that
 * effort would not write indexed colour (the caller then encodes the pixels).
 */
export function encodeIndexedPng(img: IndexedPixels, width: number, height: number, effort: number): Buffer | null {
  return writesIndexed(effort, width, height) ? indexedPngFile(img, width, height) : null;
}

/** Whether `effort` writes an image of this size as indexed colour when it has at most 256 colours. */
function writesIndexed(effort: number, width: number, height: number): boolean {
  return effort === FASTEST_EFFORT && width * height <= PALETTE_MAX_PIXELS;
}

function indexedPngFile(img: IndexedPixels, width: number, height: number): Buffer {
  const { palette, alpha, idat } = encodeIndexed(img, width, height);
  return pngFile(width, height, 3, alpha ? [['PLTE', palette], ['tRNS', alpha], ['IDAT', idat]] : [['PLTE', palette], ['IDAT', idat]]);
}

/** Signature, IHDR (8 bits per sample; colour type 2 RGB, 3 indexed, 6 RGBA), the given chunks, IEND. */
function pngFile(width: number, height: number, colourType: 2 | 3 | 6, chunks: Chunk[]): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = colourType;
  const all: Chunk[] = [['IHDR', ihdr], ...chunks, ['IEND', new Uint8Array(0)]];
  // One buffer for the whole file, each chunk written in place: a captcha is encoded per
  // request, and a buffer per chunk plus a concat was a fifth of its allocations.
  const out = Buffer.allocUnsafe(SIGNATURE.length + all.reduce((n, [, data]) => n + 12 + data.length, 0));
  out.set(SIGNATURE, 0);
  let at = SIGNATURE.length;
  for (const [type, data] of all) {
    out.writeUInt32BE(data.length, at);
    out.write(type, at + 4, 'latin1');
    out.set(data, at + 8);
    out.writeUInt32BE(crc32(out.subarray(at + 4, at + 8 + data.length)), at + 8 + data.length);
    at += 12 + data.length;
  }
  return out;
}
