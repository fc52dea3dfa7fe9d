/**
 * distortion.warp: a random smooth bend of the whole image, different for every seed.
 * Off unless asked for (designs without it render exactly as before), seeded, bounded by
 * its amplitude, and refused with the field and the limit when out of range.
 */
import { describe, expect, it } from 'vitest';
import { LIMITS, canonicalDesign, parseDesign, safeParseDesign, usesRandomness, type DesignInput } from '../../src-main/core/design.ts';
import { warpField } from '../../src-main/core/noise.ts';
import { seededRng } from '../../src-main/core/random.ts';
import { renderDesign } from '../../src-main/core/render.ts';
import { Surface } from '../../src-main/core/surface.ts';

const captcha: DesignInput = {
  width: 160,
  height: 50,
  background: [{ type: 'solid', color: '#ffffff' }],
  text: { mode: 'fixed', value: '4821', fonts: ['DejaVu Sans'], size: 32, sizeJitter: 0, rotation: 0, baselineJitter: 0, color: { mode: 'palette', palette: ['#000000'] } },
};
const render = (d: DesignInput, seed: number) => renderDesign(parseDesign(d), { seed }).pixels;
const withWarp = (warp: { amplitude?: number; period?: number }): DesignInput => ({ ...captcha, distortion: { warp } });

/** A white surface with one black column at `x`, every row. */
function columnAt(w: number, h: number, x: number): Surface {
  const s = new Surface(w, h, 1);
  const px = s.pixels();
  px.fill(255);
  for (let y = 0; y < h; y++) px.fill(0, (y * w + x) * 4, (y * w + x) * 4 + 3);
  return s;
}

describe('distortion.warp', () => {
  it('is absent unless given, so existing designs parse, version and render as before', () => {
    const plain = parseDesign(captcha);
    expect(plain.distortion.warp).toBeUndefined();
    expect(canonicalDesign(plain)).not.toContain('warp');
    expect(render(withWarp({ amplitude: 0 }), 7)).toEqual(render(captcha, 7));
  });

  it('fills its defaults when given', () => {
    expect(parseDesign(withWarp({})).distortion.warp).toEqual({ amplitude: 0, period: 30 });
  });

  it('bends the image, the same way for the same seed and another way for another seed', () => {
    const d = withWarp({ amplitude: 4, period: 60 });
    const a = render(d, 7);
    expect(a).not.toEqual(render(captcha, 7));
    expect(render(d, 7)).toEqual(a);
    expect(render(d, 8)).not.toEqual(a);
  });

  it('makes a fixed design random', () => {
    expect(usesRandomness(parseDesign({ ...captcha, text: undefined }))).toBe(false);
    expect(usesRandomness(parseDesign({ ...captcha, text: undefined, distortion: { warp: { amplitude: 2 } } }))).toBe(true);
    expect(usesRandomness(parseDesign({ ...captcha, text: undefined, distortion: { warp: { amplitude: 0 } } }))).toBe(false);
  });

  it('moves no pixel further than the amplitude', () => {
    const amplitude = 5;
    for (const seed of [1, 2, 3, 4, 5]) {
      const s = columnAt(120, 60, 60);
      warpField(s, { amplitude, period: 20 }, seededRng(seed, 'warp'));
      const px = s.pixels();
      let moved = false;
      for (let y = 0; y < 60; y++) {
        for (let x = 0; x < 120; x++) {
          if (px[(y * 120 + x) * 4] === 255) continue;
          // Interpolation spreads ink by at most one pixel beyond the displacement.
          expect(Math.abs(x - 60), `seed ${seed}, (${x}, ${y})`).toBeLessThanOrEqual(amplitude + 1);
          if (x !== 60) moved = true;
        }
      }
      expect(moved).toBe(true);
    }
  });

  it('leaves the surface alone at amplitude 0 and draws nothing from the random stream', () => {
    const s = columnAt(40, 20, 10);
    const before = Uint8ClampedArray.from(s.pixels());
    const rng = seededRng(3, 'warp');
    warpField(s, { amplitude: 0, period: 30 }, rng);
    expect(s.pixels()).toEqual(before);
    expect(rng.next()).toBe(seededRng(3, 'warp').next());
  });

  it('scales with the render scale: a 2x render is the 1x bend at twice the size', () => {
    const d = parseDesign(withWarp({ amplitude: 4, period: 40 }));
    const one = renderDesign(d, { seed: 5 });
    const two = renderDesign(d, { seed: 5, viewScale: 2 });
    // Compare the 2x image sampled at every other pixel with the 1x image: mostly the same ink.
    let same = 0;
    let ink = 0;
    for (let y = 0; y < one.height; y++) {
      for (let x = 0; x < one.width; x++) {
        const a = one.pixels[(y * one.width + x) * 4] < 128;
        const b = two.pixels[(2 * y * two.width + 2 * x) * 4] < 128;
        if (a || b) ink++;
        if (a && b) same++;
      }
    }
    expect(same / ink).toBeGreaterThan(0.6);
  });

  it.each([
    [{ amplitude: LIMITS.warpAmplitude + 1 }, 'distortion.warp.amplitude', `at most ${LIMITS.warpAmplitude}`],
    [{ amplitude: -1 }, 'distortion.warp.amplitude', 'at least 0'],
    [{ period: 3 }, 'distortion.warp.period', 'at least 4'],
    [{ period: 10_001 }, 'distortion.warp.period', 'at most 10000'],
    [{ amplitude: '4' }, 'distortion.warp.amplitude', 'must be a number'],
    [{ amplitude: 4, wavelength: 30 }, 'distortion.warp.wavelength', 'not a known field'],
  ])('refuses %j naming %s', (warp, field, rule) => {
    const r = safeParseDesign({ distortion: { warp } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.issues[0].field).toBe(field);
    expect(r.error.issues[0].rule).toContain(rule);
  });
});
