/**
 * Attack 10 of issue 10: bound with `--host 0.0.0.0` the server turned honest network
 * clients away (their Host was refused) while anyone got in with `Host: localhost`.
 * Now a server on a network address is a production captcha and image server: the
 * Host names it answers to are given (--public-host), and web mode, the studio API
 * and POST /api/render are off, or need the studio token.
 *
 * Traffic stays on loopback: the policy runs on loopback with `production: true`, a
 * real `serve --host 0.0.0.0` is reached over 127.0.0.1, and the over-the-network Host
 * rules are checked on AccessPolicy with the address a connection arrives on.
 */
import { spawn } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli.ts';
import { getPreset } from '../../src-main/core/presets.ts';
import { AccessPolicy } from '../../src-main/server/access.ts';
import { createStudioServer, type ServerOptions, type StudioServer } from '../../src-main/server/server.ts';
import { recordAnswers } from '../support/answers.ts';
import { call, postJson, studioCall, type Reply } from '../support/http.ts';
import { decodePng } from '../support/png.ts';

const ui = mkdtempSync(join(tmpdir(), 'studio-ui-'));
writeFileSync(join(ui, 'index.html'), '<!doctype html><title>ui</title>');

const PUBLIC = 'captcha.example.com';
const TOKEN = randomBytes(32).toString('base64url');

/** Production by binding a network address, or (no such address) by `production: true`: one code path. */
function production(extra: ServerOptions = {}): StudioServer {
  return createStudioServer({ host: '127.0.0.1', production: true, port: 0, pool: { size: 1 }, rendererDir: ui, ...extra });
}

const design = { ...getPreset('seed-002-captcha')!, width: 64, height: 24 };

/** One request to each design-time route. */
function designTime(base: string, headers: Record<string, string>): Promise<Record<string, Reply>> {
  const json = { 'Content-Type': 'application/json', ...headers };
  return Promise.all([
    ['/studio/', () => call(base, '/studio/', { headers })],
    ['/studio', () => call(base, '/studio', { headers })],
    ['/api/studio/info', () => studioCall(base, 'info', [], headers)],
    ['/api/studio/listPresets', () => studioCall(base, 'listPresets', [], headers)],
    ['/api/studio/publishDesign', () => studioCall(base, 'publishDesign', [{ ...design, name: 'from-design-time' }], headers)],
    ['/api/studio/preview', () => call(base, '/api/studio/preview', { method: 'POST', headers: json, body: JSON.stringify({ design, seed: 1 }) })],
    ['/api/studio/events', () => call(base, '/api/studio/events?key=x', { headers })],
    ['/api/render', () => call(base, '/api/render', { method: 'POST', headers: json, body: JSON.stringify(design) })],
  ] as const).then(async (pairs) => Object.fromEntries(await Promise.all(pairs.map(async ([k, f]) => [k, await f()] as const))));
}

