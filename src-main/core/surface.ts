/**
 * A drawing surface that lives either as plain RGBA bytes (unpremultiplied, exact)
 * or as a Skia canvas, switching on demand. Flat fills and simple shapes are
 * rasterised straight into the bytes: that keeps translucent colours exact (Skia
 * stores premultiplied 8-bit, so 240 at alpha 128 would read back as 239) and skips
 * a canvas round trip for the common one-layer backgrounds. Everything else draws
 * on the canvas.
 */
import { createCanvas, ImageData, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import { LRUCache } from 'lru-cache';
import type { RGBA } from './color.ts';
import { SPANS_PER_ROW, type IndexedPixels, type InkSpans } from './png-palette.ts';

/**
 * Canvases are reused per size: allocating a Skia surface costs more than drawing
 * a whole captcha. Rendering is synchronous, so one canvas is never shared by two
 * renders at once (each worker thread has its own module state).
 */
const canvasPool = new LRUCache<string, { canvas: Canvas; ctx: SKRSContext2D }>({ max: 16 });
const POOL_MAX_PIXELS = 4_000_000;

function borrowCanvas(w: number, h: number): { canvas: Canvas; ctx: SKRSContext2D } {
  const key = `${w}x${h}`;
  const hit = canvasPool.get(key);
  if (hit) return hit;
  const canvas = createCanvas(w, h);
  const entry = { canvas, ctx: canvas.getContext('2d') };
  if (w * h <= POOL_MAX_PIXELS) canvasPool.set(key, entry);
  return entry;
}

/**
 * A single spare pixel buffer. renderImage encodes the pixels before returning, so
 * it can hand the buffer back for the next render instead of allocating (and
 * page-faulting) megabytes every time. A render of any size up to the spare's takes
 * a view of it: backgrounds are asked for at every visitor's window size, and a fresh
 * 8 MB buffer per request cost more than drawing seed 000's ellipse (issue 15).
 */
let spare: ArrayBuffer | null = null;
const SPARE_MAX_BYTES = 64 * 2 ** 20;
export function releasePixels(px: Uint8ClampedArray): void {
  const buf = px.buffer as ArrayBuffer;
  if (buf.byteLength <= SPARE_MAX_BYTES && (!spare || buf.byteLength >= spare.byteLength)) spare = buf;
}
/**
 * The indexed state's scratch, one spare as the spare pixel buffer: a captcha's index plane
 * and the inked spans of its rows are taken and given back every render.
 */
let spareIndexed: { buffer: Uint8Array; ink: InkSpans } | null = null;
function takeIndexed(width: number, height: number): { plane: Uint8Array; ink: InkSpans } {
  const n = width * height;
  const s = spareIndexed;
  spareIndexed = null;
  const plane = s && s.buffer.length >= n ? s.buffer.subarray(0, n).fill(0) : new Uint8Array(n);
  const ink = s && s.ink.count.length >= height ? s.ink : { spans: new Int32Array(height * SPANS_PER_ROW * 2), count: new Uint8Array(height) };
  ink.count.fill(0);
  return { plane, ink };
}
function giveBackIndexed(plane: Uint8Array, ink: InkSpans): void {
  if (plane.buffer.byteLength <= SPARE_MAX_BYTES && (!spareIndexed || plane.buffer.byteLength > spareIndexed.buffer.length)) spareIndexed = { buffer: new Uint8Array(plane.buffer), ink };
}
function zeroedPixels(n: number, pooled: boolean): Uint8ClampedArray {
  if (pooled && spare && spare.byteLength >= n) {
    const px = new Uint8ClampedArray(spare, 0, n);
    spare = null;
    return px.fill(0);
  }
  return new Uint8ClampedArray(n);
}

export class Surface {
  readonly width: number;
  readonly height: number;
  /** Device pixels per design pixel. */
  readonly scale: number;
  private pixelData: Uint8ClampedArray | null = null;
  private context: SKRSContext2D | null = null;
  private mode: 'pixels' | 'canvas' = 'pixels';
  /**
   * An opaque colour covering everything, not yet written anywhere: applied as a
   * 32-bit fill if the bytes are needed, or as fillRect if the canvas is, which
   * saves copying pixels into Skia for the usual solid-backed captcha.
   */
  private pendingFill: number | null = null;
  /** Nothing drawn yet: every pixel is transparent black. Only drawing through this class changes it. */
  private isBlank = true;
  /** Every pixel is known to have alpha 255 (an opaque fill was laid first; source-over keeps it). */
  opaque = false;
  /**
   * Indexed state: an opaque fill with opaque glyphs blended on it, none over another, is
   * kept as one palette index per pixel (index 0 the fill) until something needs the bytes.
   * That is seed 002's whole captcha, and its PNG is written from the indices straight
   * away (render.ts, png-palette.ts): no RGBA buffer to fill, blend or scan (issue 15).
   */
  private plane: Uint8Array | null = null;
  private palette: Uint32Array | null = null;
  private paletteSize = 0;
  /** Device-pixel boxes (x0, y0, x1, y1) the masks drawn in the indexed state covered. */
  private readonly maskBoxes: number[] = [];
  /** The inked spans of each row of the plane, for the encoder to skip the rest (png-palette.ts). */
  private ink: InkSpans | null = null;

  private readonly pooled: boolean;

  /** `pooled`: the caller will releasePixels() the result, so a spare buffer may be used. */
  constructor(width: number, height: number, scale: number, pooled = false) {
    this.width = width;
    this.height = height;
    this.scale = scale;
    this.pooled = pooled;
  }

  /** Starts over with one opaque colour everywhere (packed little-endian RGBA). */
  fillOpaque(packed: number): void {
    this.mode = 'pixels';
    this.pixelData = null;
    this.dropPlane();
    this.pendingFill = packed >>> 0;
    this.isBlank = false;
    this.opaque = true;
  }

  /**
   * The bytes, RGBA unpremultiplied, to read or to change in place (grain, warps).
   * Drawing new things goes through ctx() or the methods below, which end `isBlank`.
   */
  pixels(): Uint8ClampedArray {
    if (this.plane) {
      const px = zeroedPixels(this.width * this.height * 4, this.pooled);
      const words = new Uint32Array(px.buffer, px.byteOffset, px.length >> 2);
      const plane = this.plane;
      const palette = this.palette!;
      for (let i = 0; i < words.length; i++) words[i] = palette[plane[i]];
      this.dropPlane();
      this.pixelData = px;
    } else if (this.mode === 'canvas') {
      const ctx = this.context!;
      this.pixelData = ctx.getImageData(0, 0, this.width, this.height).data as Uint8ClampedArray;
      this.mode = 'pixels';
    } else if (!this.pixelData) {
      this.pixelData = zeroedPixels(this.width * this.height * 4, this.pooled);
      if (this.pendingFill !== null) new Uint32Array(this.pixelData.buffer, this.pixelData.byteOffset, this.pixelData.length >> 2).fill(this.pendingFill);
      this.pendingFill = null;
    }
    return this.pixelData;
  }

  /** A Skia context holding the current image, scaled to design pixels, to draw on. */
  ctx(): SKRSContext2D {
    if (this.plane) this.pixels();
    if (this.mode === 'pixels') {
      if (!this.context) {
        this.context = borrowCanvas(this.width, this.height).ctx;
        // A reused canvas must not carry line caps, fonts or clips from the last render.
        this.context.reset();
      }
      const ctx = this.context;
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      if (this.pendingFill !== null) {
        const p = this.pendingFill;
        ctx.globalAlpha = 1;
        ctx.globalCompositeOperation = 'copy';
        ctx.fillStyle = `rgb(${p & 255},${(p >>> 8) & 255},${(p >>> 16) & 255})`;
        ctx.fillRect(0, 0, this.width, this.height);
      } else if (this.isBlank || !this.pixelData) ctx.clearRect(0, 0, this.width, this.height);
      else ctx.putImageData(new ImageData(this.pixelData, this.width, this.height), 0, 0);
      this.pendingFill = null;
      this.pixelData = null;
      this.mode = 'canvas';
    }
    const ctx = this.context!;
    ctx.setTransform(this.scale, 0, 0, this.scale, 0, 0);
    ctx.globalAlpha = 1;
    ctx.globalCompositeOperation = 'source-over';
    // Whoever asks for the canvas draws on it.
    this.isBlank = false;
    return ctx;
  }

  /** Fills the whole surface with one colour (source-over). */
  fillAll(c: RGBA): void {
    if (c[3] === 255) return this.fillOpaque(((255 << 24) | (c[2] << 16) | (c[1] << 8) | c[0]) >>> 0);
    const px = this.pixels();
    const wasBlank = this.isBlank;
    for (let y = 0; y < this.height; y++) fillSpan(px, this.width, y, 0, this.width, c, wasBlank);
    this.isBlank = false;
  }

  /** Axis-aligned ellipse in device pixels, centre (cx, cy), radii rx, ry. */
  fillEllipse(cx: number, cy: number, rx: number, ry: number, c: RGBA): void {
    if (rx <= 0 || ry <= 0) return;
    this.fillRows(cy - ry, cy + ry, c, (y) => {
      const t = (y - cy) / ry;
      if (t <= -1 || t >= 1) return null;
      const half = rx * Math.sqrt(1 - t * t);
      return [cx - half, cx + half];
    });
  }

  /** Axis-aligned rectangle in device pixels. */
  fillRect(x: number, y: number, w: number, h: number, c: RGBA): void {
    if (w <= 0 || h <= 0) return;
    this.fillRows(y, y + h, c, (sy) => (sy >= y && sy < y + h ? [x, x + w] : null));
  }

  /**
   * Blends colour `c` through a coverage mask (one byte per pixel, `mw` wide and `mh`
   * high) whose top-left lands on device pixel (left, top); what falls outside is clipped.
   * `shape`: maskShape() of this very mask, for a caller that keeps masks and blends them
   * again (computed here when absent).
   */
  blendMask(mask: Uint8Array, mw: number, mh: number, left: number, top: number, c: RGBA, shape?: MaskShape): void {
    const W = this.width;
    const [r, g, b, a] = c;
    const x0 = Math.max(0, left);
    const x1 = Math.min(W, left + mw);
    const y0 = Math.max(0, top);
    const y1 = Math.min(this.height, top + mh);
    if (a === 255 && this.blendIndexed(mask, mw, mh, left, top, x0, x1, y0, y1, c, shape)) return;
    const px = this.pixels();
    for (let y = y0; y < y1; y++) {
      const row = (y - top) * mw - left;
      for (let x = x0; x < x1; x++) {
        const cov = mask[row + x];
        if (cov !== 0) blendAt(px, (y * W + x) * 4, r, g, b, cov === 255 ? a : (cov * a) / 255);
      }
    }
    this.isBlank = false;
  }

  /**
   * The image as palette indices if it is still in the indexed state (see `plane`), for
   * the encoder; null once anything has needed the bytes. Valid until the next drawing.
   */
  indexed(): IndexedPixels | null {
    return this.plane ? { plane: this.plane, colours: this.palette!, size: this.paletteSize, ink: this.ink! } : null;
  }

  /**
   * blendMask in the indexed state, entered from an untouched opaque fill: each coverage
   * level the mask holds gets a palette entry holding blendAt's result over the fill.
   * False, with nothing drawn, when the mask would land on an earlier one (the colour
   * under it would no longer be the fill) or the palette would pass 256 entries: the
   * caller then blends on the bytes.
   */
  private blendIndexed(mask: Uint8Array, mw: number, mh: number, left: number, top: number, x0: number, x1: number, y0: number, y1: number, c: RGBA, given?: MaskShape): boolean {
    if (!this.plane) {
      if (this.pendingFill === null || this.mode !== 'pixels' || this.pixelData) return false;
      ({ plane: this.plane, ink: this.ink } = takeIndexed(this.width, this.height));
      this.palette ??= new Uint32Array(256);
      this.palette[0] = this.pendingFill;
      this.paletteSize = 1;
      this.pendingFill = null;
    }
    const boxes = this.maskBoxes;
    for (let i = 0; i < boxes.length; i += 4) if (x0 < boxes[i + 2] && boxes[i] < x1 && y0 < boxes[i + 3] && boxes[i + 1] < y1) return false;
    const shape = given ?? maskShape(mask, mw, mh);
    const levels = shape.levels;
    let size = this.paletteSize;
    if (size + levels.length > 256) return false;
    // A palette entry per coverage level, blendAt's bytes over the fill; coverage 0 keeps
    // index 0, the fill, which is all a mask can land on here.
    const palette = this.palette!;
    const indexOf = blendIndex;
    const fill = palette[0];
    for (let k = 0; k < levels.length; k++) {
      onePixelWord[0] = fill;
      blendAt(onePixel, 0, c[0], c[1], c[2], levels[k]);
      palette[size] = onePixelWord[0];
      indexOf[levels[k]] = size++;
    }
    // Only each row's inked span: the plane is the fill (index 0) everywhere else under the
    // mask. The span is recorded for the encoder; masks here never overlap, so neither do
    // the spans of one row.
    const plane = this.plane;
    const ink = this.ink!;
    const rows = shape.rows;
    const W = this.width;
    for (let y = y0; y < y1; y++) {
      const r = y - top;
      const from = Math.max(rows[2 * r], x0 - left);
      const to = Math.min(rows[2 * r + 1], x1 - left);
      if (from >= to) continue;
      const at = y * W + left;
      const m = r * mw;
      for (let x = from; x < to; x++) plane[at + x] = indexOf[mask[m + x]];
      addSpan(ink, y, left + from, left + to);
    }
    this.paletteSize = size;
    boxes.push(x0, y0, x1, y1);
    this.isBlank = false;
    return true;
  }

  /** Hands the index plane back for the next render (after indexed() was encoded); the surface is done with. */
  release(): void {
    this.dropPlane();
  }

  private dropPlane(): void {
    if (this.plane) giveBackIndexed(this.plane, this.ink!);
    this.plane = null;
    this.ink = null;
    this.paletteSize = 0;
    this.maskBoxes.length = 0;
  }

  /**
   * Fills a shape given, for a device-space y, the x interval it covers (or null).
   * Interior pixels are filled in spans; edge pixels get their covered fraction.
   */
  private fillRows(yTop: number, yBottom: number, c: RGBA, interval: (y: number) => [number, number] | null): void {
    const px = this.pixels();
    const wasBlank = this.isBlank;
    const W = this.width;
    const [r, g, b, a] = c;
    const y0 = Math.max(0, Math.floor(yTop));
    const y1 = Math.min(this.height, Math.ceil(yBottom));
    const spans: ([number, number] | null)[] = new Array(SUB);
    for (let y = y0; y < y1; y++) {
      let innerL = -Infinity;
      let innerR = Infinity;
      let outerL = Infinity;
      let outerR = -Infinity;
      let full = true;
      for (let k = 0; k < SUB; k++) {
        const iv = interval(y + (k + 0.5) / SUB);
        spans[k] = iv;
        if (!iv || iv[1] <= iv[0]) {
          full = false;
          spans[k] = null;
          continue;
        }
        innerL = Math.max(innerL, iv[0]);
        innerR = Math.min(innerR, iv[1]);
        outerL = Math.min(outerL, iv[0]);
        outerR = Math.max(outerR, iv[1]);
      }
      if (outerR <= outerL) continue;
      const xa = Math.max(0, Math.floor(outerL));
      const xb = Math.min(W, Math.ceil(outerR));
      // Pixels entirely inside every sub-scanline's interval.
      const fa = full ? Math.max(xa, Math.ceil(innerL)) : xb;
      const fb = full ? Math.min(xb, Math.floor(innerR)) : xb;
      const edge = (x: number) => {
        let cov = 0;
        for (let k = 0; k < SUB; k++) {
          const iv = spans[k];
          if (iv) cov += Math.max(0, Math.min(x + 1, iv[1]) - Math.max(x, iv[0]));
        }
        blendAt(px, (y * W + x) * 4, r, g, b, (a * cov) / SUB);
      };
      if (fb > fa) {
        for (let x = xa; x < fa; x++) edge(x);
        fillSpan(px, W, y, fa, fb, c, wasBlank);
        for (let x = fb; x < xb; x++) edge(x);
      } else {
        for (let x = xa; x < xb; x++) edge(x);
      }
    }
    this.isBlank = false;
  }

  /** Average colour of a device-pixel rectangle, for contrast decisions. */
  averageColor(x0: number, y0: number, x1: number, y1: number): [number, number, number] {
    return averageColorOf(this.pixels(), this.width, this.height, x0, y0, x1, y1);
  }
}

/** Records [from, to) in row y's spans, kept left to right; past SPANS_PER_ROW the row is marked to be read whole. */
function addSpan(ink: InkSpans, y: number, from: number, to: number): void {
  const n = ink.count[y];
  if (n >= SPANS_PER_ROW) {
    ink.count[y] = SPANS_PER_ROW + 1;
    return;
  }
  const base = y * SPANS_PER_ROW * 2;
  const spans = ink.spans;
  let j = n;
  // Glyphs are usually drawn left to right: this loop rarely moves anything.
  for (; j > 0 && spans[base + 2 * j - 2] > from; j--) {
    spans[base + 2 * j] = spans[base + 2 * j - 2];
    spans[base + 2 * j + 1] = spans[base + 2 * j - 1];
  }
  spans[base + 2 * j] = from;
  spans[base + 2 * j + 1] = to;
  ink.count[y] = n + 1;
}

/** blendIndexed's palette index per coverage level of the mask being blended (index 0, the fill, for coverage 0). */
const blendIndex = new Uint8Array(256);
/** A pixel to blend one palette entry in (blendIndexed): a typed array costs about 0.5 us to make. */
const onePixel = new Uint8ClampedArray(4);
const onePixelWord = new Uint32Array(onePixel.buffer);

/** What blendIndexed needs to know of a coverage mask besides its bytes; see maskShape. */
export interface MaskShape {
  /** The distinct coverage levels above 0 the mask holds, ascending. */
  levels: Uint8Array;
  /** Per mask row, the x of its first covered pixel and one past its last (equal when the row is empty). */
  rows: Int32Array;
}

/**
 * A mask's levels and inked spans, for a caller that blends the same mask again and
 * again (text.ts keeps one with each cached glyph mask): blendIndexed then maps each
 * level to its palette entry once and walks only the inked part of each row, about a
 * third of a glyph mask's box.
 */
export function maskShape(mask: Uint8Array, mw: number, mh: number): MaskShape {
  const seen = new Uint8Array(256);
  const rows = new Int32Array(2 * mh);
  for (let y = 0; y < mh; y++) {
    let first = -1;
    let last = -1;
    for (let x = 0, i = y * mw; x < mw; x++, i++) {
      const v = mask[i];
      if (v === 0) continue;
      seen[v] = 1;
      if (first < 0) first = x;
      last = x;
    }
    rows[2 * y] = first < 0 ? 0 : first;
    rows[2 * y + 1] = last + 1;
  }
  const levels: number[] = [];
  for (let v = 1; v < 256; v++) if (seen[v]) levels.push(v);
  return { levels: Uint8Array.from(levels), rows };
}

/**
 * Source-over of one colour onto the bytes at pixel index i (byte offset i*4),
 * with coverage/opacity folded into `a` (0..255, fractional allowed).
 */
function blendAt(px: Uint8ClampedArray, o: number, r: number, g: number, b: number, a: number): void {
  if (a <= 0) return;
  const da = px[o + 3];
  if (a >= 255 || da === 0) {
    px[o] = r;
    px[o + 1] = g;
    px[o + 2] = b;
    px[o + 3] = a >= 255 ? 255 : a;
    return;
  }
  const sa = a / 255;
  const dA = (da / 255) * (1 - sa);
  const oa = sa + dA;
  px[o] = (r * sa + px[o] * dA) / oa;
  px[o + 1] = (g * sa + px[o + 1] * dA) / oa;
  px[o + 2] = (b * sa + px[o + 2] * dA) / oa;
  px[o + 3] = oa * 255;
}

const SUB = 4; // vertical sub-scanlines per device row for edge anti-aliasing

/** Fills device pixels [x0, x1) of row y (rows `width` pixels long) with full coverage. */
function fillSpan(px: Uint8ClampedArray, width: number, y: number, x0: number, x1: number, c: RGBA, wasBlank: boolean): void {
  if (x1 <= x0) return;
  const [r, g, b, a] = c;
  if (a === 255 || wasBlank) {
    // One 32-bit store per pixel; the bytes are little-endian RGBA.
    const u32 = new Uint32Array(px.buffer, px.byteOffset, px.length >> 2);
    u32.fill(((a << 24) | (b << 16) | (g << 8) | r) >>> 0, y * width + x0, y * width + x1);
    return;
  }
  for (let x = x0, o = (y * width + x0) * 4; x < x1; x++, o += 4) blendAt(px, o, r, g, b, a);
}

/**
 * Average colour of a rectangle of RGBA pixels (`width` x `height`, clipped to them), for
 * contrast decisions. Transparent areas count as white: that is what most pages show behind them.
 */
export function averageColorOf(px: Uint8ClampedArray, width: number, height: number, x0: number, y0: number, x1: number, y1: number): [number, number, number] {
  const xa = Math.max(0, Math.floor(x0));
  const ya = Math.max(0, Math.floor(y0));
  const xb = Math.min(width, Math.ceil(x1));
  const yb = Math.min(height, Math.ceil(y1));
  let r = 0;
  let g = 0;
  let b = 0;
  let n = 0;
  for (let y = ya; y < yb; y++) {
    for (let x = xa; x < xb; x++) {
      const i = (y * width + x) * 4;
      const a = px[i + 3] / 255;
      r += px[i] * a + 255 * (1 - a);
      g += px[i + 1] * a + 255 * (1 - a);
      b += px[i + 2] * a + 255 * (1 - a);
      n++;
    }
  }
  return n ? [r / n, g / n, b / n] : [255, 255, 255];
}
