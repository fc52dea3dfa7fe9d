/**
 * A small stock of ready, never-served captchas per design, rendered in batches.
 * One worker message per batch instead of per image: on a 2-core machine the
 * message round trip costs about as much as drawing a 270x40 captcha. Answers are
 * stored only when a captcha is handed out, so a stocked image holds no secret
 * anyone can use, and its expiry starts when it is served.
 */
import { canonicalDesign, type Design } from '../core/design.ts';
import type { RenderPool } from './pool.ts';
import type { RenderOutput } from './protocol.ts';

interface Stock {
  design: Design;
  ready: RenderOutput[];
  waiters: { resolve: (r: RenderOutput) => void; reject: (e: Error) => void }[];
  inFlight: number;
}

export class CaptchaSupply {
  private readonly stocks = new Map<string, Stock>();

  constructor(
    private readonly pool: RenderPool,
    readonly batch = 8,
    /** Designs kept stocked at once; the least recently used idle one is dropped. */
    readonly maxDesigns = 32,
    /** Batches in flight per design, so a burst cannot take the whole queue. */
    readonly maxInFlight = 4,
  ) {}

  /** A fresh captcha of a random (unseeded) design. */
  take(design: Design): Promise<RenderOutput> {
    const key = canonicalDesign(design);
    let s = this.stocks.get(key);
    if (s) {
      this.stocks.delete(key); // re-insert: Map order is the LRU order
      this.stocks.set(key, s);
    } else {
      s = { design, ready: [], waiters: [], inFlight: 0 };
      this.stocks.set(key, s);
      this.trim();
    }
    const ready = s.ready.pop();
    const out = ready ? Promise.resolve(ready) : new Promise<RenderOutput>((resolve, reject) => s.waiters.push({ resolve, reject }));
    this.refill(s);
    return out;
  }

  /** Keeps one batch in stock beyond what waiters need. */
  private refill(s: Stock): void {
    while (s.inFlight < this.maxInFlight && s.ready.length + s.inFlight * this.batch < s.waiters.length + this.batch) {
      s.inFlight++;
      this.pool.renderMany(s.design, this.batch).then(
        (items) => {
          s.inFlight--;
          for (const it of items) {
            const w = s.waiters.shift();
            if (w) w.resolve(it);
            else s.ready.push(it);
          }
          if (s.waiters.length) this.refill(s);
        },
        (e: Error) => {
          s.inFlight--;
          // Fail only the waiters no batch still in flight will serve (a full
          // queue becomes a 503 for them); the newest ones go first.
          const uncovered = Math.max(0, s.waiters.length - s.inFlight * this.batch);
          for (const w of s.waiters.splice(s.waiters.length - uncovered)) w.reject(e);
        },
      );
    }
  }

  private trim(): void {
    for (const [key, s] of this.stocks) {
      if (this.stocks.size <= this.maxDesigns) break;
      if (s.waiters.length === 0 && s.inFlight === 0) this.stocks.delete(key);
    }
  }
}
