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
 * The symbols are gathered first and then written under a Huffman table built for this image
 * (one dynamic block): on seed 000 a 258-byte match then costs a bit or two. Images with many
 * changed bytes gain nothing from runs: once the symbols pass 1/32 of the stream the encoder
 * gives up (returns null) and the caller takes zlib; on busy images that happens within the
 * first rows.
 *
 * Measured side by side in one process (2026-12-07): seed 000 at 1921x1080 3.7-3.8 ms and
 * 22.6 KB, against 7.2-9.2 ms and 23.2 KB for the filter plus zlib (and 3.4 ms, 26.4 KB with
 * one fixed Huffman table for every image, this file's first version); the sunset preview at
 * 634x356 0.53-0.56 ms and 5.8 KB, against 1.9-2.2 ms and 9.5 KB.
 *
 * Tried for captchas too, and measured slower: every captcha preset's PNG came out at
 * 0.93-1.19x zlib's size but took 120-870 us against zlib's 105-740 us. Where most bytes are
 * literals (text, gradients behind it), a JS loop per literal does not beat zlib's C, so
 * encodePng keeps this encoder to images over 64K pixels.
 */

/** Symbols allowed, as a share of the filtered stream, before the caller's zlib is the better choice. */
const MAX_SYMBOL_SHARE = 1 / 32;
const MAX_BITS = 15;
const MAX_CL_BITS = 7;
const ADLER_MOD = 65521;

/**
 * Huffman code lengths for `freq` (at most 1024 symbols), none longer than `limit`: the
 * two-queue construction over the used symbols sorted by frequency; when the tree is too
 * deep, the frequencies are halved (rounding up, so nothing used drops out) and it is built
 * again.
 */
export function huffmanLengths(freq: ArrayLike<number>, limit: number): Uint8Array {
  const count = freq.length;
  const lengths = new Uint8Array(count);
  const f = Float64Array.from(freq);
  const keys = new Float64Array(count);
  const weight = new Float64Array(2 * count);
  const parent = new Int32Array(2 * count);
  const depth = new Uint8Array(2 * count);
  for (;;) {
    let m = 0;
    for (let s = 0; s < count; s++) if (f[s] > 0) keys[m++] = f[s] * 1024 + s; // the symbol rides in the low bits
    if (m === 0) return lengths;
    if (m === 1) {
      lengths[keys[0] % 1024] = 1;
      return lengths;
    }
    const leaves = keys.subarray(0, m).sort(); // by frequency, then symbol
    for (let i = 0; i < m; i++) weight[i] = Math.floor(leaves[i] / 1024);
    let leaf = 0;
    let inner = m;
    for (let next = m; next < 2 * m - 1; next++) {
      const x = leaf < m && (inner >= next || weight[leaf] <= weight[inner]) ? leaf++ : inner++;
      const y = leaf < m && (inner >= next || weight[leaf] <= weight[inner]) ? leaf++ : inner++;
      weight[next] = weight[x] + weight[y];
      parent[x] = parent[y] = next;
    }
    // Parents come after their children: depths from the root down.
    depth[2 * m - 2] = 0;
    let deepest = 0;
    for (let node = 2 * m - 3; node >= 0; node--) {
      depth[node] = depth[parent[node]] + 1;
      if (node < m && depth[node] > deepest) deepest = depth[node];
    }
    if (deepest <= limit) {
      for (let i = 0; i < m; i++) lengths[leaves[i] % 1024] = depth[i];
      return lengths;
    }
    for (let s = 0; s < count; s++) if (f[s] > 0) f[s] = Math.floor((f[s] + 1) / 2);
  }
}

/** Canonical Huffman codes (RFC 1951 3.2.2), bit-reversed for the LSB-first stream. */
function canonicalCodes(lengths: ArrayLike<number>): Uint16Array {
  const count = new Array<number>(16).fill(0);
  for (let s = 0; s < lengths.length; s++) if (lengths[s]) count[lengths[s]]++;
  const next = new Array<number>(16).fill(0);
  for (let bits = 1, code = 0; bits < 16; bits++) {
    code = (code + (bits > 1 ? count[bits - 1] : 0)) << 1;
    next[bits] = code;
  }
  const codes = new Uint16Array(lengths.length);
  for (let s = 0; s < lengths.length; s++) {
    const l = lengths[s];
    if (!l) continue;
    let c = next[l]++;
    let r = 0;
    for (let i = 0; i < l; i++, c >>= 1) r = (r << 1) | (c & 1);
    codes[s] = r;
  }
  return codes;
}

/** Length symbols (RFC 1951 3.2.5): base length and extra bits of 257..285. */
export const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
export const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
/** For a match of n = 3..258 bytes: its length symbol, and the value of its extra bits. */
const MATCH_SYM = new Uint16Array(259);
const MATCH_EXTRA = new Uint8Array(259);
for (let n = 3; n <= 258; n++) {
  let i = LENGTH_BASE.length - 1;
  while (LENGTH_BASE[i] > n) i--;
  MATCH_SYM[n] = 257 + i;
  MATCH_EXTRA[n] = n - LENGTH_BASE[i];
}
/** The code-length alphabet's order in the block header (RFC 1951 3.2.7). */
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

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
 * The block header: the literal/length code lengths and two 1-bit distance codes (only
 * distance 1 is used), themselves coded with the code-length alphabet, runs of unused
 * symbols as codes 17 and 18.
 */
function writeHeader(out: BitWriter, litLen: Uint8Array): void {
  let hlit = 286;
  while (hlit > 257 && litLen[hlit - 1] === 0) hlit--;
  const all = [...litLen.subarray(0, hlit), 1, 1];
  const syms: number[] = [];
  const extras: number[] = [];
  for (let i = 0; i < all.length; ) {
    let run = 0;
    while (i + run < all.length && all[i + run] === 0 && run < 138) run++;
    if (run >= 3) {
      syms.push(run >= 11 ? 18 : 17);
      extras.push(run >= 11 ? run - 11 : run - 3);
      i += run;
    } else {
      syms.push(all[i]);
      extras.push(0);
      i++;
    }
  }
  const clFreq = new Array<number>(19).fill(0);
  for (const s of syms) clFreq[s]++;
  const clLen = huffmanLengths(clFreq, MAX_CL_BITS);
  const clCode = canonicalCodes(clLen);
  let hclen = 19;
  while (hclen > 4 && clLen[CL_ORDER[hclen - 1]] === 0) hclen--;
  out.bits(1, 1); // BFINAL: the only block
  out.bits(2, 2); // BTYPE 10: dynamic Huffman
  out.bits(hlit - 257, 5);
  out.bits(2 - 1, 5); // HDIST: two distance codes
  out.bits(hclen - 4, 4);
  for (let i = 0; i < hclen; i++) out.bits(clLen[CL_ORDER[i]], 3);
  syms.forEach((s, i) => {
    out.bits(clCode[s], clLen[s]);
    if (s === 17) out.bits(extras[i], 3);
    else if (s === 18) out.bits(extras[i], 7);
  });
}

/** Symbol scratch, reused between images: every render is synchronous on its thread. */
let symScratch = new Uint16Array(0);
let extScratch = new Uint8Array(0);

/**
 * The zlib stream of the image's PNG scanlines, each row Up- or Sub-filtered (whichever a
 * sample of every 8th pixel finds more pixels equal to their reference), or null when the
 * image has too many changed bytes for this encoder to pay. `px` is RGBA, 4-byte aligned;
 * `channels` 3 writes RGB scanlines (the caller knows every pixel is opaque).
 */
export function deflateFlatRows(px: Uint8Array, w: number, h: number, channels: 3 | 4): Buffer | null {
  const total = (w * channels + 1) * h;
  const budget = Math.floor(total * MAX_SYMBOL_SHARE) + 512;
  const words = new Int32Array(px.buffer, px.byteOffset, w * h);
  // Every byte is at most one symbol, so the budget plus two rows always has room.
  const cap = budget + 2 * (w * channels + 1) + 16;
  if (symScratch.length < cap) {
    symScratch = new Uint16Array(cap);
    extScratch = new Uint8Array(cap);
  }
  const syms = symScratch;
  const ext = extScratch; // a length symbol's extra bits
  const freq = new Uint32Array(286);
  let n = 0;

  let a = 1; // Adler-32 of the uncompressed stream
  let b = 0;
  let runVal = -1;
  let runLen = 0;

  const literal = (v: number): void => {
    syms[n++] = v;
    freq[v]++;
  };
  /** A run of `runLen` bytes of value `runVal`: one literal, then distance-1 matches. */
  const flush = (): void => {
    const v = runVal;
    let k = runLen;
    if (k === 0) return;
    // Adler over the whole run at once: a grows by v*k, b by k*a + v*k(k+1)/2 (exact in doubles up to k ~ 10^7).
    b = (b + (k % ADLER_MOD) * a + v * (((k * (k + 1)) / 2) % ADLER_MOD)) % ADLER_MOD;
    a = (a + v * k) % ADLER_MOD;
    literal(v);
    k--;
    while (k >= 3) {
      const m = k > 258 ? 258 : k;
      const sym = MATCH_SYM[m];
      syms[n] = sym;
      ext[n++] = MATCH_EXTRA[m];
      freq[sym]++;
      k -= m;
    }
    while (k-- > 0) literal(v);
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
    if (n > budget) return null;
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
  if (n > budget) return null;
  freq[256] = 1; // end of block

  const litLen = huffmanLengths(freq, MAX_BITS);
  const litCode = canonicalCodes(litLen);
  const out = new BitWriter(Math.max(1024, n * 2 + 512));
  out.bits(0x78, 8); // zlib header: deflate, 32K window
  out.bits(0x01, 8); // no preset dictionary, check bits (0x7801 % 31 === 0)
  writeHeader(out, litLen);
  for (let i = 0; i < n; i++) {
    const sym = syms[i];
    if (sym < 256) out.bits(litCode[sym], litLen[sym]);
    // A length code, its extra bits, then distance code 0 (one 0 bit: distance 1).
    else out.bits(litCode[sym] | (ext[i] << litLen[sym]), litLen[sym] + LENGTH_EXTRA[sym - 257] + 1);
  }
  out.bits(litCode[256], litLen[256]);
  out.align();
  const result = Buffer.allocUnsafe(out.pos + 4);
  result.set(out.buf.subarray(0, out.pos));
  result.writeUInt32BE(((b << 16) | a) >>> 0, out.pos);
  return result;
}
