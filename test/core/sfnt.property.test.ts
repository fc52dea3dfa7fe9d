/**
 * Hostile font files: any bytes, and real fonts with bytes flipped, truncated or
 * with table offsets pointed elsewhere, give a result or a FontParseError;
 * never another exception, never unbounded work.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FontParseError, parseFont } from '../../src-main/core/sfnt.ts';

const RUNS = Number(process.env.FC_RUNS ?? 1000);
const params = { numRuns: RUNS, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) };
const FONTS = ['DejaVuSans-Bold.ttf', 'ComicNeue-Bold.otf', 'Humor-Sans.ttf'].map((f) => readFileSync(new URL(`../../fonts/${f}`, import.meta.url)));

function parsesOrRefuses(bytes: Buffer): void {
  try {
    const info = parseFont(bytes);
    expect(typeof info.family).toBe('string');
    expect(info.ranges.length % 2).toBe(0);
  } catch (e) {
    if (!(e instanceof FontParseError)) throw e;
    expect(e.message).toMatch(/\S/);
  }
}

/** A real font with edits: random bytes set, a cut, and header offsets overwritten. */
const mutatedFont = fc
  .tuple(
    fc.nat(FONTS.length - 1),
    fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 12 }),
    fc.array(fc.tuple(fc.nat(40), fc.constantFrom(0, 0xffffffff, 0x7fffffff, 12, 0x10000)), { maxLength: 3 }),
    fc.option(fc.nat(), { nil: undefined }),
  )
  .map(([which, edits, words, cut]) => {
    const b = Buffer.from(FONTS[which]);
    for (const [at, v] of edits) b[at % b.length] = v;
    // Table directory entries (offsets and lengths) live in the first few hundred bytes.
    for (const [slot, v] of words) b.writeUInt32BE(v >>> 0, (12 + slot * 4) % (b.length - 4));
    return cut === undefined ? b : b.subarray(0, cut % b.length);
  });

describe('font parser, property-based', () => {
  it(`refuses arbitrary bytes with FontParseError (${RUNS} inputs)`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.constantFrom('', 'ttcf', 'OTTO', '\u0000\u0001\u0000\u0000', 'true'), (bytes, magic) => parsesOrRefuses(Buffer.concat([Buffer.from(magic, 'latin1'), bytes]))),
      params,
    );
  });

  it(`parses or refuses mutated and truncated real fonts (${RUNS} inputs)`, () => {
    fc.assert(fc.property(mutatedFont, parsesOrRefuses), params);
  });

  it('refuses a cmap whose segments overlap instead of walking 2 billion code points', () => {
    const font = Buffer.from(FONTS[0]);
    const info = parseFont(font);
    expect(info.family).toBe('DejaVu Sans');
    // A minimal font: name + cmap (format 4, 8191 segments each 0..0xfffe).
    const segs = 8191;
    const cmap = Buffer.alloc(4 + 8 + 14 + segs * 8 + 2);
    cmap.writeUInt16BE(1, 2);
    cmap.writeUInt16BE(3, 4);
    cmap.writeUInt16BE(1, 6);
    cmap.writeUInt32BE(12, 8);
    cmap.writeUInt16BE(4, 12);
    cmap.writeUInt16BE(segs * 2, 18);
    for (let i = 0; i < segs; i++) cmap.writeUInt16BE(0xfffe, 26 + i * 2); // ends; starts stay 0; delta 1
    for (let i = 0; i < segs; i++) cmap.writeInt16BE(1, 26 + segs * 2 + 2 + segs * 2 + i * 2);
    const name = Buffer.alloc(6 + 12 + 2);
    name.writeUInt16BE(1, 2);
    name.writeUInt16BE(18, 4);
    name.writeUInt16BE(3, 6);
    name.writeUInt16BE(1, 8);
    name.writeUInt16BE(0x409, 10);
    name.writeUInt16BE(1, 12);
    name.writeUInt16BE(2, 14);
    name.write('\u0000X', 18, 'latin1');
    const dir = Buffer.alloc(12 + 2 * 16);
    dir.writeUInt32BE(0x00010000, 0);
    dir.writeUInt16BE(2, 4);
    dir.write('cmap', 12, 'latin1');
    dir.writeUInt32BE(dir.length, 20);
    dir.writeUInt32BE(cmap.length, 24);
    dir.write('name', 28, 'latin1');
    dir.writeUInt32BE(dir.length + cmap.length, 36);
    dir.writeUInt32BE(name.length, 40);
    expect(() => parseFont(Buffer.concat([dir, cmap, name]))).toThrow(/corrupt cmap \(its segments overlap\)/);
  });
});
