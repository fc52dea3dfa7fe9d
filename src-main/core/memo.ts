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

/**
 * A BoundedMemo under an object and a number first (a font face and a size; a list of
 * allowed names), then a string the caller already holds (a character, an expression).
 * The string keys it replaced were built on every lookup, `${face.file}\0${size}\0${ch}`:
 * printing the numbers, joining the parts and hashing the result each time took 7 % of a
 * 270x40 captcha's render. A held string hashes once, and an object or a number needs no
 * hashing of text at all. Bounded like BoundedMemo: past `max` entries it starts over.
 */
export class KeyedMemo<O extends object, V> {
  private map = new WeakMap<O, Map<number, Map<string, V>>>();
  private count = 0;

  constructor(private readonly max: number) {}

  get(o: O, n: number, key: string): V | undefined {
    return this.map.get(o)?.get(n)?.get(key);
  }

  set(o: O, n: number, key: string, value: V): void {
    if (this.count >= this.max) {
      this.map = new WeakMap();
      this.count = 0;
    }
    let byNumber = this.map.get(o);
    if (!byNumber) this.map.set(o, (byNumber = new Map()));
    let byKey = byNumber.get(n);
    if (!byKey) byNumber.set(n, (byKey = new Map()));
    if (!byKey.has(key)) this.count++;
    byKey.set(key, value);
  }
}
