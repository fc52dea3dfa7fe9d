/**
 * Attack 1 of "captchas that hold": the visitor picks the answer. Before the fix,
 * `/captcha.png?seed=5` (and the seed 002 route, and POST /api/captcha) fixed the
 * answer; `chars=K&length=1` made it "K"; `lines=0&dots=0&wave=0` stripped the noise;
 * a design with a fixed seed issued the same captcha every time. Each is tried
 * here through HTTP as an attacker would.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPreset } from '../../src-main/core/presets.ts';
import { createStudioServer, type StudioServer } from '../../src-main/server/server.ts';
import { canonicalRequest, signPath } from '../../src-main/server/signing.ts';
import { recordAnswers } from '../support/answers.ts';
import { call, postJson, studioCall } from '../support/http.ts';

const SECRET = 'an operator secret of at least 32 characters';
let server: StudioServer;
let base: string;
let answers: Map<string, string>;
let designsDir: string;

beforeAll(async () => {
  designsDir = mkdtempSync(join(tmpdir(), 'issuing-'));
  // An operator's saved captcha with a locked seed (the designer's "Lock seed").
  writeFileSync(join(designsDir, 'locked.json'), JSON.stringify({ ...getPreset('classic-captcha'), name: 'locked', seed: 5 }));
  server = createStudioServer({ port: 0, designsDir, secret: SECRET, pool: { size: 2 } });
  answers = recordAnswers(server);
  base = (await server.start()).url;
});
afterAll(async () => {
  await server.stop();
  rmSync(designsDir, { recursive: true, force: true });
});

const idOf = (r: { headers: Record<string, unknown> }) => String(r.headers['x-captcha-id']);

describe('a visitor cannot choose or weaken the answer', () => {
  it.each([
    ['/captcha.png?seed=5', 'seed'],
    ['/get_validCode_img?seed=5', 'seed'],
    ['/captcha.png?chars=K&length=1', 'chars'],
    ['/captcha.png?length=1&charset=digits', 'length'],
    ['/get_validCode_img?lines=0&dots=0&wave=0', 'lines'],
    ['/captcha.png?design=digits-captcha', 'design'],
    ['/captcha.png?width=8192&height=4050', 'width'],
    ['/captcha.png?expires=99999999999', 'expires'],
  ])('GET %s is refused, naming %s', async (path, field) => {
    const r = await call(base, path);
    expect(r.status).toBe(403);
    expect(r.json().field).toBe(field);
    expect(r.json().error).toMatch(new RegExp(`^${field}: .*signed`));
    expect(r.headers['x-captcha-id']).toBeUndefined();
  });

  it('POST /api/captcha refuses overrides in the query and in the body', async () => {
    const q = await call(base, '/api/captcha?seed=5', { method: 'POST' });
    expect([q.status, q.json().field]).toEqual([403, 'seed']);
    const body = await postJson(base, '/api/captcha', { chars: 'K', length: 1 });
    expect([body.status, body.json().field]).toEqual([403, 'chars']);
    const form = await call(base, '/api/captcha', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'design=digits-captcha' });
    expect([form.status, form.json().field]).toEqual([403, 'design']);
    // No overrides at all is the operator's design, as before.
    const plain = await postJson(base, '/api/captcha', {});
    expect(plain.status).toBe(200);
    expect(answers.get(plain.json().id)).toMatch(/^[^01lIiOoj]{5}$/);
  });

  it('cache busters are still ignored on issuing routes', async () => {
    expect((await call(base, '/get_validCode_img?_=1700000000000')).status).toBe(200);
  });

  it('every issue gets a fresh CSPRNG answer and fresh layout, even for a design with a locked seed', async () => {
    for (const path of ['/get_validCode_img', '/captcha.png', server.signPath('/captcha.png?design=locked')]) {
      const seen = new Set<string>();
      const images = new Set<string>();
      for (let i = 0; i < 12; i++) {
        const r = await call(base, path);
        expect(r.status).toBe(200);
        expect(r.headers['cache-control']).toBe('no-store');
        seen.add(answers.get(idOf(r))!);
        images.add(r.body.toString('base64'));
      }
      // 5 characters from 50 or more: 12 equal answers would be a fixed seed.
      expect(seen.size).toBeGreaterThan(10);
      expect(images.size).toBe(12);
    }
  });

  it('what /api/render tells about a seed is no use: issued answers never follow it', async () => {
    const r = await call(base, '/api/render?seed=5', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(getPreset('seed-002-captcha')) });
    const told = decodeURIComponent(String(r.headers['x-captcha-answer']));
    expect(told).toHaveLength(5);
    for (let i = 0; i < 20; i++) {
      const c = await call(base, '/get_validCode_img');
      const v = await postJson(base, '/api/captcha/verify', { id: idOf(c), answer: told });
      expect(v.json().valid).toBe(false);
    }
  });
});

describe('signed variants, as the operator\'s backend makes them', () => {
  it('a signed URL may choose the design and its settings; the answer still comes from the server', async () => {
    const r = await call(base, signPath(SECRET, '/captcha.png?design=digits-captcha&length=6'));
    expect(r.status).toBe(200);
    expect(answers.get(idOf(r))).toMatch(/^\d{6}$/);
    const json = await call(base, server.signPath('/api/captcha?design=math-captcha'), { method: 'POST' });
    expect(json.status).toBe(200);
    expect(answers.get(json.json().id)).toMatch(/^\d+$/);
  });

  it('a seed is refused even when signed', async () => {
    const r = await call(base, server.signPath('/captcha.png?design=digits-captcha&seed=5'));
    expect([r.status, r.json().field]).toEqual([400, 'seed']);
  });

  it('a signature for one URL does not cover another, nor a changed or added parameter', async () => {
    const good = new URL(server.signPath('/captcha.png?design=digits-captcha&length=6'), base);
    const sig = good.searchParams.get('sig')!;
    for (const path of [`/captcha.png?design=digits-captcha&length=1&sig=${sig}`, `/captcha.png?design=digits-captcha&length=6&lines=0&sig=${sig}`, `/get_validCode_img?design=digits-captcha&length=6&sig=${sig}`]) {
      const r = await call(base, path);
      expect([r.status, r.json().field]).toEqual([403, 'sig']);
    }
    const wrongKey = await call(base, signPath('x'.repeat(32), '/captcha.png?design=digits-captcha'));
    expect([wrongKey.status, wrongKey.json().field]).toEqual([403, 'sig']);
    const malformed = await call(base, '/captcha.png?design=digits-captcha&sig=abc');
    expect([malformed.status, malformed.json().field]).toEqual([403, 'sig']);
    // The order of the parameters and cache busters do not matter.
    const reordered = await call(base, `/captcha.png?length=6&_=1&design=digits-captcha&sig=${sig}`);
    expect(reordered.status).toBe(200);
  });

  it('an expired signed URL is refused; an unexpired one works', async () => {
    const past = Math.floor(Date.now() / 1000) - 1;
    const old = await call(base, server.signPath(`/captcha.png?design=digits-captcha&expires=${past}`));
    expect([old.status, old.json().field]).toEqual([403, 'expires']);
    const fresh = await call(base, server.signPath(`/captcha.png?design=digits-captcha&expires=${past + 600}`));
    expect(fresh.status).toBe(200);
  });

  it('the canonical form is what the README documents (sorted keys, encodeURIComponent, no sig or _*)', () => {
    const q = new URLSearchParams('text=a b&design=x&_=9&font=B&font=A&sig=zz');
    expect(canonicalRequest('/captcha.png', q)).toBe('/captcha.png?design=x&font=B&font=A&text=a%20b');
  });

  it('the studio\'s snippets for a captcha design are signed, so they work', async () => {
    const pub = await studioCall(base, 'publishDesign', [{ ...getPreset('digits-captcha'), name: 'my-digits', text: { ...getPreset('digits-captcha')!.text!, length: 7 } }]);
    expect(pub.status).toBe(200);
    expect(pub.json().path).toMatch(/^\/captcha\.png\?design=my-digits&sig=[\w-]{43}$/);
    const r = await call(base, pub.json().path);
    expect(r.status).toBe(200);
    expect(answers.get(idOf(r))).toMatch(/^\d{7}$/);
  });
});

describe('the README\'s signing snippets', () => {
  const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
  const block = (lang: string) => {
    const m = new RegExp('### Signed URLs[\\s\\S]*?```' + lang + '\\n([\\s\\S]*?)```').exec(readme);
    if (!m) throw new Error(`no ${lang} block under "Signed URLs" in the README`);
    return m[1];
  };
  const params = { design: 'digits-captcha', length: 6, font: 'DejaVu Sans', expires: Math.floor(Date.now() / 1000) + 600 };

  it('Node: the URL it makes is accepted', async () => {
    const sign = new Function('require', `${block('js')}; return signCaptchaUrl;`)(createRequire(import.meta.url)) as (s: string, p: string, q: object) => string;
    const r = await call(base, sign(SECRET, '/captcha.png', params));
    expect(r.status).toBe(200);
    expect(answers.get(idOf(r))).toMatch(/^\d{6}$/);
  });

  it('Python: the URL it makes is accepted', async () => {
    const py = `${block('python')}\nimport json, sys\nprint(sign_captcha_url(sys.argv[1], "/captcha.png", json.loads(sys.argv[2])))`;
    const out = spawnSync('python3', ['-c', py, SECRET, JSON.stringify(params)], { encoding: 'utf8' });
    expect(out.stderr).toBe('');
    const r = await call(base, out.stdout.trim());
    expect(r.status).toBe(200);
    expect(answers.get(idOf(r))).toMatch(/^\d{6}$/);
  });
});
