/**
 * The cost model's parts that every layer kind uses to price itself: the weights
 * (about nanoseconds of one core on the reference machine per unit named), the
 * hints that say how to get cheaper, and a model of the Surface's switching
 * between JS bytes and the Skia canvas. cost.ts adds them up; see its header.
 */
import { color } from './color.ts';
import type { Length } from './expr.ts';

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
  /** Random warp, per pixel: three waves per axis and a bilinear read of four channels (measured 3.5x the wave). */
  warp: 105,
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
export type Detail = number;
export const FLAT = 0;
export const SMOOTH = 1;
export const BUSY = 2;

export const HINT = {
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
  warp: 'no warp, or a smaller canvas',
  png: 'a lower output.compression, a smaller canvas',
  format: 'PNG, a lower quality, or a smaller canvas',
} as const;

/** Simulates the Surface's switching between JS bytes and the Skia canvas (see surface.ts). */
export class SurfaceModel {
  mode: 'pixels' | 'canvas' = 'pixels';
  hasBytes = false;
  pending = false;
  private blank = true;
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
  /** Something is drawn into the bytes (Surface.fillAll, fillRect, ...); returns whether nothing had been drawn before. */
  drawPixels(field: string): boolean {
    const wasBlank = this.blank;
    this.pixels(field);
    this.blank = false;
    return wasBlank;
  }
}

export const finite = (v: number, fallback = 0) => (Number.isFinite(v) ? v : fallback);
export const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, finite(v, lo)));
export const alphaOf = (c: string | undefined): number => {
  if (c === undefined) return 0;
  try {
    return color(c)[3];
  } catch {
    return 255;
  }
};

/** Whether two colours are the same RGBA (a shape layer then fills once, without a stroke: layers/shape.ts). */
export function sameRgba(a: string, b: string): boolean {
  try {
    const [x, y] = [color(a), color(b)];
    return x.every((v, i) => v === y[i]);
  } catch {
    return false;
  }
}

/** Device-pixel area of an axis-aligned box clipped to the canvas. */
export function clippedArea(x0: number, y0: number, x1: number, y1: number, W: number, H: number): number {
  const w = clamp(Math.min(x1, W) - Math.max(x0, 0), 0, W);
  const h = clamp(Math.min(y1, H) - Math.max(y0, 0), 0, H);
  return w * h;
}

/** What a layer kind's cost function is given: the canvas, the surface model and where to add its units. */
export interface LayerCostContext {
  /** Design size, scale, device size and device area. */
  w: number;
  h: number;
  k: number;
  W: number;
  H: number;
  A: number;
  /** The layer's field, e.g. "background.3". */
  field: string;
  surface: SurfaceModel;
  add(field: string, units: number, hint: string): void;
  /** The image has at least this much detail (which decides the encoder's weight). */
  busier(detail: Detail): void;
  /** A length in design pixels; `fallback` when it cannot be evaluated. */
  L(v: Length, fallback: number): number;
  /** The pixel size of an image source when the caller knows it (CostOptions.imageSize). */
  imageSize?: (src: string) => { width: number; height: number } | undefined;
  /** True the first time a source is met in this design: each is decoded once. */
  firstUse(src: string): boolean;
}

/** A layer covering the canvas with one colour of alpha `a` (0..255): the Surface's fillAll. */
export function fillAllCost(cc: LayerCostContext, a: number): void {
  const s = cc.surface;
  if (a >= 255) return s.fillOpaque();
  const wasBlank = s.drawPixels(cc.field);
  cc.add(cc.field, cc.A * (wasBlank ? COST_WEIGHTS.fill32 : COST_WEIGHTS.blend), HINT.layer);
}
