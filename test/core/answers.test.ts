import { afterEach, describe, expect, it, vi } from 'vitest';

// Spy on the OS CSPRNG the core draws from, keeping its real behaviour by default.
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, randomFillSync: vi.fn(real.randomFillSync) };
});

const crypto = await import('node:crypto');
const { getPreset } = await import('../../src-main/core/presets.ts');
const { renderDesign } = await import('../../src-main/core/render.ts');
const randomFillSync = vi.mocked(crypto.randomFillSync);
const realFill = (await vi.importActual<typeof import('node:crypto')>('node:crypto')).randomFillSync;

/** Makes the CSPRNG return one constant word until restored (each refill is 256 words). */
function cspRngReturns(word: number) {
  randomFillSync.mockImplementation(((buf: Uint32Array) => buf.fill(word)) as unknown as typeof crypto.randomFillSync);
}

describe('captcha answers', () => {
  afterEach(() => {
    randomFillSync.mockImplementation(realFill as typeof crypto.randomFillSync);
    randomFillSync.mockClear();
  });

  it('come from the OS CSPRNG when no seed is given', () => {
    // Exhaust whatever the pool holds so the next draws must refill from crypto.
    cspRngReturns(0);
    const answers = new Set<string>();
    for (let i = 0; i < 300; i++) answers.add(renderDesign(getPreset('classic-captcha')!).challenge!.answer);
    expect(randomFillSync).toHaveBeenCalled();
    expect([...answers].at(-1)).toBe('22222'); // word 0 -> first character of the charset, five times
  });

  it('follow the CSPRNG, whatever it yields', () => {
    cspRngReturns(0);
    for (let i = 0; i < 300; i++) renderDesign(getPreset('classic-captcha')!); // drain the pool
    cspRngReturns(53); // 53 mod 54 characters -> the last one
    for (let i = 0; i < 300; i++) renderDesign(getPreset('classic-captcha')!);
    expect(renderDesign(getPreset('classic-captcha')!).challenge!.answer).toBe('zzzzz');
  });

  it('do not touch the CSPRNG when a seed is fixed (reproducible test fixtures)', () => {
    cspRngReturns(0);
    const a = renderDesign(getPreset('classic-captcha')!, { seed: 9 });
    expect(a.challenge!.answer).not.toBe('22222');
    expect(renderDesign(getPreset('classic-captcha')!, { seed: 9 }).challenge).toEqual(a.challenge);
  });
});
