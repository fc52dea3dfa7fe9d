/**
 * Accessibility of what a user opens: the designer in both themes and the server's own
 * pages, checked by axe-core in Chromium (zero violations), and the designer's keyboard
 * order (every control reachable with Tab, in reading order).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noChromium } from './chromium.ts';
import { openStudio, waitForPreview, type Studio } from './harness.ts';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's violations on the current page, as "rule: selector" lines a failure message can show. */
async function violations(page: Page): Promise<string[]> {
  // Evaluated, not added as a <script>: the pages' CSP (script-src 'self') rightly refuses inline scripts.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Violation[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return found.flatMap((v: Violation) => v.nodes.map((n) => `${v.id} (${v.help}): ${n.target.join(' ')}`));
}

const skipReason = noChromium();

describe.skipIf(skipReason)('accessibility in Chromium', () => {
  let s: Studio;

  beforeAll(async () => {
    s = await openStudio();
  }, 60_000);

  afterAll(async () => {
    await s?.close();
  });

  it.each(['light', 'dark'] as const)('the designer has no axe violations in the %s theme, with a captcha open', async (theme) => {
    await s.page.emulateMedia({ colorScheme: theme });
    await s.page.click('[data-preset="seed-002-captcha"]');
    await waitForPreview(s.page);
    expect(await violations(s.page)).toEqual([]);
  });

  it('the designer has no axe violations with a strength report shown, in both themes', async () => {
    const panel = s.page.getByRole('region', { name: 'Strength' });
    await panel.getByLabel('Samples').fill('20');
    await panel.getByLabel('OCR (Tesseract)').uncheck();
    await panel.getByRole('button', { name: 'Check strength' }).click();
    await s.page.waitForSelector('[data-testid=strength-report]', { timeout: 60_000 });
    await s.page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.strength-sample img')].every((i) => i.complete));
    for (const theme of ['light', 'dark'] as const) {
      await s.page.emulateMedia({ colorScheme: theme });
      expect(await violations(s.page), theme).toEqual([]);
    }
  }, 90_000);

  it('the designer has no axe violations with a layered background open', async () => {
    await s.page.emulateMedia({ colorScheme: 'light' });
    const seq = Number(await s.page.getAttribute('canvas[data-testid=preview]', 'data-seq'));
    await s.page.click('[data-preset="seed-000-background"]');
    await waitForPreview(s.page, seq);
    expect(await violations(s.page)).toEqual([]);
  });

  it('the server index page has no axe violations', async () => {
    const page = await s.browser.newPage();
    try {
      await page.goto(`${s.base}/`);
      expect(await violations(page)).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('Tab reaches the toolbar, the presets, the preview controls and the inspector, in that order', async () => {
    const page = s.page;
    await page.goto(`${s.base}/studio/`);
    await page.click('[data-preset="seed-002-captcha"]');
    await waitForPreview(page);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    // Walk the whole tab order once; each stop records the landmark region it is in.
    const regions: string[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < 400; i++) {
      await page.keyboard.press('Tab');
      const stop = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const region = el.closest('header, nav, aside, main, section, [role=region]');
        const tag = region?.getAttribute('aria-label') ?? region?.className ?? region?.tagName ?? 'none';
        const r = el.getBoundingClientRect();
        return { key: `${el.tagName}:${el.getAttribute('aria-label') ?? el.textContent?.slice(0, 30) ?? ''}:${r.x},${r.y}`, region: String(tag), visible: r.width > 0 && r.height > 0 };
      });
      if (!stop) continue;
      if (seen.has(stop.key)) break; // wrapped around
      seen.add(stop.key);
      expect(stop.visible, `focus landed on an invisible element: ${stop.key}`).toBe(true);
      if (regions.at(-1) !== stop.region) regions.push(stop.region);
    }
    // The walk starts wherever focus was; read it as a cycle starting at the toolbar.
    const start = Math.max(0, regions.findIndex((r) => /toolbar/i.test(r)));
    const cycle = [...regions.slice(start), ...regions.slice(0, start)];
    const order = (name: RegExp) => cycle.findIndex((r) => name.test(r));
    const toolbar = order(/toolbar/i);
    const presets = order(/sidebar|presets|designs/i);
    const preview = order(/preview/i);
    const inspector = order(/inspector/i);
    expect([toolbar, presets, preview, inspector].every((i) => i >= 0), cycle.join(' > ')).toBe(true);
    expect(toolbar < presets && presets < preview && preview < inspector, cycle.join(' > ')).toBe(true);
  });

  it('no page errors or console errors along the way', () => {
    expect(s.errors).toEqual([]);
  });
});
