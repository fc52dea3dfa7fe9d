/** Captcha text: what to draw and what the answer is, where each glyph goes, then painting them on the surface. */
import { color, contrastRatio, cssColor, randomRgb, type RGBA } from './color.ts';
import { DesignError, type TextSpec } from './design.ts';
import { GLYPH_VARS, evalLength } from './expr.ts';
import { fontShorthand, type FontEntry, type FontRegistry } from './fonts.ts';
import { pick, range, type Rng } from './random.ts';
import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import { BoundedMemo, KeyedMemo } from './memo.ts';
import { maskShape, type MaskShape, type Surface } from './surface.ts';

const DIGITS = '0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
/** 3500-character lists are overkill for a captcha; these are common, visually distinct hanzi. */
const CJK =
  '的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴';

export const CHARSET_CHARS: Record<Exclude<TextSpec['charset'], 'custom'>, string> = {
  digits: DIGITS,
  letters: LOWER + UPPER,
  lowercase: LOWER,
  uppercase: UPPER,
  alphanumeric: LOWER + UPPER + DIGITS,
  // No 0/O/o, 1/l/I/i, nor j: the pairs people misread most.
  unambiguous: '23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghkmnpqrstuvwxyz',
  cjk: CJK,
};

const charsetCache = new BoundedMemo<string, string[]>(64);

/** The distinct characters a random answer draws from (cached: called per render). */
export function charsetOf(t: TextSpec): string[] {
  const source = t.charset === 'custom' ? (t.chars ?? '') : CHARSET_CHARS[t.charset];
  let chars = charsetCache.get(source);
  if (!chars) {
    chars = [...new Set(source)];
    charsetCache.set(source, chars);
  }
  return chars;
}

/** A fixed text as drawn: {w} and {h} make placeholder labels such as "640×480" follow the requested size. */
export function fixedText(value: string, size: { w: number; h: number }): string {
  return value.replaceAll('{w}', String(size.w)).replaceAll('{h}', String(size.h));
}

export interface Challenge {
  /** What is drawn. */
  text: string;
  /** What the user must type. */
  answer: string;
}

/**
 * Picks the text and answer. `answerRng` is a CSPRNG unless the design fixed a
 * seed, so verified answers are unpredictable from anything an attacker sees.
 */
export function makeChallenge(t: TextSpec, size: { w: number; h: number }, answerRng: Rng): Challenge {
  if (t.mode === 'fixed') {
    const text = fixedText(t.value!, size);
    return { text, answer: text };
  }
  if (t.mode === 'math') {
    const op = pick(answerRng, t.math.operators);
    let a = answerRng.int(t.math.min, t.math.max);
    let b = answerRng.int(t.math.min, t.math.max);
    if (op === '-' && b > a) [a, b] = [b, a]; // answers stay non-negative
    const result = op === '+' ? a + b : op === '-' ? a - b : a * b;
    return { text: `${a}${op === '*' ? '×' : op}${b}=?`, answer: String(result) };
  }
  const chars = charsetOf(t);
  let text = '';
  for (let i = 0; i < t.length; i++) text += chars[answerRng.int(0, chars.length - 1)];
  return { text, answer: text };
}

export interface TextContext {
  w: number;
  h: number;
  rng: Rng;
  fonts: FontRegistry;
}

/** Throws a DesignError when a requested font is not installed or a character is in no font. */
export function checkFonts(t: TextSpec, fonts: FontRegistry, sample: string): void {
  t.fonts.forEach((f, i) => {
    if (!fonts.has(f)) throw new DesignError([{ field: `text.fonts.${i}`, rule: `font "${f}" is not installed (see GET /api/fonts or "captcha-studio fonts")` }]);
  });
  for (const ch of sample) {
    if (!fonts.faceFor(t.fonts[0], ch.codePointAt(0)!)) {
      const field = t.mode === 'fixed' ? 'text.value' : t.charset === 'custom' ? 'text.chars' : 'text.charset';
      throw new DesignError([{ field, rule: `character "${ch}" (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}) is in no installed font` }]);
    }
  }
}

function glyphColor(t: TextSpec, rng: Rng, bg: readonly number[]): RGBA {
  if (t.color.mode === 'palette') return color(pick(rng, t.color.palette));
  const min = t.color.minContrast;
  if (min <= 1) return randomRgb(rng);
  for (let tries = 0; tries < 32; tries++) {
    const c = randomRgb(rng);
    if (contrastRatio(c, bg) >= min) return c;
  }
  // Nothing random was far enough from the background: use whichever extreme is.
  return contrastRatio([0, 0, 0], bg) >= contrastRatio([255, 255, 255], bg) ? [0, 0, 0, 255] : [255, 255, 255, 255];
}

