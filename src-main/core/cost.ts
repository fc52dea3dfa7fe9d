/**
 * What a design costs to render, estimated from the design alone before anything
 * is queued, so a route can refuse a design that would hold a worker for minutes
 * (issue 10, attack 3: 32 bubbles layers at their maximum ran for over a minute).
 *
 * The unit is a "pixel operation": roughly one device pixel touched once by a
 * simple pass. Each kind of work is weighted so that one unit is about one
 * nanosecond of one core on the reference machine (see BENCHMARKS.md,
 * `npm run bench:cost`), which makes the estimate comparable across kinds: a
 * grain pass, a bubble and a zlib pass over the same pixels cost what they take.
 * The model follows the renderer's code paths (which layers draw in JS bytes,
 * which in Skia, when the surface switches between them, what the encoder does
 * at each effort) rather than a single pixels-times-layers product, because the
 * costly designs are exactly the ones where those differ by orders of magnitude.
 *
 * Pure: no I/O. Image layers given as data URLs are sized from their header
 * bytes; image files (desktop and operator designs only) are assumed to be the
 * canvas's size unless the caller says otherwise.
 */
import { color } from './color.ts';
import { DesignError, LIMITS, type Design, type Layer, type OutputSpec, type TextSpec } from './design.ts';
import { SIZE_VARS, evalLength, type Length } from './expr.ts';

/**
 * Budgets in pixel operations (about nanoseconds of one core on the reference
 * machine). Chosen with `npm run bench:cost`; the reasoning is in BENCHMARKS.md.
 */
export const RENDER_BUDGETS = {
  /** Design-time routes (/api/render, /designs/…, /background.png, web-mode export and batch per image). */
  design: 5e9,
  /** Live previews from a browser (web mode): the same as design, so whatever can be exported can be previewed. */
  preview: 5e9,
  /** Routes that issue captchas: each request renders one, so they must stay cheap. */
  captcha: 5e8,
  /** The desktop app's own previews, exports and batches: the user's own machine, still under the pool deadline. */
  desktop: 5e9,
} as const;

export type RenderBudgetName = keyof typeof RENDER_BUDGETS;

/** What is rendered: encoded in the design's format (default), raw RGBA for a preview, or a thumbnail. */
export type CostMode = 'encoded' | 'raw' | 'thumbnail';

export interface CostOptions {
  mode?: CostMode;
  /** Pixel size of an image layer's source when known (e.g. read from a file's header); data URLs are read here. */
  imageSize?: (src: string) => { width: number; height: number } | undefined;
}

export interface CostPart {
  /** The design field that drives this part, e.g. "background.3.count". */
  field: string;
  units: number;
  /** How to make it cheaper, in words. */
  hint: string;
}

export interface CostEstimate {
  /** Total pixel operations. */
  units: number;
  /** The biggest contributor, by field. */
  top: { field: string; units: number };
  /** Every contribution, merged by field, biggest first. */
  parts: CostPart[];
}

/**
 * Weights in nanoseconds on the reference machine, per the unit named. Measured
 * with `npm run bench:cost`; exported so the benchmark can show each kind's share.
 */
