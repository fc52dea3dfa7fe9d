/**
 * An indexed-colour PNG (colour type 3) for small images of at most 256 colours, such
 * as seed 002's captcha: one background colour and five glyphs of one colour each,
 * whose edges blend into it. Their captcha route draws and encodes a fresh image per
 * request, and the encoder was the largest part of that (issue 15).
 *
 * indexPixels: one pass over the pixels as 32-bit words finds runs of one colour and
 * looks each run's colour up in a small hash table, giving a plane of indices.
 * encodeIndexed: one pass over a plane writes its scanlines as deflate symbols under
 * the fixed Huffman code: a run becomes its index as one literal and distance-1 matches
 * for the rest. Rows are filtered with None, whose filter byte (0) is index 0, the first
 * colour seen (usually the background), so a run of background carries on from one row
 * into the next. A surface still holding its palette indices (core/surface.ts) goes
 * straight to encodeIndexed, with the spans of each row its glyphs inked (InkSpans): the
 * background between them is counted, not read, which took a third off seed 002's
 * encoding (14 to 9.6 us, side by side in one process).
 *
 * Why this and not zlib or fdeflate: an index is a quarter of the bytes of an RGBA
 * pixel, and most of a captcha is long runs, so the bytes that cost anything are the
 * glyph edges. Measured in one process on seed 002's captcha (2026-12-07, 50 distinct
 * images, the event loop turning between batches as a server's does): this encoder from
 * the pixels 25 us against fdeflate's 47 us, and the file 1.75 KB against 3.4 KB. Drawn
 * as palette indices in the first place (core/surface.ts) and encoded from them, the
 * whole render and encode is 42 us (bench:render). The fixed code, not one built per
 * image: building and writing a dynamic table cost more than the whole pass (about
 * 40 us) for 20 % fewer IDAT bytes.
 *
 * Where it gives up: at the 257th colour, and early (the pace check) on busy images;
 * a try on a busy captcha preset costs 6-22 us of its 2 ms render.
 */

import { LENGTH_BASE, LENGTH_EXTRA } from './png-rows.ts';

const ADLER_MOD = 65521;
/**
 * Adler-32's sums are kept in doubles and reduced once, at the end, not once per run
 * (5-7 % of the encoding, measured side by side on seed 002's captchas). Over T bytes a
 * stays below 1 + 255T and b below 383T^2: exact in a double up to T = 4.8 million.
 */
const ADLER_EXACT_BYTES = 4_000_000;
const HASH_BITS = 10;
const HASH_SIZE = 1 << HASH_BITS;
/** See the pace check in indexPixels: seed 002's captchas never came near it (0 of 5,000 rejected). */
const PACE_MARGIN = 96;

const reverse = (code: number, bits: number): number => {
  let r = 0;
  for (let i = 0; i < bits; i++, code >>= 1) r = (r << 1) | (code & 1);
  return r;
};

/** The fixed code (RFC 1951 3.2.6) of literals 0..255, bit-reversed for the LSB-first stream. */
const LIT_CODE = new Uint16Array(256);
const LIT_BITS = new Uint8Array(256);
for (let v = 0; v < 256; v++) {
  LIT_CODE[v] = v < 144 ? reverse(0x30 + v, 8) : reverse(0x190 + v - 144, 9);
  LIT_BITS[v] = v < 144 ? 8 : 9;
}
/** A whole match of n = 3..258 bytes at distance 1: length code, its extra bits, then distance code 0 (five 0 bits). */
const MATCH_CODE = new Uint32Array(259);
const MATCH_BITS = new Uint8Array(259);
for (let n = 3; n <= 258; n++) {
  let i = LENGTH_BASE.length - 1;
  while (LENGTH_BASE[i] > n) i--;
  const sym = 257 + i;
  const [code, bits] = sym < 280 ? [sym - 256, 7] : [0xc0 + sym - 280, 8];
  MATCH_CODE[n] = reverse(code, bits) | ((n - LENGTH_BASE[i]) << bits);
  MATCH_BITS[n] = bits + LENGTH_EXTRA[i] + 5;
}
/** End of block, symbol 256: seven 0 bits. */
const END_BITS = 7;

/** Scratch reused between images: every render is synchronous on its thread. */
const keys = new Uint32Array(HASH_SIZE);
const slots = new Uint16Array(HASH_SIZE); // palette index + 1; 0 is empty
let planeScratch = new Uint8Array(0);
let outScratch = new Uint8Array(0);

/** An image as indices into a palette of 32-bit words (little-endian RGBA, unpremultiplied). */
export interface IndexedPixels {
  /** One index per pixel, row-major, `width` x `height`. */
  plane: Uint8Array;
  colours: Uint32Array;
  /** Entries of `colours` in use (1..256). */
  size: number;
  /** Where the non-zero indices can be, when the maker of the plane knows: see InkSpans. */
  ink?: InkSpans;
}

