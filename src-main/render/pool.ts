/**
 * The render service's worker pool: one worker per core by default, a bounded
 * queue, and a clear "busy" refusal when the queue is full, so a flood of
 * requests waits in no unbounded line and never blocks the event loop.
 *
 * Every byte of a design may be hostile, so no job can hold the pool: each has a
 * deadline (a worker that overruns is killed and replaced), a queued job whose
 * client went away is dropped, and by default each worker is a child process, so
 * a native crash in Skia fails only the request that caused it.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalDesign, DesignError, type Design } from '../core/design.ts';
import type { DesignChange } from '../core/fit-text.ts';
import { rawFileName, type FontMessage, type FromWorker, type RenderJob, type RenderOutput, type RenderReply } from './protocol.ts';
import { spawnWorker, type Isolation, type WorkerExit, type WorkerTransport } from './transport.ts';

export type { Isolation } from './transport.ts';

export class PoolBusyError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('the render queue is full');
    this.name = 'PoolBusyError';
  }
}

function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${+(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** A job ran past its deadline; its worker was killed and replaced. */
export class RenderTimeoutError extends Error {
  constructor(readonly deadlineMs: number) {
    super(`render: took longer than ${duration(deadlineMs)} and was stopped`);
    this.name = 'RenderTimeoutError';
  }
}

/**
 * The worker died while rendering this job (a native crash, a signal, an exit);
 * it was replaced. `remembered`: the same design crashed a worker shortly before
 * and was refused without being rendered again.
 */
export class RenderCrashError extends Error {
  constructor(
    readonly signal: NodeJS.Signals | null,
    readonly exitCode: number | null,
    readonly remembered: { agoMs: number; forMs: number } | null = null,
  ) {
    super(
      remembered
        ? `render: this design crashed the renderer ${duration(remembered.agoMs)} ago and is refused for ${duration(remembered.forMs)} more`
        : `render: the design crashed the renderer (${signal ? `killed by ${signal}` : `exit code ${exitCode}`}); the renderer was restarted`,
    );
    this.name = 'RenderCrashError';
  }
}

/** The job was still waiting in the queue when its signal aborted (its client went away). */
export class RenderAbortedError extends Error {
  constructor() {
    super('render: cancelled before it started');
    this.name = 'AbortError';
  }
}

export interface PoolOptions {
  size?: number;
  /** Jobs waiting beyond those running; more is refused with PoolBusyError. */
  maxQueue?: number;
  /**
   * 'process' (default): each worker is a child process, so a native crash kills
   * only that worker and its job. 'thread': worker threads, a little cheaper (see
   * BENCHMARKS.md), but a native crash takes the whole process down.
   */
  isolation?: Isolation;
  /** Running time allowed per image of a job unless the call says otherwise; default 15 s. */
  deadlineMs?: number;
  /** The pool counts as saturated once a queued job has waited this long; default 2 s. */
  saturatedAfterMs?: number;
  /** A design that crashed a worker is refused at once for this long; 0 forgets at once. Default 5 min. */
  rememberCrashesMs?: number;
}

export interface RenderOpts {
  seed?: number;
  assetDir?: string;
  mode?: RenderJob['mode'];
  /** Mode raw only: render at this many device pixels per design pixel instead of the design's scale. */
  viewScale?: number;
  /** Mode raw only: the pixels PNG-encoded (RenderJob.pack). */
  pack?: RenderJob['pack'];
  /** Overrides the pool's deadlineMs for this job, per image (running time, not time in the queue). */
  deadlineMs?: number;
  /** Aborting it drops the job if it is still queued (it rejects with RenderAbortedError); a running job finishes, bounded by its deadline. */
  signal?: AbortSignal;
}

export interface PoolStats {
  isolation: Isolation;
  /** Live workers (one may be starting in place of one that was replaced). */
  workers: number;
  /** Jobs running. */
  busy: number;
  /** Jobs waiting for a worker. */
  queued: number;
  maxQueue: number;
  /** How long the oldest queued job has waited; 0 when none waits. */
  oldestWaitMs: number;
  /** The next job would be refused (every worker busy and the queue full), or the queue moves too slowly. */
  saturated: boolean;
}