export const COST_WEIGHTS = {
  /** Allocating and zeroing the RGBA bytes, per pixel. */
  alloc: 0.5,
  /** Clearing or flat-filling the Skia canvas, per pixel. */
  clear: 0.4,
  /** Bytes into Skia (putImageData, premultiplying), per pixel. */
  put: 2.5,
  /** Skia back into bytes (getImageData, unpremultiplying), per pixel. */
  get: 3,
  /** A new Skia surface for a canvas too big for the pool, per pixel. */
  canvasAlloc: 0.5,
  /** 32-bit flat fill of bytes, per pixel. */
  fill32: 0.4,
  /** JS source-over blend of a translucent colour onto bytes, per pixel. */
  blend: 22,
  /** JS scanline of a flat shape (its interval evaluated per sub-scanline, edge pixels blended), per row. */
  row: 3000,
  /** A Skia draw call from JS (colour parsing, path, fill), per call. */
  call: 8000,
  /** Skia solid fill, per covered pixel. */
  skiaFill: 1.2,
  /** Skia gradient fill, per pixel. */
  linearGradient: 2,
  radialGradient: 8,
  /** Skia edge walking, per edge per scanline crossed. */
  edgeRow: 20,
  /** Skia stroke, per covered pixel. */
  stroke: 3,
  /** A noise line or curve: Skia's round-capped anti-aliased stroke costs per device pixel of length, whatever its width. */
  lineLength: 300,
  curveLength: 150,
  /** Grain, per pixel: one random number (monochrome) or three. */
  grainMono: 25,
  grainColor: 45,
  /** Wave warp, per pixel (interpolating four channels in JS). */
  wave: 30,
  /** A low-poly triangle: path, fill and hairline stroke, per triangle. */
  triangle: 16000,
  /**
   * The dots layer draws one path per row, and @napi-rs/canvas's arc() costs in
   * proportion to the path so far, so each row is quadratic in its dots: per
   * (dots in the row)². (A row of 1,920 dots takes about half a second.)
   */
  dotsPath: 130,
  /** Per dot in that path (the linear part). */
  dot: 2000,
  /** Decoding an image layer's source, per source pixel. */
  decode: 10,
  /** Drawing an image scaled onto the canvas, per canvas pixel. */
  drawImage: 3,
  /** Copying tiles of an image, per canvas pixel. */
  drawTiles: 0.6,
  /** Setting the font, measuring and rasterising a glyph not in the mask cache, per glyph. */
  glyph: 100_000,
  /** Rasterising a glyph into its mask and reading it back, per mask pixel. */
  glyphMask: 6,
  /** Blending a glyph mask into the bytes, per mask pixel on the canvas. */
  glyphBlit: 3,
  /** Skia fillText of a rotated glyph, per covered pixel. */
  glyphFill: 2,
  /** Averaging the colour under a glyph (contrast check), per pixel. */
  average: 3,
  /** Handing raw pixels to the caller (preview), per pixel. */
  transfer: 1,
  /** Box-filtering down to a thumbnail, per source pixel. */
  downscale: 8,
  /** Whatever a render costs however small it is (setup, the answer, encoder headers). */
  render: 50_000,
} as const;

/**
 * Encoding, nanoseconds per pixel, by how much detail the image has: flat
 * (solid colours and plain shapes), smooth (gradients, shapes, text) or busy
 * (grain, photos, fine patterns): zlib and libwebp take many times longer on busy
 * pixels, and nothing cheaper than the render itself could tell the difference.
 */
export const ENCODE_WEIGHTS = {
  png0: { flat: 13, smooth: 27, busy: 35 },
  png3: { flat: 7.5, smooth: 26, busy: 100 },
  png6: { flat: 57, smooth: 100, busy: 160 },
  png9: { flat: 76, smooth: 400, busy: 1000 },
  jpeg: { flat: 20, smooth: 33, busy: 53 },
  jpegMax: { flat: 20, smooth: 40, busy: 60 },
  webp: { flat: 52, smooth: 90, busy: 200 },
  webpLossless: { flat: 12, smooth: 67, busy: 400 },
} as const;

/** 0 flat, 1 smooth, 2 busy, or in between; the encode weight is interpolated. */
type Detail = number;
const FLAT = 0;
const SMOOTH = 1;
const BUSY = 2;

