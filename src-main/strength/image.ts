/**
 * Pixel work the attacks share, on plain RGB(A) bytes: flattening onto white, a local
 * background estimate, connected components, and the fixed-size grids shapes are compared on.
 */

/** A rendered sample as the attacks see it: opaque RGB, 3 bytes a pixel. */
export interface RgbImage {
  width: number;
  height: number;
  rgb: Uint8Array;
}

/** Flattens RGBA onto white, as a browser shows a transparent captcha on a white page. */
export function flatten(pixels: Uint8ClampedArray, width: number, height: number): RgbImage {
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < pixels.length; i += 4, j += 3) {
    const a = pixels[i + 3] / 255;
    rgb[j] = pixels[i] * a + 255 * (1 - a);
    rgb[j + 1] = pixels[i + 1] * a + 255 * (1 - a);
    rgb[j + 2] = pixels[i + 2] * a + 255 * (1 - a);
  }
  return { width, height, rgb };
}

function median(hist: Uint32Array, n: number): number {
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += hist[v];
    if (seen * 2 >= n) return v;
  }
  return 255;
}

/**
 * The background's colour at every pixel: per-channel medians over windows of 3x3 cells of
 * `cell` pixels, interpolated between cell centres. Glyph strokes fill well under half of a
 * window about one glyph wide, so the median is what lies under them.
 */
export function backgroundEstimate(img: RgbImage, cell: number): Uint8Array {
  const { width: w, height: h, rgb } = img;
  const gw = Math.ceil(w / cell);
  const gh = Math.ceil(h / cell);
  const grid = new Float32Array(gw * gh * 3);
  const hist = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      for (const hc of hist) hc.fill(0);
      const x0 = Math.max(0, (gx - 1) * cell);
      const x1 = Math.min(w, (gx + 2) * cell);
      const y0 = Math.max(0, (gy - 1) * cell);
      const y1 = Math.min(h, (gy + 2) * cell);
      for (let y = y0; y < y1; y++) {
        for (let x = x0, i = (y * w + x0) * 3; x < x1; x++, i += 3) {
          hist[0][rgb[i]]++;
          hist[1][rgb[i + 1]]++;
          hist[2][rgb[i + 2]]++;
        }
      }
      const n = (x1 - x0) * (y1 - y0);
      for (let c = 0; c < 3; c++) grid[(gy * gw + gx) * 3 + c] = median(hist[c], n);
    }
  }
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const fy = Math.min(gh - 1, Math.max(0, (y + 0.5) / cell - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(gh - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(gw - 1, Math.max(0, (x + 0.5) / cell - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(gw - 1, x0 + 1);
      const tx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const top = grid[(y0 * gw + x0) * 3 + c] * (1 - tx) + grid[(y0 * gw + x1) * 3 + c] * tx;
        const bottom = grid[(y1 * gw + x0) * 3 + c] * (1 - tx) + grid[(y1 * gw + x1) * 3 + c] * tx;
        out[(y * w + x) * 3 + c] = top * (1 - ty) + bottom * ty;
      }
    }
  }
  return out;
}

/** One connected set of mask pixels (8-connected). */
export interface Component {
  x0: number;
  y0: number;
  /** Exclusive. */
  x1: number;
  y1: number;
  area: number;
  /** Pixel indices (y * width + x). */
  pixels: Int32Array;
}

/** The 8-connected components of a mask (non-zero = set), in scan order. */
export function components(mask: Uint8Array, w: number, h: number): Component[] {
  const seen = new Uint8Array(mask.length);
  const stack = new Int32Array(mask.length);
  const out: Component[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || seen[start]) continue;
    let top = 0;
    let n = 0;
    const members: number[] = [];
    stack[top++] = start;
    seen[start] = 1;
    let x0 = w;
    let y0 = h;
    let x1 = 0;
    let y1 = 0;
    while (top) {
      const p = stack[--top];
      members.push(p);
      n++;
      const x = p % w;
      const y = (p - x) / w;
      if (x < x0) x0 = x;
      if (x >= x1) x1 = x + 1;
      if (y < y0) y0 = y;
      if (y >= y1) y1 = y + 1;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const q = yy * w + xx;
          if (mask[q] && !seen[q]) {
            seen[q] = 1;
            stack[top++] = q;
          }
        }
      }
    }
    out.push({ x0, y0, x1, y1, area: n, pixels: Int32Array.from(members) });
  }
  return out;
}

/** A shape scaled into a G x G grid, aspect kept and centred: what templates and candidates are compared on. */
export interface Shape {
  grid: Float32Array;
  sum: number;
  /** The grid summed in 4 x 4 and 8 x 8 blocks: cheap comparisons before the full one. */
  coarse: Float32Array;
  mid: Float32Array;
  /** Its box in device pixels before scaling. */
  w: number;
  h: number;
}

export const GRID = 16;
const SUPER = 4;
const COARSE = 4;
const MID = 8;

/**
 * Scales a binary shape (a `w` x `h` mask, row by row, non-zero where set) into the grid,
 * each cell the covered fraction, sampled at SUPER x SUPER points a cell.
 */
export function toShape(w: number, h: number, on: Uint8Array): Shape {
  const grid = new Float32Array(GRID * GRID);
  const coarse = new Float32Array(COARSE * COARSE);
  const mid = new Float32Array(MID * MID);
  const s = GRID / Math.max(w, h);
  const ox = (GRID - w * s) / 2;
  const oy = (GRID - h * s) / 2;
  let sum = 0;
  for (let gy = 0; gy < GRID; gy++) {
    for (let gx = 0; gx < GRID; gx++) {
      let hits = 0;
      for (let sy = 0; sy < SUPER; sy++) {
        const y = Math.floor((gy + (sy + 0.5) / SUPER - oy) / s);
        if (y < 0 || y >= h) continue;
        for (let sx = 0; sx < SUPER; sx++) {
          const x = Math.floor((gx + (sx + 0.5) / SUPER - ox) / s);
          if (x >= 0 && x < w && on[y * w + x]) hits++;
        }
      }
      const v = hits / (SUPER * SUPER);
      grid[gy * GRID + gx] = v;
      coarse[Math.floor((gy * COARSE) / GRID) * COARSE + Math.floor((gx * COARSE) / GRID)] += v;
      mid[Math.floor((gy * MID) / GRID) * MID + Math.floor((gx * MID) / GRID)] += v;
      sum += v;
    }
  }
  return { grid, sum, coarse, mid, w, h };
}

/**
 * Dice overlap of two shapes' grids, 0..1. At a coarser `level` (their block sums) it is an
 * upper bound of the full one: the sum of minima never exceeds the minimum of sums.
 */
export function overlap(a: Shape, b: Shape, level: 'coarse' | 'mid' | 'grid' = 'grid'): number {
  let common = 0;
  const ga = a[level];
  const gb = b[level];
  for (let i = 0; i < ga.length; i++) common += ga[i] < gb[i] ? ga[i] : gb[i];
  const total = a.sum + b.sum;
  return total > 0 ? (2 * common) / total : 0;
}

/** Euclidean distance between two RGB colours. */
export function colourDistance(r1: number, g1: number, b1: number, r2: number, g2: number, b2: number): number {
  const dr = r1 - r2;
  const dg = g1 - g2;
  const db = b1 - b2;
  return Math.sqrt(dr * dr + dg * dg + db * db);
}