interface Pending {
  job: RenderJob;
  design: Design;
  resolve: (r: RenderOutput[]) => void;
  reject: (e: Error) => void;
  deadlineMs: number;
  queuedAt: number;
  /** Stops listening to the caller's signal: called when the job leaves the queue. */
  detach: () => void;
}

interface Slot {
  t: WorkerTransport;
  /** Keys this worker was last sent a design for (the worker may have evicted some since). */
  sent: Set<string>;
  job: Pending | null;
  timer: NodeJS.Timeout | null;
  /** The worker said it listens: a death before that is a start-up failure, not its job's fault. */
  ready: boolean;
  /** Killed by the pool or exited: nothing it sends counts any more. */
  dead: boolean;
  /** Its current job could not be posted (the worker was already gone): it goes to the next worker instead. */
  undelivered: boolean;
}

// setTimeout's limit; a longer deadline would fire at once.
const MAX_TIMER_MS = 2 ** 31 - 1;
const CRASH_MEMORY_KEYS = 256;

export class RenderPool {
  readonly size: number;
  readonly maxQueue: number;
  readonly isolation: Isolation;
  readonly deadlineMs: number;
  readonly saturatedAfterMs: number;
  readonly rememberCrashesMs: number;
  /** Every live worker, whatever its state: what close() must stop. */
  private readonly workers = new Set<Slot>();
  private readonly idle: Slot[] = [];
  private readonly queue: Pending[] = [];
  /** Designs (by key) that crashed a worker, with when; oldest first. */
  private readonly crashes = new Map<string, number>();
  /** Workers that died before saying ready, in a row: restarts back off so a broken install does not spin. */
  private startFailures = 0;
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  private nextId = 1;
  private closed = false;
  /** User font files, replayed to workers spawned later. */
  private readonly fonts: string[] = [];
  /** Process workers leave large raw pixels here (see RenderJob.rawDir); removed by close(). */
  private readonly rawDir: string | undefined;
  /** Raw pixels being read back from rawDir: close() waits for them before removing it. */
  private readonly reading = new Set<Promise<void>>();

  constructor(opts: PoolOptions = {}) {
    this.size = Math.max(1, opts.size ?? cpus().length);
    this.maxQueue = Math.max(0, opts.maxQueue ?? this.size * 16);
    this.isolation = opts.isolation ?? 'process';
    this.deadlineMs = checkDeadline(opts.deadlineMs ?? 15_000, 'deadlineMs');
    this.saturatedAfterMs = Math.max(0, opts.saturatedAfterMs ?? 2000);
    this.rememberCrashesMs = Math.max(0, opts.rememberCrashesMs ?? 5 * 60_000);
    if (this.isolation === 'process') this.rawDir = makeRawDir();
    for (let i = 0; i < this.size; i++) this.idle.push(this.spawn());
  }

  private spawn(): Slot {
    const slot: Slot = { t: spawnWorker(this.isolation), sent: new Set(), job: null, timer: null, ready: false, dead: false, undelivered: false };
    slot.t.hold(false);
    this.workers.add(slot);
    slot.t.onMessage((m) => this.message(slot, m));
    slot.t.onExit((how) => this.exited(slot, how));
    for (const file of this.fonts) slot.t.post({ kind: 'font', file } satisfies FontMessage);
    return slot;
  }

  /** Posts a job, attaching the design unless this worker was sent it before. */
  private post(slot: Slot, p: Pending, forceDesign = false): void {
    const include = forceDesign || !slot.sent.has(p.job.key);
    if (include) {
      slot.sent.add(p.job.key);
      if (slot.sent.size > 4096) slot.sent.clear(); // worst case: designs get sent again
    }
    const job = this.rawDir && p.job.mode === 'raw' ? { ...p.job, rawDir: this.rawDir } : p.job;
    if (!slot.t.post(include ? { ...job, design: p.design } : job)) slot.undelivered = true;
  }

