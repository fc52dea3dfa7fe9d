/**
 * Many samples at once, in Chromium: the grid beside the preview shows twelve samples
 * with their answers from ONE renderSamples request, "New samples" draws new seeds, a
 * sample picked becomes the main preview, and presets open on random seeds.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noChromium } from './chromium.ts';
import { openStudio, waitForPreview, type Studio } from './harness.ts';

interface Shown {
  seed: number;
  name: string;
  answer: string | null;
  /** The image as the page decoded it. */
  width: number;
  loaded: boolean;
}

/** The grid's samples as a user meets them: each button's accessible name, answer and image. */
function samples(page: Page): Promise<Shown[]> {
  return page.$$eval('.sample-grid button', (buttons) =>
    buttons.map((b) => {
      const img = b.querySelector('img')!;
      return { seed: Number(b.getAttribute('data-seed')), name: b.getAttribute('aria-label') ?? '', answer: b.querySelector('.sample-answer')?.textContent ?? null, width: img.naturalWidth, loaded: img.complete && img.naturalWidth > 0 };
    }),
  );
}

/** Waits until the grid shows `count` loaded samples whose seeds are not `notSeeds`. */
async function waitForSamples(page: Page, count: number, notSeeds: number[] = []): Promise<Shown[]> {
  await page.waitForFunction(
    ({ count, notSeeds }) => {
      const buttons = [...document.querySelectorAll('.sample-grid button')];
      return buttons.length === count && buttons.every((b) => !notSeeds.includes(Number(b.getAttribute('data-seed'))) && (b.querySelector('img') as HTMLImageElement | null)?.complete);
    },
    { count, notSeeds },
  );
  return samples(page);
}

const skipReason = noChromium();

describe.skipIf(skipReason)('the sample grid in Chromium', () => {
  let s: Studio;
  const calls: string[] = [];

  beforeAll(async () => {
    s = await openStudio({ open: false });
    // Counted from the first page load on: the whole grid must be one request.
    s.page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/studio/renderSamples') calls.push(r.method());
    });
    await s.page.goto(`${s.base}/studio/`);
    await s.page.waitForSelector('[data-preset]');
  }, 60_000);

  afterAll(() => s?.close());

  it('shows twelve samples of the open captcha, with their answers, from one request', async () => {
    await waitForPreview(s.page);
    const shown = await waitForSamples(s.page, 12);
    expect(calls).toEqual(['POST']);
    expect(new Set(shown.map((x) => x.seed)).size).toBe(12);
    for (const x of shown) {
      expect(x.loaded, x.name).toBe(true);
      // seed-002's 270x40 captcha, at actual size.
      expect(x.width).toBe(270);
      expect(x.answer).toMatch(/^[A-Za-z0-9]{5}$/);
      expect(x.name).toBe(`Sample seed ${x.seed}, answer ${x.answer}`);
    }
    // Different seeds, different text: the grid shows variety.
    expect(new Set(shown.map((x) => x.answer)).size).toBeGreaterThan(6);
    expect(s.errors).toEqual([]);
  });

  it('New samples draws twelve new seeds in one more request', async () => {
    const before = await samples(s.page);
    await s.page.getByRole('button', { name: 'New samples' }).click();
    const after = await waitForSamples(
      s.page,
      12,
      before.map((x) => x.seed),
    );
    expect(calls).toHaveLength(2);
    expect(after.map((x) => x.answer)).not.toEqual(before.map((x) => x.answer));
  });

  it('picking a sample makes its seed and answer the main preview\'s', async () => {
    const seq = await waitForPreview(s.page);
    const pick = (await samples(s.page))[4];
    expect(await s.page.textContent('[data-testid=seed]')).not.toBe(`seed ${pick.seed}`);
    await s.page.getByRole('button', { name: pick.name }).click();
    await waitForPreview(s.page, seq);
    expect(await s.page.textContent('[data-testid=seed]')).toBe(`seed ${pick.seed}`);
    expect(await s.page.textContent('[data-testid=answer]')).toBe(pick.answer);
    expect(await s.page.getAttribute(`.sample-grid button[data-seed="${pick.seed}"]`, 'aria-pressed')).toBe('true');
    // Picking is not an edit: nothing to save.
    expect(await s.page.$('.dirty')).toBeNull();
    expect(s.errors).toEqual([]);
  });

  it('opens classic and neon on random seeds: they show different text', async () => {
    const open = async (preset: string) => {
      const seq = await waitForPreview(s.page);
      await s.page.click(`[data-preset="${preset}"]`);
      await waitForPreview(s.page, seq);
      return { seed: await s.page.textContent('[data-testid=seed]'), answer: await s.page.textContent('[data-testid=answer]') };
    };
    const classic = await open('classic-captcha');
    const neon = await open('neon-captcha');
    expect(classic.answer).toMatch(/^\w+$/);
    expect(neon.answer).toMatch(/^\w+$/);
    expect(neon.answer).not.toBe(classic.answer);
    expect(neon.seed).not.toBe(classic.seed);
    // Opening the same preset again is a new document: a new seed again.
    const again = await open('classic-captcha');
    expect(again.seed).not.toBe(classic.seed);
    // The grid follows the design that is open: neon's samples are 240 wide, classic's 180.
    await s.page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.sample-grid img')].every((i) => i.naturalWidth === 180));
    expect(s.errors).toEqual([]);
  });
});