/** Inked spans kept per row: a captcha's row crosses at most one span per glyph. */
export const SPANS_PER_ROW = 8;

/**
 * Per row, up to SPANS_PER_ROW spans [from, to) of x, left to right and apart, outside
 * which every index of the row is 0: the encoder counts those zeros instead of reading
 * them. A row with `count` above SPANS_PER_ROW is read whole.
 */
export interface InkSpans {
  /** Row y's spans at [y * SPANS_PER_ROW * 2, ...): from, to, from, to... */
  spans: Int32Array;
  count: Uint8Array;
}

/** What an indexed PNG holds besides its header. */
export interface IndexedImage {
  /** PLTE: RGB per entry. */
  palette: Buffer;
  /** tRNS: alpha per entry up to the last one not opaque; null when every colour is opaque. */
  alpha: Buffer | null;
  /** The zlib stream of the scanlines (filter None, one index byte per pixel). */
  idat: Buffer;
}

/**
 * The palette and indices of unpremultiplied RGBA pixels (4-byte aligned), or null when
 * they hold more than 256 colours. The plane is scratch, valid until the next call.
 */
export function indexPixels(px: Uint8Array, w: number, h: number): IndexedPixels | null {
  const words = new Uint32Array(px.buffer, px.byteOffset, w * h);
  if (planeScratch.length < w * h) planeScratch = new Uint8Array(w * h);
  const plane = planeScratch;
  const colours = new Uint32Array(256);
  const ks = keys;
  const sl = slots;
  sl.fill(0);
  let n = 0;
  let i = 0;
  for (let y = 0; y < h; y++) {
    // Colours arriving faster than an even pace towards 256 (plus a margin) mean a busy
    // image, such as a gradient under noise, that would run out further down: leave it to
    // the caller's encoder now rather than after a quarter of the pass, as those did.
    if (n > PACE_MARGIN + (y * 256) / h) return null;
    const rowEnd = i + w;
    while (i < rowEnd) {
      const c = words[i];
      const from = i;
      while (++i < rowEnd && words[i] === c);
      let s = Math.imul(c, 0x9e3779b1) >>> (32 - HASH_BITS);
      let v: number;
      for (;;) {
        const t = sl[s];
        if (t === 0) {
          if (n === 256) return null;
          sl[s] = n + 1;
          ks[s] = c;
          colours[n] = c;
          v = n++;
          break;
        }
        if (ks[s] === c) {
          v = t - 1;
          break;
        }
        s = (s + 1) & (HASH_SIZE - 1);
      }
      plane.fill(v, from, i);
    }
  }
  return { plane, colours, size: n };
}

/**
 * An indexed PNG's PLTE, tRNS and IDAT contents for `w` x `h` indices. Callers keep it to
 * small images: the output scratch is about 1.2 bytes per pixel.
 */
