/**
 * Web mode: the designer UI at /studio/ and the HTTP side of StudioApi under
 * /api/studio/. Mutating calls must be same-origin and carry a non-simple content
 * type, so a hostile page in the same browser cannot drive them (its request would
 * need a CORS preflight, which this server never grants for these routes).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { BatchProgress, RequestLogEntry } from '../api.ts';
import { DesignError, type Design } from '../core/design.ts';
import { DesignFileError, parseDesignText } from '../design-files.ts';
import { getPreset, listPresets } from '../core/presets.ts';
import { EXTENSION } from '../core/render.ts';
import { BatchCancelled, checkBatchCount, renderBatch } from '../render/batch.ts';
import { checkSeed, MAX_FONT_BYTES, StudioInputError, type StudioService } from '../render/studio-service.ts';
import { decodeOr, HttpError, jsonObject, readBody, sendJson } from './http-util.ts';
import type { Handler, Route, RouteContext } from './routes.ts';
import { requireStudioAccess, studioLogin } from './access.ts';
import { LogStreams } from './log-streams.ts';
/** POST /api/render (routes.ts) is guarded the same way as the studio routes. */
export { requireStudioAccess } from './access.ts';
import { serveStatic } from './static-files.ts';
import { zip, type ZipEntry } from './zip.ts';

/** Designs may carry an image layer as a data URL (up to 16 MiB of text). */
const MAX_DESIGN_BODY = 24 * 1024 * 1024;
/** A web batch is held in memory until downloaded: bound it. */
const MAX_ZIP_BYTES = 512 * 1024 * 1024;
const MAX_JOBS = 4;
const JOB_TTL_MS = 10 * 60_000;

interface BatchJob {
  id: string;
  done: number;
  total: number;
  state: 'running' | 'done' | 'cancelled' | 'failed';
  error?: string;
  name: string;
  zip?: Buffer;
  controller: AbortController;
  finishedAt?: number;
}

/** Requests the studio UI makes itself: not shown in its own request log. */
export function isStudioTraffic(path: string): boolean {
  return path === '/studio' || path.startsWith('/studio/') || path.startsWith('/api/studio/');
}

/** Web-mode state kept by the server: batch jobs and request-log streams. */
export class StudioWeb {
  readonly jobs = new Map<string, BatchJob>();
  readonly streams = new LogStreams();

  constructor(
    readonly service: StudioService,
    readonly rendererDir: string | undefined,
  ) {}

  broadcast(entry: RequestLogEntry): void {
    if (!isStudioTraffic(entry.path)) this.streams.broadcast(entry);
  }

  /** Ends the event streams so a stopping server is not held open by them. */
  close(): void {
    this.streams.close();
    for (const j of this.jobs.values()) j.controller.abort();
  }

  prune(now = Date.now()): void {
    for (const [id, j] of this.jobs) if (j.finishedAt !== undefined && now - j.finishedAt > JOB_TTL_MS) this.jobs.delete(id);
  }
}

function studio(ctx: RouteContext): StudioWeb {
  if (!ctx.studio) throw new HttpError(404, 'path: web mode is turned off on this server', 'path');
  return ctx.studio;
}

/** Same-origin only (https too: behind a TLS proxy the page's origin is https), and a content type a cross-site form cannot send. */
function sameOrigin(req: IncomingMessage): void {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${req.headers.host}` && origin !== `https://${req.headers.host}`) throw new HttpError(403, 'origin: studio calls are accepted from this server\'s own pages only', 'origin');
}

function guard(req: IncomingMessage, types: string[]): void {
  sameOrigin(req);
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (!types.includes(type)) throw new HttpError(415, `content-type: must be ${types.join(' or ')}`, 'content-type');
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  guard(req, ['application/json']);
  return jsonObject(await readBody(req, MAX_DESIGN_BODY));
}

/** StudioInputError and RangeError (count) become 400s naming the field. */
async function inputErrors<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof StudioInputError) throw new HttpError(400, e.message, e.field);
    if (e instanceof RangeError && /^\w+:/.test(e.message)) throw new HttpError(400, e.message, e.message.split(':')[0]);
    throw e;
  }
}

function fileName(design: Design, ext: string): string {
  return `${design.name.replace(/[^\w.-]+/g, '-').replace(/^[.-]+/, '') || 'image'}.${ext}`;
}

