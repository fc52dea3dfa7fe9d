/** The HTTP routes. Everything here answers JSON errors naming the field; nothing blocks on rendering. */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { canonicalDesign, isDeterministic, parseUntrustedDesign, type Design, type ImageFormat } from '../core/design.ts';
import { fontRegistry } from '../core/fonts.ts';
import { MAX_SEED } from '../core/random.ts';
import type { ImageCache } from '../render/image-cache.ts';
import { PoolBusyError, type RenderPool } from '../render/pool.ts';
import type { RenderOutput } from '../render/protocol.ts';
import type { CaptchaSupply } from '../render/captcha-supply.ts';
import type { CaptchaStore } from './captcha-store.ts';
import type { DesignSource } from './design-source.ts';
import { cookie, decodeOr, HttpError, readFields, sendJson } from './http-util.ts';
import { examplePage, indexPage } from './pages.ts';
import { applyQuery, single } from './query.ts';
import { requireStudioAccess, STUDIO_ROUTES, type StudioWeb } from './studio-routes.ts';
import type { ServerStatus } from '../api.ts';

export interface RouteContext {
  pool: RenderPool;
  supply: CaptchaSupply;
  cache: ImageCache;
  store: CaptchaStore;
  designs: DesignSource;
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
const EXT_FORMAT: Record<string, ImageFormat> = { png: 'png', jpg: 'jpeg', webp: 'webp' };

async function render(ctx: RouteContext, design: Design, fromSupply = false): Promise<RenderOutput> {
  try {
    return await (fromSupply ? ctx.supply.take(design) : ctx.pool.render(design));
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
    const out = await render(ctx, design);
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
    const out = await render(ctx, design);
    hit = { bytes: out.bytes, mime: out.mime, etag };
    ctx.cache.set(key, hit);
  }
  res.writeHead(200, { ...headers, 'Content-Type': hit.mime, 'Content-Length': hit.bytes.length });
  res.end(hit.bytes); // Node sends no body for HEAD by itself
}

/** Renders a fresh captcha and remembers its answer; the caller decides how to reply. */
async function issueCaptcha(ctx: RouteContext, design: Design): Promise<{ out: RenderOutput; id: string; expiresAt: number }> {
  if (!design.text || design.text.mode === 'fixed') throw new HttpError(400, 'design: is not a captcha (it has no random or math text)', 'design');
  // Random captchas come from a batch-rendered stock; a seeded one is rendered as asked.
  const out = await render(ctx, design, !isDeterministic(design));
  const { id, expiresAt } = ctx.store.issue(out.answer ?? '');
  return { out, id, expiresAt };
}

function captchaHeaders(ctx: RouteContext, id: string, answer: string | null): Record<string, string> {
  const h: Record<string, string> = {
    'X-Captcha-Id': id,
    // HttpOnly: page scripts never see it; SameSite=Lax: other sites' requests do not carry it.
    'Set-Cookie': `${CAPTCHA_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${Math.ceil(ctx.store.ttlMs / 1000)}`,
    'Cache-Control': 'no-store',
    'Access-Control-Expose-Headers': 'X-Captcha-Id',
  };
  if (ctx.exposeAnswers && answer !== null) {
    h['X-Captcha-Answer'] = encodeURIComponent(answer);
    h['Access-Control-Expose-Headers'] += ', X-Captcha-Answer';
  }
  return h;
}

async function captchaImage(res: ServerResponse, ctx: RouteContext, design: Design): Promise<void> {
  const { out, id } = await issueCaptcha(ctx, design);
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

const image = (fallback: string, opts: { captcha?: boolean } = {}): Handler => async (req, res, url, ctx) => {
  const design = designFor(ctx, single(url.searchParams, 'design') ?? fallback, url.searchParams);
  if (opts.captcha) await captchaImage(res, ctx, design);
  else await serveImage(req, res, ctx, design);
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
  { pattern: /^\/healthz$/, methods: { GET: (_q, res, _u, ctx) => sendJson(res, 200, { ok: true, workers: ctx.pool.size, load: ctx.pool.load, captchas: ctx.store.size, cached: ctx.cache.size }) } },
  { pattern: /^\/background\.png$/, methods: { GET: image('seed-000-background') } },
  { pattern: /^\/utils\/genback\/?$/, methods: { GET: genback } },
  { pattern: /^\/captcha\.png$/, methods: { GET: image('classic-captcha', { captcha: true }) } },
  { pattern: /^\/get_validCode_img\/?$/, methods: { GET: image('seed-002-captcha', { captcha: true }) } },
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
        const q = new URLSearchParams(url.searchParams);
        for (const [k, v] of Object.entries(fields)) {
          if (typeof v !== 'string' && typeof v !== 'number') throw new HttpError(400, `${k}: must be a string or a number`, k);
          q.append(k, String(v));
        }
        const design = designFor(ctx, single(q, 'design') ?? 'classic-captcha', q);
        const { out, id, expiresAt } = await issueCaptcha(ctx, design);
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
        const id = fields.id ?? cookie(req, CAPTCHA_COOKIE);
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
        const out = await render(ctx, design);
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
