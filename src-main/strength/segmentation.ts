/**
 * The attack that knows the design: it separates the glyphs from the background and the
 * noise by colour (each glyph is one solid fill: a palette colour, or one random colour),
 * cuts them into connected pieces, and matches pieces and runs of pieces against the
 * design's own characters rendered by the core in its fonts, size and rotations
 * (templates.ts). Flat designs such as seed 002's fall to it; overlap, noise in the
 * glyphs' colours, warping and varied fonts resist it.
 */
import { color as parseColour } from '../core/color.ts';
import type { Design, TextSpec } from '../core/design.ts';
import type { FontRegistry } from '../core/fonts.ts';
import { charsetOf } from '../core/text.ts';
import { backgroundEstimate, colourDistance, components, overlap, toShape, type Component, type RgbImage, type Shape } from './image.ts';
import type { Sample } from './samples.ts';
import { solveQuestion } from './scoring.ts';
import { glyphTemplates, type Template } from './templates.ts';

/** What an attack made of one sample: the answer it would type, and the text it read (the question, for math). */
export interface Read {
  answer: string;
  text: string;
}

/** A pixel is foreground when it is at least this far (RGB distance) from the background under it. */
const FOREGROUND = 40;
/** How far a pixel may be from its glyph colour: blends with noise or the background beyond this are not the glyph. */
const NEAR_CLASS = 72;
const MAX_CLASSES = 24;
/** A piece run may join at most this many pieces. */
const MAX_RUN = 3;
/** Below this template overlap a candidate is not a glyph (for math, where the count is not known). */
const MIN_SCORE = 0.55;

export const MATH_CHARS = [...'0123456789+-×=?'];

const COARSE_CELLS = 16;
const MID_CELLS = 64;

/** The templates' quick-comparison figures in flat arrays: the first passes run over every template for every candidate. */
interface FlatTemplates {
  logAspect: Float32Array;
  logHeight: Float32Array;
  sum: Float32Array;
  coarse: Float32Array;
  mid: Float32Array;
}

function flatten(templates: Template[]): FlatTemplates {
  const coarse = new Float32Array(templates.length * COARSE_CELLS);
  const mid = new Float32Array(templates.length * MID_CELLS);
  templates.forEach((t, i) => {
    coarse.set(t.shape.coarse, i * COARSE_CELLS);
    mid.set(t.shape.mid, i * MID_CELLS);
  });
  return {
    logAspect: Float32Array.from(templates, (x) => Math.log(x.shape.w / x.shape.h)),
    logHeight: Float32Array.from(templates, (x) => Math.log(x.shape.h)),
    sum: Float32Array.from(templates, (x) => x.shape.sum),
    coarse,
    mid,
  };
}

interface Model {
  templates: Template[];
  flat: FlatTemplates;
  scratchBound: Float32Array;
  scratchSize: Float32Array;
  /** Glyph size in device pixels. */
  px: number;
  palette: [number, number, number][] | null;
  /** The answer's length when every answer has the same one. */
  length: number | null;
  math: boolean;
  /** Widest and tallest template, and the median width: how big a glyph can be. */
  maxW: number;
  maxH: number;
  medianW: number;
}

function model(t: TextSpec, scale: number, fonts: FontRegistry): Model {
  const math = t.mode === 'math';
  const chars = math ? MATH_CHARS : t.mode === 'fixed' ? [...new Set(t.value ?? '')] : charsetOf(t);
  const templates = glyphTemplates(t, chars, scale, fonts);
  const widths = templates.map((x) => x.shape.w).sort((a, b) => a - b);
  const px = t.size * scale;
  return {
    templates,
    flat: flatten(templates),
    scratchBound: new Float32Array(templates.length),
    scratchSize: new Float32Array(templates.length),
    px,
    palette: t.color.mode === 'palette' ? t.color.palette.map((c) => parseColour(c).slice(0, 3) as [number, number, number]) : null,
    length: t.mode === 'random' ? t.length : t.mode === 'fixed' ? [...(t.value ?? '')].length : null,
    math,
    maxW: widths.at(-1) ?? px,
    maxH: Math.max(...templates.map((x) => x.shape.h), px),
    medianW: widths[widths.length >> 1] ?? px * 0.6,
  };
}