interface GlyphMetrics {
  advance: number;
  ascent: number;
  descent: number;
  /** The glyph's ink from the pen position on the baseline: left and up are positive as measureText reports them. */
  ink: { left: number; right: number; up: number; down: number };
}
/** measureText is a native call per glyph; captchas reuse a few sizes and faces. */
const metricsCache = new KeyedMemo<FontEntry, GlyphMetrics>(4096);

/** A small canvas of our own for measuring and rasterising single glyphs. */
let scratch: { canvas: Canvas; ctx: SKRSContext2D } | null = null;
function scratchCtx(w = 1, h = 1): SKRSContext2D {
  if (!scratch || scratch.canvas.width < w || scratch.canvas.height < h) {
    const canvas = createCanvas(Math.max(w, scratch?.canvas.width ?? 0, 64), Math.max(h, scratch?.canvas.height ?? 0, 64));
    scratch = { canvas, ctx: canvas.getContext('2d') };
  }
  return scratch.ctx;
}

function measure(face: FontEntry, size: number, ch: string): GlyphMetrics {
  let m = metricsCache.get(face, size, ch);
  if (!m) {
    const ctx = scratchCtx();
    ctx.font = fontShorthand(face, size);
    const tm = ctx.measureText(ch);
    m = {
      advance: tm.width,
      ascent: tm.fontBoundingBoxAscent,
      descent: tm.fontBoundingBoxDescent,
      ink: { left: tm.actualBoundingBoxLeft, right: tm.actualBoundingBoxRight, up: tm.actualBoundingBoxAscent, down: tm.actualBoundingBoxDescent },
    };
    metricsCache.set(face, size, ch, m);
  }
  return m;
}

/** A glyph's coverage, rasterised once by Skia, to be tinted and blended in JS. */
interface GlyphMask {
  w: number;
  h: number;
  /** Offset of the mask's top-left from the pen position (whole device pixels). */
  ox: number;
  oy: number;
  alpha: Uint8Array;
  shape: MaskShape;
}
/** Per face and size, per character, the masks at each quarter-pixel offset (index qx * SUBPIXEL + qy): at most 256 x 16 masks, as many as the string-keyed memo before it held. */
const maskCache = new KeyedMemo<FontEntry, (GlyphMask | undefined)[]>(256);
/**
 * Mask coverage rounded to multiples of 17 (16 levels, 0 and 255 kept): five solid-colour
 * glyphs on one background colour then make at most 1 + 5 x 15 = 76 colours, so seed 002's
 * captcha is always written as an indexed PNG (png-palette.ts), as are captchas of up to 17
 * such glyphs. An edge pixel moves by at most 8 of 255 levels (3 %) towards or away from the
 * ink, which no one can see. Multiples of 5 (52 levels, at most 256 colours) came first:
 * 16 levels draw and encode seed 002's captcha in 0.92x the time (bench:render-ab, 26 -> 24
 * us), with a fifth fewer bytes (1,784 -> 1,436 on average), since there are fewer palette
 * entries to make and write and runs of one level are longer.
 */
const COVERAGE_STEP = Uint8Array.from({ length: 256 }, (_, v) => Math.round(v / 17) * 17);
const SUBPIXEL = 4; // Skia also positions glyphs in quarter pixels

/** The mask of `ch` with its pen `qx` and `qy` quarter pixels right of and below a whole pixel. */
function glyphMask(face: FontEntry, devSize: number, ch: string, qx: number, qy: number): GlyphMask {
  let byOffset = maskCache.get(face, devSize, ch);
  if (!byOffset) maskCache.set(face, devSize, ch, (byOffset = new Array<GlyphMask | undefined>(SUBPIXEL * SUBPIXEL)));
  const hit = byOffset[qx * SUBPIXEL + qy];
  if (hit) return hit;
  const fx = qx / SUBPIXEL;
  const fy = qy / SUBPIXEL;
  let ctx = scratchCtx();
  ctx.font = fontShorthand(face, devSize);
  const m = ctx.measureText(ch);
  const left = Math.ceil(m.actualBoundingBoxLeft) + 2;
  const up = Math.ceil(m.actualBoundingBoxAscent) + 2;
  const w = left + Math.ceil(m.actualBoundingBoxRight) + 3;
  const h = up + Math.ceil(m.actualBoundingBoxDescent) + 3;
  ctx = scratchCtx(w, h);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.font = fontShorthand(face, devSize);
  ctx.fillStyle = '#fff';
  ctx.fillText(ch, left + fx, up + fy);
  const rgba = ctx.getImageData(0, 0, w, h).data;
  const alpha = new Uint8Array(w * h);
  for (let i = 0; i < alpha.length; i++) alpha[i] = COVERAGE_STEP[rgba[i * 4 + 3]];
  const mask = { w, h, ox: -left, oy: -up, alpha, shape: maskShape(alpha, w, h) };
  byOffset[qx * SUBPIXEL + qy] = mask;
  return mask;
}

