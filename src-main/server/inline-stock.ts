/**
 * `serve --processes N`: the captchas a cluster process draws itself (routes.ts), a few
 * at a time. When a design's stock is empty, a request draws a small batch in one go
 * and takes one; the next requests take the rest.
 *
 * Why: drawn one per request, between the HTTP work of the requests around it, seed
 * 002's captcha took about twice its 25 us alone (its code and tables leave the CPU's
 * caches in between). Drawn 7 at a time, the route used 10 % less CPU a captcha and
 * served 10 % more (BENCHMARKS.md, "Captcha route (issue 15)").
 *
 * As with the render pool's stock (captcha-supply.ts), a stocked image holds no secret:
 * its answer is sealed into an id only when it is handed out, so its expiry starts then.
 * A batch is kept to the inline budget in all (`batchUnits`), so the request that draws
 * it holds the event loop no longer than one costly captcha does; the costlier presets
 * draw one or two at a time.
 */
import { canonicalDesign, type Design } from '../core/design.ts';
import type { RenderOutput } from '../render/protocol.ts';

export class InlineStock {
  /**
   * Per design (its canonical text: a saved design is parsed afresh for each request, a
   * preset's object is memoised and its text with it), least recently used first.
   */
  private readonly stocks = new Map<string, RenderOutput[]>();
  /** The most recently used design: a server issuing one design skips re-inserting it. */
  private newest: string | null = null;

  constructor(
    private readonly draw: (design: Design) => RenderOutput,
    /** Estimated units (core/cost.ts) one batch may cost in all. */
    readonly batchUnits: number,
    readonly maxBatch = 8,
    /** Designs stocked at once: the least recently used one is dropped with its images. */
    readonly maxDesigns = 32,
  ) {}

  /** A never-served captcha of `design`, which is estimated at `units` to draw. */
  take(design: Design, units: number): RenderOutput {
    const key = canonicalDesign(design);
    let stock = this.stocks.get(key);
    if (stock) {
      // Re-inserted: Map order is the LRU order.
      if (key !== this.newest) {
        this.stocks.delete(key);
        this.stocks.set(key, stock);
      }
    } else {
      stock = [];
      this.stocks.set(key, stock);
      if (this.stocks.size > this.maxDesigns) this.stocks.delete(this.stocks.keys().next().value!);
    }
    this.newest = key;
    const ready = stock.pop();
    if (ready) return ready;
    const n = Math.max(1, Math.min(this.maxBatch, Math.floor(this.batchUnits / Math.max(units, 1))));
    // The one handed out is drawn first. Should a later one throw, this request still gets
    // its captcha; the next one finds the stock short and draws again, meeting the error itself.
    const out = this.draw(design);
    try {
      for (let i = 1; i < n; i++) stock.push(this.draw(design));
    } catch {
      // See above.
    }
    return out;
  }

  /** Images held, over all designs (the tests read it). */
  get size(): number {
    let n = 0;
    for (const s of this.stocks.values()) n += s.length;
    return n;
  }
}