const HINT = {
  canvas: 'a smaller canvas (width, height or scale)',
  layer: 'fewer full-canvas layers, a smaller canvas',
  bubbles: 'fewer or smaller bubbles, a smaller canvas',
  dots: 'a wider spacing, a smaller canvas',
  grid: 'a wider spacing or thinner lines',
  stripes: 'wider stripes, a smaller canvas',
  triangles: 'a larger cellSize, a smaller canvas',
  grain: 'fewer grain layers, a smaller canvas',
  image: 'a smaller image or canvas',
  shape: 'a smaller shape or canvas',
  text: 'fewer or smaller characters, no outline',
  lines: 'fewer or thinner noise lines',
  curves: 'fewer or thinner noise curves',
  noiseDots: 'fewer or smaller noise dots',
  wave: 'no wave, or a smaller canvas',
  png: 'a lower output.compression, a smaller canvas',
  format: 'PNG, a lower quality, or a smaller canvas',
} as const;

/**
 * Width and height as the first bytes of a PNG, GIF, WebP or JPEG declare them.
 * Lenient on purpose, unlike image-header.ts's sniffImage (which decides what
 * may be decoded and needs the whole file): a cost estimate reads only a prefix,
 * and a lying header is refused by the loader anyway.
 */
export function imageHeaderSize(b: Uint8Array): { width: number; height: number } | undefined {
  const u16le = (o: number) => b[o] | (b[o + 1] << 8);
  const u16be = (o: number) => (b[o] << 8) | b[o + 1];
  const u32be = (o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  const u24le = (o: number) => b[o] | (b[o + 1] << 8) | (b[o + 2] << 16);
  const ascii = (o: number, n: number) => String.fromCharCode(...b.subarray(o, o + n));
  if (b.length >= 24 && b[0] === 0x89 && ascii(1, 3) === 'PNG') return { width: u32be(16), height: u32be(20) };
  if (b.length >= 10 && ascii(0, 3) === 'GIF') return { width: u16le(6), height: u16le(8) };
  if (b.length >= 30 && ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WEBP') {
    const kind = ascii(12, 4);
    if (kind === 'VP8X') return { width: u24le(24) + 1, height: u24le(27) + 1 };
    if (kind === 'VP8L') {
      const bits = (b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24)) >>> 0;
      return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    if (kind === 'VP8 ') return { width: u16le(26) & 0x3fff, height: u16le(28) & 0x3fff };
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
      const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isSof) return { width: u16be(o + 7), height: u16be(o + 5) };
      o += 2 + u16be(o + 2);
    }
  }
  return undefined;
}

/** Enough of a data URL's bytes to find a JPEG's frame header behind its metadata. */
const HEADER_BASE64 = 349_528; // 256 KiB of bytes

function dataUrlImageSize(src: string): { width: number; height: number } | undefined {
  const comma = src.indexOf(',');
  if (comma < 0 || !/;base64$/i.test(src.slice(0, comma))) return undefined;
  const head = src.slice(comma + 1, comma + 1 + HEADER_BASE64);
  return imageHeaderSize(Buffer.from(head.slice(0, head.length - (head.length % 4)), 'base64'));
}

/** Simulates the Surface's switching between JS bytes and the Skia canvas (see surface.ts). */
class SurfaceModel {
  mode: 'pixels' | 'canvas' = 'pixels';
  hasBytes = false;
  pending = false;
  blank = true;
  constructor(
    private readonly area: number,
    private readonly add: (field: string, units: number, hint: string) => void,
  ) {}
  pixels(field: string): void {
    if (this.mode === 'canvas') this.add(field, this.area * COST_WEIGHTS.get, HINT.canvas);
    else if (!this.hasBytes) this.add('width', this.area * (COST_WEIGHTS.alloc + (this.pending ? COST_WEIGHTS.fill32 : 0)), HINT.canvas);
    this.mode = 'pixels';
    this.hasBytes = true;
    this.pending = false;
  }
  canvas(field: string): void {
    if (this.mode === 'pixels') {
      const w = this.pending || this.blank || !this.hasBytes ? COST_WEIGHTS.clear : COST_WEIGHTS.put;
      this.add(field, this.area * w, HINT.canvas);
      this.mode = 'canvas';
      this.hasBytes = false;
      this.pending = false;
    }
    this.blank = false;
  }
  fillOpaque(): void {
    this.mode = 'pixels';
    this.hasBytes = false;
    this.pending = true;
    this.blank = false;
  }
}

