/**
 * Web mode: the designer UI at /studio/ and the HTTP side of StudioApi under
 * /api/studio/. Mutating calls must be same-origin and carry a non-simple content
 * type, so a hostile page in the same browser cannot drive them (its request would
 * need a CORS preflight, which this server never grants for these routes).
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { IncomingMessage } from 'node:http';
import type { BatchProgress, RequestLogEntry } from '../api.ts';
import { DesignError, type Design } from '../core/design.ts';
import { DesignFileError, parseDesignText } from '../files/design-files.ts';
import { getPreset, listPresets } from '../core/presets.ts';
import { EXTENSION } from '../core/render.ts';
import { BatchCancelled, checkBatchCount, renderBatch } from '../batch/render-batch.ts';
import { checkSeed, StudioInputError, type StudioService } from '../studio/studio-service.ts';
import { makeOwnedTempDir, removeOwnedDir, removeStaleDirs } from '../files/owned-dirs.ts';
import { decodeOr, HttpError, jsonObject, readBody, sendJson } from './http-util.ts';
import type { Handler, Route, RouteContext } from './routes.ts';
import { requireStudioAccess, studioLogin } from './access.ts';
import { LogStreams } from './log-streams.ts';
/** POST /api/render (routes.ts) is guarded the same way as the studio routes. */
export { requireStudioAccess } from './access.ts';
import { serveStatic } from './static-files.ts';
import { ZipFileWriter } from './zip.ts';

/** Designs may carry an image layer as a data URL (up to 16 MiB of text). */
const MAX_DESIGN_BODY = 24 * 1024 * 1024;
/**
 * Web batches are zipped to files in a temporary folder of the server's own
 * ("<tmpdir>/captcha-studio-batches-<pid>-XXXXXX", removed when the server stops
 * or the process exits, and by the next start after a kill) and kept until they
 * expire. A batch whose zip would outgrow `maxJobBytes`, or take the zips on disk
 * past `maxDiskBytes`, fails with the limit it hit; its file is removed.
 */
export interface BatchZipLimits {
  maxJobBytes: number;
  maxDiskBytes: number;
}

export const DEFAULT_BATCH_ZIP_LIMITS: Readonly<BatchZipLimits> = { maxJobBytes: 1024 * 1024 * 1024, maxDiskBytes: 2 * 1024 * 1024 * 1024 };
export const BATCH_DIR_PREFIX = 'captcha-studio-batches';
/**
 * What a zip adds beyond the data, rounded up so the count never falls short: per entry
 * (besides twice the name) local and central headers, timestamp and zip64 extras and the
 * data descriptor (30 + 46 + 2 x 9 + 36 + 24); once, the end records (22 + 56 + 20).
 */
const ZIP_ENTRY_OVERHEAD = 160;
const ZIP_END_OVERHEAD = 128;
const MAX_JOBS = 4;
const JOB_TTL_MS = 10 * 60_000;

interface BatchJob {
  id: string;
  done: number;
  total: number;
  state: 'running' | 'done' | 'cancelled' | 'failed';
  error?: string;
  name: string;
  /** The zip being written, then the finished file; removed with the job. */
  writer?: ZipFileWriter;
  file?: string;
  /** Disk the job's zip takes (counted as images arrive, then the file's size). */
  bytes: number;
  controller: AbortController;
  finishedAt?: number;
}

/** A size for people: "256 MiB", "58.6 KiB". */
function mib(bytes: number): string {
  const [n, unit] = bytes >= 2 ** 20 ? [bytes / 2 ** 20, 'MiB'] : bytes >= 1024 ? [bytes / 1024, 'KiB'] : [bytes, 'bytes'];
  return `${Math.round(n * 10) / 10} ${unit}`;
}

/** Requests the studio UI makes itself: not shown in its own request log. */
export function isStudioTraffic(path: string): boolean {
  return path === '/studio' || path.startsWith('/studio/') || path.startsWith('/api/studio/');
}

/** Web-mode state kept by the server: batch jobs and request-log streams. */
export class StudioWeb {
  readonly jobs = new Map<string, BatchJob>();
  readonly streams = new LogStreams();

  readonly zipLimits: BatchZipLimits;
  private zipDir?: string;
  private closed = false;

  constructor(
    readonly service: StudioService,
    readonly rendererDir: string | undefined,
    zipLimits: Partial<BatchZipLimits> = {},
  ) {
    this.zipLimits = { ...DEFAULT_BATCH_ZIP_LIMITS, ...zipLimits };
    // Zip folders of servers that were killed (their pid is gone) are removed now.
    removeStaleDirs(tmpdir(), BATCH_DIR_PREFIX);
  }

  /** Where this server's zips go; made on the first batch. */
  newZipPath(id: string): string {
    if (this.closed) throw new HttpError(503, 'busy: the server is stopping', undefined, { 'Retry-After': '5' });
    this.zipDir ??= makeOwnedTempDir(BATCH_DIR_PREFIX);
    return join(this.zipDir, `${id}.zip`);
  }

  /** Disk the batch zips take now: running jobs as counted so far, finished ones by their size. */
  diskUsed(): number {
    let n = 0;
    for (const j of this.jobs.values()) n += j.bytes;
    return n;
  }

