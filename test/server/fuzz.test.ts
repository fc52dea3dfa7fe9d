/**
 * Query and body fuzzing of every HTTP route: generated and mutated paths,
 * queries, headers and bodies. Whatever arrives, the server answers below 500,
 * names the field in its errors, keeps answering /healthz, and its memory and
 * its stores stay bounded. Set FUZZ_RUNS for a longer run, FC_SEED to replay.
 */
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STUDIO_METHODS } from '../../src-main/api.ts';
import { getPreset } from '../../src-main/core/presets.ts';
import { QUERY_PARAMS } from '../../src-main/server/query.ts';
import { createStudioServer, type StudioServer } from '../../src-main/server/server.ts';
import { signPath } from '../../src-main/server/signing.ts';

const SECRET = 'the fuzz server\'s secret, 32 characters or more';
import { mutatedDesignArb, designArb } from '../support/arbitraries.ts';
import { call, pickedFileArg, studioCall, type Reply } from '../support/http.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 2500);
const seedParam = process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {};
const MAX_CAPTCHAS = 300;

let server: StudioServer;
let base: string;
let host: string;
const agent = new Agent({ keepAlive: true, maxSockets: 16 });

beforeAll(async () => {
  const designsDir = mkdtempSync(join(tmpdir(), 'fuzz-designs-'));
  writeFileSync(join(designsDir, 'saved.json'), JSON.stringify({ width: 40, height: 20, seed: 1 }));
  writeFileSync(join(designsDir, 'broken.json'), '{"width": 4');
  writeFileSync(join(designsDir, 'newer.json'), JSON.stringify({ version: 99 }));
  const ui = mkdtempSync(join(tmpdir(), 'fuzz-ui-'));
  writeFileSync(join(ui, 'index.html'), '<!doctype html><title>ui</title>');
  server = createStudioServer({
    port: 0,
    designsDir,
    rendererDir: ui,
    userFontsDir: mkdtempSync(join(tmpdir(), 'fuzz-fonts-')),
    pool: { size: 2, maxQueue: 2000 },
    captchas: { maxEntries: MAX_CAPTCHAS },
    secret: SECRET,
  });
  base = (await server.start()).url;
  host = new URL(base).host;
});
afterAll(async () => {
  agent.destroy();
  await server.stop();
});

// ---- generators --------------------------------------------------------------

const names = fc.oneof(
  fc.constantFrom('seed-000-background', 'seed-002-captcha', 'classic-captcha', 'saved', 'broken', 'newer', 'no-such-design'),
  fc.constantFrom('..%2F..%2Fetc%2Fpasswd', '%2e%2e', '..', '.env', 'a%00b', '%E0%A4%A', '%ZZ', 'con', 'x'.repeat(300), '__proto__', 'constructor', '%F0%9F%98%80', 'seed-000-background%2F..'),
  fc.string({ unit: 'grapheme-ascii', maxLength: 20 }).map(encodeURIComponent),
);

/**
 * Web mode's generic route, `POST /api/studio/<method>`: every row of the table (client
 * rows must be refused), names inherited from Object.prototype, and names no route has.
 */
const callNames = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...STUDIO_METHODS) },
  fc.constantFrom('__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'prototype', 'then', 'Info', 'INFO', ''),
  fc.constantFrom('x'.repeat(40), 'x'.repeat(41), 'a'.repeat(5000), 'info%00', 'info%2Fx', 'info.json', '%69nfo', 'getPreset/x', 'info/', 'info;x'),
  fc.string({ unit: 'grapheme-ascii', maxLength: 12 }).map(encodeURIComponent),
);

