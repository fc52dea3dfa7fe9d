/**
 * Just enough of the OpenType/TrueType container to list a font and know which
 * characters it really has: family name, weight, italic, and cmap coverage.
 * Reads .ttf, .otf and the first face of .ttc collections.
 */
import { ParseError } from './parse-error.ts';

export interface FontFaceInfo {
  family: string;
  subfamily: string;
  weight: number;
  italic: boolean;
  /** Sorted, non-overlapping inclusive code point ranges that map to a real glyph. */
  ranges: Uint32Array;
  glyphCount: number;
}

/**
 * A font file that cannot be used. Named by its path when the thrower knows it
 * (message "path: rule", as any InputError); otherwise the message is the rule
 * alone, for the caller to put after its own field.
 */
export class FontParseError extends ParseError {
  constructor(rule: string, file?: string) {
    super(file ?? 'font', rule);
    this.name = 'FontParseError';
    if (file !== undefined) this.message = `${file}: ${rule}`;
  }
}

/**
 * Reads a font's names and coverage. Any file, however broken or hostile, gives a
 * FontFaceInfo or a FontParseError: offsets past the end, and cmaps that would
 * take unbounded work, are refused.
 */
export function parseFont(buf: Buffer): FontFaceInfo {
  try {
    return readFont(buf);
  } catch (e) {
    // Buffer reads past the end throw RangeError: some table points outside the file.
    if (e instanceof RangeError) throw new FontParseError('truncated or corrupt font (a table points past the end of the file)');
    throw e;
  }
}

function readFont(buf: Buffer): FontFaceInfo {
  if (buf.length < 12) throw new FontParseError('file is too short to be a font');
  let base = 0;
  const tag0 = buf.toString('latin1', 0, 4);
  if (tag0 === 'ttcf') {
    if (buf.length < 16) throw new FontParseError('truncated font collection header');
    base = buf.readUInt32BE(12);
  } else if (tag0 === 'wOFF' || tag0 === 'wOF2') {
    throw new FontParseError('WOFF fonts are not supported; use the .ttf or .otf file');
  }
  const version = buf.readUInt32BE(base);
  if (version !== 0x00010000 && version !== 0x4f54544f /* OTTO */ && version !== 0x74727565 /* true */) {
    throw new FontParseError('not a TrueType or OpenType font');
  }
  const numTables = buf.readUInt16BE(base + 4);
  const tables = new Map<string, { offset: number; length: number }>();
  for (let i = 0; i < numTables; i++) {
    const rec = base + 12 + i * 16;
    if (rec + 16 > buf.length) throw new FontParseError('truncated table directory');
    const offset = buf.readUInt32BE(rec + 8);
    const length = buf.readUInt32BE(rec + 12);
    if (offset + length > buf.length) throw new FontParseError(`table ${buf.toString('latin1', rec, rec + 4)} runs past the end of the file`);
    tables.set(buf.toString('latin1', rec, rec + 4), { offset, length });
  }
  const name = tables.get('name');
  const cmap = tables.get('cmap');
  if (!name) throw new FontParseError('font has no name table');
  if (!cmap) throw new FontParseError('font has no cmap table');
  const names = readNames(buf, name.offset);
  const family = names.get(16) ?? names.get(1);
  if (!family) throw new FontParseError('font has no family name');
  const os2 = tables.get('OS/2');
  let weight = 400;
  let italic = false;
  if (os2 && os2.length >= 64) {
    weight = buf.readUInt16BE(os2.offset + 4) || 400;
    italic = (buf.readUInt16BE(os2.offset + 62) & 1) === 1;
  }
  const subfamily = names.get(17) ?? names.get(2) ?? 'Regular';
  if (/bold/i.test(subfamily) && weight < 600) weight = 700;
  const maxp = tables.get('maxp');
  const glyphCount = maxp ? buf.readUInt16BE(maxp.offset + 4) : 0;
  return { family: family.trim(), subfamily, weight, italic: italic || /italic|oblique/i.test(subfamily), ranges: readCmap(buf, cmap.offset), glyphCount };
}