/** The glyph colours of a design with random ones: exact colours many foreground pixels share (a fill is one colour; its anti-aliased edge is many). */
function randomClasses(img: RgbImage, fg: Uint8Array, minArea: number): [number, number, number][] {
  const counts = new Map<number, number>();
  const { rgb } = img;
  for (let p = 0; p < fg.length; p++) {
    if (!fg[p]) continue;
    const key = (rgb[p * 3] << 16) | (rgb[p * 3 + 1] << 8) | rgb[p * 3 + 2];
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const out: [number, number, number][] = [];
  for (const [key, n] of [...counts].sort((a, b) => b[1] - a[1])) {
    if (n < minArea || out.length >= MAX_CLASSES) break;
    const c: [number, number, number] = [key >> 16, (key >> 8) & 255, key & 255];
    if (out.every((o) => colourDistance(o[0], o[1], o[2], c[0], c[1], c[2]) > 24)) out.push(c);
  }
  return out;
}

interface Piece extends Component {
  cls: number;
  id: number;
}

/** Cuts a piece wider than a glyph at the columns with the least ink, into about one part per glyph width and one more. */
function splitWide(c: Component, w: number, m: Model): Component[] {
  const width = c.x1 - c.x0;
  if (width <= m.medianW * 1.3) return [c];
  const parts = Math.min(6, Math.round(width / m.medianW) + 1);
  const column = new Uint32Array(width);
  for (const p of c.pixels) column[(p % w) - c.x0]++;
  const cuts: number[] = [];
  for (let i = 1; i < parts; i++) {
    const centre = Math.round((i * width) / parts);
    const reach = Math.max(1, Math.round(width / parts / 3));
    let best = centre;
    for (let x = Math.max(1, centre - reach); x <= Math.min(width - 1, centre + reach); x++) if (column[x] < column[best]) best = x;
    if (!cuts.includes(best)) cuts.push(best);
  }
  cuts.sort((a, b) => a - b);
  const bounds = [0, ...cuts, width];
  const out: Component[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const lo = c.x0 + bounds[i];
    const hi = c.x0 + bounds[i + 1];
    const pixels = c.pixels.filter((p) => p % w >= lo && p % w < hi);
    if (!pixels.length) continue;
    let y0 = Infinity;
    let y1 = -Infinity;
    let x0 = Infinity;
    let x1 = -Infinity;
    for (const p of pixels) {
      const x = p % w;
      const y = (p - x) / w;
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y + 1);
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x + 1);
    }
    out.push({ x0, x1, y0, y1, area: pixels.length, pixels });
  }
  return out;
}

interface Candidate {
  pieces: number[];
  x: number;
  ch: string;
  score: number;
}

/**
 * The template `shape` overlaps most, weighed by how near their heights are (size jitter is
 * small; case is told by size). Coarser overlaps bound the full ones from above, so a template
 * whose coarse score cannot beat the best so far is never compared in full.
 */
