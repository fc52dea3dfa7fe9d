/**
 * One designer in Chromium against a web-mode server on a random loopback port, for the
 * browser test files that each open their own (a file's tests share one page).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createStudioServer, type StudioServer, type ServerOptions } from '../../src-main/server/server.ts';
import { CHROMIUM } from './chromium.ts';

export const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Studio {
  server: StudioServer;
  browser: Browser;
  page: Page;
  /** The server's origin, e.g. http://127.0.0.1:51234 */
  base: string;
  /** Uncaught page errors and console errors seen so far (a test asserts it stays empty). */
  errors: string[];
  close(): Promise<void>;
}

export interface StudioOptions {
  viewport?: { width: number; height: number };
  deviceScaleFactor?: number;
  colorScheme?: 'light' | 'dark';
  server?: ServerOptions;
  /** Opens /studio/ and waits for the preset list (default true). */
  open?: boolean;
}

export async function openStudio(opts: StudioOptions = {}): Promise<Studio> {
  if (!existsSync(join(import.meta.dirname, '../../out/renderer/index.html'))) throw new Error('the UI is not built: the browser project of vitest.config.ts builds it (test/support/build-ui.ts), or run "npm run build"');
  const server = createStudioServer({ port: 0, pool: { size: 2 }, ...opts.server });
  const base = (await server.start()).url;
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 800 }, deviceScaleFactor: opts.deviceScaleFactor ?? 1, colorScheme: opts.colorScheme ?? 'light', acceptDownloads: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    if (opts.open !== false) {
      await page.goto(`${base}/studio/`);
      await page.waitForSelector('[data-preset]');
    }
    const b = browser;
    return {
      server,
      browser: b,
      page,
      base,
      errors,
      async close() {
        await b.close();
        await server.stop();
      },
    };
  } catch (e) {
    await browser?.close();
    await server.stop();
    throw e;
  }
}

/** Waits until the preview canvas shows a render newer than `afterSeq`, and no render is pending. */
export async function waitForPreview(page: Page, afterSeq = 0): Promise<number> {
  await page.waitForFunction((seq) => Number(document.querySelector<HTMLCanvasElement>('canvas[data-testid=preview]')?.dataset.seq ?? 0) > seq, afterSeq);
  await page.waitForFunction(() => !document.querySelector('.preview-status')?.textContent?.includes('rendering'));
  return page.evaluate(() => Number(document.querySelector<HTMLCanvasElement>('canvas[data-testid=preview]')!.dataset.seq));
}
