/** Noise strokes and a wave warp: what makes a captcha harder for OCR. */
import { color, cssColor, randomRgb } from './color.ts';
import type { Design, NoiseSpec } from './design.ts';
import { pick, range, type Rng } from './random.ts';
import type { Surface } from './surface.ts';

export function hasNoise(n: NoiseSpec): boolean {
  return n.lines + n.curves + n.dots > 0 && n.opacity > 0;
}

export function drawNoise(s: Surface, n: NoiseSpec, w: number, h: number, rng: Rng): void {
  const ctx = s.ctx();
  ctx.globalAlpha = n.opacity;
  ctx.lineCap = 'round';
  const paint = () => cssColor(n.colors.length ? color(pick(rng, n.colors)) : randomRgb(rng));
  ctx.lineWidth = n.lineWidth;
  for (let i = 0; i < n.lines; i++) {
    ctx.strokeStyle = paint();
    ctx.beginPath();
    ctx.moveTo(range(rng, 0, w), range(rng, 0, h));
    ctx.lineTo(range(rng, 0, w), range(rng, 0, h));
    ctx.stroke();
  }
  for (let i = 0; i < n.curves; i++) {
    // Left edge to right edge, so each curve crosses the text it is meant to hide.
    ctx.strokeStyle = paint();
    ctx.beginPath();
    ctx.moveTo(range(rng, -0.05, 0.15) * w, range(rng, 0.1, 0.9) * h);
    ctx.bezierCurveTo(
      range(rng, 0.2, 0.45) * w, range(rng, -0.3, 1.3) * h,
      range(rng, 0.55, 0.8) * w, range(rng, -0.3, 1.3) * h,
      range(rng, 0.85, 1.05) * w, range(rng, 0.1, 0.9) * h,
    );
    ctx.stroke();
  }
  for (let i = 0; i < n.dots; i++) {
    ctx.fillStyle = paint();
    ctx.beginPath();
    ctx.arc(range(rng, 0, w), range(rng, 0, h), n.dotRadius, 0, Math.PI * 2);
    ctx.fill();
  }
}

/**
 * Sine displacement of rows (horizontal) or columns (vertical), with linear
 * interpolation between source pixels; edges clamp so no holes appear.
 */
export function waveWarp(s: Surface, wave: Design['distortion']['wave'], rng: Rng): void {
  if (wave.amplitude <= 0) return;
  const src = s.pixels();
  const out = new Uint8ClampedArray(src.length);
  const { width: W, height: H, scale: k } = s;
  const amp = wave.amplitude * k;
  const period = wave.period * k;
  const phase = range(rng, 0, Math.PI * 2);
  const horizontal = wave.direction === 'horizontal';
  const lines = horizontal ? H : W;
  const len = horizontal ? W : H;
  for (let l = 0; l < lines; l++) {
    const shift = amp * Math.sin((2 * Math.PI * l) / period + phase);
    const whole = Math.floor(shift);
    const f = shift - whole;
    for (let p = 0; p < len; p++) {
      const s0 = Math.min(len - 1, Math.max(0, p - whole - 1));
      const s1 = Math.min(len - 1, Math.max(0, p - whole));
      const a = horizontal ? (l * W + s0) * 4 : (s0 * W + l) * 4;
      const b = horizontal ? (l * W + s1) * 4 : (s1 * W + l) * 4;
      const o = horizontal ? (l * W + p) * 4 : (p * W + l) * 4;
      for (let c = 0; c < 4; c++) out[o + c] = src[a + c] * f + src[b + c] * (1 - f);
    }
  }
  src.set(out);
}

/** Waves summed for each axis of the warp: enough that no two seeds bend alike, few enough to stay smooth. */
const WARP_WAVES = 3;

/**
 * A random smooth displacement of every pixel, both ways: each axis is moved by the
 * sum of WARP_WAVES plane waves of random direction, phase and wavelength (period x
 * 0.75..1.5), scaled so that no pixel moves further than `amplitude` design pixels.
 * Unlike the wave, whose shape is the same in every image, each seed bends the glyphs
 * differently. Bilinear interpolation; edges clamp so no holes appear. Draws from `rng`
 * only when on (amplitude > 0).
 */
export function warpField(s: Surface, warp: { amplitude: number; period: number }, rng: Rng): void {
  if (warp.amplitude <= 0) return;
  const { width: W, height: H, scale: k } = s;
  // Each axis: sum of sin(ax*x + ay*y + phase) = sin(ax*x)cos(ay*y+phase) + cos(ax*x)sin(ay*y+phase),
  // so per-column and per-row tables replace a sine per pixel per wave.
  const tables = (): { sx: Float64Array; cx: Float64Array; sy: Float64Array; cy: Float64Array }[] =>
    Array.from({ length: WARP_WAVES }, () => {
      const angle = range(rng, 0, Math.PI);
      const length = warp.period * k * range(rng, 0.75, 1.5);
      const phase = range(rng, 0, Math.PI * 2);
      const ax = (2 * Math.PI * Math.cos(angle)) / length;
      const ay = (2 * Math.PI * Math.sin(angle)) / length;
      const sx = new Float64Array(W);
      const cx = new Float64Array(W);
      const sy = new Float64Array(H);
      const cy = new Float64Array(H);
      for (let x = 0; x < W; x++) {
        sx[x] = Math.sin(ax * x);
        cx[x] = Math.cos(ax * x);
      }
      for (let y = 0; y < H; y++) {
        sy[y] = Math.sin(ay * y + phase);
        cy[y] = Math.cos(ay * y + phase);
      }
      return { sx, cx, sy, cy };
    });
  const xs = tables();
  const ys = tables();
  const amp = (warp.amplitude * k) / WARP_WAVES;
  const src = s.pixels();
  const out = new Uint8ClampedArray(src.length);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let dx = 0;
      let dy = 0;
      for (let j = 0; j < WARP_WAVES; j++) {
        const a = xs[j];
        dx += a.sx[x] * a.cy[y] + a.cx[x] * a.sy[y];
        const b = ys[j];
        dy += b.sx[x] * b.cy[y] + b.cx[x] * b.sy[y];
      }
      // Where this pixel's colour comes from, clamped to the image.
      const fx = Math.min(W - 1, Math.max(0, x + dx * amp));
      const fy = Math.min(H - 1, Math.max(0, y + dy * amp));
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const x1 = Math.min(W - 1, x0 + 1);
      const y1 = Math.min(H - 1, y0 + 1);
      const tx = fx - x0;
      const ty = fy - y0;
      const p00 = (y0 * W + x0) * 4;
      const p10 = (y0 * W + x1) * 4;
      const p01 = (y1 * W + x0) * 4;
      const p11 = (y1 * W + x1) * 4;
      const o = (y * W + x) * 4;
      for (let c = 0; c < 4; c++) {
        const top = src[p00 + c] + (src[p10 + c] - src[p00 + c]) * tx;
        const bottom = src[p01 + c] + (src[p11 + c] - src[p01 + c]) * tx;
        out[o + c] = top + (bottom - top) * ty;
      }
    }
  }
  src.set(out);
}
