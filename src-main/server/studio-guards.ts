/**
 * The guards of the design-time routes (web mode at /studio/, the studio API, POST
 * /api/render), applied where those routes are mounted rather than in each one.
 *
 * Mutating studio calls must be same-origin and carry a non-simple content type, so a
 * hostile page in the same browser cannot drive them (its request would need a CORS
 * preflight, which this server never grants for these routes).
 */
import type { IncomingMessage } from 'node:http';
import { InputError } from '../core/input-error.ts';
import { jsonObject, MAX_DESIGN_BODY, mediaType, readBody } from './http-util.ts';
import type { Middleware } from './router.ts';
import type { Ctx, ServerState } from './server-state.ts';
import type { StudioWeb } from './studio-web.ts';

export { MAX_DESIGN_BODY } from './http-util.ts';

/** Open on loopback for the designer; on a production request, the studio token (access.ts). */
export const studioAccess: Middleware<ServerState> = (c, next) => {
  c.app.access.require(c.req);
  return next();
};

/** `/studio/…?token=` exchanges the token for the studio cookie and redirects; only pages, which are all GET. */
export const studioLogin: Middleware<ServerState> = (c, next) => (c.app.access.login(c.req, c.res, c.url) ? undefined : next());

export const webModeOn: Middleware<ServerState> = (c, next) => {
  if (!c.app.studio) throw new InputError('path', 'web mode is turned off on this server', { kind: 'not-found' });
  return next();
};

/** Web mode's state, for routes behind `webModeOn`. */
export function web(c: Ctx): StudioWeb {
  return c.app.studio!;
}

/** Same-origin only (https too: behind a TLS proxy the page's origin is https). */
export function sameOrigin(req: IncomingMessage): void {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${req.headers.host}` && origin !== `https://${req.headers.host}`) {
    throw new InputError('origin', 'studio calls are accepted from this server\'s own pages only', { kind: 'forbidden' });
  }
}

/** Every call but a read must come from the server's own pages. */
export const sameOriginWrites: Middleware<ServerState> = (c, next) => {
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') sameOrigin(c.req);
  return next();
};

/** A content type a cross-site form cannot send. */
export function contentType(req: IncomingMessage, types: string[]): void {
  if (!types.includes(mediaType(req))) throw new InputError('content-type', `must be ${types.join(' or ')}`, { kind: 'unsupported' });
}

/** A studio call's body: one JSON object, at most `limit` bytes. */
export async function jsonBody(req: IncomingMessage, limit = MAX_DESIGN_BODY): Promise<Record<string, unknown>> {
  contentType(req, ['application/json']);
  return jsonObject(await readBody(req, limit));
}
