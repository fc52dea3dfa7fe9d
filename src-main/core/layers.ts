/** Background layers, drawn in order onto a Surface. */
import { createCanvas, Image, type SKRSContext2D } from '@napi-rs/canvas';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { color, cssColor, type RGBA } from './color.ts';
import { DesignError, LIMITS, type Design, type Layer } from './design.ts';
import { SIZE_VARS, evalLength, type Length } from './expr.ts';
import { IMAGE_FORMATS, ImageHeaderError, sniffImage, type ImageHeader } from './image-header.ts';
import { pick, range, type Rng } from './random.ts';
import { Surface, fillAll, fillEllipse, fillRect } from './surface.ts';

export interface LayerContext {
  /** Design-pixel size (before scale). */
  w: number;
  h: number;
  rng: Rng;
  /** Image-layer sources, decoded beforehand by loadImages. */
  images?: ImageSet;
  field: string;
}

const withAlpha = (c: RGBA, opacity: number): RGBA => [c[0], c[1], c[2], Math.round(c[3] * opacity)];

export function randomRgb(rng: Rng, min = 0, max = 255): RGBA {
  return [rng.int(min, max), rng.int(min, max), rng.int(min, max), 255];
}

export function drawLayer(s: Surface, layer: Layer, lc: LayerContext): void {
  const L = (v: Length) => evalLength(v, { w: lc.w, h: lc.h }, SIZE_VARS);
  const k = s.scale;
  switch (layer.type) {
    case 'solid':
      return fillAll(s, withAlpha(color(layer.color), layer.opacity));
    case 'random-color': {
      const [lo, hi] = layer.min <= layer.max ? [layer.min, layer.max] : [layer.max, layer.min];
      const c = randomRgb(lc.rng, lo, hi);
      return fillAll(s, [c[0], c[1], c[2], Math.round(layer.alpha * layer.opacity)]);
    }
    case 'ellipse': {
      // PIL's box is inclusive: x0..x1 covers x1 - x0 + 1 pixels.
      const [x0, y0, x1, y1] = layer.box.map(L);
      const [ax, bx] = x0 <= x1 ? [x0, x1 + 1] : [x1, x0 + 1];
      const [ay, by] = y0 <= y1 ? [y0, y1 + 1] : [y1, y0 + 1];
      return shape(s, layer, (ctx) => ctx.ellipse((ax + bx) / 2, (ay + by) / 2, (bx - ax) / 2, (by - ay) / 2, 0, 0, Math.PI * 2), (c) =>
        fillEllipse(s, ((ax + bx) / 2) * k, ((ay + by) / 2) * k, ((bx - ax) / 2) * k, ((by - ay) / 2) * k, c),
      );
    }
    case 'circle': {
      const [cx, cy, r] = [L(layer.cx), L(layer.cy), Math.abs(L(layer.r))];
      return shape(s, layer, (ctx) => ctx.arc(cx, cy, r, 0, Math.PI * 2), (c) => fillEllipse(s, cx * k, cy * k, r * k, r * k, c));
    }
    case 'rect': {
      const [x, y, w, h, r] = [L(layer.x), L(layer.y), L(layer.width), L(layer.height), L(layer.radius)];
      const flat = r <= 0 ? (c: RGBA) => fillRect(s, x * k, y * k, w * k, h * k, c) : undefined;
      return shape(s, layer, (ctx) => (r > 0 ? ctx.roundRect(x, y, w, h, r) : ctx.rect(x, y, w, h)), flat);
    }
    case 'blob': {
      const [cx, cy, r] = [L(layer.cx), L(layer.cy), Math.abs(L(layer.r))];
      const pts = Array.from({ length: layer.points }, (_, i) => {
        const a = (i / layer.points) * Math.PI * 2 + range(lc.rng, -0.3, 0.3) * layer.irregularity;
        const rr = r * (1 + range(lc.rng, -0.5, 0.5) * layer.irregularity);
        return [cx + Math.cos(a) * rr, cy + Math.sin(a) * rr] as const;
      });
      return shape(s, layer, (ctx) => smoothClosedPath(ctx, pts));
    }
    default:
      return drawOnCanvas(s, layer, lc, L);
  }
}