function bestTemplate(shape: Shape, m: Model): { ch: string; score: number } {
  const aspect = Math.log(shape.w / shape.h);
  const lh = Math.log(shape.h);
  const { flat, templates } = m;
  const T = templates.length;
  const bound = m.scratchBound;
  const size = m.scratchSize;
  const sa = shape.coarse;
  let top = -1;
  for (let i = 0; i < T; i++) {
    bound[i] = 0;
    if (Math.abs(flat.logAspect[i] - aspect) > 0.7) continue;
    size[i] = 1 - 0.6 * Math.min(1, Math.abs(lh - flat.logHeight[i]));
    let common = 0;
    for (let j = 0, o = i * COARSE_CELLS; j < COARSE_CELLS; j++, o++) common += sa[j] < flat.coarse[o] ? sa[j] : flat.coarse[o];
    bound[i] = ((2 * common) / (shape.sum + flat.sum[i])) * size[i];
    if (top < 0 || bound[i] > bound[top]) top = i;
  }
  if (top < 0) return { ch: '', score: 0 };
  // The most promising template first: its full score then rules out most of the others by their bound.
  let best = { ch: templates[top].ch, score: overlap(shape, templates[top].shape) * size[top] };
  const sm = shape.mid;
  for (let i = 0; i < T; i++) {
    if (bound[i] <= best.score || i === top) continue;
    let common = 0;
    for (let j = 0, o = i * MID_CELLS; j < MID_CELLS; j++, o++) common += sm[j] < flat.mid[o] ? sm[j] : flat.mid[o];
    if (((2 * common) / (shape.sum + flat.sum[i])) * size[i] <= best.score) continue;
    const s = overlap(shape, templates[i].shape) * size[i];
    if (s > best.score) best = { ch: templates[i].ch, score: s };
  }
  return best;
}

const DIGIT = /^[0-9]$/;
const OPERATOR = /^[+\-×]$/;

/**
 * The likeliest question among the glyphs found, left to right: digits, an operator, digits,
 * then "=" and "?" when they are there. The attacker knows the format; stray strokes read as
 * "-" or "=" before or between the numbers are skipped. Maximises the summed match scores.
 */
function readQuestion(found: Candidate[]): string {
  // States: 0 start, 1 first number, 2 operator, 3 second number, 4 "=", 5 "?".
  const accepts = (state: number, ch: string): number | null => {
    if (DIGIT.test(ch)) return state === 0 || state === 1 ? 1 : state === 2 || state === 3 ? 3 : null;
    if (OPERATOR.test(ch) && state === 1) return 2;
    if (ch === '=' && state === 3) return 4;
    if (ch === '?' && (state === 3 || state === 4)) return 5;
    return null;
  };
  // best[state] = the highest-scoring reading ending in that state.
  let best: ({ score: number; text: string; digits: number } | null)[] = [{ score: 0, text: '', digits: 0 }, null, null, null, null, null];
  for (const c of found) {
    const next = [...best];
    best.forEach((b, state) => {
      if (!b) return;
      const to = accepts(state, c.ch);
      if (to === null) return;
      const digits = to === state ? b.digits + 1 : 1;
      if ((to === 1 || to === 3) && digits > 3) return;
      const cand = { score: b.score + c.score, text: b.text + c.ch, digits };
      if (!next[to] || next[to]!.score < cand.score) next[to] = cand;
    });
    best = next;
  }
  const ends = [best[3], best[4], best[5]].filter((b) => b !== null);
  return ends.sort((a, b) => b.score - a.score)[0]?.text ?? found.map((c) => c.ch).join('');
}