  private start(slot: Slot, p: Pending): void {
    p.detach(); // running jobs finish, bounded by their deadline
    slot.job = p;
    slot.t.hold(true);
    this.post(slot, p);
    // The deadline is running time: a worker still starting (a replacement) arms it once ready.
    if (slot.ready) this.arm(slot, p);
  }

  private arm(slot: Slot, p: Pending): void {
    slot.timer = setTimeout(() => this.overrun(slot), p.deadlineMs);
    slot.timer.unref();
  }

  private message(slot: Slot, m: FromWorker): void {
    if (slot.dead) return;
    if (!('id' in m)) {
      slot.ready = true;
      this.startFailures = 0;
      if (slot.job && !slot.timer) this.arm(slot, slot.job);
      return;
    }
    const p = slot.job;
    if (!p || p.job.id !== m.id) return;
    if (!m.ok && m.kind === 'missing-design') return this.post(slot, p, true);
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.job = null;
    if (m.ok && m.items.some((it) => it.inRawDir)) this.readRaw(slot.t.pid!, m, p);
    else if (m.ok) p.resolve(m.items.map(({ inRawDir: _, ...it }) => ({ ...it, bytes: Buffer.from(it.bytes.buffer, it.bytes.byteOffset, it.bytes.byteLength) })));
    else if (m.kind === 'design') p.reject(new DesignError(m.issues));
    else p.reject(new Error(`render failed: ${m.message}`));
    this.next(slot);
  }

  /** Reads back (and removes) the raw pixels a process worker left in rawDir; the worker is free meanwhile. */
  private readRaw(pid: number, m: Extract<RenderReply, { ok: true }>, p: Pending): void {
    const read = Promise.all(
      m.items.map(async ({ inRawDir, ...it }, i) => {
        if (!inRawDir) return { ...it, bytes: Buffer.from(it.bytes.buffer, it.bytes.byteOffset, it.bytes.byteLength) };
        const file = join(this.rawDir!, rawFileName(pid, m.id, i));
        try {
          // One read of the known size (readFile would go in 512 KiB steps).
          const h = await open(file, 'r');
          try {
            const size = (await h.stat()).size;
            if (size !== it.width * it.height * 4) throw new Error(`${size} bytes for ${it.width}x${it.height}`);
            const bytes = Buffer.allocUnsafe(size);
            const { bytesRead } = await h.read(bytes, 0, size, 0);
            if (bytesRead !== size) throw new Error(`read ${bytesRead} of ${size} bytes`);
            return { ...it, bytes };
          } finally {
            await h.close();
          }
        } finally {
          await rm(file, { force: true });
        }
      }),
    ).then(p.resolve, (e: Error) => p.reject(new Error(`render failed: the raw pixels could not be read back: ${e.message}`)));
    this.reading.add(read);
    void read.finally(() => this.reading.delete(read));
  }

  /** What a dead worker left half-written in rawDir. */
  private cleanRaw(pid: number | undefined): void {
    if (!this.rawDir || pid === undefined) return;
    try {
      for (const name of readdirSync(this.rawDir)) if (name.startsWith(`${pid}-`)) rmSync(join(this.rawDir, name), { force: true });
    } catch {
      // the folder is gone (closed): nothing to clean
    }
  }

  /** Hands the worker the oldest queued job, or lets it idle. */
  private next(slot: Slot): void {
    if (slot.dead || this.closed) return; // close() stops it
    const p = this.queue.shift();
    if (p) return this.start(slot, p);
    this.idle.push(slot);
    slot.t.hold(false);
  }

  /** Takes a worker out of service; its exit, when it comes, is then ignored. */
  private retire(slot: Slot): void {
    slot.dead = true;
    if (slot.timer) clearTimeout(slot.timer);
    this.workers.delete(slot);
    const i = this.idle.indexOf(slot);
    if (i >= 0) this.idle.splice(i, 1);
  }

