/**
 * A small stock of ready, never-served captchas per design, rendered in batches.
 * One worker message per batch instead of per image: on a 2-core machine the
 * message round trip costs about as much as drawing a 270x40 captcha. Answers are
 * stored only when a captcha is handed out, so a stocked image holds no secret
 * anyone can use, and its expiry starts when it is served.
 */
import { canonicalDesign, type Design } from '../core/design.ts';
import { RenderAbortedError, type RenderPool } from '../render/pool.ts';
import type { RenderOutput } from '../render/protocol.ts';

interface Waiter {
  resolve: (r: RenderOutput) => void;
  reject: (e: Error) => void;
}

interface Stock {
  design: Design;
  ready: RenderOutput[];
  waiters: Waiter[];
  /** Batches asked of the pool and not yet back, oldest first; aborting one drops it if it is still queued. */
  batches: AbortController[];
}

export class CaptchaSupply {
  /**
   * By design, least recently used first. Not lru-cache: a stock with waiters or batches
   * in flight must never be evicted (its callers would hang), so trim() skips those.
   */
  private readonly stocks = new Map<string, Stock>();

  constructor(
    private readonly pool: RenderPool,
    readonly batch = 8,
    /** Designs kept stocked at once; the least recently used idle one is dropped. */
    readonly maxDesigns = 32,
    /** Batches in flight per design, so a burst cannot take the whole queue. */
    readonly maxInFlight = 4,
    /**
     * Batches kept in stock beyond what waiters need. One per worker keeps every
     * worker drawing under sustained load: with one, a worker sits idle while the
     * other's batch drains the stock, and the next request waits for it.
     */
    readonly stockBatches = 1,
  ) {}

  /**
   * A fresh captcha of a random (unseeded) design. Aborting `signal` (the client
   * hung up) drops this request, and a batch still queued only for it.
   */
  take(design: Design, signal?: AbortSignal): Promise<RenderOutput> {
    if (signal?.aborted) return Promise.reject(new RenderAbortedError());
    const { result, cancel, waiting } = this.request(design);
    if (signal && waiting) {
      signal.addEventListener('abort', cancel, { once: true });
      const done = () => signal.removeEventListener('abort', cancel);
      result.then(done, done);
    }
    return result;
  }

  /**
   * take() for a caller that cancels with a call rather than an AbortSignal: the
   * server hands out thousands of captchas a second, and an AbortController and
   * its listeners per request cost more than the rest of the hand-out. `cancel()`
   * (the client hung up) drops a request still waiting, and a batch still queued
   * only for it; after the result it does nothing.
   */
  request(design: Design): { result: Promise<RenderOutput>; cancel: () => void; waiting: boolean } {
    const stock = this.stock(design);
    const ready = stock.ready.pop();
    let cancel = () => {};
    const result = ready
      ? Promise.resolve(ready)
      : new Promise<RenderOutput>((resolve, reject) => {
          const w: Waiter = { resolve, reject };
          stock.waiters.push(w);
          cancel = () => this.leave(stock, w);
        });
    this.refill(stock);
    return { result, cancel, waiting: !ready };
  }

  /** The design's stock, made most recently used (created, and the least used idle one dropped, if new). */
  private stock(design: Design): Stock {
    const key = canonicalDesign(design);
    let s = this.stocks.get(key);
    if (s) {
      this.stocks.delete(key); // re-insert: Map order is the LRU order
      this.stocks.set(key, s);
    } else {
      s = { design, ready: [], waiters: [], batches: [] };
      this.stocks.set(key, s);
      this.trim();
    }
    return s;
  }

  /** A waiter whose client went away: it is dropped, and so are queued batches nobody needs now. */
  private leave(s: Stock, w: Waiter): void {
    const i = s.waiters.indexOf(w);
    if (i < 0) return;
    s.waiters.splice(i, 1);
    w.reject(new RenderAbortedError());
    // The newest batches beyond what the remaining waiters and the stock need;
    // the pool drops those still queued, and running ones land in the stock.
    const needed = Math.max(0, Math.ceil((s.waiters.length + this.stockBatches * this.batch - s.ready.length) / this.batch));
    for (const c of s.batches.slice(needed)) c.abort();
  }

  /** Keeps `stockBatches` batches in stock beyond what waiters need. */
  private refill(s: Stock): void {
    while (s.batches.length < this.maxInFlight && s.ready.length + s.batches.length * this.batch < s.waiters.length + this.stockBatches * this.batch) {
      const batch = new AbortController();
      s.batches.push(batch);
      const landed = () => s.batches.splice(s.batches.indexOf(batch), 1);
      this.pool.renderMany(s.design, this.batch, { signal: batch.signal }).then(
        (items) => {
          landed();
          for (const it of items) {
            const w = s.waiters.shift();
            if (w) w.resolve(it);
            else s.ready.push(it);
          }
          if (s.waiters.length) this.refill(s);
        },
        (e: Error) => {
          landed();
          // Dropped because its waiters left: anyone still waiting gets a new batch.
          if (batch.signal.aborted && e instanceof RenderAbortedError) return void (s.waiters.length && this.refill(s));
          // Fail only the waiters no batch still in flight will serve (a full
          // queue becomes a 503 for them); the newest ones go first.
          const uncovered = Math.max(0, s.waiters.length - s.batches.length * this.batch);
          for (const w of s.waiters.splice(s.waiters.length - uncovered)) w.reject(e);
        },
      );
    }
  }

  private trim(): void {
    for (const [key, s] of this.stocks) {
      if (this.stocks.size <= this.maxDesigns) break;
      if (s.waiters.length === 0 && s.batches.length === 0) this.stocks.delete(key);
    }
  }
}
