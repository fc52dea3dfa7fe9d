/**
 * What the shape kinds (ellipse, circle, rect, blob) share: fill and outline
 * fields, drawing a filled and outlined path, and the cost of either way of
 * drawing it.
 */
import type { SKRSContext2D } from '@napi-rs/canvas';
import { color, cssColor, type RGBA } from '../color.ts';
import { COST_WEIGHTS, HINT, FLAT, SMOOTH, alphaOf, clamp, clippedArea, sameRgba, type LayerCostContext } from '../cost-model.ts';
import { colorSchema, num } from '../fields.ts';
import type { Surface } from '../surface.ts';
import { withAlpha } from './kind.ts';

export const shapeFields = { fill: colorSchema.optional(), outline: colorSchema.optional(), outlineWidth: num(0, 1000).default(1) };

export interface ShapeLayer {
  fill?: string;
  outline?: string;
  outlineWidth: number;
  opacity: number;
}

/**
 * Fills (and outlines) a shape. A plain fill, or an outline in the fill's own
 * colour (seed 000 draws both in one colour), goes straight to the bytes when
 * the kind can rasterise itself there (`flat`).
 */
export function drawShape(s: Surface, layer: ShapeLayer, path: (ctx: SKRSContext2D) => void, flat?: (c: RGBA) => void): void {
  const fill = layer.fill ? withAlpha(color(layer.fill), layer.opacity) : undefined;
  const outline = layer.outline ? withAlpha(color(layer.outline), layer.opacity) : undefined;
  const outlineIsFill = outline && fill && outline.every((v, i) => v === fill[i]);
  if (flat && fill && (!outline || outlineIsFill)) return flat(fill);
  const ctx = s.ctx();
  ctx.beginPath();
  path(ctx);
  if (fill) {
    ctx.fillStyle = cssColor(fill);
    ctx.fill();
  }
  if (outline && layer.outlineWidth > 0 && !outlineIsFill) {
    ctx.strokeStyle = cssColor(outline);
    ctx.lineWidth = layer.outlineWidth;
    ctx.stroke();
  }
}

/** A shape's bounding box in design pixels, [x0, y0, x1, y1] with x0 <= x1, y0 <= y1. */
export type Box = [number, number, number, number];

/**
 * The cost of a shape within `box`, drawn as drawShape would: straight into the
 * bytes when `canFlat` and the fill needs no separate outline (`ellipse`: the
 * shape covers π/4 of its box), else on the canvas.
 */
export function shapeCost(cc: LayerCostContext, layer: ShapeLayer, box: Box, canFlat: boolean, ellipse: boolean): void {
  const { fill, outline } = layer;
  const sameColor = fill !== undefined && outline !== undefined && sameRgba(fill, outline);
  if (canFlat && fill !== undefined && (outline === undefined || sameColor)) return flatShapeCost(cc, box, ellipse, fill, layer.opacity);
  // Nothing to draw still moves the surface onto the canvas (drawShape).
  if (fill === undefined && outline === undefined) return cc.surface.canvas(cc.field);
  skiaShapeCost(cc, box, layer.outlineWidth, outline !== undefined && layer.outlineWidth > 0 && !sameColor, fill !== undefined);
}

function flatShapeCost(cc: LayerCostContext, [x0, y0, x1, y1]: Box, ellipse: boolean, fill: string, opacity: number): void {
  // surface.fillRows: interior spans as 32-bit fills (or JS blends when translucent
  // over something), edge pixels with sub-scanline coverage, clipped rows.
  const { surface: s, k, W, H } = cc;
  const wasBlank = s.drawPixels(cc.field);
  const area = clippedArea(x0 * k, y0 * k, x1 * k, y1 * k, W, H) * (ellipse ? Math.PI / 4 : 1);
  const rows = clamp(Math.min(y1 * k, H) - Math.max(y0 * k, 0), 0, H);
  const opaque = Math.round(alphaOf(fill) * opacity) >= 255;
  cc.add(cc.field, area * (opaque || wasBlank ? COST_WEIGHTS.fill32 : COST_WEIGHTS.blend) + rows * COST_WEIGHTS.row, HINT.shape);
  cc.busier(FLAT);
}

function skiaShapeCost(cc: LayerCostContext, [x0, y0, x1, y1]: Box, outlineWidth: number, hasOutline: boolean, hasFill: boolean): void {
  const { w, h, k, W, H, A } = cc;
  cc.surface.canvas(cc.field);
  const area = clippedArea(x0 * k, y0 * k, x1 * k, y1 * k, W, H);
  const rows = clamp(Math.min(y1 * k, H) - Math.max(y0 * k, 0), 0, H);
  let u = COST_WEIGHTS.call + rows * 2 * COST_WEIGHTS.edgeRow;
  if (hasFill) u += area * COST_WEIGHTS.skiaFill;
  if (hasOutline) {
    // A stroke covers about its perimeter times its width, at most the canvas.
    const perimeter = 2 * (clamp(x1 - x0, 0, 2 * w + 2 * h) + clamp(y1 - y0, 0, 2 * w + 2 * h)) * k;
    u += Math.min(A, perimeter * Math.max(1, outlineWidth * k)) * COST_WEIGHTS.stroke + rows * 4 * COST_WEIGHTS.edgeRow;
  }
  cc.add(cc.field, u, HINT.shape);
  cc.busier(SMOOTH);
}
