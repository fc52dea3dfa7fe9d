import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getPreset } from '../../src-main/core/presets.ts';
import { RenderPool } from '../../src-main/render/pool.ts';
import { createStudioServer, type StudioServer } from '../../src-main/server/server.ts';
import { ZipFileWriter } from '../../src-main/server/zip.ts';
import { StudioService } from '../../src-main/studio/studio-service.ts';

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

  it('refuses cross-site calls and simple content types (no CSRF from other pages)', async () => {
    expect((await post('/api/studio/publish', { design: {} }, { Origin: 'https://evil.example' })).status).toBe(403);
    const form = await fetch(`${base}/api/studio/publish`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
    expect(form.status).toBe(415);
    expect((await post('/api/studio/batch', { design: {}, count: 0 })).status).toBe(400);
    expect((await post('/api/studio/export', { design: {}, seed: -1 })).status).toBe(400);
    const font = await fetch(`${base}/api/studio/fonts`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream', 'X-Font-Name': 'x.ttf' }, body: new Uint8Array(64) });
    expect(font.status).toBe(400);
    expect((await font.json()).error).toMatch(/^font: x\.ttf is not a usable font/);
  });

  it('opens design files with errors that name the file and the problem', async () => {
    const r = await post('/api/studio/open', { name: 'mine.json', text: '{"version": 3}' });
    expect(r.status).toBe(400);
    expect((await r.json()).error).toMatch(/^mine\.json: version: was written by a newer Captcha Studio/);
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

describe('a designer service shared with the server (the desktop app\'s)', () => {
  it('is the one web mode uses, and it outlives the server', async () => {
    const pool = new RenderPool({ size: 1 });
    const service = new StudioService(pool, undefined, false);
    service.problems.push('shared-service-marker');
    const dispose = vi.spyOn(service, 'dispose');
    const shared = createStudioServer({ port: 0, sharedPool: pool, studioService: service, rendererDir: ui });
    try {
      const url = (await shared.start()).url;
      const info = await (await fetch(`${url}/api/studio/info`)).json();
      expect(info.problems).toContain('shared-service-marker');
    } finally {
      await shared.stop();
      await pool.close();
    }
    expect(dispose).not.toHaveBeenCalled();
  });
});