const finite = (v: number, fallback = 0) => (Number.isFinite(v) ? v : fallback);
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, finite(v, lo)));
const alphaOf = (c: string | undefined): number => {
  if (c === undefined) return 0;
  try {
    return color(c)[3];
  } catch {
    return 255;
  }
};

/** Whether two colours are the same RGBA (layers.ts then fills once, without a stroke). */
function sameRgba(a: string, b: string): boolean {
  try {
    const [x, y] = [color(a), color(b)];
    return x.every((v, i) => v === y[i]);
  } catch {
    return false;
  }
}

/** Device-pixel area of an axis-aligned box clipped to the canvas. */
function clippedArea(x0: number, y0: number, x1: number, y1: number, W: number, H: number): number {
  const w = clamp(Math.min(x1, W) - Math.max(x0, 0), 0, W);
  const h = clamp(Math.min(y1, H) - Math.max(y0, 0), 0, H);
  return w * h;
}

/** How many glyphs a text spec draws (an upper bound for math and placeholders). */
function glyphCount(t: TextSpec, w: number, h: number): number {
  if (t.mode === 'fixed') return [...(t.value ?? '').replaceAll('{w}', String(w)).replaceAll('{h}', String(h))].length;
  if (t.mode === 'math') return String(t.math.max).length * 2 + 3;
  return t.length;
}

/**
 * Estimates per design object and mode: a parsed design is treated as immutable
 * (see canonicalDesign), and a server asks again for the same design on every
 * request of a route (about 11 µs each otherwise).
 */
const memo = new WeakMap<Design, Partial<Record<CostMode, CostEstimate>>>();

/** Estimates the cost of rendering (and, by default, encoding) one image of `design`. Frozen: shared between callers. */
export function estimateCost(design: Design, opts: CostOptions = {}): CostEstimate {
  if (opts.imageSize) return estimate(design, opts);
  const mode = opts.mode ?? 'encoded';
  let byMode = memo.get(design);
  if (!byMode) memo.set(design, (byMode = {}));
  return (byMode[mode] ??= estimate(design, { mode }));
}

