/**
 * Web mode's side of the StudioApi table: the calls marked `web: 'server'` in
 * api.ts, served by `POST /api/studio/:method` with a JSON body `{"args": [...]}`.
 * The route's guards (studio access, same origin, content type, body size) are
 * applied where the studio router is mounted; arguments are checked against the
 * table by studio/calls.ts. The compiler asks for a handler here for every row
 * marked `server`.
 */
import { studioMethods, type DesignInput, type PickedFile, type ServerStatus, type StudioHandlers, type WebServerMethod } from '../api.ts';
import { InputError } from '../core/input-error.ts';
import { fileSlug, publicFont } from '../core/naming.ts';
import { getPreset, listPresets } from '../core/presets.ts';
import { parseDesignText } from '../files/design-files.ts';
import { callStudio, isStudioMethod } from '../studio/calls.ts';
import type { StudioService } from '../studio/studio-service.ts';
import type { DesignSource } from './design-source.ts';

export interface WebStudioEnv {
  service: StudioService;
  designs: DesignSource;
  status(): ServerStatus;
  version: string;
  /** The request-log stream key this server's own pages get (same-origin only). */
  eventsKey: string;
}

export function webStudioHandlers(env: WebStudioEnv): StudioHandlers<WebServerMethod> {
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
    // The page reads the file; the server checks it. Recent files live in the browser.
    openDesign: (from) => {
      if (!from) return null;
      if (!('bytes' in from)) throw new InputError('from', "recent designs live in this browser's storage; send the file itself", { kind: 'not-found' });
      const design = parseDesignText(from.name, new TextDecoder().decode(from.bytes));
      return { design, path: null, name: from.name };
    },
    // Nothing is written on the server: the page downloads the design under this name.
    saveDesign: (design) => ({ path: null, name: `${fileSlug(env.service.design(design).name, 'untitled')}.json` }),
    serverStatus: () => env.status(),
    // The page is served by this server: it cannot start or stop it.
    startServer: () => env.status(),
    stopServer: () => env.status(),
    publishDesign: (design) => env.designs.publish(env.service.design(design)),
  };
}

/**
 * JSON has no bytes: the page sends a picked file's bytes as `{"$bytes": "<base64>"}`
 * (web-api.ts), turned back into a Uint8Array here before the table checks them.
 * Only an argument's own `bytes` is looked at (files are top-level arguments).
 */
function reviveBytes(arg: unknown): unknown {
  const bytes = (arg as { bytes?: { $bytes?: unknown } } | null)?.bytes;
  if (typeof bytes?.$bytes !== 'string') return arg;
  return { ...(arg as object), bytes: new Uint8Array(Buffer.from(bytes.$bytes, 'base64')) };
}

/** One call: `body` is the parsed JSON request body, `{"args": [...]}` (no args: `{}`). */
export function callWebStudio(env: WebStudioEnv, method: string, body: unknown): Promise<unknown> {
  const handlers = webStudioHandlers(env);
  // A call not served here is refused by its name (404 method), whatever the body holds.
  if (!isStudioMethod(method) || !Object.hasOwn(handlers, method)) return callStudio(handlers, method, []);
  const args = (body as { args?: unknown } | null)?.args ?? [];
  if (!Array.isArray(args)) throw new InputError('args', 'must be a list of the call\'s arguments');
  // Only the row's own arguments are decoded; callStudio checks exactly those.
  return callStudio(handlers, method, args.slice(0, studioMethods[method].names.length).map(reviveBytes));
}

export type { PickedFile };
