/**
 * A PNG image stream (zlib) for flat images: rows that mostly repeat the row above
 * (transparent backgrounds with a few flat shapes, such as seed 000's ellipse at every
 * visitor's window size, issue 15) or their own left pixel (vertical gradients, such as
 * the sunset preview the designer asks for at every edit, issue 12).
 *
 * Why not zlib: for those images the general path filters 8 MB of rows into a scratch
 * buffer and zlib's RLE then walks all 8 MB again, about 8.5 ms at 1920x1080 of which
 * ~4 ms is zlib alone on an all-zero buffer. Here the filter (Up or Sub, per row) and the
 * deflate run in one pass that compares whole pixels (one 32-bit compare per pixel) and emits
 * a run of equal pixels as a handful of length-258, distance-1 matches, never touching the
 * zero bytes.
 *
 * Tried and measured slower (2026-12-07): the same pass with a Huffman table built per image
 * from its symbols, for captchas too. Every captcha preset's PNG came out at 0.93-1.19x
 * zlib's size but took 120-870 us against zlib's 105-740 us: where most bytes are literals
 * (text, gradients behind it), a JS loop per literal does not beat zlib's C.
 * Measured side by side in one process (2026-12-07, machine shared): seed 000 at 1921x1080
 * 3.0-3.6 ms against 7.9-9.0 ms for the filter plus zlib (26.4 KB against 23.2 KB); the
 * sunset preview at 634x356 0.47-0.57 ms against 1.9-2.6 ms (6.5 KB against 9.5 KB).
 *
 * The deflate block uses one fixed Huffman table chosen for such streams (a 258-byte
 * match costs 2 bits, a literal 4-10 bits), written as a dynamic block header so any
 * inflater reads it. Images with many changed bytes would come out larger than zlib's:
 * once its output passes 1/32 of the stream the encoder gives up (returns null) and the caller
 * takes the general path; on busy images that happens within the first rows.
 */

/**
 * Output allowed, as a share of the filtered stream, before the caller's zlib is the better
 * choice: changed bytes cost this encoder 4-10 bits each where zlib's own table does better,
 * so past 1/32 of the input our stream could come out up to ~1.5 times zlib's.
 */
const MAX_OUTPUT_SHARE = 1 / 32;
const ADLER_MOD = 65521;

/** Code lengths of the literal/length alphabet (0..285), a complete prefix code (Kraft sum 1, checked below). */
function literalLengths(): number[] {
  const len = new Array<number>(286).fill(10);
  len[285] = 1; // a 258-byte match: the body of every flat row
  len[0] = 4; // a run of zeros starts with a literal 0
  len[1] = 5; // the filter bytes: Sub
  len[2] = 5; // and Up
  for (let s = 257; s <= 284; s++) len[s] = 8; // the ends of runs
  // 18 of the rest at 9 bits make the code complete: 512+64+32+32+28*4+18*2+236 = 1024 (in 1024ths).
  for (const s of [3, 4, 5, 6, 7, 8, 9, 128, 246, 247, 248, 249, 250, 251, 252, 253, 254, 255]) len[s] = 9;
  return len;
}

/** Canonical Huffman codes (RFC 1951 3.2.2), bit-reversed for the LSB-first stream. */
function canonicalCodes(lengths: number[]): Uint16Array {
  const count = new Array<number>(16).fill(0);
  for (const l of lengths) if (l) count[l]++;
  const next = new Array<number>(16).fill(0);
  for (let bits = 1, code = 0; bits < 16; bits++) {
    code = (code + (bits > 1 ? count[bits - 1] : 0)) << 1;
    next[bits] = code;
  }
  const codes = new Uint16Array(lengths.length);
  lengths.forEach((l, s) => {
    if (!l) return;
    let c = next[l]++;
    let r = 0;
    for (let i = 0; i < l; i++, c >>= 1) r = (r << 1) | (c & 1);
    codes[s] = r;
  });
  return codes;
}

const LIT_LEN = literalLengths();
const LIT_CODE = canonicalCodes(LIT_LEN);
if (LIT_LEN.reduce((k, l) => k + 2 ** -l, 0) !== 1) throw new Error('png-rows: the literal code is not complete');

/** Length symbols (RFC 1951 3.2.5): base length and extra bits of 257..285. */
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
/** For a match of 3..258 bytes at distance 1: its bits (length code, extra bits, distance code 0 = one 0 bit) and their count. */
const MATCH_BITS = new Uint32Array(259);
const MATCH_COUNT = new Uint8Array(259);
for (let n = 3; n <= 258; n++) {
  let i = LENGTH_BASE.length - 1;
  while (LENGTH_BASE[i] > n) i--;
  const sym = 257 + i;
  const codeLen = LIT_LEN[sym];
  MATCH_BITS[n] = LIT_CODE[sym] | ((n - LENGTH_BASE[i]) << codeLen); // distance code 0's single bit is 0
  MATCH_COUNT[n] = codeLen + LENGTH_EXTRA[i] + 1;
}

/** Writes LSB-first bits into a growing buffer. */
class BitWriter {
  buf: Uint8Array;
  pos = 0;
  private acc = 0;
  private n = 0;
  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity);
  }
  /** Up to 24 bits at a time. */
  bits(value: number, count: number): void {
    this.acc |= value << this.n;
    this.n += count;
    if (this.pos + 4 > this.buf.length) this.grow();
    while (this.n >= 8) {
      this.buf[this.pos++] = this.acc & 255;
      this.acc >>>= 8;
      this.n -= 8;
    }
  }
  private grow(): void {
    const next = new Uint8Array(this.buf.length * 2);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
  /** Pads to a byte boundary. */
  align(): void {
    if (this.n > 0) this.bits(0, 8 - this.n);
  }
}

