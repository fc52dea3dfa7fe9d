/**
 * `captcha-studio serve --processes N`: N HTTP processes on one port (node:cluster),
 * each drawing cheap captchas itself instead of sending them to a render worker.
 *
 * Why: with one HTTP process, every captcha crosses two processes (drawn in a render
 * worker, sent to the HTTP process) and all HTTP work queues on one thread. On the
 * 2-core bench machine the captcha route measured about 9,500 req/s that way; an
 * HTTP process per core drawing its own captchas does without the crossing
 * (BENCHMARKS.md, "Captcha route"). Backgrounds and other costly renders still go to
 * each process's render pool, so no request holds an event loop for long.
 *
 * What must stay one: a captcha is used once, and its audio is served from the
 * answer the issuing process kept. Every id carries the index of the process that
 * issued it (captcha-store.ts, `owner`); a verify or /captcha.wav for an id that
 * reaches another process is relayed to its owner through the primary (ClusterLink),
 * which holds no state of its own. With the memory store a process that dies takes
 * its used ids with it, as a restarted single server does; the primary starts a new
 * one in its place. Redis (`--store`) keeps used ids across restarts.
 *
 * Not for web mode: the designer's jobs and published designs live in one process,
 * so `--processes` above 1 needs `--no-studio` (checked by the CLI).
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { InputError, type InputErrorKind } from '../core/input-error.ts';

/** Set by the primary on each process it starts: "index/count". */
export const PROCESS_ENV = 'CAPTCHA_STUDIO_PROCESS';
/** The primary's random secret when the operator gave none: every process must seal and open ids alike. */
export const CLUSTER_SECRET_ENV = 'CAPTCHA_STUDIO_CLUSTER_SECRET';
export const MAX_PROCESSES = 64;
/** A relayed call not answered within this is a 503 (the owner is restarting or stuck). */
export const RELAY_TIMEOUT_MS = 5000;

export interface ClusterRole {
  index: number;
  count: number;
}

/** `--processes`: "auto" is one per core. Throws an InputError naming the option. */
export function parseProcesses(value: string | undefined, field = '--processes'): number {
  if (value === undefined) return 1;
  if (value === 'auto') return Math.min(MAX_PROCESSES, availableParallelism());
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_PROCESSES) throw new InputError(field, `must be "auto" or a whole number from 1 to ${MAX_PROCESSES}`);
  return n;
}

/** This process's place in a cluster, from what the primary set; null outside one. */
export function clusterRole(env: NodeJS.ProcessEnv = process.env): ClusterRole | null {
  const m = /^(\d+)\/(\d+)$/.exec(env[PROCESS_ENV] ?? '');
  if (!m || !cluster.isWorker) return null;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return index < count && count <= MAX_PROCESSES ? { index, count } : null;
}

interface WireError {
  field: string;
  rule: string;
  kind: InputErrorKind;
  retryAfter?: number;
}

/** What travels between processes. `advanced` serialization: Buffers arrive as Uint8Arrays. */
type Envelope =
  | { cs: 'call'; from: number; to: number; rid: number; op: string; arg: unknown }
  | { cs: 'reply'; from: number; to: number; rid: number; value?: unknown; error?: WireError };

const isEnvelope = (m: unknown): m is Envelope => typeof m === 'object' && m !== null && ((m as Envelope).cs === 'call' || (m as Envelope).cs === 'reply');

/** The relay's own failures: the owner could not answer in time, or is not running. */
const unavailable = (why: string) => new InputError('id', `the process that issued this captcha ${why}; retry shortly`, { kind: 'busy', retryAfter: 1 });

/** A process's side of the relay: calls to a sibling, and the handlers siblings call here. */
export class ClusterLink {
  private nextRid = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly handlers = new Map<string, (arg: unknown) => unknown>();
  private readonly onMessage = (m: unknown) => void this.receive(m);

  constructor(
    readonly role: ClusterRole,
    private readonly send: (m: Envelope) => void = (m) => void process.send!(m),
    private readonly timeoutMs = RELAY_TIMEOUT_MS,
  ) {
    process.on('message', this.onMessage);
  }

  get index(): number {
    return this.role.index;
  }

  /** What `op` does here when a sibling asks; a thrown InputError reaches the caller as itself. */
  handle<A, R>(op: string, fn: (arg: A) => R | Promise<R>): void {
    this.handlers.set(op, fn as (arg: unknown) => unknown);
  }

