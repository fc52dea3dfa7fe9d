/**
 * Web mode's routes: the designer UI at /studio/ and the HTTP side of StudioApi under
 * /api/studio/. Their guards (studio access, web mode on, same origin for calls that
 * change anything) are applied where these routers are mounted (studio-guards.ts).
 */
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { checkBatchCount } from '../batch/render-batch.ts';
import { InputError } from '../core/input-error.ts';
import { EXTENSION, fileSlug, publicFont } from '../core/naming.ts';
import { checkSeed } from '../core/seed.ts';
import { humanBytes } from '../core/bytes.ts';
import { jobStatus, NOT_KEPT } from './batch-jobs.ts';
import { decodeOr, readBody, sendJson } from './http-util.ts';
import { Router } from './router.ts';
import type { Ctx, ServerState } from './server-state.ts';
import { bodyLimit, callWebStudio, webCall, type WebStudioEnv } from './studio-calls.ts';
import { contentType, jsonBody, MAX_DESIGN_BODY, sameOriginWrites, studioAccess, studioLogin, web, webModeOn } from './studio-guards.ts';
import { serveStatic } from './static-files.ts';
import type { StudioWeb } from './studio-web.ts';
import { checkView, previewMeta } from '../studio/preview.ts';
import type { PreviewView } from '../api.ts';

/** `/studio` and the built UI under it; mount at `/studio`. */
export function studioPages(): Router<ServerState> {
  return (
    new Router<ServerState>()
      .use(studioLogin, studioAccess)
      // Before webModeOn, so it answers as it always has: the page it points to says whether web mode is on.
      .get('', (c) => void (c.res.writeHead(301, { Location: '/studio/' }), c.res.end()))
      .use(webModeOn)
      .get('/:file{.*}', (c) => serveStatic(c.req, c.res, web(c).rendererDir, c.params.file || 'index.html'))
  );
}