/** Reads one captcha: the glyphs it finds, left to right. */
function readImage(img: RgbImage, m: Model): string {
  const { width: w, height: h, rgb } = img;
  const n = w * h;
  const bg = backgroundEstimate(img, Math.max(3, Math.round(m.px / 3)));
  const dbg = new Float32Array(n);
  const fg = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    const i = p * 3;
    dbg[p] = colourDistance(rgb[i], rgb[i + 1], rgb[i + 2], bg[i], bg[i + 1], bg[i + 2]);
    if (dbg[p] > FOREGROUND) fg[p] = 1;
  }
  const minArea = Math.max(4, 0.01 * m.px * m.px);
  const classes = m.palette ?? randomClasses(img, fg, minArea);
  // Each pixel goes to the nearest glyph colour, when it is nearer that colour than the background (over half covered).
  const label = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    if (!fg[p]) continue;
    const i = p * 3;
    let best = -1;
    let bestD = NEAR_CLASS;
    classes.forEach((c, k) => {
      const d = colourDistance(rgb[i], rgb[i + 1], rgb[i + 2], c[0], c[1], c[2]);
      if (d < bestD) [best, bestD] = [k, d];
    });
    if (best >= 0 && bestD < dbg[p]) label[p] = best + 1;
  }
  const pieces: Piece[] = [];
  const mask = new Uint8Array(n);
  classes.forEach((_, k) => {
    for (let p = 0; p < n; p++) mask[p] = label[p] === k + 1 ? 1 : 0;
    for (const c of components(mask, w, h)) {
      if (c.area < 3 || c.y1 - c.y0 > m.maxH * 1.6) continue; // specks, and strokes taller than any glyph
      for (const part of splitWide(c, w, m)) pieces.push({ ...part, cls: k, id: pieces.length });
    }
  });

  // Candidates: each piece, and runs of up to MAX_RUN neighbouring pieces of one colour that fit in a glyph's box.
  const candidates: Candidate[] = [];
  const byClass = new Map<number, Piece[]>();
  for (const pc of pieces) byClass.set(pc.cls, [...(byClass.get(pc.cls) ?? []), pc]);
  for (const list of byClass.values()) {
    list.sort((a, b) => a.x0 + a.x1 - (b.x0 + b.x1));
    for (let i = 0; i < list.length; i++) {
      let box = { x0: list[i].x0, x1: list[i].x1, y0: list[i].y0, y1: list[i].y1 };
      let area = 0;
      const ids: number[] = [];
      for (let j = i; j < list.length && j < i + MAX_RUN; j++) {
        const pc = list[j];
        box = { x0: Math.min(box.x0, pc.x0), x1: Math.max(box.x1, pc.x1), y0: Math.min(box.y0, pc.y0), y1: Math.max(box.y1, pc.y1) };
        if (box.x1 - box.x0 > m.maxW * 1.15 || box.y1 - box.y0 > m.maxH * 1.3) break;
        ids.push(pc.id);
        area += pc.area;
        // Specks smaller than a fifth of the glyph size both ways are noise dots, not glyphs.
        if (area < minArea || (box.x1 - box.x0 < m.px * 0.2 && box.y1 - box.y0 < m.px * 0.2)) continue;
        const bw = box.x1 - box.x0;
        const bh = box.y1 - box.y0;
        const on = new Uint8Array(bw * bh);
        for (const id of ids) for (const p of pieces[id].pixels) on[(Math.floor(p / w) - box.y0) * bw + (p % w) - box.x0] = 1;
        const shape = toShape(bw, bh, on);
        const best = bestTemplate(shape, m);
        if (best.score > 0.3) candidates.push({ pieces: [...ids], x: (box.x0 + box.x1) / 2, ...best });
      }
    }
  }
  // The best-matching candidates that share no piece: as many as the answer has characters when that is known.
  candidates.sort((a, b) => b.score - a.score);
  const used = new Set<number>();
  const chosen: Candidate[] = [];
  for (const c of candidates) {
    if (m.length !== null && chosen.length >= m.length) break;
    if (m.length === null && c.score < MIN_SCORE) break;
    if (c.pieces.some((p) => used.has(p))) continue;
    for (const p of c.pieces) used.add(p);
    chosen.push(c);
  }
  chosen.sort((a, b) => a.x - b.x);
  return m.math ? readQuestion(chosen) : chosen.map((c) => c.ch).join('');
}

/** A reader for `design`'s captchas (templates made once), for samples at `scale` device pixels a design pixel. */
export function segmentationReader(design: Design, scale: number, fonts: FontRegistry): (s: Sample) => Read {
  const t = design.text;
  if (!t) return () => ({ answer: '', text: '' });
  const m = model(t, scale, fonts);
  return (s) => {
    const text = readImage(s.image, m);
    return { answer: m.math ? (solveQuestion(text) ?? '') : text, text };
  };
}

export const SEGMENTATION_SUMMARY =
  "Knows the design: separates each glyph from the background and the noise by its colour, cuts the glyphs into connected pieces, and matches them with the design's own characters rendered in its fonts, size and rotations, reading left to right.";
