/**
 * The preview canvas in Chromium: the whole image reachable at any zoom, designs opened
 * fitted to the view, the preview rendered at the size it is shown, the backdrop switch,
 * and glyphs that leave the canvas flagged.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePng, pixel } from '../support/png.ts';
import { noChromium } from './chromium.ts';
import { openStudio, waitForPreview, type Studio } from './harness.ts';

/** Where the stage's viewport and the canvas are (CSS pixels), and how the stage scrolls. */
interface Geometry {
  scrollLeft: number;
  scrollTop: number;
  maxScrollLeft: number;
  maxScrollTop: number;
  stage: { left: number; right: number; top: number; bottom: number };
  canvas: { left: number; right: number; top: number; bottom: number; width: number };
  /** The canvas' backing store. */
  backing: { width: number; height: number };
}

function geometry(page: Page): Promise<Geometry> {
  return page.evaluate(() => {
    const s = document.querySelector<HTMLElement>('[data-testid=stage]')!;
    const c = document.querySelector<HTMLCanvasElement>('canvas[data-testid=preview]')!;
    const sr = s.getBoundingClientRect();
    const cr = c.getBoundingClientRect();
    const left = sr.left + s.clientLeft;
    const top = sr.top + s.clientTop;
    return {
      scrollLeft: s.scrollLeft,
      scrollTop: s.scrollTop,
      maxScrollLeft: s.scrollWidth - s.clientWidth,
      maxScrollTop: s.scrollHeight - s.clientHeight,
      stage: { left, right: left + s.clientWidth, top, bottom: top + s.clientHeight },
      canvas: { left: cr.left, right: cr.right, top: cr.top, bottom: cr.bottom, width: cr.width },
      backing: { width: Number(c.dataset.width), height: Number(c.dataset.height) },
    };
  });
}

async function scrollStage(page: Page, left: number, top = 0): Promise<Geometry> {
  await page.evaluate(([l, t]) => document.querySelector('[data-testid=stage]')!.scrollTo(l, t), [left, top]);
  return geometry(page);
}

const zoomText = (page: Page) => page.textContent('[data-testid=zoom]');

/** Opens a preset (discarding edits) and waits until its preview is on screen and no zoom change is pending a render. */
async function openPreset(page: Page, name: string, size: [number, number]): Promise<void> {
  await page.click(`[data-preset="${name}"]`);
  const dialog = page.getByRole('alertdialog');
  if (await dialog.isVisible().catch(() => false)) await dialog.getByRole('button', { name: "Don't save" }).click();
  await page.waitForSelector(`canvas[data-testid=preview][aria-label="Preview, ${size[0]} by ${size[1]} pixels"]`);
  await settled(page);
}

/**
 * Waits until the preview shows the zoom on screen: CSS size the design's times the zoom,
 * backing store the render for it (full size from 100%, else the displayed size; these
 * presets have scale 1), and nothing rendering.
 */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const c = document.querySelector<HTMLCanvasElement>('canvas[data-testid=preview]');
    const zoom = Number(document.querySelector('[data-testid=zoom]')?.textContent?.replace('%', '')) / 100;
    const m = c?.getAttribute('aria-label')?.match(/(\d+) by (\d+)/);
    if (!c || !m || !c.dataset.seq) return false;
    const w = Number(m[1]);
    const backing = zoom >= 1 ? w : w * zoom * devicePixelRatio;
    return Math.abs(c.getBoundingClientRect().width - w * zoom) < 1 && Math.abs(Number(c.dataset.width) - backing) <= 1 && !document.querySelector('.preview-status')?.textContent?.includes('rendering');
  });
}

const skipReason = noChromium();