type ShapeLayer = Extract<Layer, { fill?: string; outline?: string }>;

/**
 * Fills (and outlines) a shape. A plain fill, or an outline in the fill's own
 * colour (seed 000 draws both in one colour), goes straight to the bytes.
 */
function shape(s: Surface, layer: ShapeLayer, path: (ctx: SKRSContext2D) => void, flat?: (c: RGBA) => void): void {
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
  s.blank = false;
}

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

function drawOnCanvas(s: Surface, layer: Layer, lc: LayerContext, L: (v: Length) => number): void {
  const { w, h, rng } = lc;
  if (layer.type === 'grain') return grain(s, layer.amount * layer.opacity, layer.monochrome, rng);
  const ctx = s.ctx();
  ctx.globalAlpha = layer.opacity;
  switch (layer.type) {
    case 'linear-gradient': {
      // CSS semantics: 0deg points up, 90deg points right; the line spans the corners.
      const a = (layer.angle * Math.PI) / 180;
      const half = (Math.abs(w * Math.sin(a)) + Math.abs(h * Math.cos(a))) / 2;
      const dx = Math.sin(a) * half;
      const dy = -Math.cos(a) * half;
      const g = ctx.createLinearGradient(w / 2 - dx, h / 2 - dy, w / 2 + dx, h / 2 + dy);
      for (const st of layer.stops) g.addColorStop(st.offset, cssColor(color(st.color)));
      ctx.fillStyle = g;
      ctx.fillRect(0, 0, w, h);
      break;
    }
    case 'radial-gradient': {
      const [cx, cy, r] = [L(layer.cx), L(layer.cy), Math.max(0.001, Math.abs(L(layer.radius)))];
      const g = ctx.createRadialGradient(cx, cy, 0, cx, cy, r);
      for (const st of layer.stops) g.addColorStop(st.offset, cssColor(color(st.color)));
      ctx.fillStyle = g;
      ctx.fillRect(0, 0, w, h);
      break;
    }
    case 'bubbles': {
      const lo = Math.min(layer.minRadius, layer.maxRadius);
      const hi = Math.max(layer.minRadius, layer.maxRadius);
      for (let i = 0; i < layer.count; i++) {
        const c = layer.colors.length ? color(pick(rng, layer.colors)) : randomRgb(rng);
        const x = range(rng, 0, w);
        const y = range(rng, 0, h);
        const r = range(rng, lo, hi);
        ctx.fillStyle = cssColor([c[0], c[1], c[2], Math.round(c[3] * layer.alpha)]);
        ctx.beginPath();
        ctx.arc(x, y, r, 0, Math.PI * 2);
        ctx.fill();
      }
      break;
    }
    case 'stripes': {
      const diag = Math.hypot(w, h);
      ctx.translate(w / 2, h / 2);
      ctx.rotate((layer.angle * Math.PI) / 180);
      const colors = layer.colors.map((c) => cssColor(color(c)));
      const n = Math.ceil(diag / layer.width) + 1;
      for (let i = 0; i < n; i++) {
        ctx.fillStyle = colors[i % colors.length];
        ctx.fillRect(-diag / 2 + i * layer.width, -diag / 2, layer.width + 0.5, diag);
      }
      break;
    }
    case 'dots': {
      ctx.fillStyle = cssColor(color(layer.color));
      const sp = layer.spacing;
      for (let y = sp / 2; y < h + sp; y += sp) {
        // One path per row: Skia's time to fill a path grows faster than its contour
        // count (one path of 25,000 dots took minutes), a row's worth stays linear.
        ctx.beginPath();
        for (let x = sp / 2; x < w + sp; x += sp) {
          const jx = layer.jitter ? range(rng, -0.5, 0.5) * sp * layer.jitter : 0;
          const jy = layer.jitter ? range(rng, -0.5, 0.5) * sp * layer.jitter : 0;
          ctx.moveTo(x + jx + layer.radius, y + jy);
          ctx.arc(x + jx, y + jy, layer.radius, 0, Math.PI * 2);
        }
        ctx.fill();
      }
      break;
    }
    case 'grid': {
      ctx.strokeStyle = cssColor(color(layer.color));
      ctx.lineWidth = layer.lineWidth;
      ctx.beginPath();
      for (let x = 0.5; x <= w; x += layer.spacing) {
        ctx.moveTo(x, 0);
        ctx.lineTo(x, h);
      }
      for (let y = 0.5; y <= h; y += layer.spacing) {
        ctx.moveTo(0, y);
        ctx.lineTo(w, y);
      }
      ctx.stroke();
      break;
    }
    case 'triangles':
      lowPoly(ctx, w, h, layer.cellSize, layer.colors.map(color), layer.variance, rng);
      break;
    case 'image':
      drawImageLayer(ctx, layer, lc);
      break;
  }
  s.blank = false;
}

