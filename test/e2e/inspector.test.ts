/**
 * The inspector in Chromium (issue 12): drag to reorder layers, the gradient stop bar,
 * one undo step per action, Fit text to canvas, no sideways scrolling at 1280x800, and
 * no console errors while a number field holds text it refuses.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { noChromium } from './chromium.ts';
import { openStudio, waitForPreview, type Studio } from './harness.ts';

const skipReason = noChromium();
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's violations on the page, as "rule: selector" lines. */
async function violations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    type Result = { violations: { id: string; nodes: { target: string[] }[] }[] };
    const axe = (window as unknown as { axe: { run(ctx: Element, opts: object): Promise<Result> } }).axe;
    const r = await axe.run(document.querySelector('.inspector')!, { resultTypes: ['violations'] });
    return r.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
  });
}

/** The layer list as it reads: "1. solid", "2. grid", … */
const layerNames = async (page: Page) => (await page.locator('.layers .layer-name').allTextContents()).map((t) => t.replace(/^[▸▾]/, ''));
const seqOf = async (page: Page) => Number(await page.getAttribute('canvas[data-testid=preview]', 'data-seq'));

describe.skipIf(skipReason)('inspector in Chromium', () => {
  let s: Studio;
  let page: Page;

  beforeAll(async () => {
    s = await openStudio({ viewport: { width: 1280, height: 800 } });
    page = s.page;
    // A step that cannot happen fails with what it waited for, well inside the test's own timeout.
    page.setDefaultTimeout(10_000);
  }, 60_000);

  afterAll(async () => {
    await s?.close();
  });

  /** A preset opened afresh (its unsaved changes discarded), its preview drawn. */
  async function open(preset: string) {
        const seq = await seqOf(page).catch(() => 0);
    // The preset arrives asynchronously: wait for it, so no edit of the test lands before it replaces the design.
    const loaded = page.waitForResponse((r) => r.url().endsWith('/api/studio/getPreset'));
    await page.click(`[data-preset="${preset}"]`);
    const discard = page.getByRole('button', { name: "Don't save" });
    if (await discard.isVisible().catch(() => false)) await discard.click();
    await loaded;
    await page.waitForFunction((p) => document.querySelector('[data-testid=doc-name]')?.textContent?.trim() === p && !document.querySelector('[aria-label="unsaved changes"]'), preset);
    // A preset opened over itself unchanged may draw nothing new: wait only for no render pending.
    await waitForPreview(page, Math.min(seq, 0));
  }

  beforeEach(() => {
    s.errors.length = 0;
  });

  it('reorders layers by dragging a row onto another', async () => {
    await open('seed-002-captcha');
    await page.getByLabel('New layer').selectOption('grid');
    await page.getByRole('button', { name: 'Add layer' }).click();
    await page.getByLabel('New layer').selectOption('dots');
    await page.getByRole('button', { name: 'Add layer' }).click();
    expect(await layerNames(page)).toEqual(['1. random-color', '2. grid', '3. dots']);
    // Collapsed, so that all three rows are in view together.
    for (const n of [1, 2, 3]) await page.getByRole('button', { name: new RegExp(`^${n}\\. `) }).click();
    const seq = await seqOf(page);
    await page.getByTestId('layer-row-3').locator('.drag-handle').dragTo(page.getByTestId('layer-row-1'));
    expect(await layerNames(page)).toEqual(['1. dots', '2. random-color', '3. grid']);
    await waitForPreview(page, seq);
    // Each layer kept its expanded state: reopen dots, move it down with its button, still open.
    await page.getByRole('button', { name: '1. dots' }).click();
    await page.getByRole('button', { name: 'Move layer 1 down' }).click();
    expect(await layerNames(page)).toEqual(['1. random-color', '2. dots', '3. grid']);
    expect(await page.getByRole('group', { name: 'Layer 2: dots' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: '3. grid' }).getAttribute('aria-expanded')).toBe('false');
    expect(s.errors).toEqual([]);
  });

  it('undoes each Add layer click on its own, however quick', async () => {
    await open('seed-002-captcha');
    const add = page.getByRole('button', { name: 'Add layer' });
    await add.click();
    await add.click();
    expect((await layerNames(page)).length).toBe(3);
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => document.querySelectorAll('.layers .layer-name').length === 2);
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => document.querySelectorAll('.layers .layer-name').length === 1);
  });

  it('edits gradient stops on a stop bar: drag a handle, click the bar to add one', async () => {
    await open('seed-002-captcha');
    await page.getByLabel('New layer').selectOption('linear-gradient');
    await page.getByRole('button', { name: 'Add layer' }).click();
    const bar = page.getByTestId('stop-bar');
    await page.getByRole('group', { name: 'Layer 2: linear-gradient' }).scrollIntoViewIfNeeded();
    const box = (await bar.boundingBox())!;
    const handle = page.getByTestId('stop-handle-2');
    const h = (await handle.boundingBox())!;
    const seq = await seqOf(page);
    await page.mouse.move(h.x + h.width / 2, h.y + h.height / 2);
    await page.mouse.down();
    for (let k = 1; k <= 5; k++) await page.mouse.move(box.x + box.width * (1 - 0.1 * k), h.y + h.height / 2);
    await page.mouse.up();
    // Dragged to the middle of the bar: the selected stop's offset follows, and the preview redraws.
    await expect.poll(async () => Number(await page.getByLabel('Stop 2 offset', { exact: true }).inputValue())).toBeCloseTo(0.5, 1);
    await waitForPreview(page, seq);
    expect(await handle.getAttribute('aria-label')).toMatch(/^Layer 2 stop 2 at (49|50|51)%$/);
    // A click on the bar where no handle is adds a stop there, selected.
    await page.mouse.click(box.x + box.width * 0.8, box.y + box.height / 2);
    await page.getByTestId('stop-handle-3').waitFor();
    expect(await page.getByTestId('stop-handle-3').getAttribute('aria-pressed')).toBe('true');
    expect(Number(await page.getByLabel('Stop 3 offset', { exact: true }).inputValue())).toBeCloseTo(0.8, 1);
    // One drag is one undo step: undo removes the added stop, then the drag.
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => !document.querySelector('[data-testid=stop-handle-3]'));
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => document.querySelector('[data-testid=stop-handle-2]')?.getAttribute('aria-label')?.endsWith('at 100%'));
    expect(s.errors).toEqual([]);
  });

  it('never scrolls sideways at 1280x800, with a gradient layer and a picker open', async () => {
    await open('seed-000-background');
    await page.getByLabel('New layer').selectOption('linear-gradient');
    await page.getByRole('button', { name: 'Add layer' }).click();
    await page.getByRole('button', { name: 'Pick stop 1 colour' }).click();
    const overflow = await page.$eval('.inspector', (el) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBe(0);
  });

  it('fits text to the canvas in one step: no glyph left outside', async () => {
    await open('seed-002-captcha');
    let seq = await seqOf(page);
    await page.getByLabel('Length', { exact: true }).fill('8');
    seq = await waitForPreview(page, seq);
    await page.waitForSelector('.glyph-flag');
    // The inspector says it next to the button that fixes it.
    expect(await page.getByTestId('text-warning').first().textContent()).toMatch(/leaves? the canvas/);
    const sizeBefore = Number(await page.getByLabel('Size (px)', { exact: true }).inputValue());
    await page.getByRole('button', { name: 'Fit text to canvas' }).click();
    await page.getByText(/^Fitted: /).waitFor();
    seq = await waitForPreview(page, seq);
    expect(await page.locator('.glyph-flag').count()).toBe(0);
    expect(await page.getByTestId('text-warning').count()).toBe(0);
    expect(Number(await page.getByLabel('Size (px)', { exact: true }).inputValue())).toBeLessThanOrEqual(sizeBefore);
    // One undo step brings every fitted field back.
    await page.keyboard.press('Control+z');
    await waitForPreview(page, seq);
    expect(Number(await page.getByLabel('Size (px)', { exact: true }).inputValue())).toBe(sizeBefore);
    await page.waitForSelector('.glyph-flag');
    expect(s.errors).toEqual([]);
  });

  it('refuses 0x10, 1e3 and an empty number without a console error, and Ctrl+Z in the field shows the undone value', async () => {
    await open('seed-002-captcha');
    const width = page.getByLabel('Width', { exact: true });
    for (const typed of ['0x10', '1e3', '']) {
      await width.fill(typed);
      expect(await width.getAttribute('aria-invalid')).toBe('true');
    }
    await width.fill('300');
    await page.waitForFunction(() => document.querySelector('canvas[data-testid=preview]') !== null);
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => (document.activeElement as HTMLInputElement | null)?.value === '270');
    expect(s.errors).toEqual([]);
  });

  it.each(['light', 'dark'] as const)('has no axe violations with layers, a stop bar, math operators and text position shown (%s theme)', async (theme) => {
    await page.emulateMedia({ colorScheme: theme });
    await open('seed-002-captcha');
    await page.getByLabel('New layer').selectOption('linear-gradient');
    await page.getByRole('button', { name: 'Add layer' }).click();
    await page.getByRole('button', { name: 'Hide layer 1' }).click();
    await page.getByLabel('Mode', { exact: true }).selectOption('math');
    await page.getByRole('button', { name: 'Pick stop 1 colour' }).click();
    expect(await page.locator('summary button, summary input, summary select').count()).toBe(0);
    expect(await violations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });
  });

  // Needs the web preview route to answer a design's issues as a result, not as HTTP 400:
  // Chromium logs every 4xx response as a console error.
  it('shows no console error while a colour field holds an invalid value', async () => {
    await open('seed-002-captcha');
    await page.getByLabel('New layer').selectOption('solid');
    await page.getByRole('button', { name: 'Add layer' }).click();
    const colour = page.getByLabel('Colour', { exact: true });
    await colour.pressSequentially('#12345x', { delay: 20 });
    expect(await colour.getAttribute('aria-invalid')).toBe('true');
    const seq = await seqOf(page);
    await colour.fill('hsl(200 50% 40%)');
    await waitForPreview(page, seq);
    expect(await colour.getAttribute('aria-invalid')).toBe('false');
    expect(s.errors).toEqual([]);
  });
});
