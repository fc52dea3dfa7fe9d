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
 * answer the issuing process kept. Every id carries the index and generation of the
 * process that issued it (captcha-store.ts, `owner`); a verify or /captcha.wav for an
 * id that reaches another process is relayed to its owner through the primary
 * (ClusterLink), which holds no state of its own. A process that dies is replaced at
 * once, as the next generation of its index. With the memory store its used ids died
 * with it, so the ids it issued are refused from then on (routes.ts, verifyHere), as
 * are ids from any server outside the cluster; with Redis (`--store`) the used ids
 * outlive any process and those ids verify as usual.
 *
 * Not for web mode: the designer's jobs and published designs live in one process,
 * so `--processes` above 1 needs `--no-studio` (checked by the CLI).
 */
import cluster, { type Worker } from 'node:cluster';
import { randomInt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { InputError, type InputErrorKind } from '../core/input-error.ts';

/** Set by the primary on each process it starts: "index/count/generation". */
export const PROCESS_ENV = 'CAPTCHA_STUDIO_PROCESS';
/** The primary's random secret when the operator gave none: every process must seal and open ids alike. */
export const CLUSTER_SECRET_ENV = 'CAPTCHA_STUDIO_CLUSTER_SECRET';
export const MAX_PROCESSES = 64;
/** A relayed call not answered within this is a 503 (the owner is restarting or stuck). */
export const RELAY_TIMEOUT_MS = 5000;
/** After SIGTERM, how long the primary lets its processes finish their requests before SIGKILL. */
export const STOP_GRACE_MS = 10_000;

export interface ClusterRole {
  index: number;
  count: number;
  /** How many processes held this index before this one (each died and was replaced). */
  generation: number;
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
  const m = /^(\d+)\/(\d+)\/(\d+)$/.exec(env[PROCESS_ENV] ?? '');
  if (!m || !cluster.isWorker) return null;
  const [index, count, generation] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return index < count && count <= MAX_PROCESSES && generation <= 0xffff ? { index, count, generation } : null;
}

interface WireError {
  field: string;
  rule: string;
  kind: InputErrorKind;
  retryAfter?: number;
}

/**
 * What travels between processes. `advanced` serialization: Buffers arrive as Uint8Arrays.
 * `epoch` is random per process: a reply meant for a process that has since died is
 * dropped by the one started in its place, whose request ids start over.
 */
type Envelope =
  | { cs: 'call'; from: number; epoch: number; to: number; rid: number; op: string; arg: unknown }
  | { cs: 'reply'; from: number; to: number; epoch: number; rid: number; value?: unknown; error?: WireError };

/** The primary's answer for a call it cannot deliver. */
const undeliverable = (m: Extract<Envelope, { cs: 'call' }>): Envelope => ({
  cs: 'reply',
  from: m.to,
  to: m.from,
  epoch: m.epoch,
  rid: m.rid,
  error: { field: 'id', rule: 'was issued by a process that is restarting; retry shortly', kind: 'busy', retryAfter: 1 },
});

const isEnvelope = (m: unknown): m is Envelope => typeof m === 'object' && m !== null && ((m as Envelope).cs === 'call' || (m as Envelope).cs === 'reply');

/** The relay's own failures: the owner could not answer in time, or is not running. */
const unavailable = (why: string) => new InputError('id', `the process that issued this captcha ${why}; retry shortly`, { kind: 'busy', retryAfter: 1 });

/** A process's side of the relay: calls to a sibling, and the handlers siblings call here. */
export class ClusterLink {
  private nextRid = 1;
  /** See Envelope. */
  private readonly epoch = randomInt(2 ** 31);
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly handlers = new Map<string, (arg: unknown) => unknown>();
  private readonly onMessage = (m: unknown) => void this.receive(m);

  constructor(
    readonly role: ClusterRole,
    /** Sends one envelope; `failed` is called if it could not be (the channel closed). */
    private readonly send: (m: Envelope, failed: () => void) => void = (m, failed) => {
      if (!process.connected) return failed();
      process.send!(m, undefined, undefined, (e: Error | null) => e && failed());
    },
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
      const timer = setTimeout(() => this.settle(rid, undefined, unavailable('did not answer in time')), this.timeoutMs);
      this.pending.set(rid, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.send({ cs: 'call', from: this.index, epoch: this.epoch, to, rid, op, arg }, () => this.settle(rid, undefined, unavailable('could not be reached')));
    });
  }

  private settle(rid: number, value: unknown, error?: Error): void {
    const p = this.pending.get(rid);
    if (!p) return; // timed out already
    this.pending.delete(rid);
    clearTimeout(p.timer);
    if (error) p.reject(error);
    else p.resolve(value);
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
      if (m.epoch !== this.epoch) return; // meant for the process this one replaced
      this.settle(m.rid, m.value, m.error ? new InputError(m.error.field, m.error.rule, { kind: m.error.kind, retryAfter: m.error.retryAfter }) : undefined);
      return;
    }
    // A reply that cannot be sent (this process is stopping) leaves the caller to its timeout.
    const reply = (body: { value?: unknown; error?: WireError }) => this.send({ cs: 'reply', from: this.index, to: m.from, epoch: m.epoch, rid: m.rid, ...body }, () => {});
    const fn = this.handlers.get(m.op);
    try {
      if (!fn) throw new Error(`no handler for ${m.op}`);
      reply({ value: await fn(m.arg) });
    } catch (e) {
      // An InputError (an id with no audio: 404) is the answer; anything else is this process's fault.
      if (!(e instanceof InputError)) console.error(`captcha-studio: process ${this.index} could not answer a relayed ${m.op}:`, e);
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
  const generations: number[] = new Array(opts.count).fill(0);
  const listened = new Set<number>();
  let stopping = false;
  let restarts = 0;
  /** A send to a process that just died fails (EPIPE): to the callback, never as an uncaught error here. */
  const deliver = (to: Worker | undefined, m: Envelope, failed: () => void) => {
    if (!to || !to.isConnected()) return failed();
    to.send(m, undefined, (e: Error | null) => e && failed());
  };
  return new Promise<number>((resolve) => {
    const finish = (code: number) => {
      if (stopping) return;
      stopping = true;
      const alive = workers.filter((w): w is Worker => !!w && !w.isDead());
      if (!alive.length) return resolve(code);
      // Requests in flight get STOP_GRACE_MS to finish; then the rest are killed.
      const kill = setTimeout(() => alive.forEach((w) => w.isDead() || w.process.kill('SIGKILL')), STOP_GRACE_MS);
      let left = alive.length;
      for (const w of alive) {
        w.once('exit', () => {
          if (--left > 0) return;
          clearTimeout(kill);
          resolve(code);
        });
        w.process.kill('SIGTERM');
      }
    };
    // Kept for good: a second Ctrl-C while the processes drain must not kill the primary.
    process.on('SIGINT', () => finish(0));
    process.on('SIGTERM', () => finish(0));

    const start = (index: number) => {
      const generation = generations[index];
      const w = cluster.fork({ ...opts.env, [PROCESS_ENV]: `${index}/${opts.count}/${generation}` });
      workers[index] = w;
      w.on('listening', () => listened.add(index));
      w.on('error', (e) => opts.err(`process ${index} of ${opts.count}: ${e.message}\n`));
      w.on('message', (m: unknown) => {
        if (!isEnvelope(m)) return;
        deliver(workers[m.to], m, () => m.cs === 'call' && deliver(w, undeliverable(m), () => {}));
      });
      w.on('exit', (code, signal) => {
        if (stopping) return;
        // The first processes failing to start (the port is taken, a bad option) stop the
        // command with their code; a replacement failing is retried like any death.
        if (!listened.has(index) && generation === 0) return finish(code || 2);
        listened.delete(index);
        generations[index] = (generation + 1) & 0xffff;
        restarts++;
        opts.err(`process ${index} of ${opts.count} (pid ${w.process.pid}) exited (${signal ?? `code ${code}`}); starting another in its place (${restarts} so far)\n`);
        // A process that keeps dying at once would otherwise spin: one second between restarts.
        setTimeout(() => !stopping && start(index), Math.min(1000, 100 * restarts)).unref();
      });
    };
    for (let i = 0; i < opts.count; i++) start(i);
  });
}