function readNames(buf: Buffer, off: number): Map<number, string> {
  const count = buf.readUInt16BE(off + 2);
  const strings = off + buf.readUInt16BE(off + 4);
  const best = new Map<number, { score: number; text: string }>();
  for (let i = 0; i < count; i++) {
    const r = off + 6 + i * 12;
    if (r + 12 > buf.length) break;
    const platform = buf.readUInt16BE(r);
    const lang = buf.readUInt16BE(r + 4);
    const id = buf.readUInt16BE(r + 6);
    const len = buf.readUInt16BE(r + 8);
    const start = strings + buf.readUInt16BE(r + 10);
    if (start + len > buf.length || ![1, 2, 16, 17].includes(id)) continue;
    let text: string;
    let score: number;
    if (platform === 3 || platform === 0) {
      text = utf16be(buf.subarray(start, start + len));
      score = platform === 3 && lang === 0x409 ? 3 : 2;
    } else if (platform === 1 && lang === 0) {
      text = buf.toString('latin1', start, start + len);
      score = 1;
    } else continue;
    const prev = best.get(id);
    if (text && (!prev || prev.score < score)) best.set(id, { score, text });
  }
  return new Map([...best].map(([k, v]) => [k, v.text]));
}

function utf16be(b: Buffer): string {
  let s = '';
  for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode(b.readUInt16BE(i));
  return s;
}

function readCmap(buf: Buffer, off: number): Uint32Array {
  const n = buf.readUInt16BE(off + 2);
  let chosen = -1;
  let bestScore = -1;
  for (let i = 0; i < n; i++) {
    const r = off + 4 + i * 8;
    const platform = buf.readUInt16BE(r);
    const enc = buf.readUInt16BE(r + 2);
    const sub = off + buf.readUInt32BE(r + 4);
    if (sub + 4 > buf.length) continue;
    const format = buf.readUInt16BE(sub);
    let score = -1;
    if (format === 12 && (platform === 3 || platform === 0)) score = 4;
    else if (format === 4 && platform === 3 && (enc === 1 || enc === 10)) score = 3;
    else if (format === 4 && platform === 0) score = 2;
    else if (format === 4 && platform === 3 && enc === 0) score = 1; // symbol fonts
    if (score > bestScore) {
      bestScore = score;
      chosen = sub;
    }
  }
  if (chosen < 0) throw new FontParseError('font has no Unicode cmap (format 4 or 12)');
  const ranges: number[] = [];
  const add = (a: number, b: number) => {
    const last = ranges.length - 1;
    if (ranges.length > 0 && ranges[last] + 1 >= a) ranges[last] = Math.max(ranges[last], b);
    else ranges.push(a, b);
  };
  if (buf.readUInt16BE(chosen) === 12) {
    const groups = buf.readUInt32BE(chosen + 12);
    const pairs: [number, number][] = [];
    for (let g = 0; g < groups; g++) {
      const r = chosen + 16 + g * 12;
      if (r + 12 > buf.length) throw new FontParseError('truncated cmap');
      pairs.push([buf.readUInt32BE(r), buf.readUInt32BE(r + 4)]);
    }
    pairs.sort((a, b) => a[0] - b[0]).forEach(([a, b]) => add(a, b));
  } else {
    const segX2 = buf.readUInt16BE(chosen + 6);
    const ends = chosen + 14;
    const starts = ends + segX2 + 2;
    const deltas = starts + segX2;
    const rangeOffsets = deltas + segX2;
    if (rangeOffsets + segX2 > buf.length) throw new FontParseError('truncated cmap');
    // Valid segments do not overlap, so they cover at most 65,536 code points in
    // all; a crafted cmap could otherwise ask for 32,767 x 65,535 steps.
    let budget = 0x10000;
    for (let s = 0; s < segX2; s += 2) {
      const end = buf.readUInt16BE(ends + s);
      const start = buf.readUInt16BE(starts + s);
      const delta = buf.readInt16BE(deltas + s);
      const ro = buf.readUInt16BE(rangeOffsets + s);
      if (end >= start && (budget -= end - start + 1) < 0) throw new FontParseError('corrupt cmap (its segments overlap)');
      for (let c = start; c <= end && c !== 0xffff; c++) {
        let glyph: number;
        if (ro === 0) glyph = (c + delta) & 0xffff;
        else {
          const at = rangeOffsets + s + ro + (c - start) * 2;
          glyph = at + 2 <= buf.length ? buf.readUInt16BE(at) : 0;
          if (glyph !== 0) glyph = (glyph + delta) & 0xffff;
        }
        if (glyph !== 0) add(c, c);
      }
    }
  }
  return Uint32Array.from(ranges);
}

export function covers(ranges: Uint32Array, cp: number): boolean {
  let lo = 0;
  let hi = ranges.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < ranges[mid * 2]) hi = mid - 1;
    else if (cp > ranges[mid * 2 + 1]) lo = mid + 1;
    else return true;
  }
  return false;
}