  private overrun(slot: Slot): void {
    const p = slot.job;
    if (!p || slot.dead) return;
    slot.job = null;
    this.retire(slot);
    void slot.t.kill().then(() => this.cleanRaw(slot.t.pid));
    p.reject(new RenderTimeoutError(p.deadlineMs));
    this.replace();
  }

  /** A worker died on its own: its job fails, the design is remembered, a fresh worker takes its place. */
  private exited(slot: Slot, how: WorkerExit): void {
    if (slot.dead) return; // the pool stopped it
    this.retire(slot);
    this.cleanRaw(slot.t.pid);
    const p = slot.job;
    slot.job = null;
    if (p && slot.undelivered) {
      // It never reached the dead worker: not its fault, and not lost.
      if (this.closed) p.reject(new Error('the render pool is closing'));
      else this.queue.unshift(p);
    } else if (!slot.ready) {
      this.startFailures++;
      p?.reject(new Error(`render: the render worker could not start (${how.error?.message ?? (how.signal ? `killed by ${how.signal}` : `exit code ${how.code}`)})`));
    } else if (p) {
      this.rememberCrash(p.job.key);
      p.reject(new RenderCrashError(how.signal, how.code));
    }
    this.replace();
  }

  private replace(): void {
    if (this.closed) return;
    if (this.startFailures === 0) return this.next(this.spawn());
    const delay = Math.min(5000, 100 * 2 ** (this.startFailures - 1));
    const t = setTimeout(() => {
      this.restartTimers.delete(t);
      if (!this.closed) this.next(this.spawn());
    }, delay);
    this.restartTimers.add(t);
  }

  private rememberCrash(key: string): void {
    if (this.rememberCrashesMs === 0) return;
    this.crashes.delete(key);
    this.crashes.set(key, Date.now());
    if (this.crashes.size > CRASH_MEMORY_KEYS) this.crashes.delete(this.crashes.keys().next().value!);
  }

  /** Whether `key` crashed a worker recently enough to be refused unrendered. */
  private crashedRecently(key: string): RenderCrashError | null {
    const at = this.crashes.get(key);
    if (at === undefined) return null;
    const ago = Date.now() - at;
    if (ago >= this.rememberCrashesMs) {
      this.crashes.delete(key);
      return null;
    }
    return new RenderCrashError(null, null, { agoMs: ago, forMs: this.rememberCrashesMs - ago });
  }

  /** Jobs running plus waiting. */
  get load(): number {
    let busy = 0;
    for (const s of this.workers) if (s.job) busy++;
    return busy + this.queue.length;
  }

  get saturated(): boolean {
    return this.stats().saturated;
  }

  stats(): PoolStats {
    const oldestWaitMs = this.queue.length ? Date.now() - this.queue[0].queuedAt : 0;
    let busy = 0;
    for (const s of this.workers) if (s.job) busy++;
    return {
      isolation: this.isolation,
      workers: this.workers.size,
      busy,
      queued: this.queue.length,
      maxQueue: this.maxQueue,
      oldestWaitMs,
      saturated: (this.idle.length === 0 && this.queue.length >= this.maxQueue) || oldestWaitMs > this.saturatedAfterMs,
    };
  }

  /** OS process ids of the live workers ('process' isolation; empty for threads, which share this process). */
  workerPids(): number[] {
    return [...this.workers].flatMap((s) => (s.t.pid === undefined ? [] : [s.t.pid]));
  }

  /** Makes a font file (already checked by the caller's registry) available to every worker. */
  addFont(file: string): void {
    if (this.fonts.includes(file)) return;
    this.fonts.push(file);
    for (const s of this.workers) s.t.post({ kind: 'font', file } satisfies FontMessage);
  }

  async render(design: Design, opts: RenderOpts = {}): Promise<RenderOutput> {
    return (await this.renderMany(design, 1, opts))[0];
  }

  /** "Fit text to canvas" (core/fit-text.ts) in a worker: text layout needs the native canvas. */
  async fitText(design: Design, opts: Pick<RenderOpts, 'deadlineMs' | 'signal'> = {}): Promise<DesignChange[]> {
    const [out] = await this.renderMany(design, 1, { ...opts, mode: 'fit-text' });
    return JSON.parse(out.bytes.toString('utf8')) as DesignChange[];
  }