/** A picked file as web-api.ts sends it, with the bytes right, wrong, or not bytes at all. */
const pickedArb = fc.record(
  {
    name: fc.oneof(fc.constantFrom('d.json', '../../etc/passwd', '', 'x'.repeat(300)), fc.string({ maxLength: 20 })),
    bytes: fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((b) => ({ $bytes: Buffer.from(b).toString('base64') })),
      designArb.map((d) => ({ $bytes: Buffer.from(JSON.stringify(d)).toString('base64') })),
      fc.constantFrom({ $bytes: '!!not base64!!' }, { $bytes: 42 }, { $bytes: null }, { $bytes: ['AA'] }, 'e30=', [123, 125], null, {}),
    ),
  },
  { requiredKeys: [] },
);

/** One argument: designs, files, recent paths, and whatever else. */
const argArb: fc.Arbitrary<unknown> = fc.oneof(
  designArb,
  mutatedDesignArb,
  pickedArb,
  fc.record({ path: fc.constantFrom('/etc/passwd', '../../package.json', 'saved.json', 'x'.repeat(5000)) }),
  fc.constantFrom(null, 0, -1, 1.5, 2 ** 40, 65_536, '7878', 'seed-002-captcha', 'no-such-preset', '__proto__', 'x'.repeat(300), true, [], {}),
  fc.jsonValue({ maxDepth: 2 }),
);

const deep = (open: string, inner: string, close: string, n: number) => open.repeat(n) + inner + close.repeat(n);

/** Bodies of a generic call: argument lists, arguments that are not a list, huge and deep ones. */
const callBodies: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.array(argArb, { maxLength: 4 }).map((args) => JSON.stringify({ args })) },
  fc.jsonValue({ maxDepth: 2 }).map((args) => JSON.stringify({ args })),
  fc.constantFrom(
    '{}',
    '{"args":null}',
    '{"args":"seed-002-captcha"}',
    '{"args":{"length":1,"0":"seed-002-captcha"}}',
    '{"args":[{"__proto__":{"polluted":1}}]}',
    '{"__proto__":{"args":["seed-002-captcha"]}}',
    '{"args":[{"name":"d.json","bytes":{"$bytes":"e30="}},{"$bytes":"AAAA"}]}',
    `{"args":${deep('[', '', ']', 5000)}}`,
    `{"args":[${deep('{"a":', '1', '}', 5000)}]}`,
    `{"args":[${deep('{"name":"d.json","bytes":', '{"$bytes":"e30="}', '}', 3000)}]}`,
    JSON.stringify({ args: new Array(200_000).fill(0) }),
    JSON.stringify({ args: new Array(2_000).fill({ name: 'd.json', bytes: { $bytes: 'e30=' } }) }),
    JSON.stringify({ args: [{ name: 'big.json', bytes: { $bytes: 'A'.repeat(4 * 2 ** 20) } }] }),
    JSON.stringify({ args: ['x'.repeat(2 ** 20)] }),
  ),
);

const PATHS: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '/',
    '/healthz',
    '/favicon.ico',
    '/background.png',
    '/utils/genback/',
    '/utils/genback',
    '/captcha.png',
    '/get_validCode_img',
    '/api/captcha',
    '/api/captcha/verify',
    '/api/designs',
    '/api/fonts',
    '/api/render',
    '/examples/seed-000.html',
    '/examples/seed-002.html',
    '/static/bootstrap-3.3.7/css/bootstrap.css',
    '/studio',
    '/studio/',
    '/api/studio/fonts',
    '/api/studio/preview',
    '/api/studio/export',
    '/api/studio/batch',
    // Not /api/studio/events: a GET there is an event stream that never ends (its own tests are below).
  ),
  fc.tuple(names, fc.constantFrom('png', 'jpg', 'webp', 'gif', 'PNG')).map(([n, e]) => `/designs/${n}.${e}`),
  callNames.map((m) => `/api/studio/${m}`),
  names.map((n) => `/api/studio/${n}`),
  names.map((n) => `/studio/${n}`),
  fc.constantFrom('/studio/../package.json', '/studio/%2e%2e/%2e%2e/etc/passwd', '/studio/..%5c..%5cwindows', '//healthz', '/healthz/../api/designs', '/%', '/%zz', '/api/studio/batch/../../x'),
  fc.uuid().map((id) => `/api/studio/batch/${id}`),
  fc.uuid().map((id) => `/api/studio/batch/${id}.zip`),
  fc.string({ unit: 'grapheme-ascii', maxLength: 30 }).map((s) => `/${encodeURIComponent(s)}`),
);

