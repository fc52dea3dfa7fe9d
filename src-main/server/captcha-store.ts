/**
 * Issued captcha answers, held by the client in a sealed id instead of by the server.
 *
 * An id is a token the server seals with its secret:
 *   version(1) | nonce(12) | expires, Unix seconds(4) | answerTag(16) | tag(16)
 *   answerTag = HMAC(k2, nonce | normalised answer)          what answers it
 *   tag       = HMAC(k1, everything before it)               the server made this id, unaltered
 * so issuing stores nothing and no flood of issues can push a pending captcha out
 * before its TTL (the old store kept answers in a bounded map and evicted the oldest).
 * The answer never leaves the server in the clear: without the secret the tags
 * cannot be checked offline.
 *
 * What the server does keep is the set of ids already tried, until they expire:
 * - single use: any attempt with an authentic, unexpired id consumes it, right or
 *   wrong, so one id cannot be brute-forced; forged ids are refused without being
 *   remembered, so only issued captchas (one render each) can fill the set;
 * - bounded: at `maxEntries` remembered ids the store fails closed (every verify
 *   is refused) rather than forget one and allow a replay; `full` tells /healthz;
 * - constant-time comparison of the tags.
 */
import { createHmac, randomFillSync, timingSafeEqual } from 'node:crypto';
import { randomSecret } from './signing.ts';

export interface CaptchaStoreOptions {
  ttlMs?: number;
  /** Ids remembered as used (until they expire); past this every verify fails closed. */
  maxEntries?: number;
  /** Default true: "AbC" and "abc" both pass. */
  ignoreCase?: boolean;
  now?: () => number;
  /** Seals the ids; servers sharing one can verify each other's ids. Random when absent. */
  secret?: string;
}

/** What a store of issued answers does; the in-memory sealed store is the default. */
export interface AnswerStore {
  readonly ttlMs: number;
  issue(answer: string): { id: string; expiresAt: number };
  verify(id: unknown, answer: unknown): boolean;
  /** Ids remembered as used. */
  readonly size: number;
  /** True while verification fails closed (the used-id set is full). */
  readonly full: boolean;
}

export const MAX_ANSWER_LENGTH = 64;
const VERSION = 1;
const NONCE = 12;
const TAG = 16;
const TOKEN_BYTES = 1 + NONCE + 4 + TAG + TAG;
/** base64url of TOKEN_BYTES bytes, without padding. */
export const ID_PATTERN = new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((TOKEN_BYTES * 4) / 3)}}$`);
/** A full sweep of the used set costs O(n): at most this often while it is full. */
const FULL_SWEEP_MS = 1000;

/** Nonces come from a pooled CSPRNG buffer: one getrandom call per 256 ids instead of one each. */
const noncePool = Buffer.alloc(NONCE * 256);
let nonceAt = noncePool.length;
function nonceInto(target: Buffer, offset: number): void {
  if (nonceAt === noncePool.length) {
    randomFillSync(noncePool);
    nonceAt = 0;
  }
  noncePool.copy(target, offset, nonceAt, nonceAt + NONCE);
  // Wiped once used, so no nonce is ever handed out twice.
  noncePool.fill(0, nonceAt, nonceAt + NONCE);
  nonceAt += NONCE;
}

function tag(key: Buffer, ...parts: (Buffer | string)[]): Buffer {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest().subarray(0, TAG);
}

export class CaptchaStore implements AnswerStore {
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly ignoreCase: boolean;
  private readonly now: () => number;
  private readonly idKey: Buffer;
  private readonly answerKey: Buffer;
  /** Used ids (their nonces) and when each expires; mostly in expiry order. */
  private readonly used = new Map<string, number>();
  private lastFullSweep = -Infinity;
  /** Verifies refused because the used set was full. */
  refusedFull = 0;

  constructor(opts: CaptchaStoreOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 5 * 60_000;
    this.maxEntries = opts.maxEntries ?? 1_000_000;
    this.ignoreCase = opts.ignoreCase ?? true;
    this.now = opts.now ?? Date.now;
    const secret = opts.secret ?? randomSecret();
    // Separate keys per purpose, so an id tag can never stand in for an answer tag.
    this.idKey = createHmac('sha256', secret).update('captcha-studio id v1').digest();
    this.answerKey = createHmac('sha256', secret).update('captcha-studio answer v1').digest();
  }

  /** Seals an answer into a fresh id (96 random bits of nonce); nothing is stored. */
  issue(answer: string): { id: string; expiresAt: number } {
    const expiresSec = Math.ceil((this.now() + this.ttlMs) / 1000);
    const head = Buffer.alloc(1 + NONCE + 4);
    head[0] = VERSION;
    nonceInto(head, 1);
    head.writeUInt32BE(expiresSec, 1 + NONCE);
    const sealed = Buffer.concat([head, tag(this.answerKey, head.subarray(1, 1 + NONCE), this.normalise(answer))]);
    const id = Buffer.concat([sealed, tag(this.idKey, sealed)]).toString('base64url');
    return { id, expiresAt: expiresSec * 1000 };
  }

  /** True only for an authentic, unexpired, unused id with the right answer. Consumes the id either way. */
  verify(id: unknown, answer: unknown): boolean {
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) return false;
    const raw = Buffer.from(id, 'base64url');
    if (raw.length !== TOKEN_BYTES || raw[0] !== VERSION) return false;
    const sealed = raw.subarray(0, TOKEN_BYTES - TAG);
    if (!timingSafeEqual(tag(this.idKey, sealed), raw.subarray(sealed.length))) return false; // not ours, or altered
    const expiresAt = raw.readUInt32BE(1 + NONCE) * 1000;
    const now = this.now();
    if (expiresAt <= now) return false;
    const nonce = raw.subarray(1, 1 + NONCE);
    const key = nonce.toString('base64url');
    if (this.used.has(key)) return false;
    if (!this.remember(key, expiresAt, now)) return false;
    if (typeof answer !== 'string') return false;
    const given = this.normalise(answer);
    if (given.length === 0 || given.length > MAX_ANSWER_LENGTH) return false;
    return timingSafeEqual(tag(this.answerKey, nonce, given), raw.subarray(1 + NONCE + 4, sealed.length));
  }

  /** Marks an id used; false (fail closed) when the set is full of unexpired ids. */
  private remember(key: string, expiresAt: number, now: number): boolean {
    this.sweep(now);
    if (this.used.size >= this.maxEntries) {
      this.refusedFull++;
      return false;
    }
    this.used.set(key, expiresAt);
    return true;
  }

  /**
   * Drops expired ids: from the front (they are remembered roughly in expiry
   * order) on every call, and all of them, at most once a second, when full.
   */
  private sweep(now: number): void {
    for (const [k, exp] of this.used) {
      if (exp > now) break;
      this.used.delete(k);
    }
    if (this.used.size >= this.maxEntries && now - this.lastFullSweep >= FULL_SWEEP_MS) {
      this.lastFullSweep = now;
      for (const [k, exp] of this.used) if (exp <= now) this.used.delete(k);
    }
  }

  private normalise(s: string): string {
    const t = s.normalize('NFKC').trim();
    return this.ignoreCase ? t.toLowerCase() : t;
  }

  get size(): number {
    return this.used.size;
  }

  get full(): boolean {
    return this.used.size >= this.maxEntries;
  }
}