export function encodeIndexed(img: IndexedPixels, w: number, h: number): IndexedImage {
  const plane = img.plane;
  if (plane.byteOffset % 4 !== 0) throw new RangeError('an index plane must start 4-byte aligned');
  const quads = new Uint32Array(plane.buffer, plane.byteOffset, (w * h) >> 2);
  const total = (w + 1) * h;
  if (total > ADLER_EXACT_BYTES) throw new RangeError(`an index plane of ${w}x${h} is more than encodeIndexed keeps Adler-32 exact for (${ADLER_EXACT_BYTES} bytes)`);
  // Worst case every byte a 9-bit literal, plus the headers.
  const need = Math.ceil((total * 9) / 8) + 16;
  if (outScratch.length < need) outScratch = new Uint8Array(need);
  const out = outScratch;

  // One function, no closures: V8 keeps the bit writer's and the run's state in registers
  // only while no inner function captures them (a version with flush() and put() helpers
  // took twice as long).
  let pos = 0;
  out[pos++] = 0x78; // zlib header: deflate, 32K window
  out[pos++] = 0x01; // no dictionary, fastest; 0x7801 % 31 === 0
  let acc = 3; // BFINAL 1, BTYPE 01 (fixed Huffman)
  let nbits = 3;
  let a = 1; // Adler-32 of the scanlines
  let b = 0;
  let runVal = 0; // the run of one byte value not yet written
  let runLen = 0;
  let i = 0; // next pixel
  let y = -1; // the row being read
  let rowEnd = 0;
  // The row's inked spans (img.ink): [inkFrom, inkTo) the one being read or next, in
  // pixels from the start of the plane; spans[sp..spEnd) those after it.
  const spans = img.ink?.spans;
  const spanCount = img.ink?.count;
  let sp = 0;
  let spEnd = 0;
  let rowStart = 0;
  let inkFrom = 0;
  let inkTo = 0;

  for (;;) {
    // The next piece of the stream: a row's filter byte (None: a 0), a run of one index in
    // a row, or -1 at the end.
    let v: number;
    let k: number;
    if (i === rowEnd) {
      if (++y === h) {
        v = -1;
        k = 0;
      } else {
        rowStart = rowEnd;
        rowEnd += w;
        if (spans === undefined || spanCount![y] > SPANS_PER_ROW) {
          // The whole row as one span.
          inkFrom = rowStart;
          inkTo = rowEnd;
          sp = spEnd = 0;
        } else {
          // An empty span at the row's start: the row's first piece moves on to its first span.
          inkFrom = inkTo = rowStart;
          sp = y * SPANS_PER_ROW * 2;
          spEnd = sp + spanCount![y] * 2;
        }
        v = 0;
        k = 1;
      }
    } else {
      if (i >= inkTo) {
        // Past this span: the next one, or none (zeros) to the row's end.
        if (sp < spEnd) {
          inkFrom = rowStart + spans![sp];
          inkTo = rowStart + spans![sp + 1];
          sp += 2;
        } else inkFrom = inkTo = rowEnd;
      }
      if (i < inkFrom) {
        // Between inked spans: all index 0, counted rather than read.
        v = 0;
        k = inkFrom - i;
        i = inkFrom;
      } else {
        v = plane[i];
        const from = i;
        const end = inkTo;
        // Runs of background are most of a captcha: they are walked four indices at a time.
        while (++i < end && (i & 3) !== 0 && plane[i] === v);
        if ((i & 3) === 0 && i < end) {
          const four = v * 0x01010101;
          while (i + 4 <= end && quads[i >> 2] === four) i += 4;
          while (i < end && plane[i] === v) i++;
        }
        k = i - from;
      }
    }
    if (v === runVal) {
      runLen += k;
      continue;
    }
    // Write the run so far: its byte as a literal, then whole distance-1 matches, then any
    // leftover literals. Adler over the whole run at once: a grows by val*len, b by
    // len*a + val*len(len+1)/2, taken modulo 65521 only at the end (ADLER_EXACT_BYTES).
    if (runLen > 0) {
      const val = runVal;
      let len = runLen;
      b += len * a + (val * len * (len + 1)) / 2;
      a += val * len;
      const lit = LIT_CODE[val];
      const litBits = LIT_BITS[val];
      acc |= lit << nbits;
      nbits += litBits;
      len--;
      while (len >= 3) {
        // Never leave 1-2 bytes after a 258-byte match where a shorter one would take them too.
        const m = len <= 258 ? len : len - 258 >= 3 ? 258 : len - 3;
        while (nbits >= 8) {
          out[pos++] = acc & 255;
          acc >>>= 8;
          nbits -= 8;
        }
        acc |= MATCH_CODE[m] << nbits; // at most 18 bits on top of at most 7
        nbits += MATCH_BITS[m];
        len -= m;
      }
      for (; len > 0; len--) {
        while (nbits >= 8) {
          out[pos++] = acc & 255;
          acc >>>= 8;
          nbits -= 8;
        }
        acc |= lit << nbits;
        nbits += litBits;
      }
      while (nbits >= 8) {
        out[pos++] = acc & 255;
        acc >>>= 8;
        nbits -= 8;
      }
    }
    if (v < 0) break;
    runVal = v;
    runLen = k;
  }
  nbits += END_BITS; // symbol 256: seven 0 bits
  while (nbits > 0) {
    out[pos++] = acc & 255;
    acc >>>= 8;
    nbits -= 8;
  }
  a %= ADLER_MOD;
  b %= ADLER_MOD;
  const idat = Buffer.allocUnsafe(pos + 4);
  idat.set(out.subarray(0, pos));
  idat.writeUInt32BE(((b << 16) | a) >>> 0, pos);

  const n = img.size;
  const palette = Buffer.allocUnsafe(n * 3);
  let lastTranslucent = -1;
  for (let k = 0; k < n; k++) {
    const c = img.colours[k];
    palette[k * 3] = c & 255; // little-endian words: R is the low byte
    palette[k * 3 + 1] = (c >>> 8) & 255;
    palette[k * 3 + 2] = (c >>> 16) & 255;
    if (c >>> 24 !== 255) lastTranslucent = k;
  }
  let alpha: Buffer | null = null;
  if (lastTranslucent >= 0) {
    alpha = Buffer.allocUnsafe(lastTranslucent + 1);
    for (let k = 0; k <= lastTranslucent; k++) alpha[k] = img.colours[k] >>> 24;
  }
  return { palette, alpha, idat };
}
