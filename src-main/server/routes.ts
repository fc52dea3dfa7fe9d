/** The public HTTP routes: images, captchas and their verification, pages. Nothing here blocks on rendering. */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BoundedMemo } from '../core/memo.ts';
import { canonicalDesign, isDeterministic, parseUntrustedDesign, type Design, type ImageFormat } from '../core/design.ts';
import { fontRegistry } from '../core/fonts.ts';
import { InputError } from '../core/input-error.ts';
import { isCaptcha, publicFont } from '../core/naming.ts';
import { checkSeed } from '../core/seed.ts';
import { checkBudget, RENDER_BUDGETS } from '../core/cost.ts';
import type { RenderOutput } from '../render/protocol.ts';
import { cookie, decodeOr, readFields, sendJson } from './http-util.ts';
import { verifySignature } from './signing.ts';
import { BOOTSTRAP_PATH, BOOTSTRAP_STAND_IN } from './bootstrap-stand-in.ts';
import { examplePage, indexPage } from './pages.ts';
import { DESIGN_VERSION } from './design-source.ts';
import { applyQuery, single } from './query.ts';
import { Router, type Handler } from './router.ts';
import type { ServerState } from './server-state.ts';
import { studioAccess } from './studio-guards.ts';
import { storeIsCaseSensitive } from './captcha-audio.ts';
import { MAX_ANSWER_LENGTH, type IdOwner } from './captcha-store.ts';
import { InlineStock } from './inline-stock.ts';

export const CAPTCHA_COOKIE = 'captcha_id';
/** `captcha_id_7878`: a page on another port of the same host cannot replace or use up this server's cookie. */
export const captchaCookieName = (port: number | null | undefined): string => (port ? `${CAPTCHA_COOKIE}_${port}` : CAPTCHA_COOKIE);
const EXT_FORMAT: Record<string, ImageFormat> = { png: 'png', jpg: 'jpeg', webp: 'webp' };

/** Aborted when the client hangs up before its answer is sent: its queued work goes with it. */
function hangup(res: ServerResponse): AbortSignal {
  const ac = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) ac.abort();
  });
  return ac.signal;
}

/**
 * Queues a render within the route's budget: a design whose estimated cost is over
 * it is refused (400 naming the costliest field) before anything is queued.
 */
async function render(app: ServerState, res: ServerResponse, design: Design, budget: number, fromSupply = false): Promise<RenderOutput> {
  const cost = checkBudget(design, budget);
  // `serve --processes N`: a cheap captcha is drawn here, a few at a time (inline-stock.ts), not sent to a worker.
  if (fromSupply && app.cluster && inlineStock && cost.units <= INLINE_CAPTCHA_UNITS && drawableHere(design)) return inlineStock.take(design, cost.units);
  // A full queue (PoolBusyError) is answered 503 by the server's one error mapper, for every route.
  if (fromSupply) {
    // The hot path: a plain 'close' listener, not an AbortSignal (see CaptchaSupply.request).
    const { result, cancel, waiting } = app.supply.request(design);
    if (waiting) res.once('close', () => res.writableFinished || cancel());
    return result;
  }
  return app.pool.render(design, { signal: hangup(res) });
}

/**
 * Captchas estimated at most this many pixel operations (about ns, core/cost.ts) are
 * drawn in the HTTP process of a cluster, and a batch of them (inline-stock.ts) costs no
 * more in all. The estimate runs high: every captcha preset is 0.7-3.9 M and draws and
 * encodes in 0.1-0.3 ms, so no request holds the event loop for long (seed 002's are
 * drawn 7 at a time, the others 1 or 2); anything costlier still goes to the render pool.
 */
export const INLINE_CAPTCHA_UNITS = 5e6;
/** The rendering core's captchas, drawn a few at a time: only in cluster processes (a lone server keeps Skia out of its HTTP process). */
let inlineStock: InlineStock | null = null;