  /** `count` fresh renders of one design as a single job: one message round trip for all. */
  renderMany(design: Design, count: number, opts: RenderOpts = {}): Promise<RenderOutput[]> {
    if (this.closed) return Promise.reject(new Error('the render pool is closed'));
    if (opts.signal?.aborted) return Promise.reject(new RenderAbortedError());
    let deadlineMs: number;
    try {
      // The deadline is per image: a job of `count` images gets `count` times as long.
      deadlineMs = Math.min(MAX_TIMER_MS, (opts.deadlineMs === undefined ? this.deadlineMs : checkDeadline(opts.deadlineMs, 'deadlineMs')) * Math.max(1, count));
    } catch (e) {
      return Promise.reject(e);
    }
    const key = canonicalDesign(design);
    const refused = this.crashedRecently(key);
    if (refused) return Promise.reject(refused);
    if (this.idle.length === 0 && this.queue.length >= this.maxQueue) {
      return Promise.reject(new PoolBusyError(1));
    }
    return new Promise((resolve, reject) => {
      const job: RenderJob = { id: this.nextId++, key, seed: opts.seed, assetDir: opts.assetDir, count, mode: opts.mode, viewScale: opts.mode === 'raw' ? opts.viewScale : undefined, pack: opts.mode === 'raw' ? opts.pack : undefined };
      const p: Pending = { job, design, resolve, reject, deadlineMs, queuedAt: Date.now(), detach: () => {} };
      const slot = this.idle.pop();
      if (slot) return this.start(slot, p);
      this.queue.push(p);
      const signal = opts.signal;
      if (signal) {
        const onAbort = () => {
          const i = this.queue.indexOf(p);
          if (i < 0) return;
          this.queue.splice(i, 1);
          reject(new RenderAbortedError());
        };
        signal.addEventListener('abort', onAbort, { once: true });
        p.detach = () => signal.removeEventListener('abort', onAbort);
      }
    });
  }

  /** Lets running jobs finish (within their deadlines), refuses queued ones, then stops the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.restartTimers) clearTimeout(t);
    this.restartTimers.clear();
    for (const p of this.queue.splice(0)) {
      p.detach();
      p.reject(new Error('the render pool is closing'));
    }
    const running = [...this.workers].flatMap((s) => {
      const p = s.job;
      if (!p) return [];
      return [new Promise<void>((done) => {
        const { resolve, reject } = p;
        p.resolve = (r) => (resolve(r), done());
        p.reject = (e) => (reject(e), done());
      })];
    });
    await Promise.all(running);
    // A worker that finished meanwhile is neither idle nor busy: stop them all by name.
    const slots = [...this.workers];
    for (const s of slots) this.retire(s);
    await Promise.all(slots.map((s) => s.t.kill()));
    this.idle.length = 0;
    await Promise.all(this.reading);
    if (this.rawDir) rmSync(this.rawDir, { recursive: true, force: true });
  }
}

const RAW_DIR_PREFIX = 'captcha-studio-raw-';

/**
 * A private (0700) folder for raw pixels: in memory (/dev/shm) on Linux. Folders
 * left by pools whose process died (named after its pid) are removed first.
 * Undefined when none can be made: the pixels then go through the IPC channel.
 */
function makeRawDir(): string | undefined {
  const root = process.platform === 'linux' && existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  try {
    for (const name of readdirSync(root)) {
      const owner = /^captcha-studio-raw-(\d+)-/.exec(name);
      if (owner && !processAlive(Number(owner[1]))) rmSync(join(root, name), { recursive: true, force: true });
    }
    return mkdtempSync(join(root, `${RAW_DIR_PREFIX}${process.pid}-`));
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // someone else's live process
  }
}

function checkDeadline(ms: number, field: string): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) throw new RangeError(`${field}: must be a positive number of milliseconds`);
  return Math.min(ms, MAX_TIMER_MS);
}
