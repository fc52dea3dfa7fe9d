/**
 * The local image server: what `captcha-studio serve` runs and what the Electron
 * main process embeds. Loopback by default, Host-checked against DNS rebinding,
 * rendering in a worker pool, a request-log event stream for the UI. Bound to a
 * network address it is a production captcha and image server: the design-time
 * routes are off unless a studio token enables them (access.ts).
 */
import { EventEmitter } from 'node:events';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { ImageCache } from './image-cache.ts';
import { CaptchaAudio } from './captcha-audio.ts';
import { CaptchaSupply } from './captcha-supply.ts';
import { PoolBusyError, RenderAbortedError, RenderCrashError, RenderPool, RenderTimeoutError, type PoolOptions } from '../render/pool.ts';
import type { AnswerStore, CaptchaStoreOptions } from './captcha-store.ts';
import { createAnswerStore, type StoreTuning } from './answer-stores.ts';
import { DesignSource } from './design-source.ts';
import { InputError, type InputErrorKind } from '../core/input-error.ts';
import { NosniffResponse, sendJson } from './http-util.ts';
import { captchaCookieName, joinCluster, publicRoutes } from './routes.ts';
import type { ClusterLink } from './cluster.ts';
import { MethodNotAllowedError, Router } from './router.ts';
import type { Ctx, ServerState } from './server-state.ts';
import { checkSecret, randomSecret, signPath } from './signing.ts';
import { studioApi, studioPages } from './studio-routes.ts';
import { sameOrigin } from './studio-guards.ts';
import { isStudioTraffic, StudioWeb } from './studio-web.ts';
import type { BatchZipLimits } from './batch-jobs.ts';
import { AccessPolicy, isLoopback, TokenError } from './access.ts';
import type { LogStreamOptions } from './log-streams.ts';
import { StudioService, type FontQuota } from '../studio/studio-service.ts';
import { findResourceDir } from '../core/resources.ts';
import type { ServerStatus } from '../api.ts';
import { DEFAULT_SERVER_PORT, PREVIEW_SOCKET_PATH } from '../api.ts';
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
   * Where used captcha ids are kept: `memory` (default) or `redis://HOST:PORT/DB`, shared by
   * servers with the same secret (store-spec.ts). The server connects on start and lets go on stop.
   */
  store?: string;
  /** Redis client timing and logging (tests shorten them). */
  storeTuning?: StoreTuning;
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
  /**
   * Web mode's designer service, when the caller has one to share; one is made otherwise.
   * A given one is not disposed when the server stops. Any local HTTP client can call it,
   * so it must refuse designs that name files on disk (made with filesAllowed false).
   */
  studioService?: StudioService;
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
  /**
   * One of `serve --processes N`'s HTTP processes (cluster.ts): ids carry this process's
   * index, verifies and audio for a sibling's ids are relayed to it, and cheap captchas
   * are drawn here rather than in a render worker.
   */
  cluster?: ClusterLink;
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

/** Every route the server has: the public ones, then web mode's behind their guards. */
function buildRouter(): Router<ServerState> {
  return new Router<ServerState>().route('', publicRoutes()).route('/studio', studioPages()).route('/api/studio', studioApi());
}

/**
 * Events:
 *  - `request`: every request answered, studio traffic included (tests, monitoring);
 *  - `log`: the request log people read: the same without the designer's own calls
 *    (isStudioTraffic), decided here once. Web mode's event stream shows these lines;
 *    the desktop app's request log should take them from this event too.
 */