function estimate(design: Design, opts: CostOptions): CostEstimate {
  const mode = opts.mode ?? 'encoded';
  const { width: w, height: h } = design;
  const k = design.scale;
  const W = w * k;
  const H = h * k;
  const A = W * H;
  const parts = new Map<string, CostPart>();
  const add = (field: string, units: number, hint: string) => {
    const u = finite(units);
    if (u <= 0) return;
    const p = parts.get(field);
    if (p) p.units += u;
    else parts.set(field, { field, units: u, hint });
  };
  const s = new SurfaceModel(A, add);
  // Decided by what is drawn, in design pixels rather than device pixels, so that a
  // larger scale never makes the estimate smaller.
  let detail: Detail = FLAT;
  const busier = (d: Detail) => {
    detail = Math.max(detail, d);
  };
  const L = (v: Length, fallback: number) => {
    try {
      return finite(evalLength(v, { w, h }, SIZE_VARS), fallback);
    } catch {
      return fallback;
    }
  };
  add('width', COST_WEIGHTS.render + (A > 4_000_000 ? A * COST_WEIGHTS.canvasAlloc : 0), HINT.canvas);
  const decoded = new Set<string>();

  design.background.forEach((layer, i) => {
    const f = `background.${i}`;
    estimateLayer(layer, f);
  });

  function flatShape(f: string, x0: number, y0: number, x1: number, y1: number, ellipse: boolean, fill: string, opacity: number): void {
    // surface.fillRows: interior spans as 32-bit fills (or JS blends when translucent
    // over something), edge pixels with sub-scanline coverage, clipped rows.
    const wasBlank = s.blank;
    s.pixels(f);
    s.blank = false;
    const area = clippedArea(x0 * k, y0 * k, x1 * k, y1 * k, W, H) * (ellipse ? Math.PI / 4 : 1);
    const rows = clamp(Math.min(y1 * k, H) - Math.max(y0 * k, 0), 0, H);
    const opaque = Math.round(alphaOf(fill) * opacity) >= 255;
    add(f, area * (opaque || wasBlank ? COST_WEIGHTS.fill32 : COST_WEIGHTS.blend) + rows * COST_WEIGHTS.row, HINT.shape);
    busier(FLAT);
  }

  function skiaShape(f: string, x0: number, y0: number, x1: number, y1: number, outlineWidth: number, hasOutline: boolean, hasFill: boolean): void {
    s.canvas(f);
    const area = clippedArea(x0 * k, y0 * k, x1 * k, y1 * k, W, H);
    const rows = clamp(Math.min(y1 * k, H) - Math.max(y0 * k, 0), 0, H);
    let u = COST_WEIGHTS.call + rows * 2 * COST_WEIGHTS.edgeRow;
    if (hasFill) u += area * COST_WEIGHTS.skiaFill;
    if (hasOutline) {
      // A stroke covers about its perimeter times its width, at most the canvas.
      const perimeter = 2 * (clamp(x1 - x0, 0, 2 * w + 2 * h) + clamp(y1 - y0, 0, 2 * w + 2 * h)) * k;
      u += Math.min(A, perimeter * Math.max(1, outlineWidth * k)) * COST_WEIGHTS.stroke + rows * 4 * COST_WEIGHTS.edgeRow;
    }
    add(f, u, HINT.shape);
    busier(SMOOTH);
  }

  function estimateLayer(layer: Layer, f: string): void {
    switch (layer.type) {
      case 'solid':
      case 'random-color': {
        const a = layer.type === 'solid' ? Math.round(alphaOf(layer.color) * layer.opacity) : Math.round(layer.alpha * layer.opacity);
        if (a >= 255) return s.fillOpaque();
        const wasBlank = s.blank;
        s.pixels(f);
        s.blank = false;
        add(f, A * (wasBlank ? COST_WEIGHTS.fill32 : COST_WEIGHTS.blend), HINT.layer);
        return;
      }
      case 'linear-gradient':
      case 'radial-gradient':
        s.canvas(f);
        add(f, COST_WEIGHTS.call + A * (layer.type === 'linear-gradient' ? COST_WEIGHTS.linearGradient : COST_WEIGHTS.radialGradient), HINT.layer);
        return busier(SMOOTH);
      case 'ellipse':
      case 'circle':
      case 'rect':
      case 'blob': {
        let box: [number, number, number, number];
        if (layer.type === 'ellipse') {
          const [x0, y0, x1, y1] = layer.box.map((v) => L(v, 0));
          box = [Math.min(x0, x1), Math.min(y0, y1), Math.max(x0, x1) + 1, Math.max(y0, y1) + 1];
        } else if (layer.type === 'rect') {
          const [x, y, rw, rh] = [L(layer.x, 0), L(layer.y, 0), L(layer.width, w), L(layer.height, h)];
          box = [Math.min(x, x + rw), Math.min(y, y + rh), Math.max(x, x + rw), Math.max(y, y + rh)];
        } else {
          const [cx, cy] = [L(layer.cx, w / 2), L(layer.cy, h / 2)];
          // A blob's points reach out to r x (1 + irregularity / 2).
          const r = Math.abs(L(layer.r, Math.max(w, h))) * (layer.type === 'blob' ? 1 + layer.irregularity / 2 : 1);
          box = [cx - r, cy - r, cx + r, cy + r];
        }
        const fill = layer.fill;
        const outline = layer.outline;
        const sameColor = fill !== undefined && outline !== undefined && sameRgba(fill, outline);
        const flat = layer.type !== 'blob' && fill !== undefined && (outline === undefined || sameColor) && !(layer.type === 'rect' && L(layer.radius, 0) > 0);
        if (flat) return flatShape(f, ...box, layer.type !== 'rect', fill, layer.opacity);
        // Nothing to draw still moves the surface onto the canvas (layers.ts shape()).
        if (fill === undefined && outline === undefined) return s.canvas(f);
        return skiaShape(f, ...box, layer.outlineWidth, outline !== undefined && layer.outlineWidth > 0 && !sameColor, fill !== undefined);
      }
      case 'bubbles': {
        if (layer.count === 0) return;
        s.canvas(f);
        const lo = Math.min(layer.minRadius, layer.maxRadius) * k;
        const hi = Math.max(layer.minRadius, layer.maxRadius) * k;
        // Radii are uniform in [lo, hi]: E[r²] = (lo² + lo·hi + hi²) / 3. Each disc is clipped to the canvas.
        const area = Math.min(A, (Math.PI * (lo * lo + lo * hi + hi * hi)) / 3);
        const rows = Math.min(H, lo + hi);
        add(`${f}.count`, layer.count * (COST_WEIGHTS.call + area * COST_WEIGHTS.skiaFill + rows * 2 * COST_WEIGHTS.edgeRow), HINT.bubbles);
        return busier(SMOOTH);
      }
      case 'stripes': {
        s.canvas(f);
        const diag = Math.hypot(w, h);
        const n = Math.ceil(diag / layer.width) + 1;
        // Each stripe is a rotated rectangle as tall as the diagonal: its two long edges cross every row.
        add(`${f}.width`, n * COST_WEIGHTS.call * 0.25 + A * COST_WEIGHTS.skiaFill + n * Math.hypot(W, H) * 5 * COST_WEIGHTS.edgeRow, HINT.stripes);
        // Regular patterns deflate fast however fine they are.
        return busier(SMOOTH);
      }
      case 'dots': {
        s.canvas(f);
        const sp = layer.spacing;
        const cols = Math.max(0, Math.ceil((w + sp / 2) / sp));
        const rowCount = Math.max(0, Math.ceil((h + sp / 2) / sp));
        const n = cols * rowCount;
        const r = layer.radius * k;
        const covered = Math.min(A, n * Math.PI * r * r);
        add(`${f}.spacing`, rowCount * cols * cols * COST_WEIGHTS.dotsPath + n * COST_WEIGHTS.dot + covered * COST_WEIGHTS.skiaFill + n * Math.min(H, 2 * r) * 2 * COST_WEIGHTS.edgeRow, HINT.dots);
        return busier(sp < 8 && layer.jitter > 0 ? BUSY : SMOOTH);
      }
      case 'grid': {
        s.canvas(f);
        const nx = Math.floor(Math.max(0, w - 0.5) / layer.spacing) + 1;
        const ny = Math.floor(Math.max(0, h - 0.5) / layer.spacing) + 1;
        const lw = Math.max(1, layer.lineWidth * k);
        const covered = Math.min(A, (nx * H + ny * W) * lw);
        add(`${f}.spacing`, (nx + ny) * 200 + covered * COST_WEIGHTS.stroke + (nx * H + ny * lw) * 2 * COST_WEIGHTS.edgeRow * 0.25, HINT.grid);
        return busier(SMOOTH);
      }
      case 'grain':
        s.pixels(f);
        add(f, A * (layer.monochrome ? COST_WEIGHTS.grainMono : COST_WEIGHTS.grainColor), HINT.grain);
        return busier(layer.amount * layer.opacity > 0 ? BUSY : FLAT);
      case 'triangles': {
        s.canvas(f);
        const cell = layer.cellSize;
        const n = 2 * (Math.ceil(w / cell) + 1) * (Math.ceil(h / cell) + 1);
        add(`${f}.cellSize`, n * COST_WEIGHTS.triangle + A * COST_WEIGHTS.skiaFill + n * Math.min(H, cell * k) * 3 * COST_WEIGHTS.edgeRow, HINT.triangles);
        return busier(cell < 16 ? BUSY : SMOOTH);
      }
      case 'image': {
        s.canvas(f);
        const field = `${f}.src`;
        const size = opts.imageSize?.(layer.src) ?? (layer.src.startsWith('data:') ? dataUrlImageSize(layer.src) : { width: w, height: h });
        // A source whose size cannot be read may still decode: assume the largest the loader accepts.
        const iw = size ? clamp(size.width, 1, LIMITS.side * 8) : w;
        const ih = size ? clamp(size.height, 1, LIMITS.side * 8) : h;
        const srcPixels = size ? Math.min(iw * ih, LIMITS.area) : LIMITS.area;
        if (!decoded.has(layer.src)) {
          decoded.add(layer.src);
          add(field, srcPixels * COST_WEIGHTS.decode, HINT.image);
        }
        // Tiling draws one row of tiles, then copies it down: cols + rows calls.
        const calls = layer.fit === 'tile' ? Math.ceil(w / iw) + Math.ceil(h / ih) : 1;
        add(field, calls * COST_WEIGHTS.call * 0.25 + A * (layer.fit === 'tile' ? COST_WEIGHTS.drawTiles : COST_WEIGHTS.drawImage), HINT.image);
        // Small tiles repeat, which deflate finds at once; anything else may be a photo.
        return busier(layer.fit === 'tile' && iw * ih < 65_536 ? SMOOTH : BUSY);
      }
    }
  }

  const noise = design.noise;
  const hasNoise = noise.lines + noise.curves + noise.dots > 0 && noise.opacity > 0;
  const drawNoise = () => {
    s.canvas('noise');
    const lw = Math.max(1, noise.lineWidth * k);
    const diag = Math.hypot(W, H);
    // A random segment in a rectangle is about half its diagonal long; a curve spans the width and swings.
    const line = 0.52 * diag;
    const curve = 1.3 * diag;
    add('noise.lines', noise.lines * (COST_WEIGHTS.call + line * COST_WEIGHTS.lineLength + Math.min(A, line * lw)), HINT.lines);
    add('noise.curves', noise.curves * (COST_WEIGHTS.call * 2 + curve * COST_WEIGHTS.curveLength + Math.min(A, curve * lw)), HINT.curves);
    const r = noise.dotRadius * k;
    const dot = Math.min(A, Math.PI * r * r);
    add('noise.dots', noise.dots * (COST_WEIGHTS.call + dot * COST_WEIGHTS.skiaFill + Math.min(H, 2 * r) * 2 * COST_WEIGHTS.edgeRow), HINT.noiseDots);
    // A few strokes leave the image about as easy to compress as it was; covering a
    // twentieth of it makes it as slow as a smooth one. Proportional in between, so
    // a larger canvas never costs less to encode.
    busier(Math.min(SMOOTH, ((noise.lines * line + noise.curves * curve) * lw + noise.dots * dot) / (A / 20)));
  };
  if (hasNoise && noise.placement === 'under') drawNoise();

  if (design.text) {
    const t = design.text;
    const n = glyphCount(t, w, h);
    // A glyph's ink box is about 0.6 x the font size squared (capitals, hanzi); sizes jitter up to +sizeJitter.
    const g = t.size * (1 + t.sizeJitter / 2) * k;
    const glyphArea = 0.6 * g * g;
    const onCanvas = Math.min(A, glyphArea);
    const field = t.size * k > 64 ? 'text.size' : 'text.length';
    if (t.color.mode === 'random' && t.color.minContrast > 1) {
      s.pixels(field);
      add(field, n * onCanvas * COST_WEIGHTS.average, HINT.text);
    }
    const blit = !t.outline && t.rotation === 0;
    if (blit) {
      s.pixels(field);
      // Each glyph is rasterised whole into a scratch canvas (not clipped), then blended in.
      add(field, n * (COST_WEIGHTS.glyph + glyphArea * COST_WEIGHTS.glyphMask + onCanvas * COST_WEIGHTS.glyphBlit), HINT.text);
    } else {
      s.canvas(field);
      add(field, n * (COST_WEIGHTS.glyph + onCanvas * COST_WEIGHTS.glyphFill), HINT.text);
      if (t.outline) add('text.outline', n * (COST_WEIGHTS.call + Math.min(A, 12 * g * Math.max(1, t.outline.width * k)) * COST_WEIGHTS.stroke), HINT.text);
    }
  }
  if (hasNoise && noise.placement === 'over') drawNoise();

  if (design.distortion.wave.amplitude > 0) {
    s.pixels('distortion.wave.amplitude');
    add('distortion.wave.amplitude', A * COST_WEIGHTS.wave, HINT.wave);
  }

  s.pixels('width');
  if (mode === 'raw') add('width', A * COST_WEIGHTS.transfer, HINT.canvas);
  else if (mode === 'thumbnail') add('width', A * COST_WEIGHTS.downscale, HINT.canvas);
  else {
    const { field, weight, hint } = encodeWeight(design.output, detail);
    add(field, A * weight, hint);
  }

  const list = [...parts.values()].sort((a, b) => b.units - a.units);
  const units = list.reduce((sum, p) => sum + p.units, 0);
  const top = list[0] ?? { field: 'width', units: 0 };
  return Object.freeze({ units, top: Object.freeze({ field: top.field, units: top.units }), parts: Object.freeze(list.map((p) => Object.freeze(p))) as CostPart[] });
}

