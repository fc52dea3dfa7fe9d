/**
 * Captcha security through the real server: answers never leave it (URLs,
 * headers, image metadata, logs), one id is one attempt even under concurrent
 * verifies, and a flood of issues cannot grow the store past its bound.
 * Where a test must know an answer it reads what the server sealed (recordAnswers
 * wraps the store): issuing routes take no seed, and variants come from URLs
 * signed with the server's secret.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ID_PATTERN } from '../../src-main/server/captcha-store.ts';
import { createStudioServer, type RequestLogEntry, type StudioServer } from '../../src-main/server/server.ts';
import { recordAnswers } from '../support/answers.ts';
import { call, postJson, type Reply } from '../support/http.ts';

const MAX_CAPTCHAS = 200;
let server: StudioServer;
let base: string;
const log: RequestLogEntry[] = [];
let answers: Map<string, string>;

beforeAll(async () => {
  server = createStudioServer({ port: 0, pool: { size: 2, maxQueue: 4000 }, captchas: { maxEntries: MAX_CAPTCHAS } });
  server.on('request', (e) => log.push(e));
  answers = recordAnswers(server);
  base = (await server.start()).url;
});
afterAll(() => server.stop());

/** Issues a captcha from a signed variant URL; returns the reply, its id and the answer sealed into it. */
async function issue(path: string, init: { method?: string } = {}): Promise<{ r: Reply; id: string; answer: string }> {
  const r = await call(base, server.signPath(path), init);
  expect(r.status).toBe(200);
  const id = String(r.headers['x-captcha-id']);
  return { r, id, answer: answers.get(id)! };
}

/** PNG chunk types in order (metadata would be tEXt, iTXt, zTXt, eXIf...). */
function pngChunks(png: Buffer): string[] {
  const types: string[] = [];
  for (let at = 8; at < png.length; ) {
    const len = png.readUInt32BE(at);
    types.push(png.subarray(at + 4, at + 8).toString('latin1'));
    at += 12 + len;
  }
  return types;
}

function headerText(r: Reply): string {
  return Object.entries(r.headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
}

describe('captcha answers stay on the server', () => {
  it('are absent from headers, cookies, URLs, JSON and image metadata, in every format', async () => {
    for (const format of ['png', 'jpeg', 'webp']) {
      const { r: img, answer } = await issue(`/captcha.png?design=classic-captcha&length=8&format=${format}`);
      expect(answer).toHaveLength(8);
      expect(headerText(img).toLowerCase()).not.toContain(answer.toLowerCase());
      expect(img.headers['x-captcha-answer']).toBeUndefined();
      expect(String(img.headers['x-captcha-id'])).toMatch(ID_PATTERN);
      expect(img.body.toString('latin1')).not.toContain(answer);
      if (format === 'png') expect(pngChunks(img.body)).toEqual(['IHDR', 'IDAT', 'IEND']);
      if (format === 'jpeg') expect(img.body.includes(Buffer.from([0xff, 0xfe]))).toBe(false); // no COM segment
      // The answer does verify, so it was the one stored.
      expect((await postJson(base, '/api/captcha/verify', { id: img.headers['x-captcha-id'], answer })).json()).toEqual({ valid: true });
    }
    const { r: json, answer } = await issue('/api/captcha?design=classic-captcha&length=8', { method: 'POST' });
    const body = json.json();
    expect(Object.keys(body).sort()).toEqual(['expiresAt', 'height', 'id', 'image', 'width']);
    expect(json.body.toString()).not.toContain(answer);
    expect(pngChunks(Buffer.from(body.image.split(',')[1], 'base64'))).toEqual(['IHDR', 'IDAT', 'IEND']);
  });

  it('are absent from the request log, the live log stream and anything printed', async () => {
    const printed: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m).mockImplementation((...a) => void printed.push(a.join(' '))));
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((c) => (printed.push(String(c)), true));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((c) => (printed.push(String(c)), true));
    const events: string[] = [];
    const controller = new AbortController();
    const stream = await fetch(`${base}/api/studio/events`, { signal: controller.signal });
    const reader = stream.body!.getReader();
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        events.push(new TextDecoder().decode(value));
      }
    })();
    try {
      const from = log.length;
      const { id, answer } = await issue('/captcha.png?design=classic-captcha&length=8');
      await postJson(base, '/api/captcha/verify', { id, answer: `${answer}x` }); // wrong, echoing most of it
      await call(base, '/api/captcha/verify', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `id=${id}&answer=${answer}` });
      await vi.waitFor(() => expect(events.join('')).toContain('/api/captcha/verify'));
      const seen = [JSON.stringify(log.slice(from)), events.join(''), printed.join('\n')].join('\n');
      expect(log.slice(from).map((e) => e.path)).toEqual(['/captcha.png', '/api/captcha/verify', '/api/captcha/verify']);
      expect(seen.toLowerCase()).not.toContain(answer.toLowerCase());
      expect(seen).not.toContain(id);
    } finally {
      controller.abort();
      for (const s of [...spies, out, err]) s.mockRestore();
    }
  });

  it('unseeded answers are fresh per image (the core draws them from the OS CSPRNG; see answers.test.ts)', async () => {
    const ids = new Set<string>();
    const images = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const r = await call(base, '/captcha.png');
      ids.add(String(r.headers['x-captcha-id']));
      images.add(r.body.toString('base64'));
    }
    expect(ids.size).toBe(200);
    expect(images.size).toBe(200);
  });

  it('no code in the main process or core calls Math.random', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.(ts|mjs)$/.test(name) && /Math\.random\s*\(/.test(readFileSync(path, 'utf8'))) offenders.push(path);
      }
    };
    walk(join(import.meta.dirname, '../../src-main'));
    expect(offenders).toEqual([]);
  });
});

describe('one id, one attempt', () => {
  it('exactly one of 50 concurrent verifies of the same id with the right answer wins', async () => {
    for (let round = 0; round < 3; round++) {
      const { id, answer } = await issue('/captcha.png?design=digits-captcha');
      // Separate connections, so the requests really are in flight together.
      const agents = Array.from({ length: 50 }, () => new Agent({ keepAlive: false }));
      const results = await Promise.all(
        agents.map((agent) => call(base, '/api/captcha/verify', { method: 'POST', agent, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id, answer }) }).then((r) => r.json().valid)),
      );
      expect(results.filter((v) => v === true)).toHaveLength(1);
      expect(results.filter((v) => v === false)).toHaveLength(49);
    }
  });

  it('a wrong first guess burns the id: trying every other digit never succeeds', async () => {
    const { id, answer } = await issue('/captcha.png?design=digits-captcha&length=1');
    const guesses = [...'0123456789'].filter((d) => d !== answer).concat(answer);
    const results = [];
    for (const g of guesses) results.push((await postJson(base, '/api/captcha/verify', { id, answer: g })).json().valid);
    expect(results).toEqual(guesses.map(() => false));
  });
});

describe('a flood of issue requests', () => {
  it('stores nothing per issue: a captcha issued before the flood still verifies, and the store does not grow', async () => {
    const pending = await issue('/captcha.png?design=digits-captcha');
    const usedBefore = server.store.size;
    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    const total = MAX_CAPTCHAS * 5;
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next++ < total) expect((await call(base, '/get_validCode_img', { agent })).status).toBe(200);
      }),
    );
    agent.destroy();
    expect(server.store.size).toBe(usedBefore);
    expect((await postJson(base, '/api/captcha/verify', { id: pending.id, answer: pending.answer })).json().valid).toBe(true);
    expect((await call(base, '/healthz')).json().captchas).toBe(usedBefore + 1); // and the one id tried
  });
});
