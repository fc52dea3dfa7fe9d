/** Small HTTP helpers: the response class, JSON replies, bounded bodies, cookies. */
import { ServerResponse, type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders } from 'node:http';
import { InputError } from '../core/input-error.ts';

type HeadersArg = OutgoingHttpHeaders | OutgoingHttpHeader[];
const NOSNIFF = 'X-Content-Type-Options';

/**
 * The server's responses: every one carries X-Content-Type-Options: nosniff, added as its
 * head is written rather than with setHeader() when the request arrives. Any header set
 * before writeHead(status, headers) sends Node down its slow path, which passes every
 * header of the object through setHeader's checks once more (2 % of a captcha request's
 * CPU under load, issue 15). Responses that set headers one by one, or none, still get it.
 */
export class NosniffResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  override writeHead(statusCode: number, statusMessage?: string, headers?: HeadersArg): this;
  override writeHead(statusCode: number, headers?: HeadersArg): this;
  override writeHead(statusCode: number, a?: string | HeadersArg, b?: HeadersArg): this {
    const message = typeof a === 'string' ? a : undefined;
    let headers = typeof a === 'string' ? b : a;
    if (!headers) {
      if (!this.headersSent) this.setHeader(NOSNIFF, 'nosniff');
    } else if (!Array.isArray(headers)) headers = { [NOSNIFF]: 'nosniff', ...headers };
    // A flat list [name, value, ...] (the captcha route's: no object to spread and walk
    // key by key), or a list of [name, value] pairs.
    else if (headers.length === 0 || !Array.isArray(headers[0])) headers = [NOSNIFF, 'nosniff', ...headers];
    else headers = [[NOSNIFF, 'nosniff'], ...headers] as OutgoingHttpHeader[];
    return message === undefined ? super.writeHead(statusCode, headers) : super.writeHead(statusCode, message, headers);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': data.length, 'Cache-Control': 'no-store', ...headers });
  res.end(data);
}

export const MAX_BODY = 1024 * 1024;
/** Designs may carry an image layer as a data URL (up to 16 MiB of text). */
export const MAX_DESIGN_BODY = 24 * 1024 * 1024;

/** How much of an oversized body is read and dropped so the 413 reaches the client. */
const DISCARD_LIMIT = 16 * 1024 * 1024;

/**
 * Stops keeping an oversized body but goes on reading it (up to a cap): closing a
 * socket with unread data makes the kernel reset the connection, and the client
 * would see ECONNRESET instead of the 413.
 */
function discardRest(req: IncomingMessage): void {
  let dropped = 0;
  req.removeAllListeners('data');
  req.on('data', (c: Buffer) => {
    dropped += c.length;
    if (dropped > DISCARD_LIMIT) req.destroy();
  });
  req.resume();
}

/**
 * Reads a request body up to `limit` bytes; more is refused (too-large, 413), never
 * buffered. `field` and `rule` name the limit for the client.
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY, field = 'body', rule = `must be at most ${limit} bytes`): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => new InputError(field, rule, { kind: 'too-large' });
    if (Number(req.headers['content-length']) > limit) {
      discardRest(req);
      return reject(tooLarge());
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) return void chunks.push(c);
      chunks.length = 0;
      discardRest(req);
      reject(tooLarge());
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A body of JSON; anything else is bad input naming the body. */
function jsonValue(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new InputError('body', 'is not valid JSON');
  }
}

/** A body that must be one JSON object; anything else is bad input naming the body. */
export function jsonObject(body: Buffer): Record<string, unknown> {
  const v = jsonValue(body);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InputError('body', 'must be a JSON object');
  return v as Record<string, unknown>;
}

/** The request's media type, without parameters: `application/json; charset=utf-8` is `application/json`. */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** Parses a JSON or form-encoded body into a plain object of fields. */
export async function readFields(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = mediaType(req);
  const body = await readBody(req);
  if (body.length === 0) return {};
  if (type === 'application/json') return jsonObject(body);
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(body.toString('utf8')));
  throw new InputError('content-type', 'must be application/json or application/x-www-form-urlencoded', { kind: 'unsupported' });
}

export function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeOr(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** Percent-decoding that keeps malformed input as it is (it then fails the caller's own checks). */
export function decodeOr(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
