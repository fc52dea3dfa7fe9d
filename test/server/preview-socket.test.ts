/**
 * Web mode's preview channel (server/preview-socket.ts): the same pixels and outcomes as
 * POST /api/studio/preview, behind the same guards, and a hostile client cannot use it to
 * hold the server's memory or sockets.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PREVIEW_SOCKET_PATH, type PreviewSocketImage } from '../../src-main/api.ts';
import { getPreset } from '../../src-main/core/presets.ts';
import { createStudioServer, type StudioServer } from '../../src-main/server/server.ts';
import { decodePng } from '../support/png.ts';

let server: StudioServer;
let base: string;
let wsBase: string;
const ui = mkdtempSync(join(tmpdir(), 'studio-ui-'));
writeFileSync(join(ui, 'index.html'), '<!doctype html><title>ui</title>');

beforeAll(async () => {
  server = createStudioServer({ port: 0, pool: { size: 1 }, rendererDir: ui });
  base = (await server.start()).url;
  wsBase = base.replace('http:', 'ws:');
});
afterAll(() => server.stop());

/** Opens a socket; resolves once open, or with the HTTP status the upgrade was refused with. */
function connect(url: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; refused?: number; body?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ ws, refused: res.statusCode, body }));
    });
    ws.once('error', (e) => reject(e));
  });
}

type Reply = { kind: 'image'; meta: PreviewSocketImage; pixels: Buffer } | { kind: 'json'; body: Record<string, unknown> };

/** The next message, decoded as the page decodes it. */
function next(ws: WebSocket): Promise<Reply> {
  return new Promise((resolve) => {
    ws.once('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return resolve({ kind: 'json', body: JSON.parse(String(data)) });
      const n = data.readUInt32LE(0);
      resolve({ kind: 'image', meta: JSON.parse(data.subarray(4, 4 + n).toString()), pixels: data.subarray(4 + n) });
    });
  });
}

const closed = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

