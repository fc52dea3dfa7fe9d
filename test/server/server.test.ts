import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ID_PATTERN } from '../../src-main/server/captcha-store.ts';
import { createStudioServer, type RequestLogEntry, type StudioServer } from '../../src-main/server/server.ts';
import { decodePng, pixel } from '../support/png.ts';
import { call, postJson } from '../support/http.ts';

let server: StudioServer;
let base: string;
const log: RequestLogEntry[] = [];
let designsDir: string;

beforeAll(async () => {
  designsDir = mkdtempSync(join(tmpdir(), 'designs-'));
  writeFileSync(join(designsDir, 'my-banner.json'), JSON.stringify({ name: 'my-banner', width: 120, height: 30, seed: 5, background: [{ type: 'solid', color: '#ff0000' }] }));
  writeFileSync(join(designsDir, 'broken.json'), '{"width": 12');
  server = createStudioServer({ port: 0, designsDir, exposeAnswers: true, pool: { size: 2 } });
  server.on('request', (e) => log.push(e));
  base = (await server.start()).url;
});
afterAll(async () => {
  await server.stop();
});

describe('seed 000 route, unchanged', () => {
  it('GET /utils/genback/?width=&height= draws the ellipse in its colour at that size', async () => {
    const r = await call(base, '/utils/genback/?width=1280&height=720');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('image/png');
    const img = decodePng(r.body);
    expect([img.width, img.height]).toEqual([1280, 720]);
    // w = 1280: centre x 740.5, the ellipse's top is above the image.
    expect(pixel(img, 740, 10)).toEqual([240, 239, 239, 128]);
    expect(pixel(img, 740, 700)).toEqual([240, 239, 239, 128]);
    expect(pixel(img, 50, 300)).toEqual([0, 0, 0, 0]);
  });

  it('defaults to 1024x768 and is cached by size (no randomness)', async () => {
    const r = await call(base, '/utils/genback/');
    expect([decodePng(r.body).width, decodePng(r.body).height]).toEqual([1024, 768]);
    expect(r.headers['cache-control']).toMatch(/public/);
    const again = await call(base, '/utils/genback/', { headers: { 'If-None-Match': String(r.headers.etag) } });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('serves seed 000 page unchanged, whose script asks for the window-sized background', async () => {
    const r = await call(base, '/examples/seed-000.html');
    expect(r.status).toBe(200);
    expect(r.body.toString()).toContain('document.body.background = "/utils/genback/?width="+width+"&height="+height;');
  });
});

describe('seed 002 route, unchanged', () => {
  it('GET /get_validCode_img returns a fresh 270x40 captcha with its id in a header and a cookie', async () => {
    const a = await call(base, '/get_validCode_img');
    const b = await call(base, '/get_validCode_img');
    expect(a.status).toBe(200);
    expect([decodePng(a.body).width, decodePng(a.body).height]).toEqual([270, 40]);
    expect(a.headers['cache-control']).toBe('no-store');
    expect(a.headers['x-captcha-id']).toMatch(ID_PATTERN);
    expect(String(a.headers['set-cookie'])).toMatch(new RegExp(`^captcha_id_${server.address!.port}=[\\w-]{66}; Path=/; HttpOnly; SameSite=Lax`));
    expect(a.headers['x-captcha-id']).not.toBe(b.headers['x-captcha-id']);
    expect(a.body.equals(b.body)).toBe(false);
  });

  it('serves the seed 002 login page unchanged', async () => {
    const r = await call(base, '/examples/seed-002.html');
    expect(r.body.toString()).toContain('<img width="270" height="40" src="/get_validCode_img" alt="">');
  });
});

describe('captcha flow', () => {
  it('POST /api/captcha issues {id, image, expiresAt}; the right answer is valid once', async () => {
    const r = await postJson(base, '/api/captcha', {});
    expect(r.status).toBe(200);
    const { id, image, expiresAt, answer } = r.json();
    expect(image).toMatch(/^data:image\/png;base64,/);
    expect(decodePng(Buffer.from(image.split(',')[1], 'base64')).width).toBe(180);
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now() + 4 * 60_000);
    expect((await postJson(base, '/api/captcha/verify', { id, answer })).json()).toEqual({ valid: true });
    expect((await postJson(base, '/api/captcha/verify', { id, answer })).json()).toEqual({ valid: false });
  });

  it('ignores case by default', async () => {
    const { id, answer } = (await postJson(base, server.signPath('/api/captcha?design=seed-002-captcha'), {})).json();
    const flipped = [...answer].map((c: string) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
    expect((await postJson(base, '/api/captcha/verify', { id, answer: flipped })).json().valid).toBe(true);
  });

  it('a wrong answer consumes the captcha', async () => {
    const { id, answer } = (await postJson(base, '/api/captcha', {})).json();
    expect((await postJson(base, '/api/captcha/verify', { id, answer: answer + 'x' })).json().valid).toBe(false);
    expect((await postJson(base, '/api/captcha/verify', { id, answer })).json().valid).toBe(false);
  });

  it('unknown id, missing id and empty answer are never valid', async () => {
    const { id } = (await postJson(base, '/api/captcha', {})).json();
    expect((await postJson(base, '/api/captcha/verify', { id: 'A'.repeat(66), answer: 'x' })).json().valid).toBe(false);
    expect((await postJson(base, '/api/captcha/verify', { answer: 'x' })).json().valid).toBe(false);
    expect((await postJson(base, '/api/captcha/verify', { id, answer: '' })).json().valid).toBe(false);
  });

  it('a plain <img> plus form works: the cookie carries the id to a form-encoded verify', async () => {
    const img = await call(base, server.signPath('/captcha.png?design=digits-captcha'));
    const cookie = String(img.headers['set-cookie']).split(';')[0];
    const answer = decodeURIComponent(String(img.headers['x-captcha-answer']));
    expect(answer).toMatch(/^\d{6}$/);
    const v = await call(base, '/api/captcha/verify', { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' }, body: `answer=${answer}` });
    expect(v.json()).toEqual({ valid: true });
  });

  it('applies signed query overrides to captchas and refuses non-captcha designs', async () => {
    const r = await call(base, server.signPath('/captcha.png?design=classic-captcha&length=7&width=300'));
    expect(decodePng(r.body).width).toBe(300);
    expect(decodeURIComponent(String(r.headers['x-captcha-answer']))).toHaveLength(7);
    const bad = await call(base, server.signPath('/captcha.png?design=sunset-background'));
    expect(bad.status).toBe(400);
    expect(bad.json().field).toBe('design');
  });
});

describe('designs, backgrounds and the API', () => {
  it('GET /background.png takes size and colour overrides', async () => {
    const r = await call(base, '/background.png?width=64&height=32&bg=%2300ff00');
    const img = decodePng(r.body);
    expect([img.width, img.height]).toEqual([64, 32]);
    expect(pixel(img, 1, 1)).toEqual([0, 255, 0, 255]);
  });

  it('GET /designs/:name.(png|jpg|webp) serves presets and saved designs in the format asked', async () => {
    const png = await call(base, '/designs/placeholder.png?width=200&height=100');
    expect(png.headers['content-type']).toBe('image/png');
    expect(decodePng(png.body).width).toBe(200);
    const jpg = await call(base, '/designs/classic-captcha.jpg?seed=4');
    expect(jpg.headers['content-type']).toBe('image/jpeg');
    expect(jpg.body.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    const webp = await call(base, '/designs/classic-captcha.webp?seed=4');
    expect(webp.body.subarray(8, 12).toString()).toBe('WEBP');
    const saved = decodePng((await call(base, '/designs/my-banner.png')).body);
    expect(pixel(saved, 5, 5)).toEqual([255, 0, 0, 255]);
  });

  it('seeded images carry a strong ETag, public caching, 304 on If-None-Match, and come from the cache', async () => {
    const path = '/designs/low-poly-background.png?width=300&height=200&seed=77';
    const a = await call(base, path);
    expect(a.headers.etag).toMatch(/^"[\w-]+"$/);
    expect(a.headers['cache-control']).toBe('public, max-age=3600');
    const hitsBefore = server.cache.hits;
    const b = await call(base, path);
    expect(b.body.equals(a.body)).toBe(true);
    expect(server.cache.hits).toBe(hitsBefore + 1);
    expect((await call(base, path, { headers: { 'If-None-Match': String(a.headers.etag) } })).status).toBe(304);
    const other = await call(base, '/designs/low-poly-background.png?width=300&height=200&seed=78');
    expect(other.headers.etag).not.toBe(a.headers.etag);
  });

  it('GET /api/designs lists presets and saved designs; /api/fonts the fonts', async () => {
    const designs = (await call(base, '/api/designs')).json().designs;
    expect(designs.find((d: any) => d.name === 'my-banner')).toMatchObject({ source: 'saved', width: 120 });
    expect(designs.find((d: any) => d.name === 'seed-000-background')).toMatchObject({ source: 'preset' });
    const fonts = (await call(base, '/api/fonts')).json().fonts;
    expect(fonts.some((f: any) => f.family === 'Droid Sans Fallback' && f.cjk)).toBe(true);
    expect(fonts.every((f: any) => !String(f.file).includes('/'))).toBe(true); // no local paths leak
  });

  it('POST /api/render turns a design into an image', async () => {
    const r = await postJson(base, '/api/render?seed=3', { width: 90, height: 30, text: { mode: 'fixed', value: 'hi' } });
    expect(r.status).toBe(200);
    expect(decodePng(r.body).width).toBe(90);
    expect(r.headers['x-seed']).toBe('3');
  });

  it('GET / lists the routes with live examples and the seed 000 snippet; /healthz answers', async () => {
    const page = (await call(base, '/')).body.toString();
    for (const s of ['/background.png', '/utils/genback/?width=', '/get_validCode_img', '/api/captcha/verify', '/designs/placeholder.png']) expect(page).toContain(s);
    expect((await call(base, '/healthz')).json()).toMatchObject({ ok: true, workers: 2 });
  });
});

describe('every response', () => {
  it('carries X-Content-Type-Options: nosniff once: images, captchas, 304s, JSON errors, pages, HEAD', async () => {
    const first = await call(base, '/background.png?width=40&height=20');
    const replies = [
      first,
      await call(base, '/background.png?width=40&height=20', { headers: { 'If-None-Match': String(first.headers.etag) } }),
      await call(base, '/get_validCode_img'),
      await call(base, '/captcha.png'),
      await call(base, '/background.png?width=abc'),
      await call(base, '/no/such/route'),
      await call(base, '/'),
      await call(base, '/background.png?width=40&height=20', { method: 'HEAD' }),
      await postJson(base, '/api/captcha/verify', { id: 'x', answer: 'y' }),
    ];
    expect(replies.map((r) => r.status)).toEqual([200, 304, 200, 200, 400, 404, 200, 200, expect.any(Number)]);
    for (const r of replies) expect(r.headers['x-content-type-options'], `${r.status}`).toBe('nosniff');
  });
});

describe('bad requests', () => {
  it.each([
    ['/background.png?width=9000', 400, 'width', /at most 8192/],
    ['/background.png?width=8192&height=8192', 400, 'width', /33,177,600/],
    ['/background.png?width=abc', 400, 'width', /must be a number/],
    ['/background.png?width=', 400, 'width', /must be a number/],
    ['/background.png?width=10&width=20', 400, 'width', /more than once/],
    ['/background.png?colour=red', 400, 'colour', /not a known parameter/],
    ['/background.png?bg=notacolour', 400, 'bg', /must be a colour/],
    ['/captcha.png?length=99', 400, 'length', /at most 32/],
    ['/captcha.png?font=Nope', 400, 'text.fonts.0', /not installed/],
    ['/designs/..%2F..%2Fetc%2Fpasswd.png', 400, 'name', /design name/],
    ['/designs/broken.png', 400, 'name', /invalid/],
    ['/designs/missing.png', 404, 'name', /no design/],
    ['/designs/%E0%A4%A.png', 400, 'name', /design name/],
    ['/designs/placeholder.png?format=jpeg', 400, 'format', /extension/],
    ['/captcha.png?design=nope', 404, 'design', /no design/],
    ['/no/such/path', 404, 'path', /nothing at/],
  ])('GET %s -> %i naming %s', async (path, status, field, message) => {
    // Overrides on an issuing route are checked once the operator signed them.
    const r = await call(base, path.startsWith('/captcha.png') ? server.signPath(path) : path);
    expect(r.status).toBe(status);
    expect(r.headers['content-type']).toMatch(/application\/json/);
    expect(r.json().field).toBe(field);
    expect(r.json().error).toMatch(message);
  });

  it('refuses a repeated design parameter on every route that reads it', async () => {
    for (const r of [await call(base, '/background.png?design=a&design=b'), await call(base, server.signPath('/captcha.png?design=a&design=b')), await postJson(base, server.signPath('/api/captcha?design=a&design=b'), {})]) {
      expect(r.status).toBe(400);
      expect(r.json()).toMatchObject({ field: 'design' });
    }
    // A design in the body is an unsigned override, whatever the query says.
    const body = await postJson(base, server.signPath('/api/captcha?design=seed-002-captcha'), { design: 'digits-captcha' });
    expect([body.status, body.json().field]).toEqual([403, 'design']);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const get = await call(base, '/designs/placeholder.png?width=50&height=20');
    const head = await call(base, '/designs/placeholder.png?width=50&height=20', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.etag).toBe(get.headers.etag);
    expect(head.headers['content-length']).toBe(String(get.body.length));
    expect(head.body.length).toBe(0);
  });

  it('refuses wrong methods with 405 and an Allow header', async () => {
    const r = await call(base, '/api/captcha', { method: 'GET' });
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('POST');
    expect((await call(base, '/background.png', { method: 'POST' })).headers.allow).toBe('GET, HEAD');
  });

  it('refuses bad bodies with 400/413/415', async () => {
    expect((await call(base, '/api/render', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{bad json' })).json()).toMatchObject({ field: 'body' });
    expect((await postJson(base, '/api/render', [1, 2])).status).toBe(400);
    expect((await postJson(base, '/api/render', { width: 99999 })).json()).toMatchObject({ field: 'width' });
    expect((await call(base, '/api/render', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' })).status).toBe(415);
    expect((await call(base, '/api/render', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: Buffer.alloc(2 * 1024 * 1024, 32) })).status).toBe(413);
    expect((await postJson(base, '/api/captcha/verify', { id: 5, answer: 'x' })).json()).toMatchObject({ field: 'id' });
  });

  it('refuses requests whose Host is not a loopback name (DNS rebinding)', async () => {
    for (const host of ['evil.example', 'evil.example:80', '192.168.1.10']) {
      const r = await call(base, '/healthz', { headers: { Host: host } });
      expect(r.status, host).toBe(403);
      expect(r.json().field).toBe('host');
    }
    for (const host of ['localhost', `127.0.0.1:${new URL(base).port}`, `localhost:${new URL(base).port}`]) {
      expect((await call(base, '/healthz', { headers: { Host: host } })).status, host).toBe(200);
    }
  });

  it('logs method, path, status and time for every request, never the query', async () => {
    log.length = 0;
    await call(base, '/background.png?width=abc&height=20&text=secret');
    await call(base, '/no/such/path');
    expect(log.map((e) => [e.method, e.path, e.status])).toEqual([
      ['GET', '/background.png', 400],
      ['GET', '/no/such/path', 404],
    ]);
    expect(JSON.stringify(log)).not.toContain('secret');
    expect(log[0].ms).toBeGreaterThanOrEqual(0);
  });
});

describe('under load and at the edges', () => {
  it('answers 503 with Retry-After when the render queue is full', async () => {
    const small = createStudioServer({ port: 0, pool: { size: 1, maxQueue: 0 } });
    const url = (await small.start()).url;
    try {
      const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => call(url, `/designs/bokeh-background.png?seed=${i}`)));
      const statuses = replies.map((r) => r.status);
      expect(statuses).toContain(200);
      expect(statuses).toContain(503);
      const busy = replies.find((r) => r.status === 503)!;
      expect(busy.headers['retry-after']).toBe('1');
      expect(busy.json().error).toMatch(/busy/);
    } finally {
      await small.stop();
    }
  });

  it('keeps /healthz fast while every worker renders 1920x1080 images', async () => {
    const t0 = performance.now();
    await call(base, '/designs/bokeh-background.png?seed=9001');
    const oneRender = performance.now() - t0;
    const renders = Array.from({ length: 16 }, (_, i) => call(base, `/designs/bokeh-background.png?seed=${9100 + i}`));
    await untilBusy(base);
    // Several samples while the pool is saturated; the median ignores one OS scheduling
    // hiccup on a busy test machine, while a blocked event loop would delay them all.
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t1 = performance.now();
      const health = await call(base, '/healthz');
      samples.push(performance.now() - t1);
      expect(health.json().load).toBeGreaterThan(0); // the pool really was busy
    }
    samples.sort((a, b) => a - b);
    expect(samples[2]).toBeLessThan(Math.max(25, oneRender / 4));
    expect((await Promise.all(renders)).every((r) => r.status === 200)).toBe(true);
  });

  it('CORS is off by default and allows exactly the configured origin', async () => {
    expect((await call(base, '/healthz', { headers: { Origin: 'http://localhost:3000' } })).headers['access-control-allow-origin']).toBeUndefined();
    const cors = createStudioServer({ port: 0, cors: 'http://localhost:3000', pool: { size: 1 } });
    const url = (await cors.start()).url;
    try {
      expect((await call(url, '/healthz', { headers: { Origin: 'http://localhost:3000' } })).headers['access-control-allow-origin']).toBe('http://localhost:3000');
      expect((await call(url, '/healthz', { headers: { Origin: 'http://evil.example' } })).headers['access-control-allow-origin']).toBeUndefined();
      const pre = await call(url, '/api/captcha', { method: 'OPTIONS', headers: { Origin: 'http://localhost:3000' } });
      expect(pre.status).toBe(204);
    } finally {
      await cors.stop();
    }
  });

  it('does not send answers unless --expose-answers is on', async () => {
    const plain = createStudioServer({ port: 0, pool: { size: 1 } });
    const url = (await plain.start()).url;
    try {
      const r = await call(url, '/captcha.png');
      expect(r.headers['x-captcha-answer']).toBeUndefined();
      expect((await postJson(url, '/api/captcha', {})).json().answer).toBeUndefined();
    } finally {
      await plain.stop();
    }
  });

  it('says clearly when the port is in use', async () => {
    const blocker = createNetServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const port = (blocker.address() as { port: number }).port;
    const s = createStudioServer({ port, pool: { size: 1 } });
    await expect(s.start()).rejects.toThrow(new RegExp(`port ${port} on 127.0.0.1 is already in use`));
    blocker.close();
  });

  it('finishes in-flight requests before stopping', async () => {
    const s = createStudioServer({ port: 0, pool: { size: 1 } });
    const url = (await s.start()).url;
    const inFlight = call(url, '/designs/bokeh-background.png?seed=5');
    await untilBusy(url);
    await s.stop();
    expect((await inFlight).status).toBe(200);
    await expect(call(url, '/healthz')).rejects.toThrow();
  });
});

describe('seed=random', () => {
  it('drops a preset\'s fixed seed: fresh pixels and no-store on every request', async () => {
    const path = '/designs/low-poly-background.png?width=64&height=48&seed=random';
    const [a, b] = [await call(base, path), await call(base, path)];
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.headers['cache-control']).toBe('no-store');
    expect(a.headers.etag).toBeUndefined();
    expect(a.body.equals(b.body)).toBe(false);
    const fixed = await call(base, '/designs/low-poly-background.png?width=64&height=48');
    expect(fixed.headers.etag).toBeDefined();
  });
});

/** Polls /healthz until the pool reports work under way (the request reached a worker), with a deadline. */
async function untilBusy(url: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!((await call(url, '/healthz')).json().load > 0)) {
    if (Date.now() > deadline) throw new Error(`the pool was not busy within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