const values = fc.oneof(
  fc.constantFrom('0', '1', '-1', '64', '300', '2000', '4096', '8193', '99999999999999999999', '1e3', '1e309', '1.5', 'NaN', 'Infinity', '-Infinity', '0x20', ' 12', '12abc', '-0', '٣', ''),
  fc.constantFrom('red', '#ff000080', 'rgb(1,2,3)', 'transparent', 'notacolor', 'png', 'jpeg', 'webp', 'gif', 'random', 'fixed', 'math', 'digits', 'cjk', 'custom', 'DejaVu Sans', 'No Such Font', '../../fonts/x.ttf', 'classic-captcha', 'constructor', '__proto__'),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.constant('x'.repeat(2000)),
);
const keys = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...QUERY_PARAMS) }, fc.constantFrom('_', '_cache', 'design', 'format', 'v', 'unknown', '', '__proto__', 'constructor', 'width[]'), fc.string({ maxLength: 6 }));

/** Pairs encoded properly, or spliced in raw (bad escapes, bare ampersands). */
const query = fc.oneof(
  fc.array(fc.tuple(keys, values), { maxLength: 6 }).map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')),
  fc.constantFrom('width=%ZZ', 'width', '=1', '&&&', 'width=1&width=2', 'design=a&design=b', 'seed=1%00', 'text=%E0%A4%A', 'height=' + '9'.repeat(400), 'font=' + 'A'.repeat(1100)),
);

const bodies = fc.oneof(
  fc.constantFrom('', '{', 'null', '[]', '"text"', '1', 'true', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"x":1}}}', '\u0000\u0001', '{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}'),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.record({ id: fc.oneof(fc.string(), fc.integer(), fc.constant(null)), answer: fc.oneof(fc.string({ maxLength: 80 }), fc.integer(), fc.constant([])) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc.record({ design: fc.oneof(designArb, mutatedDesignArb), seed: fc.oneof(fc.nat(), fc.constantFrom(-1, 1.5, 2 ** 40, null, 'x')), count: fc.oneof(fc.integer({ min: -2, max: 3 }), fc.constantFrom(1e9, 'many')), text: fc.string(), name: fc.string(), client: fc.string() }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  designArb.map((d) => JSON.stringify(d)),
  mutatedDesignArb.map((d) => JSON.stringify(d) ?? 'undefined'),
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('latin1')),
  fc.string({ maxLength: 40 }).map((s) => `id=${encodeURIComponent(s)}&answer=${s}`),
  callBodies,
);

const TYPES = ['application/json', 'application/json; charset=utf-8', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'application/octet-stream', 'APPLICATION/JSON', 'application/jsonx', ''];

interface FuzzRequest {
  method: string;
  path: string;
  query: string;
  body?: string;
  headers: Record<string, string>;
}

const okValues: Record<string, fc.Arbitrary<string>> = {
  width: fc.integer({ min: 1, max: 300 }).map(String),
  height: fc.integer({ min: 1, max: 200 }).map(String),
  seed: fc.oneof(fc.nat().map(String), fc.constant('random')),
  scale: fc.constantFrom('1', '2'),
  bg: fc.constantFrom('red', '#ffe0b2', 'rgba(0,0,0,0.5)'),
  format: fc.constantFrom('png', 'jpeg', 'webp'),
  quality: fc.integer({ min: 1, max: 100 }).map(String),
  text: fc.constantFrom('Hi', '640x360', '中文'),
  lines: fc.integer({ min: 0, max: 30 }).map(String),
  dots: fc.integer({ min: 0, max: 300 }).map(String),
  wave: fc.integer({ min: 0, max: 10 }).map(String),
};
const okQuery = fc.subarray(Object.keys(okValues)).chain((keys) => fc.tuple(...keys.map((k) => okValues[k].map((v) => `${k}=${encodeURIComponent(v)}`))).map((kv) => kv.join('&')));
const json = (path: string, body: fc.Arbitrary<unknown>): fc.Arbitrary<FuzzRequest> =>
  body.map((b) => ({ method: 'POST', path, query: '', body: JSON.stringify(b), headers: { 'Content-Type': 'application/json' } }));
