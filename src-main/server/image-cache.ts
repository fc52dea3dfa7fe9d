/** LRU of encoded images, bounded by total bytes, for seeded (deterministic) renders. */
import { LRUCache } from 'lru-cache';

export interface CachedImage {
  bytes: Buffer;
  mime: string;
  etag: string;
}

export class ImageCache {
  private readonly lru: LRUCache<string, CachedImage>;
  /** Seeded images served without a render (the server tests check the cache is used through it). */
  hits = 0;

  constructor(readonly maxBytes = 64 * 2 ** 20) {
    this.lru = new LRUCache({
      maxSize: Math.max(1, maxBytes),
      sizeCalculation: (v) => Math.max(1, v.bytes.length),
      // One huge image must not flush everything: larger ones are not kept.
      maxEntrySize: Math.max(1, Math.floor(maxBytes / 4)),
    });
  }

  get(key: string): CachedImage | undefined {
    const hit = this.lru.get(key);
    if (hit) this.hits++;
    return hit;
  }

  set(key: string, value: CachedImage): void {
    this.lru.set(key, value);
  }

  get size(): number {
    return this.lru.size;
  }

  get totalBytes(): number {
    return this.lru.calculatedSize;
  }
}
