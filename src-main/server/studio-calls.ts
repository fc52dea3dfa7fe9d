/**
 * Web mode's side of the StudioApi table: the calls marked `web: 'server'` in
 * api.ts, served by `POST /api/studio/:method` with a JSON body `{"args": [...]}`.
 * The route's guards (studio access, same origin, content type, body size) are
 * applied where the studio router is mounted; arguments are checked against the
 * table by studio/calls.ts. The compiler asks for a handler here for every row
 * marked `server`.
 */
import { studioMethods, type DesignInput, type ServerStatus, type StudioHandlers, type WebServerMethod } from '../api.ts';
import { InputError } from '../core/input-error.ts';
import { fileSlug, publicFont } from '../core/naming.ts';
import { getPreset, listPresets } from '../core/presets.ts';
import { parseDesignText } from '../files/design-files.ts';
import { parseDesign } from '../core/design.ts';
import { previewAudioDataUrl } from '../audio/clips.ts';
import { callStudio, isStudioMethod } from '../studio/calls.ts';
import type { StudioService } from '../studio/studio-service.ts';
import type { DesignSource } from './design-source.ts';
import { startStrengthCheck, strengthJobs } from '../strength/jobs.ts';

export interface WebStudioEnv {
  service: StudioService;
  designs: DesignSource;
  status(): ServerStatus;
  version: string;
  /** The request-log stream key this server's own pages get (same-origin only). */
  eventsKey: string;
  /** The server's case rule for answers (its AnswerStore's), which strength checks score by; ignore case when not given, the server's default. */
  ignoreCase?: boolean;
}

function webStudioHandlers(env: WebStudioEnv): StudioHandlers<WebServerMethod> {
  return {
    info: () => ({ mode: 'web', version: env.version, problems: env.service.problems, eventsKey: env.eventsKey }),
    listPresets: () => listPresets(),
    getPreset: (name) => {
      const d = getPreset(name);
      if (!d) throw new InputError('name', `no preset called "${name}"`, { kind: 'not-found' });
      return d;
    },
    // Where fonts live on this machine is not the page's business.
    listFonts: () => env.service.listFonts().map(publicFont),
    renderThumbnail: (design: DesignInput, seed) => env.service.thumbnail(design, seed),
    renderSamples: (design, seeds) => env.service.samples(design, seeds),
    previewAudio: (design, seed) => previewAudioDataUrl(env.service.design(design), seed),
    fitText: async (design) => ({ changes: await env.service.pool.fitText(env.service.design(design)) }),
    // The page reads the file; the server checks it. Recent files live in the browser.
    openDesign: (from) => {
      if (!from) return null;
      if (!('bytes' in from)) throw new InputError('from', "recent designs live in this browser's storage; send the file itself", { kind: 'not-found' });
      const design = parseDesignText(from.name, new TextDecoder().decode(from.bytes));
      return { design, path: null, name: from.name };
    },
    // Nothing is written or read on the server: the page downloads the design under this
    // name. Checked with the schema only, as a design file (an image layer may name a file).
    saveDesign: (design) => ({ path: null, name: `${fileSlug(parseDesign(design).name, 'untitled')}.json` }),
    serverStatus: () => env.status(),
    // The page is served by this server: it cannot start or stop it.
    startServer: () => env.status(),
    stopServer: () => env.status(),
    publishDesign: (design) => env.designs.publish(env.service.design(design)),
    // One running check per page (its client id), a few per process: strength/jobs.ts.
    startStrengthCheck: (design, options) => startStrengthCheck(strengthJobs(), env.service, `web:${options?.client ?? 'page'}`, design, options, env.ignoreCase ?? true),
    strengthStatus: (id) => strengthJobs().status(id),
    cancelStrengthCheck: (id) => strengthJobs().cancel(id),
  };
}

/** A call this side serves, by name (own rows only: `__proto__` or `constructor` are no row). */
export function webCall(method: string): WebServerMethod {
  if (!isStudioMethod(method) || studioMethods[method].web !== 'server') throw new InputError('method', `"${method.slice(0, 40)}" is not a call this server serves`, { kind: 'not-found' });
  return method as WebServerMethod;
}

/** Calls that carry no design or file need no more than this; read before any parsing. */
const SMALL_BODY = 64 * 1024;
/** The arguments that may be picked files, sent as `{"$bytes": "<base64>"}`. */
const FILE_ARGS = new Set(['file', 'from']);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** How large a call's body may be: designs (which may carry a data-URL image) and files get the design limit. */
export function bodyLimit(method: WebServerMethod, designLimit: number): number {
  return studioMethods[method].names.some((n) => n === 'design' || FILE_ARGS.has(n)) ? designLimit : SMALL_BODY;
}

/**
 * JSON has no bytes: the page sends a picked file's bytes as `{"$bytes": "<base64>"}`
 * (web-api.ts). Turned back into a Uint8Array only for a file argument, and only when
 * it is base64; anything else is left for the table to refuse.
 */
function reviveBytes(name: string | undefined, arg: unknown): unknown {
  if (!name || !FILE_ARGS.has(name)) return arg;
  const bytes = (arg as { bytes?: { $bytes?: unknown } } | null)?.bytes;
  if (typeof bytes?.$bytes !== 'string' || !BASE64.test(bytes.$bytes)) return arg;
  return { ...(arg as object), bytes: new Uint8Array(Buffer.from(bytes.$bytes, 'base64')) };
}

/** Built once per web mode (its env does not change while it runs). */
const tables = new WeakMap<WebStudioEnv, StudioHandlers<WebServerMethod>>();

/** One call: `body` is the parsed JSON request body, `{"args": [...]}` (no args: `{}`). */
export function callWebStudio(env: WebStudioEnv, method: WebServerMethod, body: unknown): Promise<unknown> {
  let handlers = tables.get(env);
  if (!handlers) tables.set(env, (handlers = webStudioHandlers(env)));
  const args = (body as { args?: unknown } | null)?.args ?? [];
  if (!Array.isArray(args)) throw new InputError('args', "must be a list of the call's arguments");
  const { names } = studioMethods[method];
  return callStudio(handlers, method, args.slice(0, names.length).map((a, i) => reviveBytes(names[i], a)));
}