const captchaDesigns = fc.constantFrom('classic-captcha', 'digits-captcha', 'math-captcha', 'seed-002-captcha', 'cjk-captcha');
const studioBody = fc.record({ design: designArb, seed: fc.nat() });
/** A StudioApi call as web-api.ts makes it. */
const studioCallArb = (method: string, args: fc.Arbitrary<unknown[]>) => json(`/api/studio/${method}`, args.map((a) => ({ args: a })));

/** Requests a real page or tool would send, so the fuzz reaches the renderers too. */
const plausibleArb: fc.Arbitrary<FuzzRequest> = fc.oneof(
  fc.tuple(fc.constantFrom('/background.png', '/utils/genback/', '/designs/placeholder.png', '/designs/sunset-background.webp', '/designs/saved.jpg'), okQuery).map(([path, query]) => ({ method: 'GET', path, query: path === '/utils/genback/' ? query.split('&').filter((kv) => /^(width|height)=/.test(kv)).join('&') : query, headers: {} })),
  // What an operator's backend hands its pages: the route's own design, or a signed variant.
  fc.tuple(fc.constantFrom('/captcha.png', '/get_validCode_img'), captchaDesigns, fc.boolean()).map(([path, d, named]) => ({ method: 'GET', path, query: named && path === '/captcha.png' ? signPath(SECRET, `${path}?design=${d}`).split('?')[1] : '', headers: {} })),
  fc.constantFrom('/', '/healthz', '/api/designs', '/api/fonts', '/examples/seed-002.html').map((path) => ({ method: 'GET', path, query: '', headers: {} })),
  json('/api/captcha', fc.constant({})),
  json('/api/captcha/verify', fc.record({ id: fc.stringMatching(/^[\w-]{66}$/), answer: fc.string({ minLength: 1, maxLength: 8 }) })),
  json('/api/render', designArb),
  fc.constantFrom('/api/studio/preview', '/api/studio/export').chain((path) => json(path, studioBody)),
  // Every row web mode serves, with the arguments the page would send.
  fc.constantFrom('info', 'listPresets', 'listFonts', 'serverStatus', 'startServer', 'stopServer').chain((m) => studioCallArb(m, fc.constant([]))),
  studioCallArb('getPreset', fc.tuple(fc.oneof(captchaDesigns, fc.constantFrom('seed-000-background', 'no-such-preset')))),
  studioCallArb('renderThumbnail', fc.tuple(designArb, fc.option(fc.nat(), { nil: undefined }))),
  studioCallArb('publishDesign', fc.tuple(designArb)),
  studioCallArb('saveDesign', fc.tuple(designArb)),
  studioCallArb('openDesign', fc.tuple(fc.oneof(designArb, mutatedDesignArb).map((d) => pickedFileArg('d.json', JSON.stringify(d) ?? 'undefined')))),
);

/** The generic route with any name and any body (the right content type, so the body is read). */
const genericCallArb: fc.Arbitrary<FuzzRequest> = fc.tuple(callNames, callBodies).map(([m, body]) => ({ method: 'POST', path: `/api/studio/${m}`, query: '', body, headers: { 'Content-Type': 'application/json' } }));