/**
 * The code-length alphabet (RFC 1951 3.2.7) needs codes only for the lengths LIT_LEN and the
 * distance code use: 10 (most literals) 1 bit; 8, 9 and 1 3 bits; 4 and 5 4 bits (complete).
 */
const CL_LEN = new Array<number>(19).fill(0);
[[10, 1], [8, 3], [9, 3], [1, 3], [4, 4], [5, 4]].forEach(([l, n]) => (CL_LEN[l] = n));
const CL_CODE = canonicalCodes(CL_LEN);
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
if (CL_LEN.reduce((k, l) => k + (l ? 2 ** -l : 0), 0) !== 1 || LIT_LEN.some((l) => !CL_LEN[l])) throw new Error('png-rows: the code-length code is incomplete');

/** The dynamic block header for LIT_LEN and two 1-bit distance codes (only distance 1 is used). */
function writeHeader(out: BitWriter): void {
  out.bits(1, 1); // BFINAL: the only block
  out.bits(2, 2); // BTYPE 10: dynamic Huffman
  out.bits(286 - 257, 5); // HLIT
  out.bits(2 - 1, 5); // HDIST
  out.bits(CL_ORDER.length - 4, 4); // HCLEN: all 19 code-length code lengths follow
  for (const s of CL_ORDER) out.bits(CL_LEN[s], 3);
  for (const l of [...LIT_LEN, 1, 1]) out.bits(CL_CODE[l], CL_LEN[l]);
}

/**
 * The zlib stream of the image's PNG scanlines, each row Up- or Sub-filtered (whichever a
 * sample of every 8th pixel finds more pixels equal to their reference), or null when the
 * image has too many changed bytes for this encoder to pay. `px` is RGBA, 4-byte aligned;
 * `channels` 3 writes RGB scanlines (the caller knows every pixel is opaque).
 */
export function deflateFlatRows(px: Uint8Array, w: number, h: number, channels: 3 | 4): Buffer | null {
  const total = (w * channels + 1) * h;
  const budget = Math.floor(total * MAX_OUTPUT_SHARE) + 512;
  const words = new Int32Array(px.buffer, px.byteOffset, w * h);
  const out = new BitWriter(Math.max(1024, h * 16 + 256));
  out.bits(0x78, 8); // zlib header: deflate, 32K window
  out.bits(0x01, 8); // no preset dictionary, check bits (0x7801 % 31 === 0)
  writeHeader(out);

  let a = 1; // Adler-32 of the uncompressed stream
  let b = 0;
  let runVal = -1;
  let runLen = 0;

  const literal = (v: number): void => {
    out.bits(LIT_CODE[v], LIT_LEN[v]);
  };
  /** Emits a run of `n` bytes of value `v`: one literal, then distance-1 matches. */
  const flush = (): void => {
    const v = runVal;
    let n = runLen;
    if (n === 0) return;
    // Adler over the whole run at once: a grows by v*n, b by n*a + v*n(n+1)/2 (exact in doubles up to n ~ 10^7).
    b = (b + (n % ADLER_MOD) * a + v * (((n * (n + 1)) / 2) % ADLER_MOD)) % ADLER_MOD;
    a = (a + v * n) % ADLER_MOD;
    literal(v);
    n--;
    while (n >= 3) {
      const m = n > 258 ? 258 : n;
      out.bits(MATCH_BITS[m], MATCH_COUNT[m]);
      n -= m;
    }
    while (n-- > 0) literal(v);
    runLen = 0;
  };
  const byte = (v: number): void => {
    if (v === runVal) runLen++;
    else {
      flush();
      runVal = v;
      runLen = 1;
    }
  };
  const zeros = (n: number): void => {
    if (runVal === 0) runLen += n;
    else {
      flush();
      runVal = 0;
      runLen = n;
    }
  };
  /** One scanline: filter byte, then each pixel as its difference from the pixel above (Up) or to its left (Sub). */
  const row = (y: number, up: boolean): void => {
    const end = (y + 1) * w;
    let x = y * w;
    byte(up ? 2 : 1);
    if (!up) {
      for (let c = 0; c < channels; c++) byte(px[x * 4 + c]); // nothing to its left
      x++;
    }
    const ref = up ? w : 1;
    const refBytes = ref * 4;
    while (x < end) {
      // Equal pixels are counted in a tight loop and handed over as one run.
      const from = x;
      while (x < end && words[x] === words[x - ref]) x++;
      if (x > from) zeros((x - from) * channels);
      if (x === end) break;
      const i = x * 4;
      for (let c = 0; c < channels; c++) byte((px[i + c] - px[i + c - refBytes]) & 255);
      x++;
    }
  };

  row(0, false);
  for (let y = 1; y < h; y++) {
    if (out.pos > budget) return null;
    // Up suits rows that repeat the one above (seed 000's ellipse), Sub rows of one colour (a vertical gradient).
    let upHits = 0;
    let subHits = 0;
    for (let x = y * w + 1, end = (y + 1) * w; x < end; x += 8) {
      if (words[x] === words[x - w]) upHits++;
      if (words[x] === words[x - 1]) subHits++;
    }
    row(y, upHits >= subHits);
  }
  flush();
  if (out.pos > budget) return null;
  out.bits(LIT_CODE[256], LIT_LEN[256]); // end of block
  out.align();
  const result = Buffer.allocUnsafe(out.pos + 4);
  result.set(out.buf.subarray(0, out.pos));
  result.writeUInt32BE(((b << 16) | a) >>> 0, out.pos);
  return result;
}
