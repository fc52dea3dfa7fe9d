/**
 * The local image server: what `captcha-studio serve` runs and what the Electron
 * main process embeds. Loopback by default, Host-checked against DNS rebinding,
 * rendering in a worker pool, a request-log event stream for the UI. Bound to a
 * network address it is a production captcha and image server: the design-time
 * routes are off unless a studio token enables them (access.ts).
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ImageCache } from './image-cache.ts';
import { CaptchaSupply } from './captcha-supply.ts';
import { RenderAbortedError, RenderCrashError, RenderPool, RenderTimeoutError, type PoolOptions } from '../render/pool.ts';
import { CaptchaStore, type CaptchaStoreOptions } from './captcha-store.ts';
import { DesignSource } from './design-source.ts';
import { DesignError } from '../core/design.ts';
import { HttpError, sendError } from './http-util.ts';
import { QueryError } from './query.ts';
import { captchaCookieName, route, type RouteContext } from './routes.ts';
import { checkSecret, randomSecret, signPath } from './signing.ts';
import { isStudioTraffic, StudioWeb, type BatchZipLimits } from './studio-routes.ts';
import { AccessPolicy, isLoopback, setAccessPolicy } from './access.ts';
import type { LogStreamOptions } from './log-streams.ts';
import { StudioService, type FontQuota } from '../studio/studio-service.ts';
import { findResourceDir } from '../core/resources.ts';
import type { ServerStatus } from '../api.ts';
import { DEFAULT_SERVER_PORT } from '../api.ts';
import { createRequire } from 'node:module';

export interface ServerOptions {
  host?: string;
  port?: number;
  designsDir?: string;
  exposeAnswers?: boolean;
  /** One origin allowed to call the API from a browser (CORS); none by default. */
  cors?: string;
  pool?: PoolOptions;
  captchas?: CaptchaStoreOptions;
  /**
   * Signs issuing-route variants and seals captcha ids (at least 32 characters).
   * Random per server when absent: its signed URLs then last as long as it runs.
   */
  secret?: string;
  /** The design /captcha.png and POST /api/captcha issue (classic-captcha by default). */
  captchaDesign?: string;
  cacheBytes?: number;
  maxAge?: number;
  /**
   * A render pool owned by the caller (the desktop app shares one between its
   * previews and the server); it is not closed when the server stops.
   */
  sharedPool?: RenderPool;
  /** Web mode: the designer at /studio/ and its API. On unless false. */
  studio?: boolean;
  /** The built UI (out/renderer); found beside the code when not given. */
  rendererDir?: string;
  /** Where fonts imported through web mode are kept; a temporary folder when not given. */
  userFontsDir?: string;
  /** Web mode's quotas: imported fonts, and batch zips on disk (tests make them small). */
  webLimits?: { fonts?: Partial<FontQuota>; batchZips?: Partial<BatchZipLimits> };
  /** The desktop app starts and stops the server itself; web mode cannot. */
  controllable?: boolean;
  /** Shown in status messages, e.g. why another port was chosen. */
  message?: string | null;
  /** Named designs, shared across restarts by the desktop app (published designs live here). */
  designs?: DesignSource;
  /**
   * Host names the server answers to (a reverse proxy forwards `Host: captcha.example.com`),
   * besides loopback names over loopback and the address a connection arrived on. Requests
   * addressed to them are production requests. Bound to a network address without any,
   * every Host is answered (see AccessPolicy.hostAllowed).
   */
  publicHosts?: string[];
  /**
   * Enables web mode, the studio API and POST /api/render for production requests, which
   * must then present it (Bearer header, or the cookie /studio/?token= sets). At least 32 characters.
   */
  studioToken?: string;
  /** Every request is a production request even on loopback (behind a proxy that rewrites Host). */
  production?: boolean;
  /** Limits of the request-log event stream (tests shorten them). */
  eventStreams?: LogStreamOptions;
}

/** Method, path (never the query: it may carry user input), status, ms, time. */
export type { RequestLogEntry } from '../api.ts';
import type { RequestLogEntry } from '../api.ts';

