/**
 * The designer's preview channel in Chromium: edits travel over one WebSocket once it is
 * open (no POST per edit), and a page whose socket is refused keeps previewing over POST.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { PREVIEW_SOCKET_PATH } from '../../src-main/api.ts';
import { noChromium } from './chromium.ts';
import { decodePng } from '../support/png.ts';
import { openStudio, waitForPreview, type Studio } from './harness.ts';

let studio: Studio | undefined;
afterEach(async () => {
  await studio?.close();
  studio = undefined;
});

/** The designer opens seed 002's captcha by itself (clicking its preset again would reload it after an edit). */
async function openSeed002(page: Page): Promise<void> {
  await page.waitForSelector('canvas[data-testid=preview][aria-label="Preview, 270 by 40 pixels"]');
  await waitForPreview(page);
  expect(await page.getByLabel('Height', { exact: true }).inputValue()).toBe('40');
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
    // The canvas belongs to the preview worker, which drew these pixels: the page cannot take a context on it.
    expect(await page.evaluate(() => {
      try {
        document.querySelector<HTMLCanvasElement>('canvas[data-testid=preview]')!.getContext('2d');
        return 'page';
      } catch {
        return 'worker';
      }
    })).toBe('worker');
    expect(studio.errors).toEqual([]);
  });

  it('receives a large fitted preview as a PNG and shows the same pixels as the raw render', async () => {
    studio = await openStudio({ open: false });
    const { page, base } = studio;
    const sent: { design: { name?: string }; seed: number; view?: { scale: number } | null; accept?: string }[] = [];
    const encodings: (string | undefined)[] = [];
    page.on('websocket', (ws) => {
      ws.on('framesent', (f) => typeof f.payload === 'string' && sent.push(JSON.parse(f.payload)));
      ws.on('framereceived', (f) => {
        if (typeof f.payload === 'string') return;
        const n = f.payload.readUInt32LE(0);
        const meta = JSON.parse(f.payload.subarray(4, 4 + n).toString()) as { encoding?: string };
        encodings.push(meta.encoding);
        // The PNG signature follows the header when it says png.
        if (meta.encoding === 'png') expect([...f.payload.subarray(4 + n, 8 + n)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
      });
    });
    await page.goto(`${base}/studio/`);
    await page.waitForSelector('[data-preset]');
    await openSeed002(page);
    // Until the socket carries previews, they go over POST: edit until a sunset request went over it.
    const deadline = Date.now() + 10_000;
    let seq = await waitForPreview(page);
    await page.click('[data-preset="sunset-background"]');
    seq = await waitForPreview(page, seq);
    for (let h = 1079; !sent.some((m) => m.design.name === 'sunset-background') && Date.now() < deadline; h = h === 1079 ? 1080 : 1079) {
      await page.getByLabel('Height', { exact: true }).fill(String(h));
      seq = await waitForPreview(page, seq);
    }
    const last = sent.filter((m) => m.design.name === 'sunset-background').at(-1)!;
    expect(last.accept).toBe('png');
    expect(last.view!.scale).toBeLessThan(0.5);
    expect(encodings).toContain('png');
    // The server's raw pixels for the same request, against what the canvas shows.
    const res = await fetch(`${base}/api/studio/preview`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ design: last.design, seed: last.seed, view: last.view }) });
    const raw = { w: Number(res.headers.get('x-width')), h: Number(res.headers.get('x-height')), px: new Uint8Array(await res.arrayBuffer()) };
    const box = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('canvas[data-testid=preview]')!;
      c.scrollIntoView({ block: 'nearest', inline: 'nearest' });
      const r = c.getBoundingClientRect();
      return { x: r.x, y: r.y, w: r.width, h: r.height, backing: [Number(c.dataset.width), Number(c.dataset.height)] };
    });
    expect(box.backing).toEqual([raw.w, raw.h]);
    // Points across the gradient and the sun, away from edges: shown at about one canvas pixel per screen pixel.
    for (const [fx, fy] of [[0.5, 0.1], [0.3, 0.5], [0.7, 0.72], [0.5, 0.9]]) {
      const shot = decodePng(await page.screenshot({ clip: { x: Math.round(box.x + fx * box.w), y: Math.round(box.y + fy * box.h), width: 1, height: 1 } }));
      const i = (Math.round(fy * raw.h) * raw.w + Math.round(fx * raw.w)) * 4;
      const want = [...raw.px.subarray(i, i + 3)];
      const got = [...shot.data.subarray(0, 3)];
      expect(Math.max(...got.map((v, k) => Math.abs(v - want[k]))), `at ${fx},${fy}: ${got} against ${want}`).toBeLessThanOrEqual(4);
    }
    expect(studio.errors).toEqual([]);
  });

  it('previews over POST behind a proxy that does not pass WebSockets', async () => {
    studio = await openStudio({ open: false });
    const { page, base } = studio;
    // A plain HTTP proxy in front of the server that answers every upgrade 502, as some do.
    const target = new URL(base);
    const proxy = createServer((req, res) => {
      // A connection per request: a pooled one the server is closing as idle would fail a request now and then.
      const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent: false }, (r) => {
        res.writeHead(r.statusCode!, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    let refused = 0;
    proxy.on('upgrade', (_req, socket) => {
      refused++;
      socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n', () => socket.destroy());
    });
    const sockets = new Set<Socket>();
    proxy.on('connection', (s: Socket) => sockets.add(s));
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const via = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      let posts = 0;
      page.on('request', (r) => {
        if (r.method() === 'POST' && r.url().endsWith('/api/studio/preview')) posts++;
      });
      await page.goto(`${via}/studio/`);
      await page.waitForSelector('[data-preset]');
      await openSeed002(page);
      for (const height of [41, 42, 43]) await editHeight(page, height);
      expect(refused).toBeGreaterThanOrEqual(1);
      expect(posts).toBeGreaterThanOrEqual(4);
    } finally {
      // Every socket it ever accepted, upgrades included (the server no longer tracks those).
      proxy.close();
      for (const s of sockets) s.destroy();
    }
  });
});
