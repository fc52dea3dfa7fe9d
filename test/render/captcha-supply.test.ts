import { afterAll, describe, expect, it } from 'vitest';
import { getPreset } from '../../src-main/core/presets.ts';
import { CaptchaSupply } from '../../src-main/render/captcha-supply.ts';
import { PoolBusyError, RenderPool } from '../../src-main/render/pool.ts';
import { decodePng } from '../support/png.ts';

const pool = new RenderPool({ size: 2, maxQueue: 64 });
afterAll(() => pool.close());

describe('captcha supply', () => {
  it('hands out fresh captchas, each image and answer once', async () => {
    const supply = new CaptchaSupply(pool, 8);
    const d = getPreset('seed-002-captcha')!;
    const outs = await Promise.all(Array.from({ length: 40 }, () => supply.take(d)));
    const images = new Set(outs.map((o) => o.bytes.toString('base64')));
    expect(images.size).toBe(40);
    for (const o of outs) {
      expect(o.answer).toMatch(/^[A-Za-z0-9]{5}$/);
      expect(decodePng(o.bytes).width).toBe(270);
    }
  });

  it('keeps only a bounded stock per design and a bounded number of designs', async () => {
    const supply = new CaptchaSupply(pool, 4, 2);
    const designs = ['seed-002-captcha', 'digits-captcha', 'math-captcha'].map((n) => getPreset(n)!);
    for (const d of designs) await supply.take(d);
    await new Promise((r) => setTimeout(r, 200)); // let refills land
    const stocks = (supply as unknown as { stocks: Map<string, { ready: unknown[] }> }).stocks;
    expect(stocks.size).toBeLessThanOrEqual(2);
    for (const s of stocks.values()) expect(s.ready.length).toBeLessThanOrEqual(2 * 4);
  });

  it('passes a full render queue on to the waiting requests', async () => {
    const tiny = new RenderPool({ size: 1, maxQueue: 0 });
    try {
      const supply = new CaptchaSupply(tiny, 4, 8, 4);
      const d = getPreset('classic-captcha')!;
      const results = await Promise.allSettled(Array.from({ length: 12 }, () => supply.take(d)));
      expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(failed.length).toBeGreaterThan(0);
      for (const f of failed) expect(f.reason).toBeInstanceOf(PoolBusyError);
    } finally {
      await tiny.close();
    }
  });
});