function startBatch(web: StudioWeb, design: Design, count: number): BatchJob {
  web.prune();
  const running = [...web.jobs.values()].filter((j) => j.state === 'running').length;
  if (running >= MAX_JOBS) throw new HttpError(503, 'busy: too many batch exports are running, retry shortly', undefined, { 'Retry-After': '5' });
  while (web.jobs.size >= MAX_JOBS * 2) web.jobs.delete(web.jobs.keys().next().value!);
  const job: BatchJob = { id: randomUUID(), done: 0, total: count, state: 'running', name: `${fileName(design, 'zip').slice(0, -4)}-batch.zip`, controller: new AbortController() };
  web.jobs.set(job.id, job);
  const entries: ZipEntry[] = [];
  let size = 0;
  renderBatch(web.service.pool, design, count, (f) => {
    size += f.bytes.byteLength;
    if (size > MAX_ZIP_BYTES) throw new RangeError(`count: the images add up to more than ${MAX_ZIP_BYTES / 2 ** 20} MiB; export fewer or smaller images`);
    entries.push(f);
  }, { signal: job.controller.signal, onProgress: (done) => (job.done = done) }).then(
    () => {
      job.zip = zip(entries);
      job.state = 'done';
      job.finishedAt = Date.now();
    },
    (e: Error) => {
      job.state = e instanceof BatchCancelled ? 'cancelled' : 'failed';
      if (!(e instanceof BatchCancelled)) job.error = e instanceof DesignError || e instanceof RangeError ? e.message : `render failed: ${e.message}`;
      job.finishedAt = Date.now();
    },
  );
  return job;
}

function jobStatus(j: BatchJob): BatchProgress & { state: BatchJob['state']; error?: string; name: string } {
  return { id: j.id, done: j.done, total: j.total, state: j.state, error: j.error, name: j.name };
}

function getJob(ctx: RouteContext, id: string): BatchJob {
  const j = studio(ctx).jobs.get(id);
  if (!j) throw new HttpError(404, 'id: no such batch export (finished ones are kept for 10 minutes)', 'id');
  return j;
}

/**
 * Every studio route passes the access check once, here, before its handler: open on
 * loopback, the studio token on a production server (see access.ts). `/studio/…?token=`
 * exchanges the token for the studio cookie first.
 */
function gated(routes: Route[]): Route[] {
  return routes.map((r) => ({
    pattern: r.pattern,
    methods: Object.fromEntries(
      Object.entries(r.methods).map(([method, handler]): [string, Handler] => [
        method,
        (req, res, url, ctx, params) => {
          if (method === 'GET' && /^\/studio(\/|$)/.test(url.pathname) && studioLogin(req, res, url, ctx)) return;
          requireStudioAccess(req, ctx);
          return handler(req, res, url, ctx, params);
        },
      ]),
    ),
  }));
}

