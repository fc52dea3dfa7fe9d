/**
 * The server's router, shaped like Hono's (a context object per request, routes by
 * method and pattern, `use` guards, sub-routers mounted by prefix) but over raw Node
 * requests and responses: routes write to `res` themselves (writev, 'close'
 * cancellation, streamed zips and event streams), and the captcha routes run near
 * plain node:http speed, which Hono's adapter costs about a quarter of.
 *
 * Patterns: literal paths, `:name` (one segment) and `:name{regex}`. Literal paths
 * are found with one Map lookup before any pattern is tried, so they win over
 * patterns; patterns are tried in the order they were added. A path that matches
 * with the wrong method is a 405 naming the methods it has (HEAD goes to GET).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InputError } from '../core/input-error.ts';

/** One request: what the route reads and writes, and the server's shared state as `app`. */
export interface Context<App> {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** `url.searchParams`. */
  readonly query: URLSearchParams;
  /** The pattern's named parameters, raw (not percent-decoded). */
  params: Readonly<Record<string, string>>;
  readonly app: App;
}

export type Handler<App> = (c: Context<App>) => unknown;
/** Runs before a route: answers or throws to stop it, or awaits `next()` to go on. */
export type Middleware<App> = (c: Context<App>, next: () => Promise<unknown>) => unknown;

/** The path matched, but not with this method (Allow: `allow`). */
export class MethodNotAllowedError extends InputError {
  constructor(
    method: string,
    readonly allow: string,
  ) {
    super('method', `${method} is not allowed here`);
  }
}

interface Route<App> {
  path: string;
  /** Null for a literal path. */
  pattern: RegExp | null;
  /** By method, in the order added; each with its guards composed in. */
  methods: Map<string, Handler<App>>;
  /** The handlers before composing, kept so a parent can prefix its own guards when mounting. */
  chains: Map<string, Middleware<App>[]>;
  allow: string;
}

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

export class Router<App> {
  private readonly exact = new Map<string, Route<App>>();
  private readonly patterns: Route<App>[] = [];
  /** In the order added; a route gets those added before it (as in Hono). */
  private readonly guards: Middleware<App>[] = [];

  use(...guards: Middleware<App>[]): this {
    this.guards.push(...guards);
    return this;
  }

  get(path: string, ...handlers: [...Middleware<App>[], Handler<App>]): this {
    return this.on('GET', path, handlers);
  }

  post(path: string, ...handlers: [...Middleware<App>[], Handler<App>]): this {
    return this.on('POST', path, handlers);
  }

  delete(path: string, ...handlers: [...Middleware<App>[], Handler<App>]): this {
    return this.on('DELETE', path, handlers);
  }

  on(method: string, path: string, handlers: Middleware<App>[]): this {
    this.add(method, path, [...this.guards, ...handlers]);
    return this;
  }

  /** Mounts `sub`'s routes under `prefix`, behind the guards this router has now. Add `sub`'s routes first. */
  route(prefix: string, sub: Router<App>): this {
    for (const r of [...sub.exact.values(), ...sub.patterns]) {
      for (const [method, chain] of r.chains) this.add(method, prefix + r.path, [...this.guards, ...chain]);
    }
    return this;
  }

  /** Runs the route for `c`'s method and path; 404 and 405 are thrown as InputErrors. */
  dispatch(c: Context<App>, method: string, path: string): unknown {
    let route = this.exact.get(path);
    if (route === undefined) {
      for (const r of this.patterns) {
        const m = r.pattern!.exec(path);
        if (m === null) continue;
        c.params = m.groups ?? NO_PARAMS;
        route = r;
        break;
      }
      if (route === undefined) throw new InputError('path', `nothing at ${path}`, { kind: 'not-found' });
    }
    const handler = route.methods.get(method) ?? (method === 'HEAD' ? route.methods.get('GET') : undefined);
    if (handler === undefined) throw new MethodNotAllowedError(method, route.allow);
    return handler(c);
  }

  private add(method: string, path: string, chain: Middleware<App>[]): void {
    const pattern = compile(path);
    let route = pattern ? this.patterns.find((r) => r.path === path) : this.exact.get(path);
    if (!route) {
      route = { path, pattern, methods: new Map(), chains: new Map(), allow: '' };
      if (pattern) this.patterns.push(route);
      else this.exact.set(path, route);
    }
    route.chains.set(method, chain);
    route.methods.set(method, compose(chain));
    const methods = [...route.methods.keys()];
    route.allow = [...methods, ...(methods.includes('GET') && !methods.includes('HEAD') ? ['HEAD'] : [])].join(', ');
  }
}

/** The chain as one handler; a route without guards is its handler itself (the hot path). */
function compose<App>(chain: Middleware<App>[]): Handler<App> {
  if (chain.length === 1) return chain[0] as Handler<App>;
  return (c) => {
    const step = async (i: number): Promise<unknown> => (i < chain.length ? chain[i](c, () => step(i + 1)) : undefined);
    return step(0);
  };
}

const IDENT = /[A-Za-z_]\w*/y;

/** A pattern's anchored regex with named groups, or null for a literal path. */
export function compile(path: string): RegExp | null {
  if (!path.includes(':')) return null;
  let src = '';
  let i = 0;
  while (i < path.length) {
    const ch = path[i];
    if (ch !== ':') {
      src += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i++;
      continue;
    }
    IDENT.lastIndex = i + 1;
    const name = IDENT.exec(path)?.[0];
    if (!name) throw new Error(`router: a parameter name must follow ':' in ${path}`);
    i += 1 + name.length;
    let re = '[^/]+';
    if (path[i] === '{') {
      const end = closingBrace(path, i);
      re = path.slice(i + 1, end);
      i = end + 1;
    }
    src += `(?<${name}>${re})`;
  }
  return new RegExp(`^${src}$`);
}

function closingBrace(path: string, open: number): number {
  let depth = 0;
  for (let i = open; i < path.length; i++) {
    if (path[i] === '\\') i++;
    else if (path[i] === '{') depth++;
    else if (path[i] === '}' && --depth === 0) return i;
  }
  throw new Error(`router: unclosed '{' in ${path}`);
}
