import { describe, expect, it } from 'vitest';
import { LIMITS, isDeterministic, parseDesign, safeParseDesign } from '../../src-main/core/design.ts';
import { getPreset } from '../../src-main/core/presets.ts';

function rejects(input: unknown): { field: string; rule: string } {
  const r = safeParseDesign(input);
  if (r.ok) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return r.error.issues[0];
}

describe('design schema', () => {
  it('fills defaults for an empty design', () => {
    const d = parseDesign({});
    expect(d).toMatchObject({ version: 1, width: 270, height: 40, scale: 1, output: { format: 'png', compression: 2 } });
    expect(d.background).toEqual([{ type: 'solid', color: '#ffffff', opacity: 1 }]);
  });

  it.each([
    [{ width: 0 }, 'width', 'at least 1'],
    [{ width: LIMITS.side + 1 }, 'width', `at most ${LIMITS.side}`],
    [{ height: LIMITS.side + 1 }, 'height', `at most ${LIMITS.side}`],
    [{ width: 1.5 }, 'width', 'whole number'],
    [{ width: '100' }, 'width', 'must be a number'],
    [{ width: 8192, height: 8192 }, 'width', '33,177,600'],
    [{ width: 6000, height: 6000, scale: 1 }, 'width', '33,177,600'],
    [{ width: 2000, height: 2000, scale: 3 }, 'width', 'scale²'],
    [{ scale: 5 }, 'scale', 'at most 4'],
    [{ seed: -1 }, 'seed', 'at least 0'],
    [{ seed: 2 ** 32 }, 'seed', 'at most 4294967295'],
    [{ version: 2 }, 'version', 'newer Captcha Studio'],
    [{ colour: 'red' }, 'colour', 'not a known field'],
    [{ text: { length: 0 } }, 'text.length', 'at least 1'],
    [{ text: { length: LIMITS.textLength + 1 } }, 'text.length', `at most ${LIMITS.textLength}`],
    [{ text: { mode: 'fixed' } }, 'text.value', '1 to 32 characters'],
    [{ text: { mode: 'fixed', value: 'x'.repeat(33) } }, 'text.value', '1 to 32 characters'],
    [{ text: { charset: 'custom' } }, 'text.chars', 'must be given'],
    [{ text: { charset: 'emoji' } }, 'text.charset', ''],
    [{ text: { fonts: [] } }, 'text.fonts', 'at least 1'],
    [{ text: { size: 2000 } }, 'text.size', 'at most 1024'],
    [{ text: { math: { min: 9, max: 1 }, mode: 'math' } }, 'text.math.min', 'greater than'],
    [{ text: { color: { mode: 'random', minContrast: 22 } } }, 'text.color.minContrast', 'at most 21'],
    [{ noise: { lines: LIMITS.lines + 1 } }, 'noise.lines', `at most ${LIMITS.lines}`],
    [{ noise: { dots: LIMITS.dots + 1 } }, 'noise.dots', `at most ${LIMITS.dots}`],
    [{ noise: { curves: -1 } }, 'noise.curves', 'at least 0'],
    [{ background: Array(LIMITS.layers + 1).fill({ type: 'solid', color: '#fff' }) }, 'background', `at most ${LIMITS.layers}`],
    [{ background: [{ type: 'solid', color: '#ggg' }] }, 'background.0.color', 'must be a colour'],
    [{ background: [{ type: 'solid', color: 'rgba(1,2,3,4)' }] }, 'background.0.color', 'must be a colour'],
    [{ background: [{ type: 'plasma' }] }, 'background.0.type', 'known type'],
    [{ background: [{ type: 'linear-gradient', stops: [{ offset: 0, color: '#fff' }] }] }, 'background.0.stops', 'at least 2'],
    [{ background: [{ type: 'ellipse', box: [0, 0, 'w+q', 10] }] }, 'background.0.box.2', 'unknown name "q"'],
    [{ background: [{ type: 'ellipse', box: [0, 0, 'w+', 10] }] }, 'background.0.box.2', 'ends too early'],
    [{ background: [{ type: 'bubbles', count: LIMITS.bubbles + 1 }] }, 'background.0.count', `at most ${LIMITS.bubbles}`],
    [{ distortion: { wave: { amplitude: 500 } } }, 'distortion.wave.amplitude', 'at most 200'],
    [{ output: { format: 'gif' } }, 'output.format', ''],
    [{ output: { compression: 10 } }, 'output.compression', 'at most 9'],
    [{ output: { quality: 0 } }, 'output.quality', 'at least 1'],
  ])('rejects %j naming %s', (input, field, rule) => {
    const issue = rejects(input);
    expect(issue.field).toBe(field);
    expect(issue.rule).toContain(rule);
  });

  it('accepts the largest allowed image, 7680x4320', () => {
    expect(safeParseDesign({ width: 7680, height: 4320 }).ok).toBe(true);
  });

  it('accepts every colour form it documents', () => {
    for (const color of ['#abc', '#abcd', '#aabbcc', '#aabbcc80', 'rgb(1, 2, 3)', 'rgba(1,2,3,0.5)', 'rgb(1 2 3 / 50%)', 'white', 'transparent']) {
      expect(safeParseDesign({ background: [{ type: 'solid', color }] }).ok, color).toBe(true);
    }
  });

  it('knows which designs are deterministic without a seed', () => {
    expect(isDeterministic(getPreset('seed-000-background')!)).toBe(true);
    expect(isDeterministic(getPreset('placeholder')!)).toBe(true);
    expect(isDeterministic(getPreset('seed-002-captcha')!)).toBe(false);
    expect(isDeterministic({ ...getPreset('seed-002-captcha')!, seed: 3 })).toBe(true);
  });
});
