/**
 * The designer's preview channel in Chromium: edits travel over one WebSocket once it is
 * open (no POST per edit), and a page whose socket is refused keeps previewing over POST.
 */
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { PREVIEW_SOCKET_PATH } from '../../src-main/api.ts';
import { noChromium } from './chromium.ts';
import { openStudio, waitForPreview, type Studio } from './harness.ts';

let studio: Studio | undefined;
afterEach(async () => {
  await studio?.close();
  studio = undefined;
});

async function openSeed002(page: Page): Promise<void> {
  await page.click('[data-preset="seed-002-captcha"]');
  await page.waitForSelector('canvas[data-testid=preview][aria-label="Preview, 270 by 40 pixels"]');
  await waitForPreview(page);
}

/** Sets the height field and waits for the preview of that height. */
async function editHeight(page: Page, h: number): Promise<void> {
  const seq = await page.evaluate(() => Number(document.querySelector<HTMLCanvasElement>('canvas[data-testid=preview]')?.dataset.seq ?? 0));
  await page.getByLabel('Height', { exact: true }).fill(String(h));
  await waitForPreview(page, seq);
  await page.waitForSelector(`canvas[data-testid=preview][aria-label$="by ${h} pixels"]`);
}

describe.skipIf(noChromium())('the preview socket in the designer', () => {
  it('carries the edits once open: no preview POSTs, pixels over socket frames', async () => {
    studio = await openStudio({ open: false });
    const { page, base } = studio;
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/studio/preview')) posts.push(r.url());
    });
    const frames: number[] = [];
    const opened = new Promise<string>((resolve) =>
      page.on('websocket', (ws) => {
        ws.on('framereceived', (f) => frames.push(typeof f.payload === 'string' ? -1 : f.payload.length));
        resolve(ws.url());
      }),
    );
    await page.goto(`${base}/studio/`);
    await page.waitForSelector('[data-preset]');
    await openSeed002(page);
    expect(await opened).toBe(`${base.replace('http:', 'ws:')}${PREVIEW_SOCKET_PATH}`);
    // The socket opens beside the first preview: wait until it is carrying them.
    const deadline = Date.now() + 10_000;
    let h = 41;
    while (!frames.some((n) => n > 270 * 41 * 4) && Date.now() < deadline) await editHeight(page, h++ % 2 ? 41 : 42);
    const before = posts.length;
    for (const height of [43, 44, 45]) await editHeight(page, height);
    expect(posts.length).toBe(before);
    // Binary frames of the header and 270 x height RGBA pixels.
    expect(frames.filter((n) => n >= 270 * 43 * 4).length).toBeGreaterThanOrEqual(3);
    expect(studio.errors).toEqual([]);
  });

  it('previews over POST when the socket is refused', async () => {
    studio = await openStudio({ open: false });
    const { page, base } = studio;
    // As a proxy that does not pass WebSockets would: the upgrade never succeeds.
    await page.routeWebSocket(/preview-socket/, (ws) => ws.close({ code: 1011, reason: 'no sockets here' }));
    let posts = 0;
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/studio/preview')) posts++;
    });
    await page.goto(`${base}/studio/`);
    await page.waitForSelector('[data-preset]');
    await openSeed002(page);
    for (const height of [41, 42, 43]) await editHeight(page, height);
    expect(posts).toBeGreaterThanOrEqual(4);
  });
});
