import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { studioMethods, type WebServerMethod } from '../../src-main/api.ts';
import { getPreset } from '../../src-main/core/presets.ts';
import { RenderPool } from '../../src-main/render/pool.ts';
import { createStudioServer, type StudioServer } from '../../src-main/server/server.ts';
import { ZipFileWriter } from '../../src-main/server/zip.ts';
import { StudioService } from '../../src-main/studio/studio-service.ts';
import { call, pickedFileArg, studioCall } from '../support/http.ts';
import { decodePng } from '../support/png.ts';

let server: StudioServer;
let base: string;
const ui = mkdtempSync(join(tmpdir(), 'studio-ui-'));
writeFileSync(join(ui, 'index.html'), '<!doctype html><title>ui</title>');

beforeAll(async () => {
  server = createStudioServer({ port: 0, pool: { size: 1 }, rendererDir: ui });
  base = (await server.start()).url;
});
afterAll(() => server.stop());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('web mode routes', () => {
  it('serves the UI with a CSP and refuses paths outside it', async () => {
    const res = await fetch(`${base}/studio/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect((await fetch(`${base}/studio`, { redirect: 'manual' })).headers.get('location')).toBe('/studio/');
    for (const p of ['/studio/../package.json', '/studio/%2e%2e/package.json', '/studio/assets/../../x', '/studio/.env']) expect((await fetch(`${base}${p}`)).status, p).toBe(404);
  });

  it('renders previews as raw pixels and answers bad designs with every issue', async () => {
    const ok = await post('/api/studio/preview', { design: getPreset('seed-002-captcha'), seed: 3 });
    expect(ok.status).toBe(200);
    expect([ok.headers.get('x-width'), ok.headers.get('x-height'), ok.headers.get('x-seed')]).toEqual(['270', '40', '3']);
    expect((await ok.arrayBuffer()).byteLength).toBe(270 * 40 * 4);
    const bad = await post('/api/studio/preview', { design: { width: 0, height: 'x' }, seed: 1 });
    expect(bad.status).toBe(400);
    const body = await bad.json();
    expect(body.issues.map((i: { field: string }) => i.field).sort()).toEqual(['height', 'width']);
  });

  it('renders a preview at the view scale it is shown at, with what the designer draws around it in X-Preview', async () => {
    const base12 = getPreset('classic-captcha')!;
    const res = await post('/api/studio/preview', { design: { ...base12, text: { ...base12.text, length: 12 } }, seed: 1, view: { scale: 0.5 } });
    expect(res.status).toBe(200);
    expect([res.headers.get('x-width'), res.headers.get('x-height')]).toEqual(['90', '30']);
    expect((await res.arrayBuffer()).byteLength).toBe(90 * 30 * 4);
    const meta = JSON.parse(decodeURIComponent(res.headers.get('x-preview')!));
    expect(meta).toMatchObject({ designWidth: 180, designHeight: 60, scale: 0.5, random: true });
    expect(meta.glyphs).toHaveLength(12);
    expect(meta.glyphs.some((g: { outside: boolean }) => g.outside)).toBe(true);
    expect(meta.warnings).toEqual([{ field: 'text.size', rule: expect.stringMatching(/leaves? the canvas/) }]);
    // No view: full size, as before.
    const full = await post('/api/studio/preview', { design: getPreset('seed-002-captcha'), seed: 3 });
    expect(JSON.parse(decodeURIComponent(full.headers.get('x-preview')!))).toMatchObject({ designWidth: 270, designHeight: 40, scale: 1 });
  });

  it('refuses a bad view with a 400 naming view.scale', async () => {
    for (const view of [{ scale: 0 }, { scale: -1 }, { scale: '2' }, { scale: null }]) {
      const res = await post('/api/studio/preview', { design: getPreset('seed-002-captcha'), seed: 3, view });
      expect(res.status, JSON.stringify(view)).toBe(400);
      const body = await res.json();
      expect([body.field, body.error]).toEqual(['view.scale', 'view.scale: must be a number greater than 0']);
    }
  });

  it('answers a design with issues as a 200 result when the page asks for outcomes (no 4xx for the console)', async () => {
    const res = await post('/api/studio/preview', { design: { width: 0 }, seed: 1, reply: 'outcome' });
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'application/json; charset=utf-8']);
    expect(await res.json()).toEqual({ ok: false, issues: [{ field: 'width', rule: expect.stringMatching(/must be/) }] });
    // A good design still comes back as pixels; a bad view is still a 400.
    const ok = await post('/api/studio/preview', { design: getPreset('seed-002-captcha'), seed: 1, reply: 'outcome' });
    expect([ok.status, ok.headers.get('content-type')]).toEqual([200, 'application/octet-stream']);
    expect((await post('/api/studio/preview', { design: getPreset('seed-002-captcha'), seed: 1, view: { scale: 0 }, reply: 'outcome' })).status).toBe(400);
  });

  it('fits text to the canvas: the changes for a clipped captcha, none for one that fits', async () => {
    const base12 = getPreset('classic-captcha')!;
    const r = await studioCall(base, 'fitText', [{ ...base12, text: { ...base12.text, length: 12 } }]);
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ changes: [{ path: 'text.size', value: expect.any(Number) }] });
    expect(r.json().changes[0].value).toBeLessThan(base12.text!.size);
    expect((await studioCall(base, 'fitText', [base12])).json()).toEqual({ changes: [] });
    const bad = await studioCall(base, 'fitText', [{ ...base12, text: { ...base12.text, size: 'big' } }]);
    expect([bad.status, bad.json().field]).toEqual([400, 'text.size']);
  });

  it('refuses cross-site calls and simple content types (no CSRF from other pages)', async () => {
    expect((await post('/api/studio/publishDesign', { args: [{}] }, { Origin: 'https://evil.example' })).status).toBe(403);
    const form = await fetch(`${base}/api/studio/publishDesign`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{"args":[{}]}' });
    expect(form.status).toBe(415);
    expect((await post('/api/studio/preview', { design: {}, seed: 1 }, { Origin: 'https://evil.example' })).status).toBe(403);
    expect((await post('/api/studio/batch', { design: {}, count: 0 })).status).toBe(400);
    expect((await post('/api/studio/export', { design: {}, seed: -1 })).status).toBe(400);
    const font = await fetch(`${base}/api/studio/fonts`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream', 'X-Font-Name': 'x.ttf' }, body: new Uint8Array(64) });
    expect(font.status).toBe(400);
    expect((await font.json()).error).toMatch(/^font: x\.ttf is not a usable font/);
  });

  it('opens design files with errors that name the file and the problem', async () => {
    const r = await post('/api/studio/openDesign', { args: [pickedFileArg('mine.json', '{"version": 3}')] });
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ field: 'version', error: expect.stringMatching(/^mine\.json: version: was written by a newer Captcha Studio/) });
    const broken = await post('/api/studio/openDesign', { args: [pickedFileArg('broken.json', '{"width": 4')] });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ field: 'file', error: expect.stringMatching(/^broken\.json: is not valid JSON/) });
  });

  it('exports a batch as a zip that unzip accepts, with answers.csv', async () => {
    const job = await (await post('/api/studio/batch', { design: getPreset('digits-captcha'), count: 12 })).json();
    let st = job;
    while (st.state === 'running') st = await (await fetch(`${base}/api/studio/batch/${job.id}`)).json();
    expect(st).toMatchObject({ state: 'done', done: 12, total: 12 });
    const file = join(ui, 'b.zip');
    writeFileSync(file, Buffer.from(await (await fetch(`${base}/api/studio/batch/${job.id}.zip`)).arrayBuffer()));
    const list = execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n');
    expect(list).toHaveLength(13);
    expect(execFileSync('unzip', ['-p', file, 'answers.csv'], { encoding: 'utf8' }).split('\n')[1]).toMatch(/^digits-captcha-01\.png,\d+$/);
    execFileSync('unzip', ['-tq', file]); // CRCs check out
  });

  it('zip writes stored entries with correct CRCs', async () => {
    const file = join(ui, 'z.zip');
    const w = new ZipFileWriter(file);
    await w.add('a.txt', Buffer.from('hello'));
    await w.add('ü.txt', new Uint8Array(0));
    expect(await w.finish()).toBe(readFileSync(file).length);
    expect(execFileSync('unzip', ['-p', file, 'a.txt'], { encoding: 'utf8' })).toBe('hello');
    expect(execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n')).toEqual(['a.txt', 'ü.txt']);
    // Stored, not deflated: the images are compressed already.
    expect(execFileSync('unzip', ['-v', file], { encoding: 'utf8' })).toMatch(/\s5\s+Stored\s+5\s/);
    execFileSync('unzip', ['-tq', file]);
  });
});

describe('StudioApi calls by name (POST /api/studio/:method)', () => {
  it('answers with the call\'s result as JSON, null included', async () => {
    const presets = await post('/api/studio/listPresets', { args: [] });
    expect(presets.status).toBe(200);
    expect(((await presets.json()) as { name: string }[]).map((p) => p.name)).toContain('seed-002-captcha');
    const preset = await post('/api/studio/getPreset', { args: ['seed-002-captcha'] });
    expect(await preset.json()).toMatchObject({ name: 'seed-002-captcha', width: 270 });
    const cancelled = await post('/api/studio/openDesign', { args: [null] });
    expect([cancelled.status, await cancelled.text()]).toEqual([200, 'null']);
  });

  it('refuses unknown calls, bad arguments and wrong methods, naming what was wrong', async () => {
    const unknown = await post('/api/studio/noSuchCall', { args: [] });
    expect([unknown.status, (await unknown.json()).field]).toEqual([404, 'method']);
    const missing = await post('/api/studio/getPreset', { args: ['no-such-preset'] });
    expect([missing.status, (await missing.json()).field]).toEqual([404, 'name']);
    expect((await post('/api/studio/listPresets', [])).status).toBe(400); // the body is one JSON object
    const get = await fetch(`${base}/api/studio/listPresets`);
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
    expect((await post('/api/studio/not-a-name', { args: [] })).status).toBe(404);
  });

  it('is guarded like the other studio calls: same origin and a JSON content type', async () => {
    expect((await post('/api/studio/listPresets', { args: [] }, { Origin: 'https://evil.example' })).status).toBe(403);
    const form = await fetch(`${base}/api/studio/listPresets`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{"args":[]}' });
    expect(form.status).toBe(415);
  });
});

/** A small design, so the rows that render stay quick. */
const small = { ...getPreset('seed-002-captcha')!, width: 64, height: 24 };

/**
 * Arguments that work, for every row web mode serves: typed by the table, so a new
 * `web: 'server'` row does not compile here until it has its sample (and then is tested below).
 */
const SAMPLES: Record<WebServerMethod, unknown[]> = {
  info: [],
  listPresets: [],
  getPreset: ['seed-002-captcha'],
  listFonts: [],
  renderThumbnail: [small, 7],
  previewAudio: [small, 7],
  renderSamples: [small, [1, 2]],
  fitText: [small],
  openDesign: [pickedFileArg('opened.json', JSON.stringify(small))],
  saveDesign: [{ ...small, name: 'My design' }],
  serverStatus: [],
  startServer: [],
  stopServer: [],
  publishDesign: [{ ...small, name: 'published-by-test' }],
  startStrengthCheck: [small, { samples: 20, attacks: ['segmentation'] }],
  // Filled with a started check's id before the rows are called (below).
  strengthStatus: [],
  cancelStrengthCheck: ['no-such-check'],
};
const rows = Object.entries(studioMethods) as [keyof typeof studioMethods, (typeof studioMethods)[keyof typeof studioMethods]][];
const serverRows = rows.filter(([, spec]) => spec.web === 'server').map(([name]) => name as WebServerMethod);
const clientRows = rows.filter(([, spec]) => spec.web === 'client').map(([name]) => name);

describe('the generic route serves exactly the table\'s server rows', () => {
  beforeAll(async () => {
    const started = await studioCall(base, 'startStrengthCheck', [small, { samples: 20, attacks: ['segmentation'] }]);
    SAMPLES.strengthStatus = [(started.json() as { id: string }).id];
  });

  it('has a sample for every server row (the table and this test agree)', () => {
    expect(serverRows.length).toBeGreaterThan(5);
    expect(Object.keys(SAMPLES).sort()).toEqual([...serverRows].sort());
  });

  it.each(serverRows)('%s answers 200 with a result its row\'s schema accepts', async (method) => {
    const r = await studioCall(base, method, SAMPLES[method]);
    expect(r.status, r.body.toString().slice(0, 300)).toBe(200);
    const result = studioMethods[method].result.safeParse(r.json());
    expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
  });

  it.each(serverRows)('%s refuses other origins (403) and simple content types (415), and GET (405)', async (method) => {
    expect((await studioCall(base, method, SAMPLES[method], { Origin: 'https://evil.example' })).status).toBe(403);
    const form = await call(base, `/api/studio/${method}`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify({ args: SAMPLES[method] }) });
    expect([form.status, form.json().field]).toEqual([415, 'content-type']);
    const get = await call(base, `/api/studio/${method}`);
    expect([get.status, get.headers.allow]).toEqual([405, 'POST']);
  });

  it('answers 404 naming `method` for client rows and names the table does not have', async () => {
    expect(clientRows).toContain('autosave');
    for (const method of [...clientRows, 'noSuchCall', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf']) {
      const r = await studioCall(base, method, []);
      expect([r.status, r.json().field], method).toEqual([404, 'method']);
      expect(r.json().error, method).toMatch(/^method: /);
      // Refused by its name before its arguments are looked at.
      const junk = await post(`/api/studio/${method}`, { args: 'not a list' });
      expect([junk.status, (await junk.json()).field], method).toEqual([404, 'method']);
    }
    // Not a name at all: nothing is routed there.
    for (const method of ['__proto__', 'x'.repeat(41), 'get-preset', 'info.json', '%69nfo']) {
      const r = await call(base, `/api/studio/${method}`, { method: 'POST', rawPath: true, headers: { 'Content-Type': 'application/json' }, body: '{"args":[]}' });
      expect([r.status, r.json().field], method).toEqual([404, 'path']);
    }
  });

  it('refuses bad arguments with 400 naming the argument, and arguments that are not a list', async () => {
    const cases: [string, unknown[], string][] = [
      ['getPreset', [42], 'name'],
      ['getPreset', [], 'name'],
      ['getPreset', ['x'.repeat(101)], 'name'],
      ['renderThumbnail', ['a design?', 1], 'design'],
      ['renderThumbnail', [small, -1], 'seed'],
      ['renderThumbnail', [small, 1.5], 'seed'],
      ['publishDesign', [], 'design'],
      ['publishDesign', [[small]], 'design'],
      ['saveDesign', [small, 'path'], 'opts'],
      ['openDesign', ['mine.json'], 'from'],
      ['openDesign', [{ name: '', bytes: { $bytes: '' } }], 'from.name'],
      ['openDesign', [{ name: 'a.json', bytes: 'e30=' }], 'from'],
      ['openDesign', [{ name: 'a.json', bytes: { $bytes: 42 } }], 'from'],
      ['startServer', [-1], 'port'],
      ['startServer', ['7878'], 'port'],
    ];
    for (const [method, args, field] of cases) {
      const r = await studioCall(base, method, args);
      const what = `${method}(${JSON.stringify(args).slice(0, 60)}): ${r.body.toString().slice(0, 200)}`;
      expect([r.status, r.json().field], what).toEqual([400, field]);
      expect(r.json().error.startsWith(`${field}: `), what).toBe(true);
    }
    for (const body of [{ args: 'seed-002-captcha' }, { args: { 0: 'seed-002-captcha' } }, { args: 1 }]) {
      const r = await post('/api/studio/getPreset', body);
      expect([r.status, (await r.json()).field], JSON.stringify(body)).toEqual([400, 'args']);
    }
    // A design's own problems name the design's field, as everywhere else.
    const bad = await studioCall(base, 'publishDesign', [{ ...small, width: 0 }]);
    expect([bad.status, bad.json().field]).toEqual([400, 'width']);
  });

  it('openDesign round-trips a preset sent as {"$bytes": base64}, and never reads a server path', async () => {
    const preset = getPreset('classic-captcha')!;
    const r = await studioCall(base, 'openDesign', [pickedFileArg('classic.json', JSON.stringify(preset, null, 2))]);
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ design: preset, path: null, name: 'classic.json' });
    // UTF-8 survives base64: the bytes, not a string, travel.
    const named = await studioCall(base, 'openDesign', [pickedFileArg('名前.json', JSON.stringify({ ...preset, name: 'Größe 中文' }))]);
    expect(named.json().design.name).toBe('Größe 中文');
    const recent = await studioCall(base, 'openDesign', [{ path: '/etc/passwd' }]);
    expect([recent.status, recent.json().field]).toEqual([404, 'from']);
    expect(recent.body.toString()).not.toMatch(/root:/);
  });

  it('answers 503 with Retry-After when the render queue is full, never 500', async () => {
    const busy = createStudioServer({ port: 0, pool: { size: 1, maxQueue: 0 }, rendererDir: ui });
    const url = (await busy.start()).url;
    try {
      // Distinct seeds: no thumbnail is served from the cache.
      const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => studioCall(url, 'renderThumbnail', [getPreset('bokeh-background'), 100 + i])));
      const statuses = replies.map((r) => r.status);
      expect(statuses).toContain(200);
      expect(statuses).toContain(503);
      expect(statuses.every((s) => s === 200 || s === 503), String(statuses)).toBe(true);
      const refused = replies.find((r) => r.status === 503)!;
      expect(refused.headers['retry-after']).toMatch(/^\d+$/);
      expect(refused.json().error).toMatch(/busy/);
    } finally {
      await busy.stop();
    }
  });
});

describe('the generic route reads no more than a call needs', () => {
  const post = (method: string, body: string) => call(base, `/api/studio/${method}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  const big = JSON.stringify({ args: ['x'.repeat(2 * 2 ** 20)] });

  it('refuses an unknown or client call by its name, whatever body it sends', async () => {
    for (const method of ['bogus', 'autosave', 'constructor']) {
      const r = await post(method, big);
      expect([r.status, r.json().field], method).toEqual([404, 'method']);
    }
  });

  it('gives calls without a design or file a small body limit, and designs the large one', async () => {
    const r = await post('getPreset', big);
    expect([r.status, r.json().field]).toEqual([413, 'body']);
    expect(r.json().error).toMatch(/at most 65536 bytes/);
    // A design may be large (it can carry a data-URL image): its call reads the body and checks the design.
    const d = await post('publishDesign', JSON.stringify({ args: [{ ...getPreset('seed-000-background')!, description: 'x'.repeat(2 * 2 ** 20) }] }));
    expect(d.status).toBe(400);
    expect(d.json().field).toBe('description');
  });
});

describe('a designer service shared with the server (the desktop app\'s)', () => {
  it('is the one web mode uses, and it outlives the server', async () => {
    const pool = new RenderPool({ size: 1 });
    const service = new StudioService(pool, undefined, false);
    service.problems.push('shared-service-marker');
    const dispose = vi.spyOn(service, 'dispose');
    const shared = createStudioServer({ port: 0, sharedPool: pool, studioService: service, rendererDir: ui });
    try {
      const url = (await shared.start()).url;
      const info = (await studioCall(url, 'info')).json();
      expect(info.problems).toContain('shared-service-marker');
    } finally {
      await shared.stop();
      await pool.close();
    }
    expect(dispose).not.toHaveBeenCalled();
  });
});

describe('renderSamples: the sample grid in one request', () => {
  const captcha = getPreset('seed-002-captcha')!;

  it('answers N PNGs that differ, with the answers of the same seeds rendered on their own', async () => {
    const seeds = [11, 22, 33, 44, 55, 66, 77, 88, 99, 111, 222, 333];
    const r = await studioCall(base, 'renderSamples', [captcha, seeds]);
    expect(r.status, r.body.toString().slice(0, 300)).toBe(200);
    const { samples } = r.json() as { samples: { seed: number; answer: string; image: string; width: number; height: number }[] };
    expect(samples.map((s) => s.seed)).toEqual(seeds);
    const images = samples.map((s) => {
      const png = decodePng(Buffer.from(s.image.replace(/^data:image\/png;base64,/, ''), 'base64'));
      expect([png.width, png.height, s.width, s.height]).toEqual([270, 40, 270, 40]);
      return png.data.toString('base64');
    });
    expect(new Set(images).size).toBe(seeds.length);
    // The answers are those of the seeded renders: the preview at that seed says the same.
    for (const s of samples.slice(0, 3)) {
      const one = await post('/api/studio/preview', { design: captcha, seed: s.seed });
      expect(decodeURIComponent(one.headers.get('x-answer') ?? ''), `seed ${s.seed}`).toBe(s.answer);
    }
  });

  it('refuses 17 seeds, or a bad one, naming the argument; and a set over the render budget, naming the field', async () => {
    const many = await studioCall(base, 'renderSamples', [captcha, Array.from({ length: 17 }, (_, i) => i)]);
    expect([many.status, many.json().field, many.json().error]).toEqual([400, 'seeds', 'seeds: must be a list of 1 to 16 seeds']);
    const bad = await studioCall(base, 'renderSamples', [captcha, [1, 2.5]]);
    expect([bad.status, bad.json().field]).toEqual([400, 'seeds.1']);
    const big = { ...getPreset('bokeh-background')!, width: 7680, height: 4320 };
    const over = await studioCall(base, 'renderSamples', [big, Array.from({ length: 16 }, (_, i) => i)]);
    expect(over.status).toBe(400);
    expect(over.json().field).toMatch(/^(background\.\d+\.\w+|width)$/);
    expect(over.json().error).toMatch(/16 samples of this design cost about .* pixel operations to render; this route allows 5 G for a set/);
  });

  it('refuses image layers that name a file', async () => {
    const r = await studioCall(base, 'renderSamples', [{ ...small, background: [{ type: 'image', src: '/etc/hostname' }] }, [1]]);
    expect([r.status, r.json().field]).toEqual([400, 'background.0.src']);
  });
});