const VERSION: string = (() => {
  try {
    return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();

/** The built UI: out/renderer beside the sources, or ../renderer beside out/main. */
function defaultRendererDir(): string | undefined {
  return findResourceDir(import.meta.url, 'out/renderer', 'index.html') ?? findResourceDir(import.meta.url, 'renderer', 'index.html');
}

export { isLoopback };

export class StudioServer extends EventEmitter<{ request: [RequestLogEntry] }> {
  readonly options: Required<Pick<ServerOptions, 'host' | 'port' | 'exposeAnswers' | 'maxAge'>> & ServerOptions;
  private server: Server | null = null;
  private pool: RenderPool | null = null;
  private ctx: RouteContext | null = null;
  private web: StudioWeb | null = null;
  readonly store: CaptchaStore;
  private cookieName: string | undefined;
  /** See ServerOptions.secret; never sent anywhere. */
  private readonly secret: string;
  readonly cache: ImageCache;
  readonly designs: DesignSource;
  /** Which Host names are answered, and who may use the design-time routes. */
  readonly access: AccessPolicy;

  constructor(opts: ServerOptions = {}) {
    super();
    this.options = { host: '127.0.0.1', port: 0, exposeAnswers: false, maxAge: 3600, ...opts };
    this.access = new AccessPolicy({ host: this.options.host, publicHosts: opts.publicHosts, studioToken: opts.studioToken, production: opts.production });
    // Answers in headers on a server real visitors reach would hand every captcha's answer to the client it is meant to stop.
    if (this.options.exposeAnswers && (this.access.productionBind || this.access.publicHosts.size)) {
      throw new RangeError('exposeAnswers: is for end-to-end tests on loopback only; it is refused on a production server (a network address, production or public host names)');
    }
    this.secret = checkSecret(opts.secret ?? randomSecret());
    this.store = new CaptchaStore({ secret: this.secret, ...opts.captchas });
    this.cache = new ImageCache(opts.cacheBytes);
    this.designs = opts.designs ?? new DesignSource(opts.designsDir);
    // A shared source (the desktop's) was given its signer, with the same secret, by its owner.
    if (!opts.designs) this.designs.signer = (p) => this.signPath(p);
  }

  /** A path with this server's signature: how an operator's backend makes an issuing-route variant. */
  signPath(pathAndQuery: string): string {
    return signPath(this.secret, pathAndQuery);
  }

  get address(): { host: string; port: number; url: string } | null {
    const a = this.server?.address() as AddressInfo | null | undefined;
    if (!a) return null;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return { host, port: a.port, url: `http://${host}:${a.port}` };
  }

  /** Lines for the start message: what a production server serves and what it keeps off. */
  accessSummary(): string[] {
    return this.access.summary(this.options.host);
  }

  async start(): Promise<{ host: string; port: number; url: string }> {
    if (this.server) return this.address!;
    this.pool = this.options.sharedPool ?? new RenderPool(this.options.pool);
    // A production server without a studio token never serves web mode: nothing is set up for it.
    if (this.options.studio !== false && (!this.access.productionBind || this.access.hasToken)) {
      const limits = this.options.webLimits;
      this.web = new StudioWeb(new StudioService(this.pool, this.options.userFontsDir, false, limits?.fonts), this.options.rendererDir ?? defaultRendererDir(), limits?.batchZips);
      this.web.streams.configure(this.options.eventStreams);
    }
    this.ctx = {
      pool: this.pool,
      supply: new CaptchaSupply(this.pool),
      cache: this.cache,
      store: this.store,
      designs: this.designs,
      secret: this.secret,
      captchaDesign: this.options.captchaDesign ?? 'classic-captcha',
      // Read once listening: server.address() is a syscall-backed call, not worth a request's time.
      cookieName: () => (this.cookieName ??= captchaCookieName(this.address?.port)),
      exposeAnswers: this.options.exposeAnswers,
      maxAge: this.options.maxAge,
      origin: () => this.address?.url ?? '',
      studio: this.web,
      status: () => this.status(),
      version: VERSION,
    };
    setAccessPolicy(this.ctx, this.access);
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 5000;
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException) => {
        server.off('listening', onListening);
        const why =
          e.code === 'EADDRINUSE'
            ? `port ${this.options.port} on ${this.options.host} is already in use (choose another with --port, or 0 for any free port)`
            : e.code === 'EACCES'
              ? `not allowed to listen on port ${this.options.port} (ports below 1024 need privileges)`
              : e.code === 'EADDRNOTAVAIL'
                ? `${this.options.host} is not an address of this machine`
                : e.message;
        reject(Object.assign(new Error(why), { code: e.code }));
      };
      const onListening = () => {
        server.off('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(this.options.port, this.options.host);
    }).catch(async (e) => {
      await this.closePool();
      throw e;
    });
    this.server = server;
    return this.address!;
  }

  /** Stops accepting, lets in-flight requests finish, then closes the pool. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    this.cookieName = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    this.web?.close();
    server.closeIdleConnections();
    await closed;
    await this.closePool();
  }

  private async closePool(): Promise<void> {
    if (this.pool !== this.options.sharedPool) await this.pool?.close();
    this.pool = null;
    this.web = null;
  }

  status(): ServerStatus {
    const a = this.address;
    return {
      running: a !== null,
      url: a?.url ?? null,
      port: a?.port ?? null,
      preferredPort: this.options.port || DEFAULT_SERVER_PORT,
      message: this.options.message ?? null,
      controllable: this.options.controllable ?? false,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = req.method ?? 'GET';
    let path = '/';
    res.on('finish', () => {
      const entry = { method, path, status: res.statusCode, ms: Math.round((performance.now() - started) * 10) / 10, time: Date.now() };
      this.web?.broadcast(entry);
      this.emit('request', entry);
    });
    res.setHeader('X-Content-Type-Options', 'nosniff');
    try {
      // A rebinding defence, not access control (see AccessPolicy.hostAllowed).
      if (!this.access.hostAllowed(req)) throw new HttpError(403, 'host: is not a name this server answers to (loopback names, its address, or a name given with --public-host)', 'host');
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://localhost');
      } catch {
        throw new HttpError(400, 'path: is not a valid URL', 'path');
      }
      path = url.pathname;
      // Never for studio routes: /api/studio/info hands the studio page its event-stream key.
      if (this.options.cors && !isStudioTraffic(path)) {
        const origin = req.headers.origin;
        if (origin === this.options.cors) {
          res.setHeader('Access-Control-Allow-Origin', origin);
          res.setHeader('Access-Control-Allow-Credentials', 'true');
          res.setHeader('Vary', 'Origin');
          if (method === 'OPTIONS') {
            res.writeHead(204, { 'Access-Control-Allow-Methods': 'GET, POST', 'Access-Control-Allow-Headers': 'Content-Type', 'Access-Control-Max-Age': '600' });
            res.end();
            return;
          }
        }
      }
      const { handler, params } = route(method, path);
      await handler(req, res, url, this.ctx!, params);
    } catch (e) {
      // The client hung up (its queued render was dropped): nobody to answer.
      if (e instanceof RenderAbortedError || res.destroyed) return;
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // Bad input from any layer (query parsing, schema, render-time checks) is a 400
      // naming the field, converted here once rather than in every route.
      if (e instanceof HttpError) sendError(res, e);
      else if (e instanceof QueryError) sendError(res, new HttpError(400, e.message, e.field));
      else if (e instanceof DesignError) sendError(res, new HttpError(400, e.message, e.field));
      // A design that crashed its worker failed only its own request; the worker was replaced.
      else if (e instanceof RenderCrashError) sendError(res, new HttpError(422, e.message, 'design'));
      // Over the deadline: the worker was replaced; the estimate let it through, so the machine is likely loaded.
      else if (e instanceof RenderTimeoutError) sendError(res, new HttpError(503, e.message, 'render', { 'Retry-After': '5' }));
      else {
        // A bug, not bad input: report it, answer 500, keep serving.
        console.error(`captcha-studio: internal error on ${method} ${path}:`, e);
        sendError(res, new HttpError(500, 'internal error'));
      }
    }
  }
}

export function createStudioServer(opts: ServerOptions = {}): StudioServer {
  return new StudioServer(opts);
}