function encodeWeight(out: OutputSpec, detail: Detail): { field: string; weight: number; hint: string } {
  const at = (row: { flat: number; smooth: number; busy: number }) => {
    const d = clamp(detail, FLAT, BUSY);
    return d <= SMOOTH ? row.flat + (row.smooth - row.flat) * d : row.smooth + (row.busy - row.smooth) * (d - SMOOTH);
  };
  if (out.format === 'png') {
    const e = out.compression;
    const row = e <= 0 ? ENCODE_WEIGHTS.png0 : e <= 3 ? ENCODE_WEIGHTS.png3 : e <= 6 ? ENCODE_WEIGHTS.png6 : ENCODE_WEIGHTS.png9;
    return { field: e > 3 ? 'output.compression' : 'width', weight: at(row), hint: e > 3 ? HINT.png : HINT.canvas };
  }
  const row = out.format === 'jpeg' ? (out.quality > 95 ? ENCODE_WEIGHTS.jpegMax : ENCODE_WEIGHTS.jpeg) : out.quality >= 100 ? ENCODE_WEIGHTS.webpLossless : ENCODE_WEIGHTS.webp;
  return { field: 'output.format', weight: at(row), hint: HINT.format };
}

/** "9.1 G", "350 M", "12 k": pixel operations in words a person can compare. */
export function formatUnits(u: number): string {
  const [d, s] = u >= 1e12 ? [1e12, 'T'] : u >= 1e9 ? [1e9, 'G'] : u >= 1e6 ? [1e6, 'M'] : u >= 1e3 ? [1e3, 'k'] : [1, ''];
  const v = u / d;
  return `${v >= 100 || v === Math.round(v) ? Math.round(v) : v.toFixed(1)}${s ? ` ${s}` : ''}`;
}

/**
 * Throws a DesignError naming the field that costs most, with the estimate, the
 * budget and how to get under it, when the design costs more than `budgetUnits`.
 * Returns the estimate otherwise.
 */
export function checkBudget(design: Design, budgetUnits: number, route?: string, opts: CostOptions = {}): CostEstimate {
  const est = estimateCost(design, opts);
  if (est.units <= budgetUnits) return est;
  const hint = est.parts[0]?.hint ?? HINT.canvas;
  throw new DesignError([
    {
      field: est.top.field,
      rule: `this design costs about ${formatUnits(est.units)} pixel operations to render; ${route ?? 'this route'} allows ${formatUnits(budgetUnits)} (${hint})`,
    },
  ]);
}