/** Draws one unrotated glyph at a device-pixel pen position straight into the bytes. */
function blitGlyph(s: Surface, face: FontEntry, devSize: number, ch: string, penX: number, penY: number, c: RGBA): void {
  let ix = Math.floor(penX);
  let iy = Math.floor(penY);
  let fx = Math.round((penX - ix) * SUBPIXEL);
  let fy = Math.round((penY - iy) * SUBPIXEL);
  if (fx === SUBPIXEL) {
    ix++;
    fx = 0;
  }
  if (fy === SUBPIXEL) {
    iy++;
    fy = 0;
  }
  const mask = glyphMask(face, devSize, ch, fx, fy);
  s.blendMask(mask.alpha, mask.w, mask.h, ix + mask.ox, iy + mask.oy, c, mask.shape);
}

/** One glyph placed by layoutText, in design pixels. */
export interface LaidGlyph {
  ch: string;
  face: FontEntry;
  size: number;
  /** Radians, about the centre of the glyph's cell. */
  rotation: number;
  /** Baseline jitter: how far the glyph moves down (negative: up). */
  lift: number;
  advance: number;
  ascent: number;
  descent: number;
  /** Top-left of the glyph's cell (advance x ascent + descent) before lift and rotation, as PIL's draw.text((x, y)) takes it. */
  x: number;
  y: number;
  /** The cell after lift and rotation, as an axis-aligned box: what may be drawn. */
  box: { x0: number; y0: number; x1: number; y1: number };
  /** The glyph's ink after lift and rotation, as an axis-aligned box: what is drawn, to tell glyphs that leave the canvas. */
  ink: { x0: number; y0: number; x1: number; y1: number };
  /** Ink offsets from the pen position on the baseline, unrotated (from measureText). */
  inkMetrics: GlyphMetrics['ink'];
}

/** Where a glyph was drawn, for the designer: its ink box in design pixels, and whether any of it leaves the canvas. */
export interface GlyphBox {
  char: string;
  x: number;
  y: number;
  w: number;
  h: number;
  outside: boolean;
}

/** Half a device pixel of anti-aliasing at the edge is not a glyph cut off. */
const EDGE_SLACK = 0.5;

/** The glyphs' ink boxes on a `w` x `h` canvas, each flagged when part of it lies outside. */
export function glyphBoxes(glyphs: readonly LaidGlyph[], w: number, h: number): GlyphBox[] {
  return glyphs.map((g) => {
    const { x0, y0, x1, y1 } = g.ink;
    const outside = x0 < -EDGE_SLACK || y0 < -EDGE_SLACK || x1 > w + EDGE_SLACK || y1 > h + EDGE_SLACK;
    return { char: g.ch, x: x0, y: y0, w: x1 - x0, h: y1 - y0, outside };
  });
}

/**
 * Where each glyph goes: its font, size, rotation and place. Draws nothing; the
 * glyphs' random choices come from `tc.rng` in a fixed order, and painting goes on
 * drawing from the same stream.
 */
export function layoutText(t: TextSpec, text: string, tc: TextContext): LaidGlyph[] {
  const { rng, fonts } = tc;
  const chars = [...text];
  const n = chars.length;
  // Every glyph's font, size and advance first, so centred text can be laid out.
  // Plain objects of one shape, built field by field: this runs for every glyph of every
  // captcha, and spreading the metrics into them cost 15% of a 270x40 render.
  const glyphs: LaidGlyph[] = new Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const ch = chars[i];
    const family = pick(rng, t.fonts);
    const face = fonts.faceFor(family, ch.codePointAt(0)!)!;
    // Rounded so jittered sizes still hit the metrics cache often; invisible at 1/100 px.
    const size = Math.round(t.size * (1 + range(rng, -t.sizeJitter, t.sizeJitter)) * 100) / 100;
    const m = measure(face, size, ch);
    const rotation = (range(rng, -t.rotation, t.rotation) * Math.PI) / 180;
    const lift = range(rng, -t.baselineJitter, t.baselineJitter) * size;
    glyphs[i] = { ch, face, size, rotation, lift, advance: m.advance, ascent: m.ascent, descent: m.descent, x: 0, y: 0, box: { x0: 0, y0: 0, x1: 0, y1: 0 }, ink: { x0: 0, y0: 0, x1: 0, y1: 0 }, inkMetrics: m.ink };
    total += m.advance;
  }
  const gap = t.spacing * t.size;
  total += gap * (n - 1);
  let penX = (tc.w - total) / 2;
  for (let i = 0; i < n; i++) {
    const g = glyphs[i];
    const height = g.ascent + g.descent;
    if (t.position) {
      const vars = { w: tc.w, h: tc.h, i, n, s: g.size };
      g.x = evalLength(t.position.x, vars, GLYPH_VARS);
      g.y = evalLength(t.position.y, vars, GLYPH_VARS);
    } else {
      g.x = penX;
      g.y = (tc.h - height) / 2;
    }
    penX += g.advance + gap;
    const cx = g.x + g.advance / 2;
    const cy = g.y + height / 2 + g.lift;
    const cos = Math.abs(Math.cos(g.rotation));
    const sin = Math.abs(Math.sin(g.rotation));
    const ex = (cos * g.advance + sin * height) / 2;
    const ey = (sin * g.advance + cos * height) / 2;
    g.box = { x0: cx - ex, y0: cy - ey, x1: cx + ex, y1: cy + ey };
    g.ink = inkBox(g, cx, cy);
  }
  return glyphs;
}