describe('attack 10: a production server without a studio token', () => {
  let server: StudioServer;
  let base: string;
  let answers: Map<string, string>;

  beforeAll(async () => {
    server = production({ publicHosts: [PUBLIC] });
    answers = recordAnswers(server);
    base = (await server.start()).url;
  });
  afterAll(() => server.stop());

  it(`keeps web mode, the studio API and /api/render off, whatever the Host`, async () => {
    for (const host of [PUBLIC, 'localhost', `localhost:${new URL(base).port}`, '127.0.0.1']) {
      const replies = await designTime(base, { Host: host, Authorization: `Bearer ${TOKEN}` });
      for (const [route, r] of Object.entries(replies)) {
        // Host: localhost over the network is refused outright (403 host); nothing is ever unlocked.
        expect(r.status, `${route} with Host: ${host}`).toBe(403);
        expect(['token', 'host'], `${route} with Host: ${host}`).toContain(r.json().field);
        if (host === PUBLIC) expect(r.json().error).toMatch(/^token: .*off.*--studio-token/);
      }
    }
  });

  it('issues, verifies and serves images for an honest client that names the public host', async () => {
    const headers = { Host: PUBLIC };
    const img = await call(base, '/get_validCode_img', { headers });
    expect(img.status).toBe(200);
    expect(decodePng(img.body).width).toBe(270);
    const id = String(img.headers['x-captcha-id']);
    const cookie = String(img.headers['set-cookie']).split(';')[0];
    const good = await call(base, '/api/captcha/verify', { method: 'POST', headers: { ...headers, Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' }, body: `answer=${encodeURIComponent(answers.get(id)!)}` });
    expect(good.json()).toEqual({ valid: true });

    const issued = await postJson(base, '/api/captcha', {}, headers);
    expect(issued.status).toBe(200);
    const { id: jsonId } = issued.json();
    expect((await postJson(base, '/api/captcha/verify', { id: jsonId, answer: `${answers.get(jsonId)}x` }, headers)).json()).toEqual({ valid: false });

    const bg = await call(base, '/background.png?width=64&height=48', { headers });
    expect(bg.status).toBe(200);
    expect([decodePng(bg.body).width, decodePng(bg.body).height]).toEqual([64, 48]);
    expect((await call(base, '/healthz', { headers })).status).toBe(200);
    expect((await call(base, '/designs/seed-000-background.png?width=32&height=32', { headers: { Host: `${PUBLIC.toUpperCase()}.:443` } })).status).toBe(200);
  });

  it('refuses any other Host with 403 naming host', async () => {
    for (const host of ['evil.example', `${PUBLIC}.evil.example`, `evil.${PUBLIC}`, '10.0.0.1']) {
      const r = await call(base, '/get_validCode_img', { headers: { Host: host } });
      expect(r.status, host).toBe(403);
      expect(r.json().field, host).toBe('host');
    }
  });

  it('over the network a loopback name is not this server\'s name; the arrival address is', () => {
    const bound = new AccessPolicy({ host: '0.0.0.0', publicHosts: [PUBLIC] });
    const req = (host: string, localAddress: string) => ({ headers: { host }, socket: { localAddress } }) as unknown as IncomingMessage;
    expect(bound.isProduction(req('localhost', '127.0.0.1'))).toBe(true);
    expect(bound.hostAllowed(req('localhost', '192.0.2.2'))).toBe(false);
    expect(bound.hostAllowed(req('localhost:7878', '::ffff:192.0.2.2'))).toBe(false);
    expect(bound.hostAllowed(req('192.0.2.2:7878', '::ffff:192.0.2.2'))).toBe(true);
    expect(bound.hostAllowed(req(PUBLIC, '192.0.2.2'))).toBe(true);
    expect(bound.hostAllowed(req('evil.example', '192.0.2.2'))).toBe(false);
    // Without public names a network bind answers any Host (the studio is off or needs the token).
    expect(new AccessPolicy({ host: '0.0.0.0' }).hostAllowed(req('anything.example', '192.0.2.2'))).toBe(true);
  });
});

describe('attack 10: a production server with a studio token', () => {
  let server: StudioServer;
  let base: string;
  const headers = { Host: PUBLIC };

  beforeAll(async () => {
    server = production({ publicHosts: [PUBLIC], studioToken: TOKEN });
    base = (await server.start()).url;
  });
  afterAll(() => server.stop());

  it('refuses the design-time routes without the token or with a wrong one (401 naming token)', async () => {
    const auths: Record<string, string>[] = [{}, { Authorization: 'Bearer wrong' }, { Authorization: `Bearer ${TOKEN}x` }, { Authorization: `Basic ${TOKEN}` }, { Cookie: `captcha_studio_${new URL(base).port}=${TOKEN}` }];
    for (const auth of auths) {
      for (const [route, r] of Object.entries(await designTime(base, { ...headers, ...auth }))) {
        expect(r.status, `${route} ${JSON.stringify(auth)}`).toBe(401);
        expect(r.json().field).toBe('token');
        expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
      }
    }
  });

  it('allows them with Authorization: Bearer TOKEN', async () => {
    const replies = await designTime(base, { ...headers, Authorization: `Bearer ${TOKEN}` });
    expect(replies['/studio/'].status).toBe(200);
    expect(replies['/studio/'].body.toString()).toContain('<title>ui</title>');
    expect(replies['/api/studio/info'].json()).toMatchObject({ mode: 'web' });
    expect(replies['/api/studio/listPresets'].status).toBe(200);
    expect(replies['/api/studio/publishDesign'].json()).toMatchObject({ name: 'from-design-time' });
    expect(replies['/api/studio/events'].json().field).toBe('key');
    expect(replies['/api/studio/preview'].status).toBe(200);
    expect(replies['/api/studio/preview'].body.length).toBe(64 * 24 * 4);
    const render = replies['/api/render'];
    expect(render.status).toBe(200);
    expect([decodePng(render.body).width, decodePng(render.body).height]).toEqual([64, 24]);
  });

  it('logs a browser in with /studio/?token=: an HttpOnly SameSite=Strict cookie, and a redirect without the token', async () => {
    const wrong = await call(base, '/studio/?token=nope', { headers });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();

    const login = await call(base, `/studio/?token=${TOKEN}&lang=en`, { headers });
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/studio/?lang=en');
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(new RegExp(`^captcha_studio_${new URL(base).port}=[\\w-]{43}; Path=/; HttpOnly; SameSite=Strict$`));
    // The cookie is derived from the token, not the token itself.
    expect(setCookie).not.toContain(TOKEN);
    const cookie = setCookie.split(';')[0];
    const replies = await designTime(base, { ...headers, Cookie: cookie });
    for (const route of ['/studio/', '/api/studio/info', '/api/studio/listPresets', '/api/studio/preview', '/api/render']) expect(replies[route].status, route).toBe(200);
    // The studio page's own event stream, with the cookie and the key from info.
    const key = replies['/api/studio/info'].json().eventsKey;
    const controller = new AbortController();
    const stream = await fetch(`${base}/api/studio/events?key=${key}`, { signal: controller.signal, headers: { Cookie: cookie } });
    expect(stream.status).toBe(200);
    controller.abort();
  });

  it('behind a TLS proxy the cookie is Secure, and the page\'s https origin counts as same-origin', async () => {
    const login = await call(base, `/studio/?token=${TOKEN}`, { headers: { ...headers, 'X-Forwarded-Proto': 'https' } });
    expect(String(login.headers['set-cookie'])).toMatch(/; Secure$/);
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    const thumbnail = await studioCall(base, 'renderThumbnail', [design, 1], { ...headers, Cookie: cookie, Origin: `https://${PUBLIC}` });
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.json()).toMatch(/^data:image\/png;base64,/);
    expect((await studioCall(base, 'renderThumbnail', [design, 1], { ...headers, Cookie: cookie, Origin: 'https://evil.example' })).status).toBe(403);
  });
});

describe('attack 10: loopback stays the designer', () => {
  it('needs no token on loopback names, while a public host name forwarded by a local proxy is a production request', async () => {
    const server = createStudioServer({ port: 0, pool: { size: 1 }, rendererDir: ui, publicHosts: [PUBLIC] });
    const base = (await server.start()).url;
    try {
      for (const [route, r] of Object.entries(await designTime(base, {}))) {
        // The stream probe carries a wrong key: refused for that (past the access check), not for a token.
        if (route === '/api/studio/events') expect(r.json().field).toBe('key');
        else expect(r.status, route).toBeLessThan(400);
      }
      for (const [route, r] of Object.entries(await designTime(base, { Host: PUBLIC }))) {
        expect(r.status, route).toBe(403);
        expect(r.json().field).toBe('token');
      }
      // The proxy's visitors still get captchas.
      expect((await call(base, '/get_validCode_img', { headers: { Host: PUBLIC } })).status).toBe(200);
      expect((await call(base, '/healthz', { headers: { Host: 'evil.example' } })).status).toBe(403);
    } finally {
      await server.stop();
    }
  });

  it('refuses unsafe options when the server is built', () => {
    expect(() => production({ exposeAnswers: true })).toThrow(/^exposeAnswers: /);
    expect(() => createStudioServer({ exposeAnswers: true, publicHosts: [PUBLIC] })).toThrow(/^exposeAnswers: /);
    expect(() => production({ studioToken: 'short' })).toThrow(/^studioToken: must be at least 32 characters/);
    expect(() => production({ publicHosts: ['https://captcha.example.com/'] })).toThrow(/^publicHosts: /);
  });
});

describe('attack 10: the command line', () => {
  async function serve(...args: string[]): Promise<{ code: number; err: string }> {
    let err = '';
    const code = await main(['serve', ...args], { out: () => {}, err: (s) => (err += s), isTTY: false });
    return { code, err };
  }

  it('refuses --expose-answers on a production server, short tokens and bad host names, with exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--host', '0.0.0.0', '--expose-answers'], /^error: --expose-answers: refused with --host 0\.0\.0\.0: answers in headers/],
      [['--host', '::', '--expose-answers', '--port', '0'], /^error: --expose-answers: refused with --host ::/],
      [['--production', '--expose-answers'], /^error: --expose-answers: refused/],
      [['--public-host', PUBLIC, '--expose-answers'], /^error: --expose-answers: refused with --public-host/],
      [['--host', '0.0.0.0', '--studio-token', 'tooshort'], /^error: --studio-token: must be at least 32 characters/],
      [['--studio-token', `${'x'.repeat(40)} y`], /^error: --studio-token: must be at most 1024 printable ASCII characters without spaces/],
      [['--public-host', 'captcha.example.com,http://evil'], /^error: --public-host: "http:\/\/evil" is not a host name/],
      [['--public-host', 'captcha.example.com:8080'], /^error: --public-host: /],
    ];
    for (const [args, want] of cases) {
      const r = await serve(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.split('\n')[0], args.join(' ')).toMatch(want);
    }
    process.env.CAPTCHA_STUDIO_TOKEN = 'short-from-env';
    try {
      const r = await serve('--host', '0.0.0.0');
      expect(r.code).toBe(2);
      expect(r.err.split('\n')[0]).toMatch(/^error: CAPTCHA_STUDIO_TOKEN: must be at least 32 characters/);
    } finally {
      delete process.env.CAPTCHA_STUDIO_TOKEN;
    }
  });

  it('bound to 0.0.0.0: says at start what it serves and keeps off, and keeps the studio off even over loopback', async () => {
    const child = spawn(process.execPath, ['src-main/bin/captcha-studio.mjs', 'serve', '--host', '0.0.0.0', '--port', '0', '--public-host', PUBLIC, '--workers', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const out = await new Promise<string>((resolve, reject) => {
        let text = '';
        child.stdout.on('data', (d) => {
          text += d;
          if (/host names: .*\n/.test(text)) resolve(text);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${text}`)));
      });
      const port = /^listening on http:\/\/0\.0\.0\.0:(\d+)$/m.exec(out)?.[1];
      expect(port).toBeDefined();
      expect(out).toMatch(/^production mode \(bound to .*\): captcha issuing and verification, images and \/healthz are public$/m);
      expect(out).toMatch(/web mode \(\/studio\/\), the studio API and POST \/api\/render: off \(enable them with --studio-token/);
      expect(out).toContain(`host names: ${PUBLIC}`);
      const local = `http://127.0.0.1:${port}`;
      expect((await call(local, '/studio/')).status).toBe(403);
      expect((await call(local, '/api/render', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status).toBe(403);
      expect((await call(local, '/get_validCode_img', { headers: { Host: PUBLIC } })).status).toBe(200);
    } finally {
      await new Promise((resolve) => {
        child.on('exit', resolve);
        child.kill('SIGTERM');
      });
    }
  });
});
