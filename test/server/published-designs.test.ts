/**
 * The studio's snippet URLs over HTTP: a /designs/ URL carries its design's version, is
 * cached for good only while that version is current, and says where the design lives.
 * Also the pages the server adds around the seeds: the stand-in stylesheet seed 002's page
 * links, and the index and seed 000 pages' language and landmarks.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPreset } from '../../src-main/core/presets.ts';
import { DesignSource, designVersion } from '../../src-main/server/design-source.ts';
import { createStudioServer, type StudioServer } from '../../src-main/server/server.ts';
import { BOOTSTRAP_PATH } from '../../src-main/server/bootstrap-stand-in.ts';
import { decodePng, pixel } from '../support/png.ts';
import { call, studioCall } from '../support/http.ts';

let server: StudioServer;
let base: string;
let designsDir: string;

const banner = (color: string) => ({ ...getPreset('placeholder')!, name: 'my banner', width: 40, height: 20, background: [{ type: 'solid', color }], text: undefined });
const publish = async (design: unknown) => {
  const r = await studioCall(base, 'publishDesign', [design]);
  expect(r.status, r.body.toString()).toBe(200);
  return r.json();
};

beforeAll(async () => {
  designsDir = mkdtempSync(join(tmpdir(), 'published-'));
  server = createStudioServer({ port: 0, designsDir, pool: { size: 1 } });
  base = (await server.start()).url;
});
afterAll(async () => {
  await server.stop();
});

describe('versioned /designs/ URLs', () => {
  it('a published design gets ?v= with its version; that URL is cached for good, and an edit makes a new one', async () => {
    const red = await publish(banner('#ff0000'));
    expect(red).toMatchObject({ name: 'my-banner', stored: 'memory', added: true, width: 40, height: 20, captcha: false, seed: null, issuePath: null });
    expect(red.path).toBe(`/designs/my-banner.png?v=${red.version}`);
    expect(red.version).toMatch(/^[0-9a-f]{12}$/);
    const a = await call(base, red.path);
    expect(a.status).toBe(200);
    expect(a.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(a.headers['x-design-version']).toBe(red.version);
    expect(pixel(decodePng(a.body), 1, 1)).toEqual([255, 0, 0, 255]);

    const blue = await publish(banner('#0000ff'));
    expect(blue.version).not.toBe(red.version);
    expect(blue.path).not.toBe(red.path);
    expect(blue.added).toBe(true);
    expect((await publish(banner('#0000ff'))).added).toBe(false); // republishing the same version adds nothing
    const b = await call(base, blue.path);
    expect(pixel(decodePng(b.body), 1, 1)).toEqual([0, 0, 255, 255]);
    expect(b.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('a stale version gets the current design, uncached, and says which version it is', async () => {
    const red = await publish(banner('#ff0000'));
    const green = await publish(banner('#00ff00'));
    const stale = await call(base, red.path);
    expect(stale.status).toBe(200);
    expect(stale.headers['cache-control']).toBe('no-cache');
    expect(stale.headers['x-design-version']).toBe(green.version);
    expect(pixel(decodePng(stale.body), 1, 1)).toEqual([0, 255, 0, 255]);
    // Revalidation by ETag costs no render.
    const again = await call(base, red.path, { headers: { 'If-None-Match': String(stale.headers.etag) } });
    expect(again.status).toBe(304);
  });

  it('without ?v= a design that can change is revalidated on every use; a preset keeps the usual max-age', async () => {
    await publish(banner('#ff0000'));
    expect((await call(base, '/designs/my-banner.png')).headers['cache-control']).toBe('no-cache');
    expect((await call(base, '/background.png?design=my-banner')).headers['cache-control']).toBe('no-cache');
    const preset = await call(base, '/designs/placeholder.png?width=30&height=20');
    expect(preset.headers['cache-control']).toBe('public, max-age=3600');
    expect(preset.headers['x-design-version']).toBe(designVersion(getPreset('placeholder')!));
  });

  it('overrides apply on top of a versioned URL (the background snippet adds the window size)', async () => {
    const p = await publish(banner('#ff0000'));
    const r = await call(base, `${p.path}&width=64&height=32`);
    expect(r.status).toBe(200);
    expect([decodePng(r.body).width, decodePng(r.body).height]).toEqual([64, 32]);
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('refuses a malformed or repeated version, naming v', async () => {
    for (const q of ['v=xyz', 'v=0123456789AB', 'v=0123456789ab&v=0123456789ab']) {
      const r = await call(base, `/designs/placeholder.png?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.json().field).toBe('v');
    }
  });

  it('random designs stay uncacheable whatever the version', async () => {
    const p = await publish({ ...getPreset('bokeh-background')!, name: 'random bokeh', width: 40, height: 30, seed: undefined });
    const r = await call(base, p.path);
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
  });

  it('an unchanged preset is served as the preset, a design identical to a --designs file from that file', async () => {
    const preset = await publish(getPreset('sunset-background'));
    expect(preset).toMatchObject({ name: 'sunset-background', stored: 'preset', added: false });
    expect(preset.path).toBe(`/designs/sunset-background.png?v=${designVersion(getPreset('sunset-background')!)}`);
    const edited = await publish({ ...getPreset('sunset-background'), width: 300 });
    expect(edited).toMatchObject({ name: 'sunset-background-edited', stored: 'memory' });

    const saved = { name: 'on-disk', width: 30, height: 10, background: [{ type: 'solid', color: '#123456' }] };
    writeFileSync(join(designsDir, 'on-disk.json'), JSON.stringify(saved));
    const p = await publish(saved);
    expect(p).toMatchObject({ name: 'on-disk', stored: 'saved', added: false });
    expect((await call(base, p.path)).headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('a captcha design gets a signed issuing URL and a signed POST /api/captcha path, and its fixed seed is reported', async () => {
    const p = await publish({ ...getPreset('digits-captcha'), name: 'my-code', seed: 42 });
    expect(p).toMatchObject({ captcha: true, seed: 42, stored: 'memory' });
    expect(p.path).toMatch(/^\/captcha\.png\?design=my-code&sig=[\w-]{43}$/);
    expect(p.issuePath).toMatch(/^\/api\/captcha\?design=my-code&sig=[\w-]{43}$/);
    const issued = await call(base, p.issuePath, { method: 'POST' });
    expect(issued.status).toBe(200);
    expect(issued.json()).toMatchObject({ width: 200, height: 56 });
  });
});

describe('a restarted server', () => {
  const kept = { ...getPreset('placeholder')!, name: 'kept', width: 50 };

  it('the same design source adds a design once', () => {
    const designs = new DesignSource();
    expect(designs.publish(kept).added).toBe(true);
    expect(designs.publish(structuredClone(kept)).added).toBe(false);
  });

  it('answers 404 for a design published before it restarted, and publishing it again says it was added', async () => {
    const first = createStudioServer({ port: 0, pool: { size: 1 } });
    const { url } = await first.start();
    let p;
    try {
      p = (await studioCall(url, 'publishDesign', [kept])).json();
      expect((await call(url, p.path)).status).toBe(200);
    } finally {
      await first.stop();
    }
    const again = createStudioServer({ port: Number(new URL(url).port), pool: { size: 1 } });
    try {
      await again.start();
      const gone = await call(url, p.path);
      expect(gone.status).toBe(404);
      expect(gone.json().field).toBe('name');
      const back = (await studioCall(url, 'publishDesign', [kept])).json();
      expect(back).toMatchObject({ path: p.path, version: p.version, added: true });
      expect((await call(url, p.path)).status).toBe(200);
    } finally {
      await again.stop();
    }
  });
});

describe('pages the server adds around the seeds', () => {
  it('serves a stand-in stylesheet where seed 002 links Bootstrap, as CSS', async () => {
    expect(await call(base, '/examples/seed-002.html').then((r) => r.body.toString())).toContain(`href="${BOOTSTRAP_PATH}"`);
    const css = await call(base, BOOTSTRAP_PATH);
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const text = css.body.toString();
    for (const cls of ['.container', '.row', '.col-md-6', '.col-md-offset-3', '.form-group', '.form-control', '.btn', '.btn-default', '.pull-right']) expect(text).toContain(cls);
  });

  it('the index page and seed 000 page have a language and a main landmark', async () => {
    for (const path of ['/', '/examples/seed-000.html']) {
      const page = (await call(base, path)).body.toString();
      expect(page, path).toMatch(/<html lang="en">/);
      expect(page, path).toMatch(/<main>[\s\S]*<h1>[\s\S]*<\/main>/);
    }
  });
});
