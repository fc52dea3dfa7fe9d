/**
 * The render service's worker pool: one worker per core by default, a bounded
 * queue, and a clear "busy" refusal when the queue is full, so a flood of
 * requests waits in no unbounded line and never blocks the event loop.
 */
import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import { canonicalDesign, DesignError, type Design } from '../core/design.ts';
import type { FontMessage, RenderJob, RenderOutput, RenderReply } from './protocol.ts';

export class PoolBusyError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('the render queue is full');
    this.name = 'PoolBusyError';
  }
}

export interface PoolOptions {
  size?: number;
  /** Jobs waiting beyond those running; more is refused with PoolBusyError. */
  maxQueue?: number;
}

interface Pending {
  job: RenderJob;
  design: Design;
  resolve: (r: RenderOutput[]) => void;
  reject: (e: Error) => void;
}


/** Source (.ts, run through tsx) in development and tests; the built bundle next to it otherwise. */
function workerEntry(): URL {
  if (import.meta.url.endsWith('.ts')) return new URL('./worker-bootstrap.mjs', import.meta.url);
  return new URL('./render-worker.js', import.meta.url);
}

export interface RenderOpts {
  seed?: number;
  assetDir?: string;
  mode?: RenderJob['mode'];
}

export class RenderPool {
  readonly size: number;
  readonly maxQueue: number;
  /** Every live worker, whatever its state: what close() must terminate. */
  private readonly workers = new Set<Worker>();
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly queue: Pending[] = [];
  /** Keys each worker was last sent a design for (the worker may have evicted some since). */
  private readonly sent = new Map<Worker, Set<string>>();
  private nextId = 1;
  private closed = false;
  /** User font files, replayed to workers spawned later. */
  private readonly fonts: string[] = [];

  constructor(opts: PoolOptions = {}) {
    this.size = Math.max(1, opts.size ?? cpus().length);
    this.maxQueue = Math.max(0, opts.maxQueue ?? this.size * 16);
    for (let i = 0; i < this.size; i++) this.idle.push(this.spawn());
  }

  private spawn(): Worker {
    const w = new Worker(workerEntry());
    w.unref();
    this.workers.add(w);
    this.sent.set(w, new Set());
    w.on('message', (reply: RenderReply) => this.finish(w, reply));
    w.on('error', (err) => this.crashed(w, err));
    for (const file of this.fonts) w.postMessage({ kind: 'font', file } satisfies FontMessage);
    return w;
  }

  /** Posts a job, attaching the design unless this worker was sent it before. */
  private post(w: Worker, p: Pending, forceDesign = false): void {
    const sent = this.sent.get(w)!;
    const include = forceDesign || !sent.has(p.job.key);
    if (include) {
      sent.add(p.job.key);
      if (sent.size > 4096) sent.clear(); // worst case: designs get sent again
    }
    w.postMessage(include ? { ...p.job, design: p.design } : p.job);
  }

  private finish(w: Worker, reply: RenderReply): void {
    const p = this.busy.get(w);
    if (p && !reply.ok && reply.kind === 'missing-design') return this.post(w, p, true);
    this.busy.delete(w);
    if (p) {
      if (reply.ok) p.resolve(reply.items.map((it) => ({ ...it, bytes: Buffer.from(it.bytes.buffer, it.bytes.byteOffset, it.bytes.byteLength) })));
      else if (reply.kind === 'design') p.reject(new DesignError(reply.issues));
      else if (reply.kind === 'internal') p.reject(new Error(`render failed: ${reply.message}`));
    }
    this.dispatch(w);
  }

  /** A worker that died takes its job down with it; a fresh one takes its place. */
  private crashed(w: Worker, err: Error): void {
    const p = this.busy.get(w);
    this.busy.delete(w);
    p?.reject(new Error(`render worker failed: ${err.message}`));
    this.sent.delete(w);
    this.workers.delete(w);
    void w.terminate();
    if (!this.closed) this.dispatch(this.spawn());
  }

  private dispatch(w: Worker): void {
    const next = this.queue.shift();
    if (!next || this.closed) {
      if (!this.closed) this.idle.push(w);
      return;
    }
    this.busy.set(w, next);
    this.post(w, next);
  }

  /** Jobs running plus waiting. */
  get load(): number {
    return this.busy.size + this.queue.length;
  }

  /** Makes a font file (already checked by the caller's registry) available to every worker. */
  addFont(file: string): void {
    if (this.fonts.includes(file)) return;
    this.fonts.push(file);
    for (const w of this.workers) w.postMessage({ kind: 'font', file } satisfies FontMessage);
  }

  async render(design: Design, opts: RenderOpts = {}): Promise<RenderOutput> {
    return (await this.renderMany(design, 1, opts))[0];
  }

  /** `count` fresh renders of one design as a single job: one message round trip for all. */
  renderMany(design: Design, count: number, opts: RenderOpts = {}): Promise<RenderOutput[]> {
    if (this.closed) return Promise.reject(new Error('the render pool is closed'));
    if (this.idle.length === 0 && this.queue.length >= this.maxQueue) {
      return Promise.reject(new PoolBusyError(1));
    }
    return new Promise((resolve, reject) => {
      const job: RenderJob = { id: this.nextId++, key: canonicalDesign(design), seed: opts.seed, assetDir: opts.assetDir, count, mode: opts.mode };
      const pending: Pending = { job, design, resolve, reject };
      const w = this.idle.pop();
      if (w) {
        this.busy.set(w, pending);
        this.post(w, pending);
      } else this.queue.push(pending);
    });
  }

  /** Lets running jobs finish, refuses queued ones, then stops the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('the render pool is closing'));
    const running = [...this.busy.values()].map((p) => new Promise<void>((done) => {
      const { resolve, reject } = p;
      p.resolve = (r) => (resolve(r), done());
      p.reject = (e) => (reject(e), done());
    }));
    await Promise.all(running);
    // A worker that finished meanwhile is neither idle nor busy: terminate them all by name.
    await Promise.all([...this.workers].map((w) => w.terminate()));
    this.workers.clear();
    this.idle.length = 0;
  }
}
