import { createCanvas } from '@napi-rs/canvas';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDesign } from '../../src-main/core/design.ts';
import { ImageCache } from '../../src-main/server/image-cache.ts';
import { PoolBusyError, RenderPool } from '../../src-main/render/pool.ts';
import { renderDesign, renderImage } from '../../src-main/core/render.ts';
import { getPreset } from '../../src-main/core/presets.ts';
import { decodePng, pixel } from '../support/png.ts';

const pool = new RenderPool({ size: 1, maxQueue: 400 });
afterAll(() => pool.close());

describe('render pool', () => {
  it('renders in a worker exactly what the core renders in process', async () => {
    const d = getPreset('neon-captcha')!;
    const out = await pool.render(d, { seed: 12 });
    const local = renderImage(d, { seed: 12 });
    expect(out.bytes.equals(local.bytes)).toBe(true);
    expect(out.answer).toBe(local.challenge!.answer);
  });

  it.each(['process', 'thread'] as const)('gives the same bytes with %s workers, raw pixels and captcha batches included', async (isolation) => {
    const p = new RenderPool({ size: 1, isolation });
    try {
      expect(p.stats()).toMatchObject({ isolation, workers: 1, busy: 0, queued: 0, saturated: false });
      const bg = { ...getPreset('sunset-background')!, width: 1920, height: 1080 };
      const raw = await p.render(bg, { seed: 4, mode: 'raw' });
      const local = renderDesign(bg, { seed: 4 });
      expect([raw.width, raw.height, raw.bytes.length]).toEqual([1920, 1080, 1920 * 1080 * 4]);
      expect(raw.bytes.equals(Buffer.from(local.pixels.buffer, local.pixels.byteOffset, local.pixels.byteLength))).toBe(true);
      const batch = await p.renderMany(getPreset('seed-002-captcha')!, 8);
      expect(new Set(batch.map((o) => o.bytes.toString('base64'))).size).toBe(8);
      for (const o of batch) expect(decodePng(o.bytes).width).toBe(270);
      expect(p.workerPids()).toHaveLength(isolation === 'process' ? 1 : 0);
      // Process workers hand large raw pixels over through a private in-memory folder, emptied as they are read.
      const rawDir = (p as unknown as { rawDir?: string }).rawDir;
      expect(rawDir === undefined).toBe(isolation === 'thread');
      if (rawDir) expect(readdirSync(rawDir)).toEqual([]);
      await p.close();
      if (rawDir) expect(existsSync(rawDir)).toBe(false);
    } finally {
      await p.close();
    }
  });

  it('falls back to the IPC channel for raw pixels when the in-memory folder cannot be written', async () => {
    const p = new RenderPool({ size: 1, isolation: 'process' });
    try {
      const rawDir = (p as unknown as { rawDir: string }).rawDir;
      rmSync(rawDir, { recursive: true }); // as if the tmpfs were full or cleaned away
      const bg = { ...getPreset('sunset-background')!, width: 640, height: 480 };
      const raw = await p.render(bg, { seed: 9, mode: 'raw' });
      const local = renderDesign(bg, { seed: 9 });
      expect(raw.bytes.equals(Buffer.from(local.pixels.buffer, local.pixels.byteOffset, local.pixels.byteLength))).toBe(true);
    } finally {
      await p.close();
    }
  });

  it('resends a design the worker has evicted, and still renders it right', async () => {
    const designs = Array.from({ length: 300 }, (_, i) => parseDesign({ width: 10 + i, height: 10, seed: 1 }));
    await Promise.all(designs.map((d) => pool.render(d)));
    // The first design was sent once, then pushed out of the worker's 256-entry memory.
    const again = await pool.render(designs[0]);
    expect([again.width, again.height]).toEqual([10, 10]);
  });

  it('passes design errors back as DesignError naming the field', async () => {
    const d = getPreset('seed-002-captcha')!;
    await expect(pool.render({ ...d, text: { ...d.text!, fonts: ['Nope'] } })).rejects.toThrow(/text\.fonts\.0/);
  });

  it('refuses work beyond its queue instead of queueing without bound', async () => {
    const tiny = new RenderPool({ size: 1, maxQueue: 1 });
    try {
      const d = { ...getPreset('bokeh-background')!, width: 800, height: 600 };
      const results = await Promise.allSettled([1, 2, 3, 4].map((seed) => tiny.render(d, { seed })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
      for (const r of results.filter((r) => r.status === 'rejected')) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(PoolBusyError);
    } finally {
      await tiny.close();
    }
  });
});

describe('render pool shutdown', () => {
  it('terminates every worker, including ones that finished while it waited', async () => {
    const p = new RenderPool({ size: 2, maxQueue: 10 });
    const d = getPreset('seed-002-captcha')!;
    const settled = Promise.allSettled([p.renderMany(d, 8), p.renderMany(d, 8), p.renderMany(d, 8)]);
    await p.close();
    const results = await settled;
    expect(results.slice(0, 2).every((r) => r.status === 'fulfilled')).toBe(true); // running ones finish
    expect(results[2].status).toBe('rejected'); // queued ones are refused
    expect((p as unknown as { workers: Set<unknown> }).workers.size).toBe(0);
    await expect(p.render(d)).rejects.toThrow(/closed/);
  });
});

describe('image cache', () => {
  const img = (n: number) => ({ bytes: Buffer.alloc(n), mime: 'image/png', etag: '"x"' });

  it('evicts the least recently used entries to stay within its byte budget', () => {
    const c = new ImageCache(1000);
    c.set('a', img(200));
    c.set('b', img(200));
    c.set('c', img(200));
    c.get('a'); // a is now the most recently used
    c.set('d', img(200));
    c.set('e', img(200));
    expect(c.totalBytes).toBeLessThanOrEqual(1000);
    c.set('f', img(200));
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBeDefined();
    expect(c.totalBytes).toBeLessThanOrEqual(1000);
  });

  it('does not let one huge image flush everything', () => {
    const c = new ImageCache(1000);
    c.set('a', img(100));
    c.set('huge', img(600));
    expect(c.get('huge')).toBeUndefined();
    expect(c.get('a')).toBeDefined();
  });
});

describe('image layers in the workers', () => {
  it('are decoded before drawing, from cache the second time, and name their field when broken', async () => {
    const c = createCanvas(2, 2);
    const g = c.getContext('2d');
    g.fillStyle = '#0000ff';
    g.fillRect(0, 0, 2, 2);
    const src = `data:image/png;base64,${c.toBuffer('image/png').toString('base64')}`;
    const d = parseDesign({ width: 8, height: 8, background: [{ type: 'image', src, fit: 'stretch' }] });
    for (let round = 0; round < 2; round++) {
      const img = decodePng((await pool.render(d)).bytes);
      expect(pixel(img, 4, 4)).toEqual([0, 0, 255, 255]);
    }
    const broken = parseDesign({ width: 8, height: 8, background: [{ type: 'solid', color: 'red' }, { type: 'image', src: 'data:image/png;base64,AAAA' }] });
    await expect(pool.render(broken)).rejects.toThrow(/background\.1\.src: must be a PNG, JPEG, WebP or GIF image/);
  });
});

describe('image files in the workers', () => {
  it('decode an image file again when it changes on disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pool-img-'));
    const file = join(dir, 'img.png');
    const paint = (color: string) => {
      const c = createCanvas(2, 2);
      const g = c.getContext('2d');
      g.fillStyle = color;
      g.fillRect(0, 0, 2, 2);
      writeFileSync(file, c.toBuffer('image/png'));
      utimesSync(file, new Date(), new Date(Date.now() + Math.random() * 1e6)); // a distinct mtime
    };
    const d = parseDesign({ width: 4, height: 4, background: [{ type: 'image', src: file }] });
    paint('#ff0000');
    expect(pixel(decodePng((await pool.render(d)).bytes), 1, 1)).toEqual([255, 0, 0, 255]);
    paint('#00ff00');
    expect(pixel(decodePng((await pool.render(d)).bytes), 1, 1)).toEqual([0, 255, 0, 255]);
  });
});
