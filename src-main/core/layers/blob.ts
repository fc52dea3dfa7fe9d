/** An irregular closed curve around a centre: points at random angles and distances, joined smoothly. */
import type { SKRSContext2D } from '@napi-rs/canvas';
import { z } from 'zod';
import { hidden, int, length, num, opacity } from '../fields.ts';
import { range } from '../random.ts';
import { defineLayer } from './kind.ts';
import { drawShape, shapeCost, shapeFields } from './shape.ts';

export const blob = defineLayer({
  schema: z.strictObject({
    type: z.literal('blob'),
    cx: length,
    cy: length,
    r: length,
    points: int(3, 32).default(8),
    irregularity: num(0, 1).default(0.35),
    ...shapeFields,
    opacity,
    hidden,
  }),
  random: true,
  defaults: { type: 'blob', cx: 'w/2', cy: 'h/2', r: 'min(w,h)/3', fill: '#66aa8877' },
  draw(s, layer, { L, rng }) {
    const [cx, cy, r] = [L(layer.cx), L(layer.cy), Math.abs(L(layer.r))];
    const pts = Array.from({ length: layer.points }, (_, i) => {
      const a = (i / layer.points) * Math.PI * 2 + range(rng, -0.3, 0.3) * layer.irregularity;
      const rr = r * (1 + range(rng, -0.5, 0.5) * layer.irregularity);
      return [cx + Math.cos(a) * rr, cy + Math.sin(a) * rr] as const;
    });
    drawShape(s, layer, (ctx) => smoothClosedPath(ctx, pts));
  },
  cost(layer, cc) {
    const [cx, cy] = [cc.L(layer.cx, cc.w / 2), cc.L(layer.cy, cc.h / 2)];
    // A blob's points reach out to r x (1 + irregularity / 2).
    const r = Math.abs(cc.L(layer.r, Math.max(cc.w, cc.h))) * (1 + layer.irregularity / 2);
    shapeCost(cc, layer, [cx - r, cy - r, cx + r, cy + r], false, true);
  },
});

/** Closed curve through points, using midpoints as on-curve anchors. */
function smoothClosedPath(ctx: SKRSContext2D, pts: readonly (readonly [number, number])[]): void {
  const mid = (a: readonly [number, number], b: readonly [number, number]) => [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2] as const;
  const n = pts.length;
  const start = mid(pts[n - 1], pts[0]);
  ctx.moveTo(start[0], start[1]);
  for (let i = 0; i < n; i++) {
    const m = mid(pts[i], pts[(i + 1) % n]);
    ctx.quadraticCurveTo(pts[i][0], pts[i][1], m[0], m[1]);
  }
  ctx.closePath();
}