export class StudioServer extends EventEmitter<{ request: [RequestLogEntry]; log: [RequestLogEntry] }> {
  readonly options: Required<Pick<ServerOptions, 'host' | 'port' | 'exposeAnswers' | 'maxAge'>> & ServerOptions;
  private server: Server | null = null;
  private pool: RenderPool | null = null;
  private state: ServerState | null = null;
  private readonly router = buildRouter();
  private web: StudioWeb | null = null;
  readonly store: AnswerStore;
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
      throw new InputError('exposeAnswers', 'is for end-to-end tests on loopback only; it is refused on a production server (a network address, production or public host names)');
    }
    this.secret = checkSecret(opts.secret ?? randomSecret());
    this.store = createAnswerStore(opts.store, { secret: this.secret, ...opts.captchas, owner: opts.cluster && { index: opts.cluster.index, generation: opts.cluster.role.generation }, ...opts.storeTuning });
    this.cache = new ImageCache(opts.cacheBytes);
    this.designs = opts.designs ?? new DesignSource(opts.designsDir);
    // A shared source (the desktop's) was given its signer, with the same secret, by its owner.
    if (!opts.designs) this.designs.signer = (p) => this.signPath(p);
  }

  /** Whether web mode is served: on unless `studio: false`; a production server only with a studio token. */
  get webMode(): boolean {
    return this.options.studio !== false && (!this.access.productionBind || this.access.hasToken);
  }

  /** The built UI web mode serves; undefined when it has not been built. */
  get rendererDir(): string | undefined {
    return this.options.rendererDir ?? defaultRendererDir();
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
    // Never throws: an unreachable Redis makes captchas 503 (and /healthz say so) until it answers.
    await this.store.open();
    this.pool = this.options.sharedPool ?? new RenderPool(this.options.pool);
    // A production server without a studio token never serves web mode: nothing is set up for it.
    if (this.webMode) {
      const limits = this.options.webLimits;
      const given = this.options.studioService;
      const service = given ?? new StudioService(this.pool, this.options.userFontsDir, false, limits?.fonts);
      this.web = new StudioWeb(service, this.rendererDir, limits?.batchZips, !given);
      this.web.streams.configure(this.options.eventStreams);
    }
    this.state = {
      pool: this.pool,
      // Batches of 16 (one worker message, a pipe write and a wake-up each way, per 16 captchas)
      // and a batch in stock per worker, so under load every worker keeps drawing: about 1.2x
      // the captcha route's req/s of batches of 8 with one in stock (BENCHMARKS.md).
      supply: new CaptchaSupply(this.pool, 16, 32, 4, this.pool.size),
      audio: new CaptchaAudio(),
      cache: this.cache,
      store: this.store,
      designs: this.designs,
      access: this.access,
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
      cluster: this.options.cluster ?? null,
    };
    if (this.options.cluster) await joinCluster(this.state);
    // NosniffResponse adds X-Content-Type-Options to every response.
    const server = createServer({ ServerResponse: NosniffResponse }, (req, res) => void this.handle(req, res));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
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
      await this.store.close();
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
    await this.store.close();
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
    let studioPath = false;
    // Only when something reads the log (the studio, the desktop app): the headless server
    // would build and drop an entry per request.
    if (this.web || this.listenerCount('request') > 0 || this.listenerCount('log') > 0) {
      res.on('finish', () => {
        const entry = { method, path, status: res.statusCode, ms: Math.round((performance.now() - started) * 10) / 10, time: Date.now() };
        this.emit('request', entry);
        if (studioPath) return;
        this.web?.log(entry);
        this.emit('log', entry);
      });
    }
    try {
      // A rebinding defence, not access control (see AccessPolicy.hostAllowed).
      if (!this.access.hostAllowed(req)) throw hostRefused();
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://localhost');
      } catch {
        throw new InputError('path', 'is not a valid URL');
      }
      path = url.pathname;
      studioPath = isStudioTraffic(path);
      // Never for studio routes: /api/studio/info hands the studio page its event-stream key.
      if (this.options.cors && !studioPath) {
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
      const c: Ctx = { req, res, url, query: url.searchParams, params: NO_PARAMS, app: this.state! };
      await this.router.dispatch(c, method, path);
    } catch (e) {
      onError(e, res, method, path);
    }
  }

  /**
   * WebSocket upgrades: only web mode's preview channel (preview-socket.ts), behind the
   * guards its HTTP twin gets (host, studio access, web mode, same origin). A refusal is
   * answered as plain HTTP with the JSON error body every route uses.
   */
  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    try {
      if (!this.access.hostAllowed(req)) throw hostRefused();
      let path: string;
      try {
        path = new URL(req.url ?? '/', 'http://localhost').pathname;
      } catch {
        throw new InputError('path', 'is not a valid URL');
      }
      if (path !== PREVIEW_SOCKET_PATH || !this.web) throw new InputError('path', `no WebSocket is served here${this.web ? '' : ' (web mode is off)'}`, { kind: 'not-found' });
      this.access.require(req);
      sameOrigin(req);
      this.web.previewSockets.upgrade(req, socket, head);
    } catch (e) {
      refuseUpgrade(socket, e);
    }
  }
}

