import { describe, expect, it } from 'vitest';
import { COLOR_RULE, parseColor } from '../../src-main/core/color.ts';
import { safeParseDesign } from '../../src-main/core/design.ts';

describe('CSS colours the core accepts', () => {
  it('reads hsl() and hsla() in both CSS syntaxes, with hue units, as the browser does', () => {
    // Expected values are Chromium's getComputedStyle results for the same text.
    expect(parseColor('hsl(120, 100%, 50%)')).toEqual([0, 255, 0, 255]);
    expect(parseColor('hsl(30, 20%, 40%)')).toEqual([122, 102, 82, 255]);
    expect(parseColor('hsla(240 100% 50% / 0.5)')).toEqual([0, 0, 255, 128]);
    expect(parseColor('hsl(0.5turn 50% 50%)')).toEqual([64, 191, 191, 255]);
    expect(parseColor('hsla(200, 50%, 50%, 25%)')?.[3]).toBe(64);
    expect(parseColor('HSL(-120, 100%, 50%)')).toEqual([0, 0, 255, 255]);
  });

  it('reads every CSS named colour, and still no object keys', () => {
    expect(parseColor('rebeccapurple')).toEqual([102, 51, 153, 255]);
    expect(parseColor('LightGoldenrodYellow')).toEqual([250, 250, 210, 255]);
    expect(parseColor('transparent')).toEqual([0, 0, 0, 0]);
    for (const bad of ['constructor', '__proto__', 'notacolour', '']) expect(parseColor(bad)).toBeNull();
  });

  it('refuses hsl() with a bad part and names the forms it takes', () => {
    for (const bad of ['hsl(x, 1%, 2%)', 'hsla(200, 50%, 50%, 1.5)', 'hsl(10, 120%, 5%)', 'hsl(1, 2%)', 'hsl(1 2% 3% 4 5)']) expect(parseColor(bad), bad).toBeNull();
    const r = safeParseDesign({ background: [{ type: 'solid', color: 'hsl(1, 2%)' }] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.issues[0]).toEqual({ field: 'background.0.color', rule: COLOR_RULE });
    expect(COLOR_RULE).toMatch(/hsl\(/);
    expect(safeParseDesign({ background: [{ type: 'solid', color: 'hsl(200 40% 30% / 50%)' }] }).ok).toBe(true);
  });
});
