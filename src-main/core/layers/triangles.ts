/** Low-poly backdrop: a jittered grid split into triangles, shaded along the diagonal. */
import type { SKRSContext2D } from '@napi-rs/canvas';
import { z } from 'zod';
import { color, cssColor, type RGBA } from '../color.ts';
import { BUSY, COST_WEIGHTS, HINT, SMOOTH } from '../cost-model.ts';
import { hidden, num, opacity, palette } from '../fields.ts';
import { range, type Rng } from '../random.ts';
import { defineLayer, layerCanvas } from './kind.ts';

export const triangles = defineLayer({
  schema: z.strictObject({ type: z.literal('triangles'), cellSize: num(4, 4096).default(60), colors: palette(1), variance: num(0, 1).default(0.75), opacity, hidden }),
  random: true,
  defaults: { type: 'triangles', colors: ['#264653', '#2a9d8f', '#e9c46a'] },
  draw(s, layer, { w, h, rng }) {
    const ctx = layerCanvas(s, layer.opacity);
    lowPoly(ctx, w, h, layer.cellSize, layer.colors.map(color), layer.variance, rng, s.scale);
  },
  cost(layer, cc) {
    const { w, h, k, A, H } = cc;
    cc.surface.canvas(cc.field);
    const cell = layer.cellSize;
    const n = 2 * (Math.ceil(w / cell) + 1) * (Math.ceil(h / cell) + 1);
    cc.add(`${cc.field}.cellSize`, n * COST_WEIGHTS.triangle + A * COST_WEIGHTS.skiaFill + n * Math.min(H, cell * k) * 3 * COST_WEIGHTS.edgeRow, HINT.triangles);
    cc.busier(cell < 16 ? BUSY : SMOOTH);
  },
});

function lerpColor(stops: RGBA[], t: number): RGBA {
  if (stops.length === 1) return stops[0];
  const x = Math.min(0.9999, Math.max(0, t)) * (stops.length - 1);
  const i = Math.floor(x);
  const f = x - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [0, 1, 2, 3].map((c) => Math.round(a[c] + (b[c] - a[c]) * f)) as unknown as RGBA;
}

function lowPoly(ctx: SKRSContext2D, w: number, h: number, cell: number, colors: RGBA[], variance: number, rng: Rng, scale: number): void {
  // At least half a device pixel, or the seams show again in a preview drawn smaller.
  const seam = Math.max(0.5, 0.5 / scale);
  const cols = Math.ceil(w / cell) + 1;
  const rows = Math.ceil(h / cell) + 1;
  const pts: [number, number][][] = [];
  for (let r = 0; r <= rows; r++) {
    const row: [number, number][] = [];
    for (let c = 0; c <= cols; c++) {
      const j = variance * cell * 0.5;
      row.push([c * cell - cell / 2 + range(rng, -j, j), r * cell - cell / 2 + range(rng, -j, j)]);
    }
    pts.push(row);
  }
  const tri = (a: [number, number], b: [number, number], c: [number, number]) => {
    const cx = (a[0] + b[0] + c[0]) / 3;
    const cy = (a[1] + b[1] + c[1]) / 3;
    const base = lerpColor(colors, (cx / w + cy / h) / 2 + range(rng, -0.08, 0.08) * variance);
    const css = cssColor(base);
    ctx.fillStyle = css;
    ctx.strokeStyle = css; // a hairline in the same colour hides the seams between triangles
    ctx.lineWidth = seam;
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
    ctx.lineTo(c[0], c[1]);
    ctx.closePath();
    ctx.fill();
    ctx.stroke();
  };
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const [p, q, u, v] = [pts[r][c], pts[r][c + 1], pts[r + 1][c], pts[r + 1][c + 1]];
      if ((r + c) % 2) {
        tri(p, q, v);
        tri(p, v, u);
      } else {
        tri(p, q, u);
        tri(q, v, u);
      }
    }
  }
}