function hostRefused(): InputError {
  return new InputError('host', 'is not a name this server answers to (loopback names, its address, or a name given with --public-host)', { kind: 'forbidden' });
}

/** An upgrade refused: an HTTP answer on the raw socket (no ServerResponse exists for it), then the socket closes. */
function refuseUpgrade(socket: Duplex, e: unknown): void {
  let answer: ReturnType<typeof inputErrorAnswer> = { status: 500, body: { error: 'internal error' }, headers: {} };
  if (e instanceof InputError) answer = inputErrorAnswer(e);
  else console.error('captcha-studio: internal error on a WebSocket upgrade:', e);
  const text = JSON.stringify(answer.body);
  const headers = Object.entries({ ...answer.headers, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)), Connection: 'close' }).map(([k, v]) => `${k}: ${v}\r\n`);
  socket.end(`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\n${headers.join('')}\r\n${text}`);
}

/** Bad input as an answer, the same on every route and on a refused upgrade: its status, JSON body and headers. */
function inputErrorAnswer(e: InputError): { status: number; body: Record<string, string>; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  let status = STATUS[e.kind];
  if (e instanceof TokenError) {
    status = 401;
    if (e.challenge) headers['WWW-Authenticate'] = 'Bearer realm="captcha-studio"';
  } else if (e instanceof MethodNotAllowedError) {
    status = 405;
    headers.Allow = e.allow;
  }
  if (e.retryAfter !== undefined) headers['Retry-After'] = String(e.retryAfter);
  // The rest of an oversized body is drained, not kept; the connection goes with this answer.
  if (e.kind === 'too-large') headers.Connection = 'close';
  // Busy is about the server, not the request: no field to name.
  return { status, body: e.kind === 'busy' ? { error: e.message } : { error: e.message, field: e.field }, headers };
}

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

const STATUS: Record<InputErrorKind, number> = {
  invalid: 400,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  unsupported: 415,
  refused: 422,
  busy: 503,
};

/**
 * The one place a failure becomes an answer: bad input from any layer (query parsing,
 * schema, render-time checks) is its kind's status with a JSON body naming the field;
 * nothing is recognised by its message.
 */
function onError(e: unknown, res: ServerResponse, method: string, path: string): void {
  // The client hung up (its queued render was dropped): nobody to answer.
  if (e instanceof RenderAbortedError || res.destroyed) return;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (e instanceof InputError) {
    const { status, body, headers } = inputErrorAnswer(e);
    return sendJson(res, status, body, headers);
  }
  // The render queue is full, whichever route filled it: retry shortly.
  if (e instanceof PoolBusyError) return sendJson(res, 503, { error: 'busy: the render queue is full, retry shortly' }, { 'Retry-After': String(e.retryAfterSeconds) });
  // A design that crashed its worker failed only its own request; the worker was replaced.
  if (e instanceof RenderCrashError) return sendJson(res, 422, { error: e.message, field: 'design' });
  // Over the deadline: the worker was replaced; the estimate let it through, so the machine is likely loaded.
  if (e instanceof RenderTimeoutError) return sendJson(res, 503, { error: e.message, field: 'render' }, { 'Retry-After': '5' });
  // A bug, not bad input: report it, answer 500, keep serving.
  console.error(`captcha-studio: internal error on ${method} ${path}:`, e);
  sendJson(res, 500, { error: 'internal error' });
}

export function createStudioServer(opts: ServerOptions = {}): StudioServer {
  return new StudioServer(opts);
}