export const STUDIO_ROUTES: Route[] = gated([
  {
    pattern: /^\/studio$/,
    methods: { GET: (_q, res) => void (res.writeHead(301, { Location: '/studio/' }), res.end()) },
  },
  {
    pattern: /^\/studio\/(.*)$/,
    methods: { GET: (req, res, _u, ctx, [rest]) => serveStatic(req, res, studio(ctx).rendererDir, rest || 'index.html') },
  },
  {
    pattern: /^\/api\/studio\/info$/,
    methods: {
      // Same-origin only: eventsKey gives the studio page its own request-log slots.
      GET: (req, res, _u, ctx) => (sameOrigin(req), sendJson(res, 200, { mode: 'web', version: ctx.version, problems: studio(ctx).service.problems, eventsKey: studio(ctx).streams.key })),
    },
  },
  { pattern: /^\/api\/studio\/presets$/, methods: { GET: (_q, res, _u, ctx) => (studio(ctx), sendJson(res, 200, listPresets())) } },
  {
    pattern: /^\/api\/studio\/presets\/([\w-]{1,64})$/,
    methods: {
      GET: (_q, res, _u, ctx, [name]) => {
        studio(ctx);
        const d = getPreset(name);
        if (!d) throw new HttpError(404, `name: no preset called "${name}"`, 'name');
        sendJson(res, 200, d);
      },
    },
  },
  {
    pattern: /^\/api\/studio\/fonts$/,
    methods: {
      GET: (_q, res, _u, ctx) => sendJson(res, 200, studio(ctx).service.listFonts().map(({ file, ...f }) => ({ ...f, file: file.split(/[\\/]/).pop() }))),
      POST: async (req, res, _u, ctx) => {
        const web = studio(ctx);
        guard(req, ['application/octet-stream']);
        const name = decodeOr(String(req.headers['x-font-name'] ?? ''));
        const bytes = await readBody(req, MAX_FONT_BYTES);
        const f = await inputErrors(() => web.service.importFont(name, bytes));
        sendJson(res, 200, { ...f, file: f.file.split(/[\\/]/).pop() });
      },
    },
  },
  {
    pattern: /^\/api\/studio\/preview$/,
    methods: {
      POST: async (req, res, _u, ctx) => {
        const web = studio(ctx);
        const b = await jsonBody(req);
        const client = typeof b.client === 'string' ? b.client.slice(0, 64) : 'web';
        const out = await web.service.preview(`web:${client}`, b.design, b.seed);
        if (!out.ok) return sendJson(res, 'superseded' in out ? 409 : 400, { error: out.issues[0] ? `${out.issues[0].field}: ${out.issues[0].rule}` : 'superseded', field: out.issues[0]?.field, issues: out.issues });
        res.writeHead(200, {
          'Content-Type': 'application/octet-stream',
          'Content-Length': out.pixels.byteLength,
          'Cache-Control': 'no-store',
          'X-Width': String(out.width),
          'X-Height': String(out.height),
          'X-Seed': String(out.seed),
          // The designer shows the answer of its own preview: nothing secret.
          ...(out.answer !== null ? { 'X-Answer': encodeURIComponent(out.answer) } : {}),
        });
        res.end(out.pixels);
      },
    },
  },
  {
    pattern: /^\/api\/studio\/thumbnail$/,
    methods: {
      POST: async (req, res, _u, ctx) => {
        const web = studio(ctx);
        const b = await jsonBody(req);
        const url = await inputErrors(() => web.service.thumbnail(b.design, b.seed));
        sendJson(res, 200, { url });
      },
    },
  },
  {
    pattern: /^\/api\/studio\/export$/,
    methods: {
      POST: async (req, res, _u, ctx) => {
        const web = studio(ctx);
        const b = await jsonBody(req);
        const design = web.service.design(b.design);
        const out = await inputErrors(() => web.service.exportImage(design, b.seed));
        res.writeHead(200, {
          'Content-Type': out.mime,
          'Content-Length': out.bytes.length,
          'Cache-Control': 'no-store',
          'Content-Disposition': `attachment; filename="${fileName(design, EXTENSION[design.output.format])}"`,
          'X-Width': String(out.width),
          'X-Height': String(out.height),
        });
        res.end(out.bytes);
      },
    },
  },
  {
    pattern: /^\/api\/studio\/open$/,
    methods: {
      POST: async (req, res, _u, ctx) => {
        studio(ctx);
        const b = await jsonBody(req);
        const name = typeof b.name === 'string' ? b.name.slice(0, 200) : 'design.json';
        if (typeof b.text !== 'string') throw new HttpError(400, 'text: must be the file\'s text', 'text');
        let design: Design;
        try {
          design = parseDesignText(name, b.text);
        } catch (e) {
          if (!(e instanceof DesignFileError)) throw e;
          // Not JSON at all: the field is the file itself.
          throw e.field ? new HttpError(400, e.message, e.field) : new HttpError(400, `file: ${name} ${e.problem}`, 'file');
        }
        sendJson(res, 200, { design, path: null, name });
      },
    },
  },
  {
    pattern: /^\/api\/studio\/publish$/,
    methods: {
      POST: async (req, res, _u, ctx) => {
        const web = studio(ctx);
        const b = await jsonBody(req);
        sendJson(res, 200, ctx.designs.publish(web.service.design(b.design)));
      },
    },
  },
  {
    pattern: /^\/api\/studio\/batch$/,
    methods: {
      POST: async (req, res, _u, ctx) => {
        const web = studio(ctx);
        const b = await jsonBody(req);
        const count = await inputErrors(() => checkBatchCount(b.count));
        let design = web.service.design(b.design);
        const seed = await inputErrors(() => checkSeed(b.seed));
        if (seed !== undefined) design = { ...design, seed };
        sendJson(res, 200, jobStatus(startBatch(web, design, count)));
      },
    },
  },
  {
    pattern: /^\/api\/studio\/batch\/([\w-]{1,64})$/,
    methods: {
      GET: (_q, res, _u, ctx, [id]) => sendJson(res, 200, jobStatus(getJob(ctx, id))),
      DELETE: (req, res, _u, ctx, [id]) => {
        sameOrigin(req);
        const j = getJob(ctx, id);
        j.controller.abort();
        sendJson(res, 200, jobStatus(j));
      },
    },
  },
  {
    pattern: /^\/api\/studio\/batch\/([\w-]{1,64})\.zip$/,
    methods: {
      GET: (_q, res, _u, ctx, [id]) => {
        const j = getJob(ctx, id);
        if (j.state !== 'done' || !j.zip) throw new HttpError(409, `id: the batch is ${j.state}${j.error ? `: ${j.error}` : ''}`, 'id');
        res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': j.zip.length, 'Cache-Control': 'no-store', 'Content-Disposition': `attachment; filename="${j.name}"` });
        res.end(j.zip);
      },
    },
  },
  {
    pattern: /^\/api\/studio\/status$/,
    methods: { GET: (_q, res, _u, ctx) => (studio(ctx), sendJson(res, 200, ctx.status())) },
  },
  {
    pattern: /^\/api\/studio\/events$/,
    methods: {
      GET: (req, res, url, ctx) => studio(ctx).streams.connect(req, res, url),
    },
  },
]);