/** StudioApi over HTTP; mount at `/api/studio`. */
export function studioApi(): Router<ServerState> {
  return (
    new Router<ServerState>()
      .use(studioAccess, webModeOn, sameOriginWrites)
      .post('/fonts', async (c) => {
        const { service } = web(c);
        contentType(c.req, ['application/octet-stream']);
        const name = decodeOr(String(c.req.headers['x-font-name'] ?? ''));
        const max = service.fontQuota.maxFileBytes;
        // Refused before the upload is read, with the limit it broke.
        const bytes = await readBody(c.req, max, 'font', `must be at most ${max} bytes (${humanBytes(max)}) per file`);
        sendJson(c.res, 200, publicFont(service.importFont(name, bytes)));
      })
      .post('/preview', async (c) => {
        const { service } = web(c);
        const b = await jsonBody(c.req);
        const client = typeof b.client === 'string' ? b.client.slice(0, 64) : 'web';
        // The page always sends a good view: a bad one is a caller's mistake, a 400 naming view.scale.
        const viewIssue = checkView(b.view);
        if (viewIssue) return sendJson(c.res, 400, { error: `${viewIssue.field}: ${viewIssue.rule}`, field: viewIssue.field, issues: [viewIssue] });
        const out = await service.previews.preview(`web:${client}`, b.design, b.seed, b.view as PreviewView | null | undefined);
        if (!out.ok) {
          // `reply: "outcome"` (the designer page): a design with issues or a superseded preview is
          // a result, answered 200 as the PreviewOutcome, since Chromium logs every 4xx as a console
          // error and a half-typed value is not one. Other callers get 400 and 409.
          if (b.reply === 'outcome') return sendJson(c.res, 200, out);
          return sendJson(c.res, 'superseded' in out ? 409 : 400, { error: out.issues[0] ? `${out.issues[0].field}: ${out.issues[0].rule}` : 'superseded', field: out.issues[0]?.field, issues: out.issues });
        }
        c.res.writeHead(200, {
          'Content-Type': 'application/octet-stream',
          'Content-Length': out.pixels.byteLength,
          'Cache-Control': 'no-store',
          'X-Width': String(out.width),
          'X-Height': String(out.height),
          'X-Seed': String(out.seed),
          // The designer shows the answer of its own preview: nothing secret.
          ...(out.answer !== null ? { 'X-Answer': encodeURIComponent(out.answer) } : {}),
          // The rest of PreviewPixels, in one header so the reply stays one request of raw pixels.
          'X-Preview': encodeURIComponent(JSON.stringify(previewMeta(out))),
        });
        c.res.end(out.pixels);
      })
      .post('/export', async (c) => {
        const { service } = web(c);
        const b = await jsonBody(c.req);
        const design = service.design(b.design);
        const out = await service.exportImage(design, b.seed);
        c.res.writeHead(200, {
          'Content-Type': out.mime,
          'Content-Length': out.bytes.length,
          'Cache-Control': 'no-store',
          'Content-Disposition': `attachment; filename="${fileSlug(design.name)}.${EXTENSION[design.output.format]}"`,
          'X-Width': String(out.width),
          'X-Height': String(out.height),
        });
        c.res.end(out.bytes);
      })
      .post('/batch', async (c) => {
        const { service, batches } = web(c);
        const b = await jsonBody(c.req);
        const count = checkBatchCount(b.count);
        let design = service.design(b.design);
        service.checkRenderBudget(design); // per image: all of a batch's images cost the same
        const seed = checkSeed(b.seed);
        if (seed !== undefined) design = { ...design, seed };
        sendJson(c.res, 200, jobStatus(batches.start(design, count)));
      })
      .get('/batch/:id{[\\w-]{1,64}}', (c) => sendJson(c.res, 200, jobStatus(web(c).batches.get(c.params.id))))
      .delete('/batch/:id{[\\w-]{1,64}}', (c) => {
        const j = web(c).batches.get(c.params.id);
        j.controller.abort();
        sendJson(c.res, 200, jobStatus(j));
      })
      .get('/batch/:id{[\\w-]{1,64}}.zip', async (c) => {
        const j = web(c).batches.get(c.params.id);
        if (j.state !== 'done' || !j.file) throw new InputError('id', `the batch is ${j.state}${j.error ? `: ${j.error}` : ''}`, { kind: 'conflict' });
        // Streamed from disk. The open file survives the job being pruned meanwhile (POSIX).
        const fh = await open(j.file, 'r').catch(() => {
          throw new InputError('id', NOT_KEPT, { kind: 'not-found' });
        });
        try {
          const { size } = await fh.stat();
          c.res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': size, 'Cache-Control': 'no-store', 'Content-Disposition': `attachment; filename="${j.name}"` });
          await pipeline(fh.createReadStream({ autoClose: false }), c.res);
        } finally {
          await fh.close();
        }
      })
      .get('/events', (c) => web(c).streams.connect(c.req, c.res, c.url))
      // Every other StudioApi call (info, presets, fonts, thumbnails, opening, publishing, status), by
      // name, checked against api.ts's table (studio-calls.ts). Last: the binary and streamed routes above win.
      .post('/:method{[A-Za-z]{1,40}}', async (c) => {
        // The name first: an unknown call is refused before its body is read, and a
        // call without a design or file gets a small body limit.
        const method = webCall(c.params.method);
        const body = await jsonBody(c.req, bodyLimit(method, MAX_DESIGN_BODY));
        sendJson(c.res, 200, (await callWebStudio(envOf(c), method, body)) ?? null);
      })
  );
}

/** Web mode's side of the contract sees one env per web mode, made on its first call. */
const envs = new WeakMap<StudioWeb, WebStudioEnv>();
function envOf(c: Ctx): WebStudioEnv {
  const w = web(c);
  let env = envs.get(w);
  if (!env) envs.set(w, (env = { service: w.service, designs: c.app.designs, status: c.app.status, version: c.app.version, eventsKey: w.streams.key, ignoreCase: c.app.store.ignoreCase }));
  return env;
}
