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
