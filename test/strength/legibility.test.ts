/** The strength check's legibility pass (core/legibility.ts legibilityIssues): each kind of problem found, and none on designs that read well. */
import { describe, expect, it } from 'vitest';
import { parseDesign, type Design } from '../../src-main/core/design.ts';
import { legibilityIssues, MIN_GLYPH_PX } from '../../src-main/core/legibility.ts';
import { FLAT, preset } from './designs.ts';

const seeds = [1, 2, 3, 4, 5, 6, 7, 8];
const withText = (d: Design, text: object): Design => parseDesign({ ...d, text: { ...d.text, ...text } });
const fields = (d: Design) => legibilityIssues(d, { seeds }).map((i) => i.field);

describe('legibilityIssues', () => {
  it('finds nothing wrong with a plain design or with classic-captcha and digits-captcha', () => {
    expect(legibilityIssues(FLAT)).toEqual([]);
    expect(legibilityIssues(preset('classic-captcha'))).toEqual([]);
    expect(legibilityIssues(preset('digits-captcha'))).toEqual([]);
  });

  it('flags glyphs whose contrast with the background under them is below the minimum', () => {
    const pale = withText(FLAT, { color: { mode: 'palette', palette: ['#dddddd'] } });
    const [issue] = legibilityIssues(pale, { seeds });
    expect(issue.field).toBe('text.color');
    expect(issue.rule).toMatch(/contrast falls to 1\.\d\d:1 .* below the minimum for palette colours of 3:1/);
    // Random colours are held to the design's own minimum, which the core meets when it picks them.
    expect(fields(withText(FLAT, { color: { mode: 'random', minContrast: 4.5 } }))).toEqual([]);
  });

  it(`flags letters smaller than ${MIN_GLYPH_PX} px, but not thin wide characters such as "一"`, () => {
    const [issue] = legibilityIssues(withText(FLAT, { size: 9 }), { seeds });
    expect(issue.field).toBe('text.size');
    expect(issue.rule).toMatch(/as small as \d\.\d px .* below the 10 px/);
    expect(fields(preset('cjk-captcha'))).toEqual([]);
  });

  it('flags glyphs mostly covered by the others', () => {
    const [issue] = legibilityIssues(withText(FLAT, { spacing: -0.7 }), { seeds });
    expect(issue.field).toBe('text.spacing');
    expect(issue.rule).toMatch(/^\d+% of glyph \d \(".+"\) at seed \d lies under other glyphs/);
  });

  it('measures the hidden share alike on a big design, whose masks are painted on a coarser grid', () => {
    const share = (d: Design) => Number(/^(\d+)% of glyph/.exec(legibilityIssues(d, { seeds }).find((i) => i.field === 'text.spacing')?.rule ?? '')?.[1]);
    const small = withText(FLAT, { spacing: -0.4 });
    // 8x in each direction: glyphs of 240 px, whose boxes are about 3x INK_PIXELS.
    const big = parseDesign({ ...small, width: small.width * 8, height: small.height * 8, text: { ...small.text, size: small.text!.size * 8 } });
    expect(share(small)).toBeGreaterThanOrEqual(50);
    expect(share(small)).toBeLessThan(95);
    expect(Math.abs(share(big) - share(small))).toBeLessThanOrEqual(4);
  });

  it('checks glyphs far bigger than the canvas with bounded work, counting only the ink on the canvas', () => {
    // Found by fuzzing the strength check: 1024 px glyphs with a 64 px outline on a 63x47 canvas
    // were painted whole for 65 seeds (10 s, 2.5 GB). Only their visible parts are painted now.
    const huge = parseDesign({ ...FLAT, width: 63, height: 47, text: { ...FLAT.text, mode: 'fixed', value: 'Bo9N', size: 1024, outline: { color: '#ff0000', width: 64 } } });
    const issues = legibilityIssues(huge);
    expect(issues[0].rule).toMatch(/^glyphs leave the canvas/);
  });

  it('flags glyphs that leave the canvas, naming a seed', () => {
    const [issue] = legibilityIssues(withText(FLAT, { length: 12 }), { seeds });
    expect(issue.field).toBe('text.size');
    expect(issue.rule).toMatch(/^glyphs leave the canvas \(seed \d is one\)/);
  });

  it('has nothing to say about a design without text', () => {
    expect(legibilityIssues(parseDesign({}))).toEqual([]);
  });
});
