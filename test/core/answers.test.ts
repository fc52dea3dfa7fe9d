import { afterEach, describe, expect, it, vi } from 'vitest';

// Spy on the CSPRNG the core imports, keeping its real behaviour.
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, randomInt: vi.fn(real.randomInt) };
});

const crypto = await import('node:crypto');
const { getPreset } = await import('../../src-main/core/presets.ts');
const { renderDesign } = await import('../../src-main/core/render.ts');
const randomInt = vi.mocked(crypto.randomInt);

describe('captcha answers', () => {
  afterEach(() => randomInt.mockClear());

  it('come from crypto.randomInt, one call per character, when no seed is given', () => {
    const r = renderDesign(getPreset('classic-captcha')!);
    // one call for the layout seed, then one per answer character
    expect(randomInt).toHaveBeenCalledTimes(1 + r.challenge!.answer.length);
  });

  it('change when the CSPRNG does, even with the same layout seed', () => {
    randomInt.mockImplementation(((min: number) => min) as typeof crypto.randomInt);
    const a = renderDesign(getPreset('classic-captcha')!).challenge!.answer;
    randomInt.mockImplementation(((_min: number, max: number) => max - 1) as typeof crypto.randomInt);
    const b = renderDesign(getPreset('classic-captcha')!).challenge!.answer;
    randomInt.mockReset();
    expect(a).toBe('22222'); // first character of the unambiguous charset, five times
    expect(b).toBe('zzzzz');
  });

  it('do not touch the CSPRNG when a seed is fixed (reproducible test fixtures)', () => {
    const a = renderDesign(getPreset('classic-captcha')!, { seed: 9 });
    expect(randomInt).not.toHaveBeenCalled();
    expect(renderDesign(getPreset('classic-captcha')!, { seed: 9 }).challenge).toEqual(a.challenge);
  });
});