/** Per-pixel luminance grain; modifies what is below rather than covering it. */
function grain(s: Surface, amount: number, mono: boolean, rng: Rng): void {
  const px = s.pixels();
  const span = amount * 255;
  for (let i = 0; i < px.length; i += 4) {
    if (mono) {
      const d = (rng.next() - 0.5) * 2 * span;
      px[i] += d;
      px[i + 1] += d;
      px[i + 2] += d;
    } else {
      px[i] += (rng.next() - 0.5) * 2 * span;
      px[i + 1] += (rng.next() - 0.5) * 2 * span;
      px[i + 2] += (rng.next() - 0.5) * 2 * span;
    }
  }
}

function lerpColor(stops: RGBA[], t: number): RGBA {
  if (stops.length === 1) return stops[0];
  const x = Math.min(0.9999, Math.max(0, t)) * (stops.length - 1);
  const i = Math.floor(x);
  const f = x - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [0, 1, 2, 3].map((c) => Math.round(a[c] + (b[c] - a[c]) * f)) as unknown as RGBA;
}

/** Low-poly backdrop: a jittered grid split into triangles, shaded along the diagonal. */
function lowPoly(ctx: SKRSContext2D, w: number, h: number, cell: number, colors: RGBA[], variance: number, rng: Rng): void {
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
    ctx.lineWidth = 0.5;
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

/** Decoded image-layer sources, by their `src` text; see loadImages. */
export type ImageSet = ReadonlyMap<string, Image>;

/**
 * The largest image file read from disk. Files are read whole before their header
 * is checked, so a design naming a huge file (or a device) must not make us try;
 * data URLs are bounded by the schema (LIMITS.imageSource characters).
 */
const MAX_IMAGE_FILE = 128 * 2 ** 20;

/** Reads (and checks) one image source: a data URL, or a local file path. */
function imageBytes(src: string, field: string, assetDir: string | undefined): Buffer {
  if (src.startsWith('data:')) {
    // The declared MIME type is not trusted either way: sniffImage decides by the bytes.
    const m = /^data:image\/[a-z+.-]+;base64,(.*)$/is.exec(src);
    if (!m) throw new DesignError([{ field, rule: 'must be a base64 image data URL' }]);
    return Buffer.from(m[1], 'base64');
  }
  // A network path would make the OS connect (and on Windows send the user's
  // credentials) to a host named by whoever wrote the design file.
  if (/^(\\\\|\/\/)/.test(src) || /^[a-z][a-z0-9+.-]+:/i.test(src))
    throw new DesignError([{ field, rule: 'must be a local file path or a data URL (network paths and URLs are not read)' }]);
  if (!isAbsolute(src) && !assetDir) throw new DesignError([{ field, rule: 'must be an absolute path or a data URL here' }]);
  let fd: number;
  try {
    // Non-blocking, so a FIFO named by a design cannot hang the open (POSIX; 0 elsewhere).
    fd = openSync(assetDir ? resolve(assetDir, src) : src, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch {
    throw new DesignError([{ field, rule: `image file not found or unreadable: ${src}` }]);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new DesignError([{ field, rule: `must be an image file, not a device, folder or pipe: ${src}` }]);
    if (st.size > MAX_IMAGE_FILE) throw new DesignError([{ field, rule: `image file is ${st.size.toLocaleString('en-US')} bytes; at most ${MAX_IMAGE_FILE.toLocaleString('en-US')} are read` }]);
    const buf = Buffer.alloc(st.size);
    let n = 0;
    while (n < buf.length) {
      const got = readSync(fd, buf, n, buf.length - n, n);
      if (!got) break;
      n += got;
    }
    return buf.subarray(0, n);
  } catch (e) {
    if (e instanceof DesignError) throw e;
    throw new DesignError([{ field, rule: `image file not found or unreadable: ${src}` }]);
  } finally {
    closeSync(fd);
  }
}

/**
 * Decodes every image layer's source. Skia decodes off-thread, and an Image drawn
 * before its decode finished draws nothing, so rendering (which is synchronous)
 * takes the decoded set from here. Errors name the layer's field.
 *
 * Skia would decode anything it recognises, SVG included, and aborts the process
 * on some (a 300-byte SVG declaring 60000x60000 pixels). So the bytes are checked
 * first, without Skia: only PNG, JPEG, WebP and GIF, with a complete header whose
 * declared size is within LIMITS.area. Then Skia's own reading of the size must
 * agree before it decodes anything.
 */
export async function loadImages(design: Design, assetDir?: string): Promise<ImageSet> {
  const images = new Map<string, Image>();
  for (const [i, layer] of design.background.entries()) {
    if (layer.type !== 'image' || images.has(layer.src)) continue;
    const field = `background.${i}.src`;
    const bytes = imageBytes(layer.src, field, assetDir);
    let header: ImageHeader;
    try {
      header = sniffImage(bytes);
    } catch (e) {
      if (e instanceof ImageHeaderError) throw new DesignError([{ field, rule: e.message }]);
      throw e;
    }
    // A few KiB of PNG can declare 60000x60000 pixels: a decompression bomb.
    if (header.width * header.height > LIMITS.area) throw new DesignError([{ field, rule: `is ${header.width}x${header.height} pixels; images may have at most ${LIMITS.area.toLocaleString('en-US')} (checked before decoding)` }]);
    const img = new Image();
    img.src = bytes;
    // Skia reads the header at once. Its size must be the one checked above (or
    // turned by the JPEG's EXIF orientation); otherwise the two parsers disagree
    // about these bytes and the check above proved nothing.
    const undecodable = new DesignError([{ field, rule: `must be a valid ${IMAGE_FORMATS} image (it could not be decoded; is the file truncated?)` }]);
    if (!img.width || !img.height) throw undecodable;
    const same = (img.width === header.width && img.height === header.height) || (img.width === header.height && img.height === header.width);
    if (!same)
      throw new DesignError([{ field, rule: `must be a valid ${IMAGE_FORMATS} image: its header says ${header.width}x${header.height} but it reads as ${img.width}x${img.height}` }]);
    try {
      await img.decode();
    } catch {
      throw undecodable;
    }
    images.set(layer.src, img);
  }
  return images;
}

function drawImageLayer(ctx: SKRSContext2D, layer: Extract<Layer, { type: 'image' }>, lc: LayerContext): void {
  const img = lc.images?.get(layer.src);
  // A caller bug, not bad input: the set comes from loadImages(design).
  if (!img) throw new Error(`${lc.field}.src: image not loaded; call loadImages(design) before rendering`);
  const { w, h } = lc;
  if (layer.fit === 'stretch') return void ctx.drawImage(img, 0, 0, w, h);
  if (layer.fit === 'tile') {
    // Skia filters pattern fills even at 1:1, bleeding each tile's edge into the
    // next; drawImage at whole-pixel offsets copies pixels exactly. One row of
    // tiles is built, then copied down: cols + rows draws, not cols x rows.
    const cols = Math.ceil(w / img.width);
    const rowH = Math.min(img.height, h);
    const row = createCanvas(w, rowH);
    const rc = row.getContext('2d');
    for (let c = 0; c < cols; c++) rc.drawImage(img, c * img.width, 0);
    for (let y = 0; y < h; y += img.height) ctx.drawImage(row, 0, y);
    return;
  }
  const f = layer.fit === 'cover' ? Math.max(w / img.width, h / img.height) : Math.min(w / img.width, h / img.height);
  const dw = img.width * f;
  const dh = img.height * f;
  ctx.drawImage(img, (w - dw) / 2, (h - dh) / 2, dw, dh);
}