const hostileArb: fc.Arbitrary<FuzzRequest> = fc
  .record({
    method: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('GET', 'POST') }, fc.constantFrom('HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH')),
    path: PATHS,
    query: fc.option(query, { nil: undefined }),
    body: fc.option(bodies, { nil: undefined }),
    type: fc.constantFrom(...TYPES),
    origin: fc.option(fc.constantFrom('https://evil.example', 'null', 'http://localhost'), { nil: undefined }),
    // captcha_id_PORT is the server's own cookie name (PORT filled in by send()).
    cookie: fc.option(fc.constantFrom('captcha_id_PORT=%E0%A4%A', 'captcha_id_PORT=', 'captcha_id_PORT=' + 'A'.repeat(66), '=; ; captcha_id_PORT', 'captcha_id_PORT=' + 'x'.repeat(3000), 'captcha_id=AAAA'), { nil: undefined }),
    fontName: fc.option(fc.constantFrom('%E0%A4%A', '../../evil.ttf', 'a.ttf', '..%2F..%2Fx.otf', 'x'.repeat(300) + '.ttf', 'con.ttf'), { nil: undefined }),
    etag: fc.option(fc.constantFrom('*', '"x"', 'W/"x", "y"', ','), { nil: undefined }),
  })
  .map((r) => {
    const headers: Record<string, string> = {};
    if (r.body !== undefined && r.type) headers['Content-Type'] = r.type;
    if (r.origin) headers.Origin = r.origin;
    if (r.cookie) headers.Cookie = r.cookie;
    if (r.fontName) headers['X-Font-Name'] = r.fontName;
    if (r.etag) headers['If-None-Match'] = r.etag;
    const method = r.body !== undefined && r.method === 'GET' ? 'POST' : r.method;
    return { method, path: r.path, query: r.query ?? '', body: r.body, headers };
  });

/** Hostile requests, plausible ones, and plausible ones with one part swapped for something hostile. */
const requestArb: fc.Arbitrary<FuzzRequest> = fc.oneof(
  hostileArb,
  plausibleArb,
  genericCallArb,
  fc.tuple(plausibleArb, hostileArb, fc.constantFrom('query', 'body', 'headers', 'method')).map(([ok, bad, part]) => ({ ...ok, [part]: bad[part] })),
);

// ---- checks --------------------------------------------------------------------

/** Answers seen, by status class: the mix must reach the renderers, not only the validators. */
const seen = { ok: 0, refused: 0 };

