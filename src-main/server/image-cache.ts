/** LRU of encoded images, bounded by total bytes, for seeded (deterministic) renders. */
export interface CachedImage {
  bytes: Buffer;
  mime: string;
  etag: string;
}

export class ImageCache {
  private readonly map = new Map<string, CachedImage>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(readonly maxBytes = 64 * 2 ** 20) {}

  get(key: string): CachedImage | undefined {
    const hit = this.map.get(key);
    if (hit) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.map.delete(key);
      this.map.set(key, hit);
      this.hits++;
    } else this.misses++;
    return hit;
  }

  set(key: string, value: CachedImage): void {
    if (value.bytes.length > this.maxBytes / 4) return; // one huge image must not flush everything
    const old = this.map.get(key);
    if (old) {
      this.bytes -= old.bytes.length;
      this.map.delete(key);
    }
    this.map.set(key, value);
    this.bytes += value.bytes.length;
    for (const [k, v] of this.map) {
      if (this.bytes <= this.maxBytes) break;
      this.map.delete(k);
      this.bytes -= v.bytes.length;
    }
  }

  get size(): number {
    return this.map.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }
}
