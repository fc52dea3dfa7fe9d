/**
 * Signed URLs, for the one thing a visitor must not choose: what an issued
 * captcha looks like. The operator's backend holds the server's secret and signs
 * the path and query of a variant (another design, a size, more noise); the
 * server refuses any override on an issuing route without a valid signature.
 *
 * The scheme is deliberately easy to reproduce in a few lines of any language
 * (README, "Signed URLs"), as imgproxy and thumbor do:
 *   canonical = path + "?" + sorted(k=v for every parameter except sig and _*)
 *   sig       = base64url(HMAC-SHA256(secret, canonical))      (no padding)
 * where k and v are percent-encoded like JavaScript's encodeURIComponent and the
 * pairs are sorted by key (values of a repeated key keep their order). An optional
 * `expires` (Unix seconds) is signed like any parameter and refused once past.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { InputError } from '../core/input-error.ts';

/** Shortest secret accepted from an option or the environment. */
export const MIN_SECRET_LENGTH = 32;
export const SECRET_ENV = 'CAPTCHA_STUDIO_SECRET';
const SIG = /^[A-Za-z0-9_-]{43}$/;

/** A fresh secret for a server that was given none: its signed URLs last as long as it runs. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function checkSecret(secret: string, field = 'secret'): string {
  if (secret.length < MIN_SECRET_LENGTH) throw new InputError(field, `must be at least ${MIN_SECRET_LENGTH} characters (for example: openssl rand -base64 32)`);
  return secret;
}

/** Parameters the signature does not cover: the signature itself, and cache busters. */
function signed(key: string): boolean {
  return key !== 'sig' && !key.startsWith('_');
}

export function canonicalRequest(path: string, query: URLSearchParams): string {
  const pairs = [...query].filter(([k]) => signed(k)).map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)] as const);
  // A stable sort by key only: values of a repeated key (font=A&font=B) keep their order.
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return `${path}?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`;
}

export function signature(secret: string, path: string, query: URLSearchParams): string {
  return createHmac('sha256', secret).update(canonicalRequest(path, query)).digest('base64url');
}

/** `path?query` with `sig` appended: what the operator's backend hands to the page. */
export function signPath(secret: string, pathAndQuery: string): string {
  const url = new URL(pathAndQuery, 'http://x');
  url.searchParams.delete('sig');
  const sig = signature(secret, url.pathname, url.searchParams);
  const q = url.searchParams.toString();
  return `${url.pathname}?${q ? `${q}&` : ''}sig=${sig}`;
}

/**
 * Whether the request carries a valid signature. Absent: false. Present but
 * wrong, malformed or expired: an InputError naming `sig` or `expires`, so the
 * operator sees at once that the signing is off rather than a silent default.
 */
export function verifySignature(secret: string, path: string, query: URLSearchParams, now = Date.now()): boolean {
  const sigs = query.getAll('sig');
  if (sigs.length === 0) return false;
  if (sigs.length > 1) throw new InputError('sig', 'is given more than once');
  if (!SIG.test(sigs[0])) throw new InputError('sig', 'is not a signature (43 base64url characters of HMAC-SHA256)', { kind: 'forbidden' });
  const want = Buffer.from(signature(secret, path, query), 'base64url');
  const got = Buffer.from(sigs[0], 'base64url');
  // Constant time: equal lengths are guaranteed by the pattern above.
  if (got.length !== want.length || !timingSafeEqual(got, want)) throw new InputError('sig', 'does not match this URL (it must be HMAC-SHA256 of the canonical path and query with the server\'s secret)', { kind: 'forbidden' });
  const expires = query.getAll('expires');
  if (expires.length > 1) throw new InputError('expires', 'is given more than once');
  if (expires.length === 1) {
    if (!/^\d{1,12}$/.test(expires[0])) throw new InputError('expires', 'must be a time in Unix seconds');
    if (Number(expires[0]) * 1000 <= now) throw new InputError('expires', 'this signed URL has expired', { kind: 'forbidden' });
  }
  return true;
}