/** The name of the file an openDesign call sent: its errors start with it ("d.json: is not valid JSON"). */
function pickedName(req: FuzzRequest): string | undefined {
  if (!req.path.endsWith('/openDesign') || !req.body) return undefined;
  try {
    const name = JSON.parse(req.body)?.args?.[0]?.name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** What every answer must satisfy, whatever was asked. */
function checkReply(req: FuzzRequest, res: Reply): void {
  const what = `${req.method} ${req.path}?${req.query}`;
  seen[res.status < 400 ? 'ok' : 'refused']++;
  expect(res.status, what).toBeLessThan(500);
  const type = String(res.headers['content-type'] ?? '');
  if (res.status >= 400 && type.startsWith('application/json') && req.method !== 'HEAD') {
    const body = res.json();
    expect(typeof body.error, what).toBe('string');
    expect(body.error.length, what).toBeGreaterThan(0);
    // An error naming a field says which: "width: must be ..." (a file's errors start with its name).
    if (body.field !== undefined) {
      const file = pickedName(req);
      const named = body.error.includes(`${body.field}: `) || body.error.startsWith(`${body.field} `) || (body.field === 'file' && file !== undefined && body.error.startsWith(`${file}: `));
      expect(named, `${what}: ${body.error}`).toBe(true);
    }
  }
  // Traversal never reaches files outside the UI folder.
  expect(res.body.toString('latin1'), what).not.toMatch(/"name": "captcha-studio"|root:x:0:0/);
}

function send(req: FuzzRequest): Promise<Reply> {
  return call(base, req.query ? `${req.path}?${req.query}` : req.path, {
    method: req.method,
    rawPath: true,
    headers: { Host: host, ...req.headers, ...(req.headers.Cookie ? { Cookie: req.headers.Cookie.replaceAll('PORT', String(server.address!.port)) } : {}) },
    body: req.body,
    agent,
  });
}

async function healthy(): Promise<void> {
  const h = await call(base, '/healthz', { agent });
  expect(h.status).toBe(200);
  expect(h.json().ok).toBe(true);
}

describe('HTTP fuzzing', () => {
  it('regressions found by fuzzing answer 400, not 500', async () => {
    const cases: [FuzzRequest, number][] = [
      // A malformed cookie used to throw URIError in decodeURIComponent.
      [{ method: 'POST', path: '/api/captcha/verify', query: '', headers: { Cookie: 'captcha_id_PORT=%E0%A4%A', 'Content-Type': 'application/json' }, body: '{"answer":"x"}' }, 200],
      // "constructor" as a query key found Object.prototype's, not a setter, and was silently accepted.
      [{ method: 'GET', path: '/background.png', query: 'constructor=1', headers: {} }, 400],
      [{ method: 'GET', path: '/background.png', query: 'hasOwnProperty=1', headers: {} }, 400],
      // The colour "constructor" was looked up on the named-colour table's prototype (TypeError, 500).
      [{ method: 'POST', path: '/api/render', query: '', headers: { 'Content-Type': 'application/json' }, body: '{"background":[{"type":"solid","color":"constructor"}]}' }, 400],
      [{ method: 'GET', path: '/background.png', query: 'bg=constructor', headers: {} }, 400],
      // A malformed font name header used to throw URIError.
      [{ method: 'POST', path: '/api/studio/fonts', query: '', headers: { 'Content-Type': 'application/octet-stream', 'X-Font-Name': '%E0%A4%A' }, body: 'xx' }, 400],
      // Generic calls: names on Object.prototype are not rows; a missing argument is named, not the list.
      [{ method: 'POST', path: '/api/studio/constructor', query: '', headers: { 'Content-Type': 'application/json' }, body: '{"args":[]}' }, 404],
      [{ method: 'POST', path: '/api/studio/__proto__', query: '', headers: { 'Content-Type': 'application/json' }, body: '{"args":[]}' }, 404],
      [{ method: 'POST', path: '/api/studio/getPreset', query: '', headers: { 'Content-Type': 'application/json' }, body: '{"args":[]}' }, 400],
      [{ method: 'POST', path: '/api/studio/getPreset', query: '', headers: { 'Content-Type': 'application/json' }, body: '{"args":"seed-002-captcha"}' }, 400],
    ];
    for (const [req, status] of cases) {
      const res = await send(req);
      expect(res.status, `${req.method} ${req.path}?${req.query}`).toBe(status);
      checkReply(req, res);
    }
    const verify = await send(cases[0][0]);
    expect(verify.json()).toEqual({ valid: false });
  });

  it(`answers ${RUNS} generated requests below 500, with field-named errors, and stays healthy and bounded`, async () => {
    const warmup = Math.min(300, Math.floor(RUNS / 5));
    await fc.assert(
      fc.asyncProperty(requestArb, async (req) => checkReply(req, await send(req))),
      { numRuns: warmup, ...seedParam },
    );
    await healthy();
    const rssWarm = process.memoryUsage().rss;
    await fc.assert(
      fc.asyncProperty(requestArb, async (req) => checkReply(req, await send(req))),
      { numRuns: RUNS - warmup, ...seedParam },
    );
    await healthy();
    expect(seen.ok, JSON.stringify(seen)).toBeGreaterThan(RUNS / 20);
    expect(seen.refused, JSON.stringify(seen)).toBeGreaterThan(RUNS / 2);
    // Everything the server keeps per request has a bound.
    expect(server.store.size).toBeLessThanOrEqual(MAX_CAPTCHAS);
    const rssEnd = process.memoryUsage().rss;
    // Generous: this process also holds the test's own garbage, but a leak per
    // request (thousands of them, some with megabyte bodies) would show.
    expect(rssEnd, `RSS ${(rssWarm / 2 ** 20).toFixed(0)} -> ${(rssEnd / 2 ** 20).toFixed(0)} MiB`).toBeLessThan(rssWarm * 1.5 + 128 * 2 ** 20);
  }, 60_000 + RUNS * 20);

  it('answers a concurrent burst of generated requests below 500', async () => {
    const batch = fc.sample(requestArb, { numRuns: 400, ...seedParam });
    const replies = new Array<Reply>(batch.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < batch.length) {
          const i = next++;
          replies[i] = await send(batch[i]);
        }
      }),
    );
    batch.forEach((req, i) => checkReply(req, replies[i]));
    await healthy();
  });

  it('keeps the live log streams bounded, and frees them when clients go', async () => {
    // Streams stay open, so they are fuzzed apart from the rest: wrong methods and bodies first.
    for (const method of ['POST', 'PUT', 'DELETE']) expect((await call(base, '/api/studio/events?x=%ZZ', { method, rawPath: true, body: '{' })).status).toBe(405);
    const controllers = Array.from({ length: 40 }, () => new AbortController());
    const answers = await Promise.all(controllers.map((c) => fetch(`${base}/api/studio/events`, { signal: c.signal }).then((r) => ({ status: r.status, retry: r.headers.get('retry-after') }))));
    const open = answers.filter((a) => a.status === 200).length;
    expect(open).toBe(16);
    // Over the cap: the documented busy answer, with a time to retry.
    expect(answers.filter((a) => a.status === 503 && a.retry === '5')).toHaveLength(24);
    for (const c of controllers) c.abort();
    await expect.poll(async () => {
      const c = new AbortController();
      const status = (await fetch(`${base}/api/studio/events`, { signal: c.signal })).status;
      c.abort();
      return status;
    }).toBe(200);
    await healthy();
  });

  it('refuses oversized bodies with 413 and keeps serving', async () => {
    for (const path of ['/api/captcha/verify', '/api/render', '/api/studio/preview', '/api/studio/publishDesign']) {
      const res = await call(base, path, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: base }, body: Buffer.alloc(25 * 2 ** 20, 0x20) });
      expect(res.status, path).toBe(413);
    }
    await healthy();
  });

  it('never reads server files named by a design sent over HTTP', async () => {
    const design = { ...getPreset('seed-000-background')!, width: 8, height: 8, background: [{ type: 'image', src: '/etc/hostname' }] };
    const render = await call(base, '/api/render', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(design) });
    expect(render.status).toBe(400);
    expect(render.json()).toMatchObject({ field: 'background.0.src', error: expect.stringMatching(/must be a data URL here/) });
    for (const path of ['/api/studio/preview', '/api/studio/export']) {
      const res = await call(base, path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ design, seed: 1 }) });
      expect(res.status, path).toBe(400);
      expect(res.json().field, path).toBe('background.0.src');
    }
    for (const [method, args] of [
      ['renderThumbnail', [design, 1]],
      ['publishDesign', [design]],
    ] as const) {
      const res = await studioCall(base, method, [...args]);
      expect(res.status, method).toBe(400);
      expect(res.json().field, method).toBe('background.0.src');
    }
    // Saving only names the file the page will download (checked as a design file, as opening is): nothing read.
    const saved = await studioCall(base, 'saveDesign', [design]);
    expect([saved.status, saved.json()]).toEqual([200, { path: null, name: 'seed-000-background.json' }]);
    // Opening only parses the file the page sent (as before): the path comes back as it went, nothing read or inlined.
    const opened = await studioCall(base, 'openDesign', [pickedFileArg('d.json', JSON.stringify(design))]);
    expect(opened.json().design.background).toEqual([expect.objectContaining({ type: 'image', src: '/etc/hostname' })]);
    // A recent design is a path on the page's side: the server never opens one.
    const recent = await studioCall(base, 'openDesign', [{ path: '/etc/hostname' }]);
    expect([recent.status, recent.json().field]).toEqual([404, 'from']);
  });
});