  /** Runs `op` in process `to` and resolves with its result. */
  call<R>(to: number, op: string, arg: unknown): Promise<R> {
    const rid = this.nextRid++;
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(rid);
        reject(unavailable('did not answer in time'));
      }, this.timeoutMs);
      this.pending.set(rid, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.send({ cs: 'call', from: this.index, to, rid, op, arg });
    });
  }

  close(): void {
    process.off('message', this.onMessage);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(unavailable('is shutting down'));
    }
    this.pending.clear();
  }

  /** Also the primary's way in for tests: one envelope, as process.on('message') gives it. */
  async receive(m: unknown): Promise<void> {
    if (!isEnvelope(m) || m.to !== this.index) return;
    if (m.cs === 'reply') {
      const p = this.pending.get(m.rid);
      if (!p) return; // timed out already
      this.pending.delete(m.rid);
      clearTimeout(p.timer);
      if (m.error) p.reject(new InputError(m.error.field, m.error.rule, { kind: m.error.kind, retryAfter: m.error.retryAfter }));
      else p.resolve(m.value);
      return;
    }
    const reply = (body: { value?: unknown; error?: WireError }) => this.send({ cs: 'reply', from: this.index, to: m.from, rid: m.rid, ...body });
    const fn = this.handlers.get(m.op);
    try {
      if (!fn) throw new Error(`no handler for ${m.op}`);
      reply({ value: await fn(m.arg) });
    } catch (e) {
      // An InputError (an id with no audio: 404) is the answer; anything else is this process's fault.
      reply({ error: e instanceof InputError ? { field: e.field, rule: e.rule, kind: e.kind, retryAfter: e.retryAfter } : { field: 'id', rule: 'could not be checked by the process that issued it; retry shortly', kind: 'busy', retryAfter: 1 } });
    }
  }
}

export interface PrimaryOptions {
  count: number;
  /** Extra environment for every process (the shared secret when the operator gave none). */
  env: Record<string, string>;
  err: (line: string) => void;
}

/**
 * The primary: starts `count` processes running this same command, relays their
 * calls, starts a new one in place of one that dies after it listened, and stops
 * them all on SIGINT/SIGTERM. A process that dies before listening (the port is
 * taken, a bad option) stops the cluster with its exit code. Resolves with the
 * command's exit code.
 */
export function runPrimary(opts: PrimaryOptions): Promise<number> {
  cluster.setupPrimary({ serialization: 'advanced' });
  const workers: (Worker | undefined)[] = new Array(opts.count);
  const listened = new Set<number>();
  let stopping = false;
  let restarts = 0;
  return new Promise<number>((resolve) => {
    const finish = (code: number) => {
      if (stopping) return;
      stopping = true;
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      const alive = workers.filter((w): w is Worker => !!w && !w.isDead());
      if (!alive.length) return resolve(code);
      let left = alive.length;
      for (const w of alive) {
        w.once('exit', () => --left === 0 && resolve(code));
        w.process.kill('SIGTERM');
      }
    };
    const stop = () => finish(0);
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);

    const start = (index: number) => {
      const w = cluster.fork({ ...opts.env, [PROCESS_ENV]: `${index}/${opts.count}` });
      workers[index] = w;
      w.on('listening', () => listened.add(index));
      w.on('message', (m: unknown) => {
        if (!isEnvelope(m)) return;
        const target = workers[m.to];
        if (target && target.isConnected()) target.send(m);
        else if (m.cs === 'call') w.send({ cs: 'reply', from: m.to, to: m.from, rid: m.rid, error: { field: 'id', rule: 'was issued by a process that is restarting; retry shortly', kind: 'busy', retryAfter: 1 } } satisfies Envelope);
      });
      w.on('exit', (code, signal) => {
        if (stopping) return;
        if (!listened.has(index)) return finish(code || 2);
        listened.delete(index);
        restarts++;
        opts.err(`process ${index} of ${opts.count} (pid ${w.process.pid}) exited (${signal ?? `code ${code}`}); starting another in its place (${restarts} so far)\n`);
        // A process that keeps dying at once would otherwise spin: one second between restarts.
        setTimeout(() => !stopping && start(index), Math.min(1000, 100 * restarts)).unref();
      });
    };
    for (let i = 0; i < opts.count; i++) start(i);
  });
}