/** Image layers and imported fonts live with the render workers; designs using them are drawn there. */
function drawableHere(design: Design): boolean {
  if (design.background.some((l) => l.type === 'image')) return false;
  const fonts = fontRegistry();
  return !design.text || design.text.fonts.every((f) => fonts.has(f));
}

function renderHere(core: typeof import('../core/render.ts'), design: Design): RenderOutput {
  const img = core.renderImage(design);
  return { bytes: img.bytes, mime: img.mime, width: img.width, height: img.height, seed: img.seed, deterministic: img.deterministic, answer: img.challenge?.answer ?? null };
}

/** A URL whose version (`?v=`) is the design's current one never changes content: browsers may keep it for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Content that can change under the same URL: browsers revalidate (a 304 by ETag, no render) on every use. */
const REVALIDATE = 'no-cache';

/**
 * Serves an image. Deterministic designs get a strong ETag derived from the
 * design itself (so a 304 needs no render) and come from the LRU when they can;
 * `cacheControl` is their caching (random ones are never cached).
 */
async function serveImage(req: IncomingMessage, res: ServerResponse, app: ServerState, design: Design, cacheControl = `public, max-age=${app.maxAge}`): Promise<void> {
  if (!isDeterministic(design)) {
    const out = await render(app, res, design, RENDER_BUDGETS.design);
    res.writeHead(200, { 'Content-Type': out.mime, 'Content-Length': out.bytes.length, 'Cache-Control': 'no-store' });
    res.end(out.bytes);
    return;
  }
  const key = canonicalDesign(design);
  const etag = `"${createHash('sha256').update(key).digest('base64url').slice(0, 27)}"`;
  const headers = { ETag: etag, 'Cache-Control': cacheControl };
  const inm = req.headers['if-none-match'];
  if (inm && inm.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  let hit = app.cache.get(key);
  if (!hit) {
    const out = await render(app, res, design, RENDER_BUDGETS.design);
    hit = { bytes: out.bytes, mime: out.mime, etag };
    app.cache.set(key, hit);
  }
  res.writeHead(200, { ...headers, 'Content-Type': hit.mime, 'Content-Length': hit.bytes.length });
  res.end(hit.bytes); // Node sends no body for HEAD by itself
}

/**
 * Renders a fresh captcha and seals its answer into the id; the caller decides how
 * to reply. Whatever seed the design carries, an issued captcha gets fresh layout
 * randomness and a CSPRNG answer: a fixed seed would issue one image and one
 * answer again and again.
 */
async function issueCaptcha(app: ServerState, res: ServerResponse, design: Design): Promise<{ out: RenderOutput; id: string; expiresAt: number }> {
  if (!isCaptcha(design)) throw new InputError('design', 'is not a captcha (it has no random or math text)');
  // A store that could not verify it (Redis down) refuses before a stocked image is spent: 503.
  app.store.checkIssuable();
  // Random captchas come from a batch-rendered stock of never-served images.
  const out = await render(app, res, unseeded(design), RENDER_BUDGETS.captcha, true);
  const { id, expiresAt } = app.store.issue(out.answer ?? '');
  // The id cannot give its answer back: /captcha.wav speaks it from here.
  if (out.answer) app.audio.remember(id, out.answer, expiresAt);
  return { out, id, expiresAt };
}

/**
 * The design without its seed, one object per design object: the memoised
 * canonical form and cost estimate then serve every request for the same URL.
 */
const unseededMemo = new WeakMap<Design, Design>();
function unseeded(design: Design): Design {
  let fresh = unseededMemo.get(design);
  if (!fresh) {
    const { seed: _fixed, ...rest } = design;
    fresh = rest;
    unseededMemo.set(design, fresh);
  }
  return fresh;
}

function captchaHeaders(app: ServerState, id: string, answer: string | null): string[] {
  const h = [
    'X-Captcha-Id',
    id,
    // HttpOnly: page scripts never see it; SameSite=Lax: other sites' requests do not carry it.
    'Set-Cookie',
    `${app.cookieName()}=${id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${Math.ceil(app.store.ttlMs / 1000)}`,
    'Cache-Control',
    'no-store',
  ];
  if (app.exposeAnswers && answer !== null) h.push('X-Captcha-Answer', encodeURIComponent(answer), 'Access-Control-Expose-Headers', 'X-Captcha-Id, X-Captcha-Answer');
  else h.push('Access-Control-Expose-Headers', 'X-Captcha-Id');
  return h;
}

/**
 * The design an issuing route serves: the operator's (the route's own, or a
 * saved design named by them) exactly, unless the URL carries the operator's
 * signature. A visitor's override would let them choose the answer (chars,
 * length, seed) or weaken it (no noise, a weaker design), so any unsigned one
 * is refused, naming it. Cache busters (_=...) are ignored as elsewhere.
 */
function issuingDesign(app: ServerState, fallback: string, path: string, q: URLSearchParams, bodyFields: string[] = []): Design {
  // The common case, a plain <img src="/get_validCode_img">: nothing to check or copy.
  if (q.size === 0 && bodyFields.length === 0) return designFor(app, fallback, q);
  const isSigned = verifySignature(app.secret, path, q);
  const unsigned = isSigned ? bodyFields : [...[...q.keys()].filter((k) => k !== 'sig' && !k.startsWith('_')), ...bodyFields];
  if (unsigned.length) {
    const k = unsigned[0];
    throw new InputError(k, `an issued captcha is exactly the operator's design; variants need a URL signed with the server's secret (sig=, see "Signed URLs" in the README)${bodyFields.includes(k) ? ', not fields in the body' : ''}`, { kind: 'forbidden' });
  }
  if (q.has('seed')) throw new InputError('seed', 'issued captchas always get fresh randomness and a CSPRNG answer; fixed seeds are for /designs/ and exports');
  const query = new URLSearchParams([...q].filter(([k]) => k !== 'sig' && k !== 'expires'));
  return designFor(app, single(query, 'design') ?? fallback, query);
}

async function captchaImage(res: ServerResponse, app: ServerState, design: Design): Promise<void> {
  const { out, id } = await issueCaptcha(app, res, design);
  // A flat header list: Node writes it as it stands (an object is spread and walked key by key).
  res.writeHead(200, [...captchaHeaders(app, id, out.answer), 'Content-Type', out.mime, 'Content-Length', String(out.bytes.length)]);
  res.end(out.bytes);
}

/**
 * Validated designs per (preset, query), so a page requesting the same image URL
 * again skips cloning and schema validation. Presets never change while running;
 * saved designs can, so they always take the full path.
 */
// A bounded memo, not an LRU: it is on every image and captcha request (see core/memo.ts).
const presetQueryMemo = new BoundedMemo<string, Design>(2000);

function designFor(app: ServerState, name: string, q: URLSearchParams, opts: { field?: string; format?: ImageFormat } = {}): Design {
  const key = app.designs.isPreset(name) ? `${name}.${opts.format ?? ''}?${q}` : null;
  const hit = key ? presetQueryMemo.get(key) : undefined;
  if (hit) return hit;
  const design = withQuery(app.designs.get(name, opts.field), q, opts.format);
  if (key) presetQueryMemo.set(key, design);
  return design;
}

function withQuery(base: Design, q: URLSearchParams, format?: ImageFormat): Design {
  return applyQuery(format ? { ...base, output: { ...base.output, format } } : base, q);
}


/** A built-in preset is fixed while the server runs; a saved or published design can change under its name. */
const image = (fallback: string): Handler<ServerState> => (c) => {
  const name = single(c.query, 'design') ?? fallback;
  const design = designFor(c.app, name, c.query);
  return serveImage(c.req, c.res, c.app, design, c.app.designs.isPreset(name) ? undefined : REVALIDATE);
};

/** An issuing route: the operator's design, with a fresh answer each time. */
const captcha = (fallback?: string): Handler<ServerState> => (c) => captchaImage(c.res, c.app, issuingDesign(c.app, fallback ?? c.app.captchaDesign, c.url.pathname, c.query));

/** seed 000's view took only width and height; anything else is refused like any bad query. */
const genback: Handler<ServerState> = (c) => {
  if (c.query.has('design')) throw new InputError('design', 'this route always serves seed-000-background; use /background.png?design=');
  return serveImage(c.req, c.res, c.app, designFor(c.app, 'seed-000-background', c.query));
};

/** Browsers ask for it on every page; an empty answer keeps the log and console clean. */
const favicon: Handler<ServerState> = (c) => void (c.res.writeHead(204, { 'Cache-Control': 'public, max-age=86400' }), c.res.end());

/** 503 while the pool is saturated, or the used-id set is full or unreachable, so a load balancer stops sending work here. */
const healthz: Handler<ServerState> = async ({ res, app }) => {
  const pool = app.pool.stats();
  // Also 503 while the answer store cannot answer (Redis unreachable): captchas would be 503 too.
  const store = await app.store.health();
  const ok = !pool.saturated && !store.full && store.available;
  const storeState = { store: store.kind, storeAvailable: store.available, ...(store.error ? { storeError: store.error } : {}) };
  sendJson(res, ok ? 200 : 503, { ok, saturated: pool.saturated, workers: pool.workers, busy: pool.busy, queued: pool.queued, oldestWaitMs: pool.oldestWaitMs, load: app.pool.load, captchas: store.used, captchaStoreFull: store.full, ...storeState, cached: app.cache.size });
};

/**
 * A named design. `?v=` pins its content (the studio's snippets carry it): the
 * current version is cached for good, and any other answers the current design
 * uncached, so a page with an old snippet shows the latest design rather than a
 * broken image; `X-Design-Version` says which version was served.
 */
const designImage: Handler<ServerState> = (c) => {
  if (c.query.has('format')) throw new InputError('format', 'is set by the file extension (.png, .jpg, .webp)');
  const name = decodeOr(c.params.name);
  const asked = c.query.getAll('v');
  let query = c.query;
  if (asked.length) {
    if (asked.length > 1) throw new InputError('v', 'must be given once');
    if (!DESIGN_VERSION.test(asked[0])) throw new InputError('v', "must be a design version: 12 hex digits, as the studio's snippets give it");
    query = new URLSearchParams(query);
    query.delete('v');
  }
  const format = EXT_FORMAT[c.params.ext];
  const found = c.app.designs.lookup(name, 'name');
  const { version, stored } = found;
  // The design the version was taken from, not a second look-up a file could change in between.
  const design = stored === 'preset' ? designFor(c.app, name, query, { field: 'name', format }) : withQuery(found.design, query, format);
  c.res.setHeader('X-Design-Version', version);
  const cacheControl = asked.length ? (asked[0] === version ? IMMUTABLE : REVALIDATE) : stored === 'preset' ? undefined : REVALIDATE;
  return serveImage(c.req, c.res, c.app, design, cacheControl);
};

const issueJson: Handler<ServerState> = async ({ req, res, url, app }) => {
  const fields = await readFields(req);
  const design = issuingDesign(app, app.captchaDesign, url.pathname, url.searchParams, Object.keys(fields));
  const { out, id, expiresAt } = await issueCaptcha(app, res, design);
  const body: Record<string, unknown> = { id, image: `data:${out.mime};base64,${out.bytes.toString('base64')}`, expiresAt: new Date(expiresAt).toISOString(), width: out.width, height: out.height };
  if (app.exposeAnswers) body.answer = out.answer;
  const headers = captchaHeaders(app, id, out.answer);
  sendJson(res, 200, body, Object.fromEntries(headers.flatMap((v, i) => (i % 2 ? [] : [[v, headers[i + 1]]]))));
};

const verify: Handler<ServerState> = async ({ req, res, app }) => {
  const fields = await readFields(req);
  const id = fields.id ?? cookie(req, app.cookieName());
  const answer = fields.answer;
  if (id !== undefined && typeof id !== 'string') throw new InputError('id', 'must be a string');
  if (answer !== undefined && typeof answer !== 'string') throw new InputError('answer', 'must be a string');
  // Unknown ids and empty answers are simply not valid (and consume the id).
  // A store that cannot tell (Redis down) throws: 503, never valid.
  const owner = issuerOf(app, id);
  const to = sibling(app, owner);
  // An answer no normalisation could make valid is relayed as '' (still consuming the id): a
  // megabyte body is not copied through the primary twice.
  const relayed = answer !== undefined && answer.length <= MAX_ANSWER_LENGTH * 4 ? answer : '';
  const valid = to === null ? await verifyHere(app, id, answer ?? '', owner) : await app.cluster!.call<boolean>(to, 'verify', { id, answer: relayed });
  sendJson(res, 200, { valid });
};

/** `owner`: issuerOf(app, id), when the caller has it already (opening an id costs an HMAC). */
async function verifyHere(app: ServerState, id: unknown, answer: string, owner = issuerOf(app, id)): Promise<boolean> {
  // In a cluster with the memory store, only ids this very process issued have a used
  // state: one a dead predecessor issued (same index, older generation) could have been
  // used already, and so could one from outside the cluster. Refused, never replayed.
  if (app.cluster && app.store.kind === 'memory' && !issuedHere(app, owner)) {
    app.audio.forget(id);
    return false;
  }
  const valid = await app.store.verify(id, answer);
  app.audio.forget(id);
  return valid;
}

function issuedHere(app: ServerState, owner: IdOwner | null): boolean {
  const role = app.cluster!.role;
  return owner !== null && owner.index === role.index && owner.generation === role.generation;
}

/**
 * In a cluster, the sibling process that issued an id (`owner`, from issuerOf); null when it is
 * this process's, not authentic, or from no process of this cluster: a server sharing the
 * secret but not the cluster (a lone server, or a cluster of another size, sharing Redis)
 * writes another first nonce byte. Those stay here: verifyHere checks them against Redis,
 * or refuses them with the memory store.
 */
function sibling(app: ServerState, owner: IdOwner | null): number | null {
  if (!app.cluster || owner === null) return null;
  return owner.index === app.cluster.index || owner.index >= app.cluster.role.count ? null : owner.index;
}

/** In a cluster, which process issued an authentic id (store.ownerOf); null outside a cluster, where no one asks. */
function issuerOf(app: ServerState, id: unknown): IdOwner | null {
  return app.cluster ? app.store.ownerOf(id) : null;
}

function playHere(app: ServerState, id: unknown): Buffer {
  return app.audio.play(id, { caseSensitive: storeIsCaseSensitive(app.store) });
}

/**
 * One of `serve --processes N`'s processes: answers its siblings' relayed verifies
 * and audio requests for the ids it issued, and loads the core to draw captchas.
 */
export async function joinCluster(app: ServerState): Promise<void> {
  const link = app.cluster!;
  link.handle<{ id: unknown; answer: string }, boolean>('verify', ({ id, answer }) => verifyHere(app, id, typeof answer === 'string' ? answer : ''));
  link.handle<{ id: unknown }, Buffer>('wav', ({ id }) => playHere(app, id));
  if (!inlineStock) {
    const core = await import('../core/render.ts');
    inlineStock ??= new InlineStock((design) => renderHere(core, design), INLINE_CAPTCHA_UNITS);
  }
  fontRegistry(); // loaded now, not by the first captcha's request
}

/**
 * The issued captcha's answer spoken (?id=, else the captcha cookie), without
 * consuming it: a few plays per id, one 404 for every id that has no audio.
 */
const captchaWav: Handler<ServerState> = async ({ req, res, query, app }) => {
  const id = single(query, 'id') ?? cookie(req, app.cookieName());
  const owner = sibling(app, issuerOf(app, id));
  // Relayed, it arrives as a Uint8Array (the cluster's `advanced` serialization).
  const wav = owner === null ? playHere(app, id) : Buffer.from(await app.cluster!.call<Uint8Array>(owner, 'wav', { id }));
  res.writeHead(200, { 'Content-Type': 'audio/wav', 'Content-Length': wav.length, 'Cache-Control': 'no-store' });
  res.end(wav);
};

/** A design-time route (the caller sends the design): behind the studio guard where it is mounted. */
const renderPosted: Handler<ServerState> = async ({ req, res, query, app }) => {
  let design = parseUntrustedDesign(await readFields(req));
  const seed = single(query, 'seed');
  if (seed !== undefined) design = { ...design, seed: checkSeed(/^\d+$/.test(seed) ? Number(seed) : NaN)! };
  const out = await render(app, res, design, RENDER_BUDGETS.design);
  const headers: Record<string, string> = { 'Content-Type': out.mime, 'Cache-Control': 'no-store', 'X-Seed': String(out.seed) };
  if (out.answer !== null) headers['X-Captcha-Answer'] = encodeURIComponent(out.answer); // the caller sent the design: nothing secret
  res.writeHead(200, { ...headers, 'Content-Length': out.bytes.length });
  res.end(out.bytes);
};

/** Everything but web mode. The captcha and image routes are literal paths: one Map lookup each. */
export function publicRoutes(): Router<ServerState> {
  const r = new Router<ServerState>()
    // The designer is linked where a visitor could open it: web mode on, and not a production request.
    .get('/', (c) => html(c.res, indexPage(c.app.origin(), c.app.designs.list(), { studio: c.app.studio !== null && !c.app.access.isProduction(c.req) })))
    .get('/favicon.ico', favicon)
    .get('/healthz', healthz)
    .get('/background.png', image('seed-000-background'))
    .get('/captcha.png', captcha())
    .get('/captcha.wav', captchaWav)
    .get('/designs/:name{[^/]+}.:ext{png|jpg|webp}', designImage)
    .post('/api/captcha', issueJson)
    .post('/api/captcha/verify', verify)
    .get('/api/designs', (c) => sendJson(c.res, 200, { designs: c.app.designs.list() }))
    .get('/api/fonts', (c) => sendJson(c.res, 200, { fonts: fontRegistry().list().map(publicFont) }))
    .post('/api/render', studioAccess, renderPosted)
    .get('/examples/:name{seed-000|seed-002}.html', (c) => html(c.res, examplePage(c.params.name)))
    // Seed 002's page links Bootstrap 3.3.7 from its own site: a small stand-in, not a JSON 404.
    .get(BOOTSTRAP_PATH, ({ res }) => {
      const css = BOOTSTRAP_STAND_IN;
      res.writeHead(200, { 'Content-Type': 'text/css; charset=utf-8', 'Content-Length': css.length, 'Cache-Control': 'public, max-age=86400' });
      res.end(css);
    });
  // The seeds' own URLs, with and without the trailing slash their pages used.
  const validCode = captcha('seed-002-captcha');
  for (const slash of ['', '/']) r.get(`/utils/genback${slash}`, genback).get(`/get_validCode_img${slash}`, validCode);
  return r;
}

function html(res: ServerResponse, body: string): void {
  const data = Buffer.from(body);
  res.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': data.length,
    'Cache-Control': 'no-store',
    // The pages are ours; inline scripts are only the seeds' own snippets.
    'Content-Security-Policy': "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  });
  res.end(data);
}
