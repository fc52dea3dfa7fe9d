/**
 * Issued captcha answers, kept server-side under an unguessable id.
 * - single use: any verify attempt consumes the entry, right or wrong, so one id
 *   cannot be brute-forced;
 * - expiry: entries older than the TTL are never valid;
 * - bounded: past `maxEntries` the oldest is evicted, so a flood of issue
 *   requests cannot exhaust memory;
 * - constant-time comparison of the normalised answers.
 */
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';

export interface CaptchaStoreOptions {
  ttlMs?: number;
  maxEntries?: number;
  /** Default true: "AbC" and "abc" both pass. */
  ignoreCase?: boolean;
  now?: () => number;
}

interface Entry {
  answer: string;
  expiresAt: number;
}

export const MAX_ANSWER_LENGTH = 64;
const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export class CaptchaStore {
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly ignoreCase: boolean;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry>();
  evicted = 0;

  constructor(opts: CaptchaStoreOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 5 * 60_000;
    this.maxEntries = opts.maxEntries ?? 100_000;
    this.ignoreCase = opts.ignoreCase ?? true;
    this.now = opts.now ?? Date.now;
  }

  /** Stores an answer; returns its id (128 random bits, URL-safe) and expiry. */
  issue(answer: string): { id: string; expiresAt: number } {
    this.sweep();
    while (this.entries.size >= this.maxEntries) {
      // Map iteration order is insertion order: the first key is the oldest.
      this.entries.delete(this.entries.keys().next().value!);
      this.evicted++;
    }
    const id = randomBytes(16).toString('base64url');
    const expiresAt = this.now() + this.ttlMs;
    this.entries.set(id, { answer, expiresAt });
    return { id, expiresAt };
  }

  /** True only for a known, unexpired id with the right answer. Consumes the id either way. */
  verify(id: unknown, answer: unknown): boolean {
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) return false;
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.entries.delete(id);
    if (typeof answer !== 'string') return false;
    const given = this.normalise(answer);
    if (given.length === 0 || given.length > MAX_ANSWER_LENGTH || entry.expiresAt <= this.now()) return false;
    // Hashing first gives equal-length inputs, so the comparison time does not
    // depend on where (or whether) the strings differ, nor on their lengths.
    const a = createHash('sha256').update(given).digest();
    const b = createHash('sha256').update(this.normalise(entry.answer)).digest();
    return timingSafeEqual(a, b);
  }

  private normalise(s: string): string {
    const t = s.normalize('NFKC').trim();
    return this.ignoreCase ? t.toLowerCase() : t;
  }

  /** Drops expired entries from the front (oldest first) until an unexpired one. */
  private sweep(): void {
    const now = this.now();
    for (const [id, e] of this.entries) {
      if (e.expiresAt > now) break;
      this.entries.delete(id);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