describe('the preview socket', () => {
  it('answers a preview with the same pixels and metadata as POST /api/studio/preview', async () => {
    const design = getPreset('classic-captcha');
    const { ws } = await connect(`${wsBase}${PREVIEW_SOCKET_PATH}`);
    ws.send(JSON.stringify({ id: 7, design, seed: 42, view: { scale: 0.5 } }));
    const reply = await next(ws);
    ws.close();
    const res = await fetch(`${base}/api/studio/preview`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ design, seed: 42, view: { scale: 0.5 } }) });
    const http = Buffer.from(await res.arrayBuffer());
    expect(reply.kind).toBe('image');
    if (reply.kind !== 'image') return;
    expect(reply.meta).toMatchObject({ id: 7, ok: true, width: Number(res.headers.get('x-width')), height: Number(res.headers.get('x-height')), seed: 42 });
    expect(reply.meta.answer).toBe(decodeURIComponent(res.headers.get('x-answer')!));
    expect({ ...reply.meta, id: undefined, ok: undefined, width: undefined, height: undefined, seed: undefined, answer: undefined }).toMatchObject(JSON.parse(decodeURIComponent(res.headers.get('x-preview')!)));
    expect(reply.pixels.length).toBe(reply.meta.width * reply.meta.height * 4);
    expect(reply.pixels.equals(http)).toBe(true);
  });

  it('sends a large preview as a PNG of the same pixels to a page that accepts one, and a small one raw', async () => {
    const design = getPreset('sunset-background');
    const { ws } = await connect(`${wsBase}${PREVIEW_SOCKET_PATH}`);
    // 634x356 at a third: 900 KB raw, over the PNG threshold.
    const view = { scale: 0.33 };
    ws.send(JSON.stringify({ id: 1, design, seed: 3, view }));
    const raw = await next(ws);
    ws.send(JSON.stringify({ id: 2, design, seed: 3, view, accept: 'png' }));
    const png = await next(ws);
    ws.send(JSON.stringify({ id: 3, design: getPreset('seed-002-captcha'), seed: 3, accept: 'png' }));
    const small = await next(ws);
    ws.send(JSON.stringify({ id: 4, design, seed: 3, view, accept: 'gif' }));
    const bad = await next(ws);
    ws.close();
    if (raw.kind !== 'image' || png.kind !== 'image' || small.kind !== 'image') throw new Error('expected three images');
    expect(raw.meta.encoding).toBeUndefined();
    expect(png.meta).toMatchObject({ id: 2, encoding: 'png', width: raw.meta.width, height: raw.meta.height });
    expect(png.pixels.length).toBeLessThan(raw.pixels.length / 10);
    const decoded = decodePng(png.pixels);
    expect([decoded.width, decoded.height]).toEqual([raw.meta.width, raw.meta.height]);
    expect(Buffer.from(decoded.data).equals(raw.pixels)).toBe(true);
    expect(small.meta.encoding).toBeUndefined();
    expect(small.pixels.length).toBe(270 * 40 * 4);
    expect(bad).toMatchObject({ kind: 'json', body: { id: 4, ok: false, issues: [{ field: 'accept' }] } });
  });

  it('answers a bad design with every issue by field, matched by id, and keeps the socket open', async () => {
    const { ws } = await connect(`${wsBase}${PREVIEW_SOCKET_PATH}`);
    ws.send(JSON.stringify({ id: 1, design: { width: 0, height: 'x' }, seed: 1 }));
    const bad = await next(ws);
    expect(bad.kind).toBe('json');
    if (bad.kind !== 'json') return;
    expect(bad.body.id).toBe(1);
    expect((bad.body.issues as { field: string }[]).map((i) => i.field).sort()).toEqual(['height', 'width']);
    ws.send(JSON.stringify({ id: 2, design: getPreset('seed-002-captcha'), seed: -5 }));
    const seed = await next(ws);
    expect(seed.kind === 'json' && seed.body).toMatchObject({ id: 2, ok: false, issues: [{ field: 'seed' }] });
    ws.send(JSON.stringify({ id: 3, design: getPreset('seed-002-captcha'), seed: 1, view: { scale: -1 } }));
    expect(await next(ws)).toMatchObject({ kind: 'json', body: { id: 3, issues: [{ field: 'view.scale' }] } });
    ws.send(JSON.stringify({ id: 4, design: getPreset('seed-002-captcha'), seed: 1 }));
    expect(await next(ws)).toMatchObject({ kind: 'image', meta: { id: 4, width: 270, height: 40 } });
    ws.close();
  });

  it('closes a socket that sends binary frames, non-JSON or a request without an integer id', async () => {
    for (const [frame, binary] of [[Buffer.from([1, 2, 3]), true], ['not json', false], [JSON.stringify({ design: {} }), false], [JSON.stringify({ id: 1.5 }), false]] as const) {
      const { ws } = await connect(`${wsBase}${PREVIEW_SOCKET_PATH}`);
      const code = closed(ws);
      ws.send(frame, { binary });
      expect(await code, String(frame)).toBe(binary ? 1003 : 1008);
    }
  });

  it('refuses upgrades from other origins, to other paths, with a foreign Host, and when web mode is off', async () => {
    const cross = await connect(`${wsBase}${PREVIEW_SOCKET_PATH}`, { Origin: 'http://evil.example' });
    expect(cross.refused).toBe(403);
    expect(JSON.parse(cross.body!)).toMatchObject({ field: 'origin' });
    const same = await connect(`${wsBase}${PREVIEW_SOCKET_PATH}`, { Origin: base });
    expect(same.refused).toBeUndefined();
    same.ws.close();
    expect((await connect(`${wsBase}/api/studio/other`)).refused).toBe(404);
    expect((await connect(`${wsBase}${PREVIEW_SOCKET_PATH}`, { Host: 'rebound.example' })).refused).toBe(403);
    const off = createStudioServer({ port: 0, pool: { size: 1 }, studio: false });
    const offUrl = (await off.start()).url.replace('http:', 'ws:');
    try {
      const r = await connect(`${offUrl}${PREVIEW_SOCKET_PATH}`);
      expect(r.refused).toBe(404);
      expect(JSON.parse(r.body!).error).toMatch(/web mode is off/);
    } finally {
      await off.stop();
    }
  });

  it('needs the studio token on a production host, as the studio routes do', async () => {
    const token = 'preview-socket-token-0123456789abcdef';
    const prod = createStudioServer({ port: 0, pool: { size: 1 }, rendererDir: ui, publicHosts: ['captcha.example'], studioToken: token });
    const url = (await prod.start()).url.replace('http:', 'ws:') + PREVIEW_SOCKET_PATH;
    try {
      const without = await connect(url, { Host: 'captcha.example' });
      expect(without.refused).toBe(401);
      expect(JSON.parse(without.body!)).toMatchObject({ field: 'token' });
      const withToken = await connect(url, { Host: 'captcha.example', Authorization: `Bearer ${token}` });
      expect(withToken.refused).toBeUndefined();
      withToken.ws.close();
    } finally {
      await prod.stop();
    }
  });

  it('caps the open sockets and closes them all when the server stops', async () => {
    const own = createStudioServer({ port: 0, pool: { size: 1 }, rendererDir: ui });
    const url = (await own.start()).url.replace('http:', 'ws:') + PREVIEW_SOCKET_PATH;
    const open: WebSocket[] = [];
    for (let i = 0; i < 32; i++) open.push((await connect(url)).ws);
    const over = await connect(url);
    expect(over.refused).toBe(503);
    expect(JSON.parse(over.body!).error).toMatch(/at most 32 preview sockets/);
    const codes = open.map(closed);
    await own.stop();
    expect((await Promise.all(codes)).every((c) => c === 1006 || c === 1001 || c === 1005)).toBe(true);
  });
});