/** The ink rectangle (pen on the baseline) turned about the cell's centre (cx, cy), as an axis-aligned box. */
function inkBox(g: LaidGlyph, cx: number, cy: number): LaidGlyph['ink'] {
  const m = g.inkMetrics;
  const baseline = g.y + g.ascent + g.lift;
  // Corners relative to the centre of rotation.
  const l = g.x - m.left - cx;
  const r = g.x + m.right - cx;
  const t = baseline - m.up - cy;
  const b = baseline + m.down - cy;
  if (g.rotation === 0) return { x0: cx + l, y0: cy + t, x1: cx + r, y1: cy + b };
  const cos = Math.cos(g.rotation);
  const sin = Math.sin(g.rotation);
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const [px, py] of [[l, t], [r, t], [l, b], [r, b]]) {
    const x = px * cos - py * sin;
    const y = px * sin + py * cos;
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  return { x0: cx + x0, y0: cy + y0, x1: cx + x1, y1: cy + y1 };
}

/** Paints laid-out glyphs, choosing each one's colour (from `rng`, after the layout's draws) against what is under it. */
export function paintText(s: Surface, t: TextSpec, glyphs: readonly LaidGlyph[], rng: Rng): void {
  const k = s.scale;
  // Colours are chosen against what is under each glyph before any glyph is drawn.
  // Sampling reads pixels back from Skia: only pay for it when a contrast is asked for.
  const needsBg = t.color.mode === 'random' && t.color.minContrast > 1;
  const bgs = glyphs.map((g): readonly number[] =>
    needsBg ? s.averageColor(g.x * k, g.y * k, (g.x + g.advance) * k, (g.y + g.ascent + g.descent) * k) : [255, 255, 255],
  );
  // Unrotated plain glyphs are blitted from cached masks without touching Skia;
  // any rotation or outline sends the whole text through the canvas.
  const blit = !t.outline && glyphs.every((g) => g.rotation === 0);
  if (blit) {
    glyphs.forEach((g, i) => blitGlyph(s, g.face, g.size * k, g.ch, g.x * k, (g.y + g.ascent + g.lift) * k, glyphColor(t, rng, bgs[i])));
    return;
  }
  const ctx = s.ctx();
  ctx.textBaseline = 'alphabetic';
  ctx.textAlign = 'left';
  glyphs.forEach((g, i) => {
    const fill = glyphColor(t, rng, bgs[i]);
    // `y` is the top of the font's ascent, as PIL's draw.text((x, y)) takes it.
    const rotated = g.rotation !== 0;
    let bx = g.x;
    let by = g.y + g.ascent + g.lift;
    if (rotated) {
      // Rotate about the glyph's centre.
      ctx.save();
      ctx.translate(g.x + g.advance / 2, g.y + (g.ascent + g.descent) / 2 + g.lift);
      ctx.rotate(g.rotation);
      bx = -g.advance / 2;
      by = g.ascent - (g.ascent + g.descent) / 2;
    }
    ctx.font = fontShorthand(g.face, g.size);
    ctx.fillStyle = cssColor(fill);
    ctx.fillText(g.ch, bx, by);
    if (t.outline) {
      ctx.strokeStyle = cssColor(color(t.outline.color));
      ctx.lineWidth = t.outline.width;
      ctx.strokeText(g.ch, bx, by);
    }
    if (rotated) ctx.restore();
  });
}

/** Lays out and paints a captcha's text; returns the layout (where each glyph went). */
export function drawText(s: Surface, t: TextSpec, text: string, tc: TextContext): LaidGlyph[] {
  const glyphs = layoutText(t, text, tc);
  paintText(s, t, glyphs, tc.rng);
  return glyphs;
}
