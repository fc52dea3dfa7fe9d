/** The built designer UI (out/renderer) for web mode: fixed files only, no directory walking. */
import { readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve, sep } from 'node:path';
import { InputError } from '../core/input-error.ts';

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  woff2: 'font/woff2',
  json: 'application/json',
};
/** One or two plain path segments, e.g. index.html or assets/index-abc.js. */
const SAFE = /^(?:[A-Za-z0-9_-][\w.-]{0,127}\/)?[A-Za-z0-9_-][\w.-]{0,127}$/;

export const STUDIO_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const notFound = (rel: string) => new InputError('path', `nothing at /studio/${rel}`, { kind: 'not-found' });

export function serveStatic(req: IncomingMessage, res: ServerResponse, root: string | undefined, rel: string): void {
  if (!root) throw new InputError('path', 'the studio UI is not built; run "npm run build" first', { kind: 'not-found' });
  if (!SAFE.test(rel) || rel.includes('..')) throw notFound(rel);
  const base = resolve(root);
  const file = resolve(join(base, rel));
  if (!file.startsWith(base + sep)) throw notFound(rel);
  let st;
  try {
    st = statSync(file);
  } catch {
    throw notFound(rel);
  }
  if (!st.isFile()) throw notFound(rel);
  const ext = rel.slice(rel.lastIndexOf('.') + 1).toLowerCase();
  const etag = `"${st.size.toString(36)}-${Math.floor(st.mtimeMs).toString(36)}"`;
  const headers: Record<string, string> = {
    'Content-Type': (Object.hasOwn(TYPES, ext) && TYPES[ext]) || 'application/octet-stream',
    ETag: etag,
    // Hashed asset names never change content; the page itself is revalidated.
    'Cache-Control': rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    'Content-Security-Policy': STUDIO_CSP,
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const data = readFileSync(file);
  res.writeHead(200, { ...headers, 'Content-Length': data.length });
  res.end(data);
}
