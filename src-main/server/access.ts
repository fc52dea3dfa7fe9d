/**
 * Who may reach the server, and who may use its design-time routes.
 *
 * Two separate questions per request:
 *  - Does its `Host` name this server? That is a defence against DNS rebinding (a
 *    hostile page whose domain resolves to this machine), not access control: any
 *    client that is not a browser sends whatever Host it likes.
 *  - May it use web mode (/studio/, /api/studio/*) and POST /api/render? On the
 *    developer's machine (bound to loopback, addressed by a loopback name) yes, with
 *    nothing to present: that is the designer. A *production* request (the server
 *    bound to a network address, started with `production: true`, or a request
 *    addressed to one of the public host names a reverse proxy forwards) only with
 *    the studio token, and never when the server was started without one.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { InputError } from '../core/input-error.ts';
import { cookie } from './http-util.ts';

export const MIN_STUDIO_TOKEN_LENGTH = 32;
const MAX_STUDIO_TOKEN_LENGTH = 1024;
export const STUDIO_TOKEN_ENV = 'CAPTCHA_STUDIO_TOKEN';

export interface AccessOptions {
  /** The address the server binds. */
  host: string;
  /** Host names it answers to besides loopback names; requests addressed to them are production requests. */
  publicHosts?: readonly string[];
  /** Unlocks the design-time routes for production requests. */
  studioToken?: string;
  /** Treat every request as a production request, even on loopback (a reverse proxy that rewrites Host). */
  production?: boolean;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[?::ffff:(\d+\.\d+\.\d+\.\d+)\]?$/, '$1');
  return LOOPBACK_HOSTS.has(h) || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** A Host header's name without the port, lower case, without a final dot; IPv6 literals keep their brackets. */
export function hostName(header: string): string {
  let name: string;
  if (header.startsWith('[')) name = header.slice(0, header.indexOf(']') + 1);
  else {
    const colon = header.lastIndexOf(':');
    name = colon >= 0 ? header.slice(0, colon) : header;
  }
  return name.toLowerCase().replace(/\.$/, '');
}

/** The address a connection arrived on, as a Host header would name it: `192.0.2.2`, `[::1]`. */
/** Per connection: a keep-alive connection carries many requests, and the address never changes. */
const localNames = new WeakMap<object, string>();
function localName(req: IncomingMessage): string {
  let name = localNames.get(req.socket);
  if (name === undefined) {
    const a = (req.socket.localAddress ?? '').toLowerCase().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
    name = isIP(a) === 6 ? `[${a}]` : a;
    localNames.set(req.socket, name);
  }
  return name;
}

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const DNS_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);

/** A public host name as the option gives it: `example.com`, `192.0.2.7`, `[2001:db8::7]`. Returns it normalised. */
export function checkPublicHost(value: string, field = 'publicHosts'): string {
  let name = value.trim().toLowerCase().replace(/\.$/, '');
  if (isIP(name) === 6) name = `[${name}]`;
  const ok = name.length <= 253 && (DNS_NAME.test(name) || (name.startsWith('[') && name.endsWith(']') && isIP(name.slice(1, -1)) === 6));
  if (!ok) throw new InputError(field, `"${value.slice(0, 100)}" is not a host name such as captcha.example.com (no scheme, port or path)`);
  return name;
}

