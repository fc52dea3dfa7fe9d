/**
 * A bounded memo for the per-glyph and per-expression lookups of every render: a
 * Map that starts over when full. Not an LRU on purpose: lru-cache's `get` keeps
 * recency, and with glyph metrics, glyph masks, charsets and parsed expressions
 * behind it that cost 3% of a 270x40 captcha render (measured with side-by-side
 * renders in one process, 2026-11-22). Their working sets are small and stable,
 * so starting over when full (rare) loses nothing an LRU would keep. Byte-bounded
 * caches of images use lru-cache (server/image-cache.ts, render/worker.ts).
 */
export class BoundedMemo<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly max: number) {}

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    if (this.map.size >= this.max) this.map.clear();
    this.map.set(key, value);
  }

  get size(): number {
    return this.map.size;
  }
}
