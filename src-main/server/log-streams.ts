/**
 * The request-log event stream (`GET /api/studio/events`, server-sent events).
 *
 * Any local client can open streams, so the studio's own must not be crowded out by
 * them. The studio page learns a per-server random key from `POST /api/studio/info`
 * (same-origin only: no CORS is granted on studio routes, so another site's page
 * cannot read it) and presents it as `?key=`. Streams with the key have their own
 * slots, and when those are full the oldest is closed rather than the newcomer
 * refused. Streams without it are capped separately and refused with 503 when full.
 *
 * No stream is kept forever: each is closed after `maxAgeMs` (EventSource reconnects
 * by itself and is replayed what it missed, by `Last-Event-ID`), and a client that
 * stops reading is dropped as soon as its unsent backlog passes a small bound, so
 * idle connections neither hold slots nor make the server buffer log lines for them.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestLogEntry } from '../api.ts';
import { InputError } from '../core/input-error.ts';
import { sameSecret } from './access.ts';

export interface LogStreamOptions {
  /** Streams without the key; more get 503 with Retry-After. */
  maxOpen?: number;
  /** Streams with the key (the studio's tabs); a newcomer closes the oldest. */
  maxKeyed?: number;
  /** Every stream is closed after this long; the client reconnects. */
  maxAgeMs?: number;
  /** A comment line keeps proxies from closing a quiet stream. */
  pingMs?: number;
}

const DEFAULTS: Required<LogStreamOptions> = { maxOpen: 16, maxKeyed: 8, maxAgeMs: 10 * 60_000, pingMs: 15_000 };
/** Unsent bytes a stream may hold before its client counts as gone. */
const MAX_BACKLOG = 64 * 1024;
/** How long a closed stream may take to flush before its connection is cut. */
const UNREAD_GRACE_MS = 5000;
/** Entries kept for replay to a reconnecting client. */
const HISTORY = 256;
/** How long EventSource waits before reconnecting after the server closed a stream. */
const RETRY_MS = 1000;

interface Stream {
  res: ServerResponse;
  keyed: boolean;
  timer: NodeJS.Timeout;
}

export class LogStreams {
  /** Given to the studio page by /api/studio/info; never logged. */
  readonly key = randomBytes(24).toString('base64url');
  private readonly keyDigest = createHash('sha256').update(this.key).digest();
  /** Per process, so a Last-Event-ID from another run replays nothing. */
  private readonly run = randomBytes(6).toString('base64url');
  /** Insertion order is age: the first keyed stream is the oldest. */
  private readonly streams = new Map<ServerResponse, Stream>();
  private readonly history: { n: number; line: string }[] = [];
  private next = 1;
  private ping: NodeJS.Timeout | null = null;
  private opts: Required<LogStreamOptions> = { ...DEFAULTS };
  /** After close(): every new stream is refused (the server is stopping). */
  private closed = false;

  configure(opts: LogStreamOptions = {}): void {
    this.opts = { ...DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) };
  }

  count(keyed?: boolean): number {
    let n = 0;
    for (const s of this.streams.values()) if (keyed === undefined || s.keyed === keyed) n++;
    return n;
  }

  /** Answers `GET /api/studio/events`; throws an InputError when the stream is refused. */
  connect(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (this.closed) {
      // A stopping server: EventSource reconnects at once over its keep-alive socket, and a
      // stream accepted now would hold server.close() open until its age limit.
      res.setHeader('Connection', 'close');
      throw new InputError('server', 'is stopping', { kind: 'busy', retryAfter: 5 });
    }
    const keys = url.searchParams.getAll('key');
    if (keys.length > 1 || (keys.length === 1 && !sameSecret(keys[0], this.keyDigest))) {
      throw new InputError('key', 'is not this server\'s stream key (the studio page gets it from /api/studio/info)', { kind: 'forbidden' });
    }
    const keyed = keys.length === 1;
    if (keyed) {
      // The studio's own slots: make room by closing the oldest (it reconnects if it is still wanted).
      const old = [...this.streams.values()].filter((s) => s.keyed);
      for (let i = 0; i <= old.length - this.opts.maxKeyed; i++) this.drop(old[i], false);
    } else if (this.count(false) >= this.opts.maxOpen) {
      throw new InputError('busy', 'too many log listeners', { kind: 'busy', retryAfter: 5 });
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write(`retry: ${RETRY_MS}\n: request log\n\n`);
    const replay = this.since(req.headers['last-event-id']);
    if (replay) res.write(replay);
    const s: Stream = { res, keyed, timer: setTimeout(() => this.drop(s, false), this.opts.maxAgeMs) };
    s.timer.unref();
    this.streams.set(res, s);
    res.on('close', () => this.forget(s));
    if (!this.ping) {
      this.ping = setInterval(() => this.write(': ping\n\n'), this.opts.pingMs);
      this.ping.unref();
    }
  }

  broadcast(entry: RequestLogEntry): void {
    const n = this.next++;
    const line = `id: ${this.run}.${n}\ndata: ${JSON.stringify(entry)}\n\n`;
    this.history.push({ n, line });
    if (this.history.length > HISTORY) this.history.shift();
    this.write(line);
  }

  /** Ends every stream, so a stopping server is not held open by them. */
  close(): void {
    this.closed = true;
    for (const s of [...this.streams.values()]) this.drop(s, false);
    this.stopPing();
  }

  /** What a reconnecting client missed: the entries after its Last-Event-ID, if it came from this run. */
  private since(header: string | string[] | undefined): string {
    const m = typeof header === 'string' ? /^([\w-]{8})\.(\d{1,15})$/.exec(header) : null;
    if (!m || m[1] !== this.run) return '';
    const after = Number(m[2]);
    return this.history.filter((h) => h.n > after).map((h) => h.line).join('');
  }

  private write(chunk: string): void {
    for (const s of [...this.streams.values()]) {
      s.res.write(chunk);
      // A client that does not read leaves the bytes here: past the bound it is gone.
      if (s.res.writableLength > MAX_BACKLOG) this.drop(s, true);
    }
  }

  /** Closes a stream: politely (end, the client reconnects) or, for one that stopped reading, at once. */
  private drop(s: Stream, destroy: boolean): void {
    this.forget(s);
    if (destroy) return void s.res.destroy();
    s.res.end();
    // A client that is not reading would keep the connection (and what is queued for it) forever.
    const unread = setTimeout(() => s.res.destroy(), UNREAD_GRACE_MS);
    unread.unref();
    s.res.once('finish', () => clearTimeout(unread));
    s.res.once('close', () => clearTimeout(unread));
  }

  private forget(s: Stream): void {
    clearTimeout(s.timer);
    this.streams.delete(s.res);
    if (this.streams.size === 0) this.stopPing();
  }

  private stopPing(): void {
    if (this.ping) clearInterval(this.ping);
    this.ping = null;
  }
}