  /** Forgets a job and removes its zip (a running one is cancelled first). */
  drop(id: string): void {
    const j = this.jobs.get(id);
    if (!j) return;
    this.jobs.delete(id);
    j.controller.abort();
    discardZip(j);
  }

  broadcast(entry: RequestLogEntry): void {
    if (!isStudioTraffic(entry.path)) this.streams.broadcast(entry);
  }

  /** Ends the event streams so a stopping server is not held open by them. */
  close(): void {
    this.streams.close();
    // Temporary files go with the server: the zips (a download in progress keeps its open file on POSIX) and web mode's imported fonts.
    this.closed = true;
    for (const id of [...this.jobs.keys()]) this.drop(id);
    if (this.zipDir) removeOwnedDir(this.zipDir);
    this.service.dispose();
  }

  prune(now = Date.now()): void {
    for (const [id, j] of this.jobs) if (j.finishedAt !== undefined && now - j.finishedAt > JOB_TTL_MS) this.drop(id);
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

/** Stops a job's zip and removes its file; the job no longer counts against the disk quota. */
function discardZip(j: BatchJob): void {
  j.writer?.abort();
  j.writer = undefined;
  if (j.file) rmSync(j.file, { force: true });
  j.file = undefined;
  j.bytes = 0;
}

function startBatch(web: StudioWeb, design: Design, count: number): BatchJob {
  web.prune();
  const { maxJobBytes, maxDiskBytes } = web.zipLimits;
  const running = [...web.jobs.values()].filter((j) => j.state === 'running').length;
  if (running >= MAX_JOBS) throw new HttpError(503, 'busy: too many batch exports are running, retry shortly', undefined, { 'Retry-After': '5' });
  // Room for the new job: the oldest finished jobs go first (their zips with them).
  for (const [id, j] of web.jobs) if (web.jobs.size >= MAX_JOBS * 2 && j.state !== 'running') web.drop(id);
  const id = randomUUID();
  const file = web.newZipPath(id);
  const writer = new ZipFileWriter(file);
  const job: BatchJob = { id, done: 0, total: count, state: 'running', name: `${fileName(design, 'zip').slice(0, -4)}-batch.zip`, writer, file, bytes: ZIP_END_OVERHEAD, controller: new AbortController() };
  web.jobs.set(job.id, job);
  // A cancel stops the zip at once, even while it waits for a slow disk.
  job.controller.signal.addEventListener('abort', () => job.state === 'running' && writer.abort());
  renderBatch(web.service.pool, design, count, async (f) => {
    // Counted before the bytes are written, so no job can take the disk past the limits.
    const add = f.bytes.byteLength + 2 * Buffer.byteLength(f.name) + ZIP_ENTRY_OVERHEAD;
    if (job.bytes + add > maxJobBytes) throw new RangeError(`count: a batch zip may be at most ${maxJobBytes} bytes (${mib(maxJobBytes)}); export fewer or smaller images`);
    const used = web.diskUsed();
    if (used + add > maxDiskBytes) {
      throw new RangeError(`disk: batch zips on this server may take at most ${maxDiskBytes} bytes (${mib(maxDiskBytes)}) together and the exports hold ${mib(used)}; export fewer or smaller images, or retry when earlier ones expire`);
    }
    job.bytes += add;
    await writer.add(f.name, f.bytes);
  }, { signal: job.controller.signal, onProgress: (done) => (job.done = done) })
    .then(() => writer.finish())
    .then(
      (size) => {
        job.writer = undefined;
        // Dropped (pruned, server stopped) while finishing: its file is not kept.
        if (web.jobs.get(job.id) !== job) return discardZip(job);
        job.bytes = size;
        job.state = 'done';
        job.finishedAt = Date.now();
      },
      (e: Error) => {
        job.state = e instanceof BatchCancelled || job.controller.signal.aborted ? 'cancelled' : 'failed';
        const code = (e as NodeJS.ErrnoException).code;
        if (job.state === 'failed') {
          job.error = e instanceof DesignError || e instanceof RangeError ? e.message : code ? `disk: the batch zip could not be written (${code})` : `render failed: ${e.message}`;
        }
        discardZip(job);
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
        const max = web.service.fontQuota.maxFileBytes;
        const bytes = await readBody(req, max).catch((e) => {
          // Refused before the upload is read, with the limit it broke.
          if (e instanceof HttpError && e.status === 413) throw new HttpError(413, `font: must be at most ${max} bytes (${mib(max)}) per file`, 'font', e.headers);
          throw e;
        });
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
        web.service.checkRenderBudget(design); // per image: all of a batch's images cost the same
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
      GET: async (_q, res, _u, ctx, [id]) => {
        const j = getJob(ctx, id);
        if (j.state !== 'done' || !j.file) throw new HttpError(409, `id: the batch is ${j.state}${j.error ? `: ${j.error}` : ''}`, 'id');
        // Streamed from disk. The open file survives the job being pruned meanwhile (POSIX).
        const fh = await open(j.file, 'r').catch(() => {
          throw new HttpError(404, 'id: no such batch export (finished ones are kept for 10 minutes)', 'id');
        });
        try {
          const { size } = await fh.stat();
          res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': size, 'Cache-Control': 'no-store', 'Content-Disposition': `attachment; filename="${j.name}"` });
          await pipeline(fh.createReadStream({ autoClose: false }), res);
        } finally {
          await fh.close();
        }
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
