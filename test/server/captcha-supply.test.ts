import { afterAll, describe, expect, it } from 'vitest';
import { getPreset } from '../../src-main/core/presets.ts';
import { CaptchaSupply } from '../../src-main/server/captcha-supply.ts';
import { parseDesign } from '../../src-main/core/design.ts';
import { PoolBusyError, RenderAbortedError, RenderPool, RenderTimeoutError } from '../../src-main/render/pool.ts';
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

  it('request() hands out fresh captchas, says whether it had to wait, and cancel() drops a waiting one', async () => {
    const supply = new CaptchaSupply(pool, 4);
    const d = getPreset('digits-captcha')!;
    const cancelled = supply.request(d);
    expect(cancelled.waiting).toBe(true);
    cancelled.cancel();
    await expect(cancelled.result).rejects.toBeInstanceOf(RenderAbortedError);
    const seen = new Set<string>();
    let fromStock = 0;
    while (seen.size < 12) {
      const r = supply.request(d);
      if (!r.waiting) fromStock++;
      const got = await r.result;
      expect(decodePng(got.bytes).width).toBe(200);
      expect(got.answer).toMatch(/^\d{6}$/);
      seen.add(got.bytes.toString('base64'));
    }
    // Batches of 4 with one batch kept in stock: most hand-outs need no wait.
    expect(fromStock).toBeGreaterThan(6);
  });

  it('asks for stockBatches batches beyond what waiters need (a batch per worker keeps every worker drawing)', () => {
    const d = getPreset('seed-002-captcha')!;
    const batchesAsked = (stockBatches: number, waiters: number): number => {
      let asked = 0;
      // Batches that never land: what is asked for is all there is to count.
      const counting = { renderMany: () => (asked++, new Promise(() => {})) } as unknown as RenderPool;
      const supply = new CaptchaSupply(counting, 4, 8, 8, stockBatches);
      for (let i = 0; i < waiters; i++) supply.request(d);
      return asked;
    };
    // One waiter, batches of 4: one batch for it plus the stock's.
    expect(batchesAsked(1, 1)).toBe(2);
    expect(batchesAsked(2, 1)).toBe(3);
    // Nine waiters need three batches; the stock adds its batches on top.
    expect(batchesAsked(1, 9)).toBe(4);
    expect(batchesAsked(2, 9)).toBe(5);
  });

  it('keeps only a bounded stock per design and a bounded number of designs', async () => {
    const supply = new CaptchaSupply(pool, 4, 2);
    const designs = ['seed-002-captcha', 'digits-captcha', 'math-captcha'].map((n) => getPreset(n)!);
    for (const d of designs) await supply.take(d);
    const stocks = (supply as unknown as { stocks: Map<string, { ready: unknown[]; batches: unknown[] }> }).stocks;
    // Let the refills land: poll until no batch is in flight (a deadline, not a sleep).
    for (const end = Date.now() + 20_000; [...stocks.values()].some((st) => st.batches.length > 0); ) {
      if (Date.now() > end) throw new Error('refills never landed');
      await new Promise((r) => setImmediate(r));
    }
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

  it('drops a waiter whose client hung up, and the batch still queued only for it', async () => {
    const one = new RenderPool({ size: 1, maxQueue: 8 });
    try {
      await one.render(getPreset('seed-002-captcha')!); // the worker is up
      // Seconds of drawing keep the only worker busy, so the supply's batch waits in the queue.
      const slow = parseDesign({ width: 4000, height: 4000, background: [{ type: 'bubbles', count: 2000, minRadius: 500, maxRadius: 2000 }] });
      const blocker = one.render(slow, { deadlineMs: 2000 });
      const supply = new CaptchaSupply(one, 4);
      const d = getPreset('digits-captcha')!;
      const hangUp = new AbortController();
      const taken = supply.take(d, hangUp.signal);
      expect(one.stats().queued).toBe(2); // a batch for the waiter, and one to keep in stock
      hangUp.abort();
      await expect(taken).rejects.toBeInstanceOf(RenderAbortedError);
      expect(one.stats().queued).toBe(1); // the waiter's batch left the queue with it
      await expect(supply.take(d, AbortSignal.abort())).rejects.toBeInstanceOf(RenderAbortedError);
      expect(one.stats().queued).toBe(1);
      // A client that stays is served once the worker is free again.
      const stays = supply.take(d);
      expect(one.stats().queued).toBe(2);
      await expect(blocker).rejects.toBeInstanceOf(RenderTimeoutError);
      expect((await stays).answer).toMatch(/^[0-9]+$/);
    } finally {
      await one.close();
    }
  });
});
