/**
 * The Strength panel in Chromium: a check of seed 002 with few samples shows the blind
 * guess odds, the attack's rates with their intervals, the caveat, and the samples the
 * attack read right (drawn again by seed, with what was read); an edit marks the report
 * as out of date; a long check shows its progress and is cancelled, on the server too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strengthJobs } from '../../src-main/strength/jobs.ts';
import { until } from '../support/until.ts';
import { noChromium } from './chromium.ts';
import { openStudio, waitForPreview, type Studio } from './harness.ts';

const skipReason = noChromium();

describe.skipIf(skipReason)('the Strength panel in Chromium', () => {
  let s: Studio;

  beforeAll(async () => {
    s = await openStudio();
    await s.page.click('[data-preset="seed-002-captcha"]');
    await waitForPreview(s.page);
  }, 60_000);

  afterAll(async () => {
    strengthJobs().close();
    await s?.close();
  });

  const panel = () => s.page.getByRole('region', { name: 'Strength' });

  /** Sets the samples and which attacks run, as a user does. */
  async function choose(samples: number, attacks: { ocr: boolean; segmentation: boolean }) {
    const p = panel();
    await p.getByLabel('Samples', { exact: true }).fill(String(samples));
    await p.getByLabel('OCR (Tesseract)').setChecked(attacks.ocr);
    await p.getByLabel('Segmentation (knows the design)').setChecked(attacks.segmentation);
  }

  it('checks seed 002 with few samples: rates with intervals, the caveat, and samples read right', async () => {
    await choose(20, { ocr: false, segmentation: true });
    await panel().getByRole('button', { name: 'Check strength' }).click();
    await s.page.waitForSelector('[data-testid=strength-report]', { timeout: 60_000 });

    const p = panel();
    expect(await p.textContent()).toMatch(/Blind guess: [\d,]+ answers .*the likeliest wins 1 in [\d,]+/);
    const full = await s.page.textContent('[data-testid=strength-full-segmentation]');
    // e.g. "85% (17 of 20; 95%: 64–95%)"
    expect(full).toMatch(/^\d+(\.\d)?% \(\d+ of 20; 95%: \d+(\.\d)?%–\d+(\.\d)?%\)$/);
    expect(await p.getByRole('table').getByRole('rowheader').allTextContents()).toEqual(['Segmentation']);
    expect(await s.page.textContent('[data-testid=strength-caveat]')).toMatch(/lower bound/i);

    // The samples read right, drawn by seed from the checked design, each with what was read.
    await s.page.waitForFunction(() => {
      const imgs = [...document.querySelectorAll<HTMLImageElement>('.strength-sample img')];
      return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth === 270);
    }, undefined, { timeout: 20_000 });
    const read = await s.page.$$eval('.strength-sample', (items) =>
      items.map((li) => ({ answer: li.querySelector('.sample-answer > .mono')?.textContent ?? '', read: li.querySelector('.strength-read .mono')?.textContent ?? '', text: li.textContent ?? '' })),
    );
    expect(read.length).toBeGreaterThan(0);
    for (const r of read) {
      expect(r.text).toMatch(/Segmentation read/);
      expect(r.read.toLowerCase()).toBe(r.answer.toLowerCase());
    }
    expect(await s.page.$('[data-testid=strength-stale]')).toBeNull();
    expect(s.errors).toEqual([]);
  }, 90_000);

  it('says the report is out of date once the design changes', async () => {
    const seq = await waitForPreview(s.page);
    await s.page.getByLabel('Lock seed').check();
    await waitForPreview(s.page, seq);
    await s.page.waitForSelector('[data-testid=strength-stale]');
    expect(await s.page.textContent('[data-testid=strength-stale]')).toMatch(/changed since this check/);
    // The figures stay, marked as the earlier design's.
    expect(await s.page.$('[data-testid=strength-full-segmentation]')).not.toBeNull();
    await s.page.getByLabel('Lock seed').uncheck();
  });

  it('shows a long check\'s progress and cancels it, on the server too', async () => {
    await choose(1000, { ocr: true, segmentation: true });
    await panel().getByRole('button', { name: 'Check strength' }).click();
    const bar = panel().getByRole('progressbar', { name: 'Strength check progress' });
    await bar.waitFor();
    await until('the server to run the check', () => strengthJobs().runningCount === 1, 20_000);
    await panel().getByRole('button', { name: 'Cancel strength check' }).click();
    await bar.waitFor({ state: 'detached' });
    expect(await s.page.textContent('[data-testid=strength-state]')).toBe('The strength check was cancelled.');
    await until('the server to stop the check', () => strengthJobs().runningCount === 0, 10_000);
    // A cancelled check leaves no report as if it were current.
    expect(await s.page.$('[data-testid=strength-report]')).toBeNull();
    expect(s.errors).toEqual([]);
  }, 60_000);
});