describe.skipIf(skipReason)('preview canvas in Chromium', () => {
  let s: Studio;
  let page: Page;

  beforeAll(async () => {
    s = await openStudio({ viewport: { width: 1280, height: 800 } });
    page = s.page;
  }, 60_000);

  afterAll(async () => {
    await s?.close();
  });

  it('opens a 1920x1080 design fitted to the view, rendered at the size it is shown, and re-fits on resize', async () => {
    await openPreset(page, 'sunset-background', [1920, 1080]);
    expect(await page.getByRole('button', { name: 'Fit' }).getAttribute('aria-pressed')).toBe('true');
    const zoom = Number((await zoomText(page))!.replace('%', ''));
    expect(zoom).toBeLessThan(100);
    const g = await geometry(page);
    // All of it in view: nothing to scroll.
    expect([g.maxScrollLeft, g.maxScrollTop]).toEqual([0, 0]);
    expect(g.canvas.left).toBeGreaterThanOrEqual(g.stage.left);
    expect(g.canvas.right).toBeLessThanOrEqual(g.stage.right);
    expect(g.canvas.bottom).toBeLessThanOrEqual(g.stage.bottom);
    // The preview costs what the screen shows, not 1920x1080 (device pixel ratio 1 here).
    await page.waitForFunction(() => Number(document.querySelector<HTMLCanvasElement>("canvas[data-testid=preview]")!.dataset.width) < 1920);
    const b = (await geometry(page)).backing;
    expect(b.width).toBeLessThanOrEqual(Math.ceil((1920 * zoom) / 100) + 1);
    expect(b.height).toBeLessThan(1080);

    await page.setViewportSize({ width: 1100, height: 700 });
    await page.waitForFunction((z) => Number(document.querySelector('[data-testid=zoom]')!.textContent!.replace('%', '')) < z, zoom);
    await settled(page);
    const after = await geometry(page);
    expect([after.maxScrollLeft, after.maxScrollTop]).toEqual([0, 0]);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.waitForFunction((z) => document.querySelector('[data-testid=zoom]')!.textContent === `${z}%`, zoom);
  });

  it('reaches both edges of a 1920x1080 design at 100% in a 1280x800 window', async () => {
    await page.getByRole('button', { name: 'Actual size' }).click();
    expect(await zoomText(page)).toBe('100%');
    await settled(page);
    let g = await scrollStage(page, 0);
    expect(g.canvas.width).toBe(1920);
    expect(g.backing.width).toBe(1920);
    expect(g.maxScrollLeft).toBeGreaterThanOrEqual(1920 - (g.stage.right - g.stage.left));
    // Scrolled fully left, the image's left edge is inside the stage (past its padding, not cut off).
    expect(g.scrollLeft).toBe(0);
    expect(g.canvas.left).toBeGreaterThanOrEqual(g.stage.left);
    expect(g.canvas.left - g.stage.left).toBeLessThanOrEqual(16);
    g = await scrollStage(page, 1e6, 1e6);
    expect(g.scrollLeft).toBe(g.maxScrollLeft);
    expect(g.canvas.right).toBeLessThanOrEqual(g.stage.right);
    expect(g.stage.right - g.canvas.right).toBeLessThanOrEqual(16);
    expect(g.canvas.bottom).toBeLessThanOrEqual(g.stage.bottom);
    // "Fit" brings it back, and opening another design fits that one.
    await page.getByRole('button', { name: 'Fit' }).click();
    await settled(page);
    expect((await geometry(page)).maxScrollLeft).toBe(0);
    await page.getByRole('button', { name: 'Actual size' }).click();
    await openPreset(page, 'low-poly-background', [1920, 1080]);
    expect(await page.getByRole('button', { name: 'Fit' }).getAttribute('aria-pressed')).toBe('true');
    expect(await zoomText(page)).not.toBe('100%');
  });

  it('shows the first glyph column of the seed-002 captcha at 300%', async () => {
    await openPreset(page, 'seed-002-captcha', [270, 40]);
    // A 270x40 captcha fits at 100%: fit never enlarges.
    expect(await zoomText(page)).toBe('100%');
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await page.keyboard.press('Control+=');
    expect(await zoomText(page)).toBe('300%');
    await settled(page);
    let g = await scrollStage(page, 0);
    expect(g.canvas.width).toBe(810);
    expect(g.canvas.left).toBeGreaterThanOrEqual(g.stage.left);
    // The canvas itself is what is on screen at its first column: not covered, not clipped.
    const hit = await page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.getAttribute('data-testid'), [g.canvas.left + 1, (g.canvas.top + g.canvas.bottom) / 2]);
    expect(hit).toBe('preview');
    g = await scrollStage(page, 1e6);
    expect(g.canvas.right).toBeLessThanOrEqual(g.stage.right);
    // Full-size pixels shown enlarged: the backing store is the design's own size.
    expect(g.backing).toEqual({ width: 270, height: 40 });
    await page.keyboard.press('Control+0');
    expect(await zoomText(page)).toBe('100%');
  });

  it('switches the backdrop behind a transparent design, and remembers it', async () => {
    await openPreset(page, 'seed-000-background', [1024, 768]);
    // Seed 000's ellipse starts at x=100: the image is transparent left of it.
    const at = async () => {
      const g = await geometry(page);
      const zoom = g.canvas.width / 1024;
      const shot = decodePng(await page.screenshot({ clip: { x: g.canvas.left + 20 * zoom, y: g.canvas.top + 300 * zoom, width: 2, height: 2 } }));
      return pixel(shot, 0, 0).slice(0, 3);
    };
    const backdrop = page.getByLabel('Backdrop', { exact: true });
    await backdrop.selectOption('dark');
    expect(await at()).toEqual([0x1a, 0x1a, 0x1a]);
    await backdrop.selectOption('light');
    expect(await at()).toEqual([255, 255, 255]);
    await backdrop.selectOption('custom');
    await page.getByLabel('Backdrop colour').fill('#ff0000');
    expect(await at()).toEqual([255, 0, 0]);
    await page.reload();
    await page.waitForSelector('[data-preset]');
    expect(await page.getByLabel('Backdrop', { exact: true }).inputValue()).toBe('custom');
    await page.getByLabel('Backdrop', { exact: true }).selectOption('checker');
  });

  it('offers Reroll, Lock seed and an answer only where they mean something', async () => {
    await openPreset(page, 'seed-000-background', [1024, 768]);
    expect(await page.getByRole('button', { name: 'Reroll' }).count()).toBe(0);
    expect(await page.getByLabel('Lock seed').count()).toBe(0);
    expect(await page.getByTestId('answer').count()).toBe(0);
    await openPreset(page, 'classic-captcha', [180, 60]);
    expect(await page.getByRole('button', { name: 'Reroll' }).count()).toBe(1);
    expect(await page.getByTestId('answer').textContent()).toMatch(/^\S+$/);
  });

  it('flags glyphs that leave the canvas over the preview and in the status line', async () => {
    await openPreset(page, 'classic-captcha', [180, 60]);
    expect(await page.getByTestId('glyph-flag').count()).toBe(0);
    expect(await page.getByTestId('design-warning').textContent()).toBe('');
    const seq = await waitForPreview(page);
    await page.getByLabel('Length', { exact: true }).fill('12');
    await waitForPreview(page, seq);
    await page.waitForSelector('[data-testid=glyph-flag]');
    const warning = page.getByTestId('design-warning');
    expect(await warning.getAttribute('role')).toBe('status');
    expect(await warning.textContent()).toMatch(/text/);
    // Every flag reaches past the image's edge (a glyph wholly off the canvas gets a mark at
    // that edge), and a glyph cut in two is outlined across the edge, on the canvas too.
    const g = await geometry(page);
    const flags = await Promise.all((await page.getByTestId('glyph-flag').all()).map(async (f) => (await f.boundingBox())!));
    expect(flags.length).toBeGreaterThan(0);
    for (const f of flags) expect(f.x < g.canvas.left || f.x + f.width > g.canvas.right || f.y < g.canvas.top || f.y + f.height > g.canvas.bottom).toBe(true);
    expect(flags.some((f) => (f.x < g.canvas.left && f.x + f.width > g.canvas.left) || (f.x < g.canvas.right && f.x + f.width > g.canvas.right))).toBe(true);
    // The pixels are not drawn on: the flags are an overlay, not part of the image.
    expect(await page.evaluate(() => document.querySelector('.glyph-overlay')?.getAttribute('aria-hidden'))).toBe('true');
  });

  it('saw no page errors', () => {
    expect(s.errors).toEqual([]);
  });
});
