import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FontRegistry, fontRegistry } from '../../src-main/core/fonts.ts';
import { covers, parseFont } from '../../src-main/core/sfnt.ts';

const FONTS = new URL('../../fonts/', import.meta.url).pathname;

describe('font registry', () => {
  it('bundles at least 8 faces, each with a licence file, including CJK', () => {
    const list = fontRegistry().list().filter((f) => f.source === 'bundled');
    expect(list.length).toBeGreaterThanOrEqual(8);
    expect(list.some((f) => f.cjk)).toBe(true);
    expect(readdirSync(join(FONTS, 'licenses')).length).toBeGreaterThanOrEqual(list.length - 1); // DejaVu Sans and Serif share one
    for (const f of ['Humor Sans', 'Comic Neue', 'Bebas Neue', 'Leckerli One']) expect(fontRegistry().has(f), f).toBe(true);
  });

  it('reads names and cmap coverage from the font files', () => {
    const info = parseFont(readFileSync(join(FONTS, 'DejaVuSans-Bold.ttf')));
    expect(info.family).toBe('DejaVu Sans');
    expect(info.weight).toBe(700);
    expect(covers(info.ranges, 'A'.codePointAt(0)!)).toBe(true);
    expect(covers(info.ranges, 'Ж'.codePointAt(0)!)).toBe(true);
    expect(covers(info.ranges, 0x4e2d)).toBe(false);
  });

  it('loads user font files and reports and skips files that are not fonts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fonts-'));
    copyFileSync(join(FONTS, 'Humor-Sans.ttf'), join(dir, 'mine.ttf'));
    writeFileSync(join(dir, 'broken.ttf'), Buffer.from('this is not a font at all'));
    writeFileSync(join(dir, 'truncated.otf'), readFileSync(join(FONTS, 'ComicNeue-Bold.otf')).subarray(0, 400));
    const r = new FontRegistry();
    const { loaded, failed } = r.addDir(dir);
    expect(loaded.map((f) => f.family)).toEqual(['Humor Sans']);
    expect(failed.map((f) => f.file.split('/').pop()).sort()).toEqual(['broken.ttf', 'truncated.otf']);
    for (const f of failed) expect(f.error).toMatch(/\.(ttf|otf): /);
    expect(r.list()[0].source).toBe('user');
  });

  it('finds faces by family in any case, falls back for missing characters, and answers anew once a font is added', () => {
    const r = new FontRegistry();
    r.addFile(join(FONTS, 'DejaVuSans-Bold.ttf'));
    const cjk = 0x4e2d;
    // Asked twice, as a captcha's font check and its layout do: the same answers.
    for (let round = 0; round < 2; round++) {
      expect(r.faceFor('DejaVu Sans', 'A'.codePointAt(0)!)?.family).toBe('DejaVu Sans');
      expect(r.faceFor('dejavu sans', 'A'.codePointAt(0)!)?.family).toBe('DejaVu Sans');
      expect(r.faceFor('DejaVu Sans', cjk)).toBeUndefined();
      // A family that is not installed: any face with the character, and has() still false.
      expect(r.faceFor('No Such Font', 'A'.codePointAt(0)!)?.family).toBe('DejaVu Sans');
      expect(r.has('No Such Font')).toBe(false);
      expect(r.has('DEJAVU SANS')).toBe(true);
    }
    // A font with the character arrives: the remembered "no face" is forgotten.
    r.addFile(join(FONTS, 'DroidSansFallbackFull.ttf'));
    expect(r.faceFor('DejaVu Sans', cjk)?.family).toBe('Droid Sans Fallback');
    expect(r.faceFor('DejaVu Sans', 'A'.codePointAt(0)!)?.family).toBe('DejaVu Sans');
  });
});
