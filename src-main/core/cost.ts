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
import {
  BUSY,
  COST_WEIGHTS,
  ENCODE_WEIGHTS,
  FLAT,
  HINT,
  SMOOTH,
  SurfaceModel,
  clamp,
  finite,
  type Detail,
  type LayerCostContext,
} from './cost-model.ts';
import { DesignError, type Design, type OutputSpec, type TextSpec } from './design.ts';
import { SIZE_VARS, evalLength, type Length } from './expr.ts';
import { estimateLayerCost } from './layers/index.ts';
import { deviceSize } from './limits.ts';
import { hasNoise as drawsNoise } from './noise.ts';
import { PREVIEW_PNG_EFFORT } from './png.ts';
import { fixedText } from './text.ts';

export { COST_WEIGHTS, ENCODE_WEIGHTS } from './cost-model.ts';
export { imageHeaderSize } from './image-header.ts';

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
  /** Device pixels per design pixel actually rendered, when not design.scale (a preview drawn at the size it is shown). */
  scale?: number;
  /** Mode raw only: the pixels are sent as a PNG at PREVIEW_PNG_EFFORT (render/protocol.ts RenderJob.pack), which is encoding work, not a copy. */
  pack?: 'png';
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

/** How many glyphs a text spec draws (an upper bound for math and placeholders). */
function glyphCount(t: TextSpec, w: number, h: number): number {
  if (t.mode === 'fixed') return [...fixedText(t.value ?? '', { w, h })].length;
  if (t.mode === 'math') return String(t.math.max).length * 2 + 3;
  return t.length;
}

/**
 * Estimates per design object and mode: a parsed design is treated as immutable
 * (see canonicalDesign), and a server asks again for the same design on every
 * request of a route (about 11 µs each otherwise).
 */
const memo = new WeakMap<Design, Map<string, CostEstimate>>();
/** Scales one design is estimated at (a preview follows the zoom): more than this starts over. */
const SCALES_PER_DESIGN = 16;

/** Estimates the cost of rendering (and, by default, encoding) one image of `design`. Frozen: shared between callers. */
export function estimateCost(design: Design, opts: CostOptions = {}): CostEstimate {
  if (opts.imageSize) return estimate(design, opts);
  const mode = opts.mode ?? 'encoded';
  const pack = mode === 'raw' ? opts.pack : undefined;
  const key = `${mode}${pack ? `+${pack}` : ''}${opts.scale === undefined ? '' : `@${opts.scale}`}`;
  let byKey = memo.get(design);
  if (!byKey) memo.set(design, (byKey = new Map()));
  let est = byKey.get(key);
  if (!est) {
    if (byKey.size >= SCALES_PER_DESIGN) byKey.clear();
    byKey.set(key, (est = estimate(design, { mode, scale: opts.scale, pack })));
  }
  return est;
}

function estimate(design: Design, opts: CostOptions): CostEstimate {
  const mode = opts.mode ?? 'encoded';
  const { width: w, height: h } = design;
  const k = opts.scale ?? design.scale;
  // As renderDesign rounds them.
  const { width: W, height: H } = deviceSize(w, h, k);
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
  const layerContext: Omit<LayerCostContext, 'field'> = {
    w,
    h,
    k,
    W,
    H,
    A,
    surface: s,
    add,
    busier,
    L,
    imageSize: opts.imageSize,
    firstUse: (src) => {
      if (decoded.has(src)) return false;
      decoded.add(src);
      return true;
    },
  };
  design.background.forEach((layer, i) => estimateLayerCost(layer, { ...layerContext, field: `background.${i}` }));

  const noise = design.noise;
  const hasNoise = drawsNoise(noise);
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
  if ((design.distortion.warp?.amplitude ?? 0) > 0) {
    s.pixels('distortion.warp.amplitude');
    add('distortion.warp.amplitude', A * COST_WEIGHTS.warp, HINT.warp);
  }

  s.pixels('width');
  if (mode === 'raw' && opts.pack === 'png') {
    const { weight, hint } = encodeWeight({ ...design.output, format: 'png', compression: PREVIEW_PNG_EFFORT }, detail);
    add('width', A * weight, hint);
  } else if (mode === 'raw') add('width', A * COST_WEIGHTS.transfer, HINT.canvas);
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
