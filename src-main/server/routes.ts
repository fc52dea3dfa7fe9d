/** The HTTP routes. Everything here answers JSON errors naming the field; nothing blocks on rendering. */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { canonicalDesign, isDeterministic, parseUntrustedDesign, type Design, type ImageFormat } from '../core/design.ts';
import { fontRegistry } from '../core/fonts.ts';
import { MAX_SEED } from '../core/random.ts';
import { checkBudget, RENDER_BUDGETS } from '../core/cost.ts';
import type { ImageCache } from './image-cache.ts';
import { PoolBusyError, type RenderPool } from '../render/pool.ts';
import type { RenderOutput } from '../render/protocol.ts';
import type { CaptchaSupply } from './captcha-supply.ts';
import type { AnswerStore } from './captcha-store.ts';
import type { DesignSource } from './design-source.ts';
import { cookie, decodeOr, HttpError, readFields, sendJson } from './http-util.ts';
import { verifySignature } from './signing.ts';
import { examplePage, indexPage } from './pages.ts';
import { applyQuery, single } from './query.ts';
import { requireStudioAccess, STUDIO_ROUTES, type StudioWeb } from './studio-routes.ts';
import type { ServerStatus } from '../api.ts';

export interface RouteContext {
  pool: RenderPool;
  supply: CaptchaSupply;
  cache: ImageCache;
  store: AnswerStore;
  designs: DesignSource;
  /** What /captcha.png and POST /api/captcha issue unless a signed URL names another design. */
  captchaDesign: string;
  /** Signs the URLs of issuing-route variants (and seals captcha ids). */
  secret: string;
  /** The captcha cookie's name carries the port: browsers share cookies across ports of a host. */
  cookieName: () => string;
  exposeAnswers: boolean;
  /** Seconds a seeded image may be cached by browsers. */
  maxAge: number;
  origin: () => string;
  /** Web mode (the UI at /studio/ and /api/studio/); null when turned off. */
  studio: StudioWeb | null;
  status: () => ServerStatus;
  version: string;
}

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
async function render(ctx: RouteContext, res: ServerResponse, design: Design, budget: number, fromSupply = false): Promise<RenderOutput> {
  checkBudget(design, budget);
  try {
    if (fromSupply) {
      // The hot path: a plain 'close' listener, not an AbortSignal (see CaptchaSupply.request).
      const { result, cancel, waiting } = ctx.supply.request(design);
      if (waiting) res.once('close', () => res.writableFinished || cancel());
      return await result;
    }
    return await ctx.pool.render(design, { signal: hangup(res) });
  } catch (e) {
    if (e instanceof PoolBusyError) throw new HttpError(503, 'busy: the render queue is full, retry shortly', undefined, { 'Retry-After': String(e.retryAfterSeconds) });
    throw e;
  }
}

/**
 * Serves an image. Deterministic designs get a strong ETag derived from the
 * design itself (so a 304 needs no render) and come from the LRU when they can.
 */