export function checkStudioToken(token: string, field = 'studioToken'): string {
  if (token.length < MIN_STUDIO_TOKEN_LENGTH) throw new InputError(field, `must be at least ${MIN_STUDIO_TOKEN_LENGTH} characters (for example: openssl rand -base64 32)`);
  if (token.length > MAX_STUDIO_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(token)) throw new InputError(field, `must be at most ${MAX_STUDIO_TOKEN_LENGTH} printable ASCII characters without spaces`);
  return token;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Equal strings, in time that does not depend on where they differ (digests have one length). */
export function sameSecret(given: string, expected: Buffer): boolean {
  return timingSafeEqual(digest(given), expected);
}

/**
 * The studio token is missing or wrong: 401, with a Bearer challenge when the route
 * itself needs the token (not when a login link carried a wrong one).
 */
export class TokenError extends InputError {
  constructor(
    rule: string,
    readonly challenge: boolean,
  ) {
    super('token', rule, { kind: 'forbidden' });
  }
}

export class AccessPolicy {
  /** Every request is a production request: bound to a network address, or told so. */
  readonly productionBind: boolean;
  readonly publicHosts: ReadonlySet<string>;
  /** Bound to a network address without public host names: any Host is answered (see hostAllowed). */
  readonly anyHost: boolean;
  private readonly tokenDigest: Buffer | null;
  /** What the browser's cookie holds: derived from the token, so the cookie is not the token itself. */
  private readonly cookieDigest: Buffer | null;
  private readonly cookieValue: string | null;

  constructor(readonly options: AccessOptions) {
    this.productionBind = Boolean(options.production) || !isLoopback(options.host);
    this.publicHosts = new Set((options.publicHosts ?? []).map((h) => checkPublicHost(h)));
    this.anyHost = !isLoopback(options.host) && this.publicHosts.size === 0;
    const token = options.studioToken === undefined ? null : checkStudioToken(options.studioToken);
    this.tokenDigest = token === null ? null : digest(token);
    this.cookieValue = token === null ? null : createHmac('sha256', token).update('captcha-studio: studio cookie').digest('base64url');
    this.cookieDigest = this.cookieValue === null ? null : digest(this.cookieValue);
  }

  get hasToken(): boolean {
    return this.tokenDigest !== null;
  }

  /**
   * Whether the request's Host names this server:
   *  - one of the public host names;
   *  - the IP address the connection arrived on (an IP literal cannot be rebound: a
   *    page at http://192.0.2.2/ *is* this server's origin);
   *  - a loopback name, when the connection arrived on loopback (so a request over the
   *    network cannot claim `Host: localhost`);
   *  - anything, when bound to a network address without public host names. DNS
   *    rebinding matters for a server that trusts who can reach it; a server on the
   *    network is reachable by anyone anyway, and everything of value on it (web mode,
   *    /api/render) is off or needs the token, which a rebinding page does not have
   *    (a Bearer header is never sent by itself, and the cookie belongs to the real name).
   */
  hostAllowed(req: IncomingMessage): boolean {
    const header = req.headers.host;
    if (!header) return false;
    const name = hostName(header);
    if (this.publicHosts.has(name)) return true;
    const local = localName(req);
    if (name === local) return true;
    if (isLoopback(name) && isLoopback(local)) return true;
    return this.anyHost;
  }

  /** Production requests need the studio token for the design-time routes. */
  isProduction(req: IncomingMessage): boolean {
    return this.productionBind || this.publicHosts.has(hostName(req.headers.host ?? ''));
  }

  /** The studio cookie's name carries the port: browsers share cookies across the ports of a host. */
  cookieName(req: IncomingMessage): string {
    return `captcha_studio_${req.socket.localPort ?? 0}`;
  }

  private presented(req: IncomingMessage): boolean {
    if (!this.tokenDigest || !this.cookieDigest) return false;
    const bearer = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '')?.[1];
    const fromCookie = cookie(req, this.cookieName(req));
    // Both are compared whatever the first gave, so timing says nothing about which was tried.
    const byBearer = bearer !== undefined && sameSecret(bearer, this.tokenDigest);
    const byCookie = fromCookie !== undefined && sameSecret(fromCookie, this.cookieDigest);
    return byBearer || byCookie;
  }

  private off(): InputError {
    return new InputError('token', 'web mode, the studio API and POST /api/render are off on this production server (start it with --studio-token or CAPTCHA_STUDIO_TOKEN to enable them)', { kind: 'forbidden' });
  }

  /** Throws unless the request may use the design-time routes. */
  require(req: IncomingMessage): void {
    if (!this.isProduction(req)) return;
    if (!this.tokenDigest) throw this.off();
    if (this.presented(req)) return;
    throw new TokenError('this route needs the studio token (Authorization: Bearer TOKEN, or open /studio/?token=TOKEN once in the browser)', true);
  }

  /**
   * `GET /studio/…?token=TOKEN` on a production request: checks the token, sets the
   * studio cookie (HttpOnly, SameSite=Strict: other sites' requests never carry it)
   * and redirects to the same page without the token, so it leaves the address bar
   * and the history. True when it answered.
   */
  login(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    const given = url.searchParams.getAll('token');
    if (given.length === 0 || !this.isProduction(req)) return false;
    if (!this.tokenDigest) throw this.off();
    if (given.length !== 1 || !sameSecret(given[0], this.tokenDigest)) throw new TokenError('is not this server\'s studio token', false);
    const rest = new URLSearchParams(url.searchParams);
    rest.delete('token');
    const query = rest.toString();
    // Behind a TLS proxy the cookie should not travel over plain HTTP; a client that lies here only weakens its own cookie.
    const secure = String(req.headers['x-forwarded-proto'] ?? '').toLowerCase() === 'https' ? '; Secure' : '';
    res.writeHead(303, {
      // The pathname matched /studio…, so this stays on this server.
      Location: `${url.pathname}${query ? `?${query}` : ''}`,
      'Set-Cookie': `${this.cookieName(req)}=${this.cookieValue}; Path=/; HttpOnly; SameSite=Strict${secure}`,
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
    });
    res.end();
    return true;
  }

  /** What the start message says about a production server. */
  summary(boundTo: string): string[] {
    const lines: string[] = [];
    const hosts = [...this.publicHosts].join(', ');
    if (this.productionBind) {
      lines.push(`production mode (bound to ${boundTo}): captcha issuing and verification, images and /healthz are public`);
      lines.push(
        this.hasToken
          ? '  web mode (/studio/), the studio API and POST /api/render: on, with the studio token only (Authorization: Bearer TOKEN, or open /studio/?token=TOKEN once)'
          : '  web mode (/studio/), the studio API and POST /api/render: off (enable them with --studio-token or CAPTCHA_STUDIO_TOKEN)',
      );
      lines.push(
        this.anyHost
          ? '  host names: any (no --public-host: nothing here trusts the Host; give --public-host NAME to refuse other names with 403)'
          : `  host names: ${hosts || 'none given'}, the address a connection arrives on, and loopback names over loopback; others get 403`,
      );
    } else if (this.publicHosts.size) {
      lines.push(`public host names: ${hosts}: requests addressed to them are production requests (web mode, the studio API and POST /api/render ${this.hasToken ? 'need the studio token' : 'are off'}); loopback names keep the designer open`);
    }
    return lines;
  }
}
