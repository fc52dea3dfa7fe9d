// Attack 2 of issue 10: one request with an SVG image layer used to kill the
// process (Skia aborts on <svg width="60000" height="60000">, and segfaults on
// 50,000 nested <g>). Before the byte check these tests took the test runner down
// with the server; now the request fails alone and the server keeps serving.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli.ts';
import { createStudioServer, type StudioServer } from '../../src-main/server/server.ts';
import { call, postJson } from '../support/http.ts';
import { decodePng, pixel } from '../support/png.ts';

const svgUrl = (svg: string) => `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
const HUGE = svgUrl('<svg xmlns="http://www.w3.org/2000/svg" width="60000" height="60000"></svg>');
const NESTED = svgUrl(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">${'<g>'.repeat(50_000)}${'</g>'.repeat(50_000)}</svg>`);
const hostile = (src: string) => ({ width: 60, height: 20, background: [{ type: 'solid', color: '#00ff00' }, { type: 'image', src }] });
const RULE = /^background\.1\.src: must be a PNG, JPEG, WebP or GIF image; SVG is not accepted$/;

let server: StudioServer;
let base: string;
const dir = mkdtempSync(join(tmpdir(), 'attack-image-'));

beforeAll(async () => {
  const designsDir = join(dir, 'designs');
  mkdirSync(designsDir);
  writeFileSync(join(designsDir, 'evil.json'), JSON.stringify({ name: 'evil', ...hostile(HUGE) }));
  server = createStudioServer({ port: 0, designsDir, pool: { size: 1 } });
  base = (await server.start()).url;
});
afterAll(async () => {
  await server.stop();
});

async function stillServing() {
  expect((await call(base, '/healthz')).status).toBe(200);
  const ok = await postJson(base, '/api/render', { width: 30, height: 10, background: [{ type: 'solid', color: '#ff0000' }] });
  expect(ok.status).toBe(200);
  const img = decodePng(ok.body);
  expect([img.width, img.height, ...pixel(img, 15, 5)]).toEqual([30, 10, 255, 0, 0, 255]);
}

describe('an SVG image layer sent to the server', () => {
  it.each([
    ['60000x60000 SVG (about 300 bytes)', HUGE],
    ['50,000 nested <g>', NESTED],
  ])('POST /api/render with a %s answers 400 naming the layer, and the server carries on', async (_name, src) => {
    const body = hostile(src);
    if (src === HUGE) expect(JSON.stringify(body).length).toBeLessThan(300);
    const r = await postJson(base, '/api/render', body);
    expect(r.status).toBe(400);
    expect(r.json()).toMatchObject({ field: 'background.1.src', error: expect.stringMatching(RULE) });
    await stillServing();
  });

  it('a saved design served at /designs/NAME.png (any page’s <img>) answers 400, and the server carries on', async () => {
    const r = await call(base, '/designs/evil.png');
    expect(r.status).toBe(400);
    expect(r.json()).toMatchObject({ field: 'background.1.src', error: expect.stringMatching(RULE) });
    await stillServing();
  });
});

describe('captcha-studio render with an SVG image layer', () => {
  it('exits 2 with the rule and writes nothing', async () => {
    const file = join(dir, 'evil.json');
    const out = join(dir, 'evil.png');
    writeFileSync(file, JSON.stringify(hostile(HUGE)));
    let err = '';
    const code = await main(['render', file, '--out', out], { out: () => {}, err: (s) => (err += s), isTTY: false });
    expect(code).toBe(2);
    expect(err).toMatch(/background\.1\.src: must be a PNG, JPEG, WebP or GIF image; SVG is not accepted/);
    expect(existsSync(out)).toBe(false);
  });
});