async function serveImage(req: IncomingMessage, res: ServerResponse, ctx: RouteContext, design: Design): Promise<void> {
  if (!isDeterministic(design)) {
    const out = await render(ctx, res, design, RENDER_BUDGETS.design);
    res.writeHead(200, { 'Content-Type': out.mime, 'Content-Length': out.bytes.length, 'Cache-Control': 'no-store' });
    res.end(out.bytes);
    return;
  }
  const key = canonicalDesign(design);
  const etag = `"${createHash('sha256').update(key).digest('base64url').slice(0, 27)}"`;
  const headers = { ETag: etag, 'Cache-Control': `public, max-age=${ctx.maxAge}` };
  const inm = req.headers['if-none-match'];
  if (inm && inm.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  let hit = ctx.cache.get(key);
  if (!hit) {
    const out = await render(ctx, res, design, RENDER_BUDGETS.design);
    hit = { bytes: out.bytes, mime: out.mime, etag };
    ctx.cache.set(key, hit);
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
async function issueCaptcha(ctx: RouteContext, res: ServerResponse, design: Design): Promise<{ out: RenderOutput; id: string; expiresAt: number }> {
  if (!design.text || design.text.mode === 'fixed') throw new HttpError(400, 'design: is not a captcha (it has no random or math text)', 'design');
  // Random captchas come from a batch-rendered stock of never-served images.
  const out = await render(ctx, res, unseeded(design), RENDER_BUDGETS.captcha, true);
  const { id, expiresAt } = ctx.store.issue(out.answer ?? '');
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

function captchaHeaders(ctx: RouteContext, id: string, answer: string | null): Record<string, string> {
  const h: Record<string, string> = {
    'X-Captcha-Id': id,
    // HttpOnly: page scripts never see it; SameSite=Lax: other sites' requests do not carry it.
    'Set-Cookie': `${ctx.cookieName()}=${id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${Math.ceil(ctx.store.ttlMs / 1000)}`,
    'Cache-Control': 'no-store',
    'Access-Control-Expose-Headers': 'X-Captcha-Id',
  };
  if (ctx.exposeAnswers && answer !== null) {
    h['X-Captcha-Answer'] = encodeURIComponent(answer);
    h['Access-Control-Expose-Headers'] += ', X-Captcha-Answer';
  }
  return h;
}

/**
 * The design an issuing route serves: the operator's (the route's own, or a
 * saved design named by them) exactly, unless the URL carries the operator's
 * signature. A visitor's override would let them choose the answer (chars,
 * length, seed) or weaken it (no noise, a weaker design), so any unsigned one
 * is refused, naming it. Cache busters (_=...) are ignored as elsewhere.
 */
function issuingDesign(ctx: RouteContext, fallback: string, path: string, q: URLSearchParams, bodyFields: string[] = []): Design {
  // The common case, a plain <img src="/get_validCode_img">: nothing to check or copy.
  if (q.size === 0 && bodyFields.length === 0) return designFor(ctx, fallback, q);
  const isSigned = verifySignature(ctx.secret, path, q);
  const unsigned = isSigned ? bodyFields : [...[...q.keys()].filter((k) => k !== 'sig' && !k.startsWith('_')), ...bodyFields];
  if (unsigned.length) {
    const k = unsigned[0];
    throw new HttpError(403, `${k}: an issued captcha is exactly the operator's design; variants need a URL signed with the server's secret (sig=, see "Signed URLs" in the README)${bodyFields.includes(k) ? ', not fields in the body' : ''}`, k);
  }
  if (q.has('seed')) throw new HttpError(400, 'seed: issued captchas always get fresh randomness and a CSPRNG answer; fixed seeds are for /designs/ and exports', 'seed');
  const query = new URLSearchParams([...q].filter(([k]) => k !== 'sig' && k !== 'expires'));
  return designFor(ctx, single(query, 'design') ?? fallback, query);
}

async function captchaImage(res: ServerResponse, ctx: RouteContext, design: Design): Promise<void> {
  const { out, id } = await issueCaptcha(ctx, res, design);
  res.writeHead(200, { ...captchaHeaders(ctx, id, out.answer), 'Content-Type': out.mime, 'Content-Length': out.bytes.length });
  res.end(out.bytes);
}

/**
 * Validated designs per (preset, query), so a page requesting the same image URL
 * again skips cloning and schema validation. Presets never change while running;
 * saved designs can, so they always take the full path.
 */
const presetQueryMemo = new Map<string, Design>();
const MEMO_MAX = 2000;

function designFor(ctx: RouteContext, name: string, q: URLSearchParams, opts: { field?: string; format?: ImageFormat } = {}): Design {
  const key = ctx.designs.isPreset(name) ? `${name}.${opts.format ?? ''}?${q}` : null;
  const hit = key ? presetQueryMemo.get(key) : undefined;
  if (hit) return hit;
  let base = ctx.designs.get(name, opts.field);
  if (opts.format) base = { ...base, output: { ...base.output, format: opts.format } };
  const design = applyQuery(base, q);
  if (key) {
    if (presetQueryMemo.size >= MEMO_MAX) presetQueryMemo.delete(presetQueryMemo.keys().next().value!);
    presetQueryMemo.set(key, design);
  }
  return design;
}


export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL, ctx: RouteContext, params: string[]) => Promise<void> | void;
export interface Route {
  pattern: RegExp;
  methods: Record<string, Handler>;
}

const image = (fallback: string): Handler => async (req, res, url, ctx) => {
  await serveImage(req, res, ctx, designFor(ctx, single(url.searchParams, 'design') ?? fallback, url.searchParams));
};

/** An issuing route: the operator's design, with a fresh answer each time. */
const captcha = (fallback?: string): Handler => async (_req, res, url, ctx) => {
  await captchaImage(res, ctx, issuingDesign(ctx, fallback ?? ctx.captchaDesign, url.pathname, url.searchParams));
};

/** seed 000's view took only width and height; anything else is refused like any bad query. */
const genback: Handler = async (req, res, url, ctx) => {
  if (url.searchParams.has('design')) throw new HttpError(400, 'design: this route always serves seed-000-background; use /background.png?design=', 'design');
  const design = designFor(ctx, 'seed-000-background', url.searchParams);
  await serveImage(req, res, ctx, design);
};

const ROUTES: Route[] = [
  { pattern: /^\/$/, methods: { GET: (_q, res, _u, ctx) => html(res, indexPage(ctx.origin(), ctx.designs.list())) } },
  // Browsers ask for it on every page; an empty answer keeps the log and console clean.
  { pattern: /^\/favicon\.ico$/, methods: { GET: (_q, res) => void (res.writeHead(204, { 'Cache-Control': 'public, max-age=86400' }), res.end()) } },
  {
    pattern: /^\/healthz$/,
    methods: {
      // 503 while the pool is saturated or the used-id set is full, so a load balancer stops sending work here.
      GET: (_q, res, _u, ctx) => {
        const pool = ctx.pool.stats();
        const ok = !pool.saturated && !ctx.store.full;
        sendJson(res, ok ? 200 : 503, { ok, saturated: pool.saturated, workers: pool.workers, busy: pool.busy, queued: pool.queued, oldestWaitMs: pool.oldestWaitMs, load: ctx.pool.load, captchas: ctx.store.size, captchaStoreFull: ctx.store.full, cached: ctx.cache.size });
      },
    },
  },
  { pattern: /^\/background\.png$/, methods: { GET: image('seed-000-background') } },
  { pattern: /^\/utils\/genback\/?$/, methods: { GET: genback } },
  { pattern: /^\/captcha\.png$/, methods: { GET: captcha() } },
  { pattern: /^\/get_validCode_img\/?$/, methods: { GET: captcha('seed-002-captcha') } },
  {
    pattern: /^\/designs\/([^/]+)\.(png|jpg|webp)$/,
    methods: {
      GET: async (req, res, url, ctx, [name, ext]) => {
        if (url.searchParams.has('format')) throw new HttpError(400, 'format: is set by the file extension (.png, .jpg, .webp)', 'format');
        const design = designFor(ctx, decodeOr(name), url.searchParams, { field: 'name', format: EXT_FORMAT[ext] });
        await serveImage(req, res, ctx, design);
      },
    },
  },
  {
    pattern: /^\/api\/captcha$/,
    methods: {
      POST: async (req, res, url, ctx) => {
        const fields = await readFields(req);
        const design = issuingDesign(ctx, ctx.captchaDesign, url.pathname, url.searchParams, Object.keys(fields));
        const { out, id, expiresAt } = await issueCaptcha(ctx, res, design);
        const body: Record<string, unknown> = { id, image: `data:${out.mime};base64,${out.bytes.toString('base64')}`, expiresAt: new Date(expiresAt).toISOString(), width: out.width, height: out.height };
        if (ctx.exposeAnswers) body.answer = out.answer;
        sendJson(res, 200, body, captchaHeaders(ctx, id, out.answer));
      },
    },
  },
  {
    pattern: /^\/api\/captcha\/verify$/,
    methods: {
      POST: async (req, res, _u, ctx) => {
        const fields = await readFields(req);
        const id = fields.id ?? cookie(req, ctx.cookieName());
        const answer = fields.answer;
        if (id !== undefined && typeof id !== 'string') throw new HttpError(400, 'id: must be a string', 'id');
        if (answer !== undefined && typeof answer !== 'string') throw new HttpError(400, 'answer: must be a string', 'answer');
        // Unknown ids and empty answers are simply not valid (and consume the id).
        const valid = ctx.store.verify(id, answer ?? '');
        sendJson(res, 200, { valid });
      },
    },
  },
  { pattern: /^\/api\/designs$/, methods: { GET: (_q, res, _u, ctx) => sendJson(res, 200, { designs: ctx.designs.list() }) } },
  { pattern: /^\/api\/fonts$/, methods: { GET: (_q, res) => sendJson(res, 200, { fonts: fontRegistry().list().map(({ file, ...f }) => ({ ...f, file: file.split(/[\\/]/).pop() })) }) } },
  {
    pattern: /^\/api\/render$/,
    methods: {
      POST: async (req, res, url, ctx) => {
        requireStudioAccess(req, ctx); // a design-time route: off or token-only on a production server
        let design = parseUntrustedDesign(await readFields(req));
        const seed = single(url.searchParams, 'seed');
        if (seed !== undefined) {
          const n = Number(seed);
          if (!/^\d+$/.test(seed) || n > MAX_SEED) throw new HttpError(400, `seed: must be a whole number from 0 to ${MAX_SEED}`, 'seed');
          design = { ...design, seed: n };
        }
        const out = await render(ctx, res, design, RENDER_BUDGETS.design);
        const headers: Record<string, string> = { 'Content-Type': out.mime, 'Cache-Control': 'no-store', 'X-Seed': String(out.seed) };
        if (out.answer !== null) headers['X-Captcha-Answer'] = encodeURIComponent(out.answer); // the caller sent the design: nothing secret
        res.writeHead(200, { ...headers, 'Content-Length': out.bytes.length });
        res.end(out.bytes);
      },
    },
  },
  { pattern: /^\/examples\/(seed-000|seed-002)\.html$/, methods: { GET: (_q, res, _u, _c, [name]) => html(res, examplePage(name)) } },
  ...STUDIO_ROUTES,
];

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

/** Finds the route; 404 for unknown paths, 405 (with Allow) for a wrong method. */
export function route(method: string, path: string): { handler: Handler; params: string[] } {
  for (const r of ROUTES) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    const handler = r.methods[method] ?? (method === 'HEAD' ? r.methods.GET : undefined);
    if (!handler) throw new HttpError(405, `method: ${method} is not allowed here`, 'method', { Allow: [...Object.keys(r.methods), ...(r.methods.GET ? ['HEAD'] : [])].join(', ') });
    return { handler, params: m.slice(1) };
  }
  throw new HttpError(404, `path: nothing at ${path}`, 'path');
}
