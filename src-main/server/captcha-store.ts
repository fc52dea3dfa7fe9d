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
import { InputError } from '../core/input-error.ts';
import { HmacSha256 } from './hmac-sha256.ts';
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
  /**
   * `serve --processes N`: this process's index (0..N-1) and generation (how many
   * processes held that index before it), written into every id it issues (the
   * nonce's first three bytes), so a verify or an audio request that reaches another
   * process can be relayed to the one holding its state, and a process started in
   * place of a dead one knows the ids whose used state died with it (cluster.ts).
   */
  owner?: IdOwner;
}

/** Which process of a cluster issued an id: see CaptchaStoreOptions.owner. */
export interface IdOwner {
  index: number;
  generation: number;
}

/** What /healthz reports about a store. */
export interface StoreHealth {
  kind: 'memory' | 'redis';
  /** False while the store cannot answer (Redis unreachable): issuing and verifying answer 503. */
  available: boolean;
  /** True while verification fails closed because the used-id set is full. */
  full: boolean;
  /** Ids remembered as used; null when the store could not be asked. */
  used: number | null;
  /** Why it is unavailable, in one line (never a secret or an answer). */
  error?: string;
}

/**
 * What a store of issued answers does; the in-memory sealed store is the default,
 * RedisAnswerStore (redis-store.ts) shares the used-id set between servers.
 * Issuing stays synchronous: it only seals (and, for Redis, refuses at once while
 * the connection is down). Verifying may wait on the network.
 */
export interface AnswerStore {
  readonly ttlMs: number;
  /** The case rule answers are checked by ("AbC" passes for "abc"): audio says "capital" only when it matters. */
  readonly ignoreCase: boolean;
  /** Throws StoreUnavailableError (503) when an id issued now could not be verified: checked before rendering. */
  checkIssuable(): void;
  /** Throws StoreUnavailableError like checkIssuable. */
  issue(answer: string): { id: string; expiresAt: number };
  /** Which process issued an authentic, unexpired id (`serve --processes`); null for a forged, altered or expired one. */
  ownerOf(id: unknown): IdOwner | null;
  /** `memory`: this process's used ids; `redis`: shared by every server with the secret. */
  readonly kind: 'memory' | 'redis';
  /** True only once per authentic id with the right answer; StoreUnavailableError when the store cannot tell. */
  verify(id: unknown, answer: unknown): Promise<boolean>;
  /** Ids remembered as used, as last known. */
  readonly size: number;
  /** True while verification fails closed (the used-id set is full), as last known. */
  readonly full: boolean;
  /** Asks the store itself (Redis: one round trip). Never throws. */
  health(): Promise<StoreHealth>;
  /** Connects (Redis), without waiting longer than its connect timeout; never throws. */
  open(): Promise<void>;
  /** Lets go of connections; open() may be called again. */
  close(): Promise<void>;
}

/**
 * The store cannot answer (Redis down, timing out or refusing writes): a 503 for
 * issuing and verifying alike, never a `valid` it could not check.
 */
export class StoreUnavailableError extends InputError {
  constructor(why: string, cause?: unknown) {
    super('store', `the captcha store is unavailable (${why}); retry shortly`, { kind: 'busy', retryAfter: 2, cause });
    this.name = 'StoreUnavailableError';
  }
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

/**
 * An answer tag's message, nonce | normalised answer, in a scratch buffer (valid until the
 * next call): a UTF-16 unit is at most 3 bytes of UTF-8, so it always fits.
 */
let answerScratch = Buffer.alloc(NONCE + MAX_ANSWER_LENGTH * 3);
function answerMessage(nonce: Buffer, answer: string): Buffer {
  if (answerScratch.length < NONCE + answer.length * 3) answerScratch = Buffer.alloc(NONCE + answer.length * 3);
  nonce.copy(answerScratch, 0, 0, NONCE);
  return answerScratch.subarray(0, NONCE + answerScratch.write(answer, NONCE, 'utf8'));
}
/** A tag computed to compare with one an id carries. */
const expected = Buffer.alloc(TAG);

/** An authentic id, opened: what a used-id set remembers it by, and when it expires. */
export interface OpenedId {
  /** The nonce, base64url: the id's name in a used-id set. */
  key: string;
  expiresAt: number;
  raw: Buffer;
}

/**
 * The sealing both stores share: ids carry their answer's tag and expiry, so only
 * the set of used ids needs keeping, and forged ids are refused before any store
 * (or network) is asked.
 */
export class IdSeal {
  /** HMAC-SHA256 (hmac-sha256.ts: a tag per id sealed or opened, so its keys are hashed once). */
  private readonly idMac: HmacSha256;
  private readonly answerMac: HmacSha256;

  constructor(
    secret: string,
    readonly ignoreCase: boolean,
    /** See CaptchaStoreOptions.owner: 72 random bits of nonce are left, still never repeated in practice. */
    private readonly owner?: IdOwner,
  ) {
    // Separate keys per purpose, so an id tag can never stand in for an answer tag.
    this.idMac = new HmacSha256(createHmac('sha256', secret).update('captcha-studio id v1').digest());
    this.answerMac = new HmacSha256(createHmac('sha256', secret).update('captcha-studio answer v1').digest());
  }

  /** Seals an answer into a fresh id (96 random bits of nonce) valid until `expiresAtMs` (whole seconds). */
  seal(answer: string, expiresAtMs: number): { id: string; expiresAt: number } {
    const expiresSec = Math.ceil(expiresAtMs / 1000);
    // The token is written in place in one buffer: ids are sealed once per captcha served.
    const token = Buffer.allocUnsafe(TOKEN_BYTES);
    token[0] = VERSION;
    nonceInto(token, 1);
    if (this.owner) {
      token[1] = this.owner.index;
      token.writeUInt16BE(this.owner.generation & 0xffff, 2);
    }
    token.writeUInt32BE(expiresSec, 1 + NONCE);
    const head = 1 + NONCE + 4;
    this.answerMac.macInto(answerMessage(token.subarray(1, 1 + NONCE), this.normalise(answer)), token, head, TAG);
    this.idMac.macInto(token.subarray(0, head + TAG), token, head + TAG, TAG);
    return { id: token.toString('base64url'), expiresAt: expiresSec * 1000 };
  }

  /** The id if this secret sealed it, unaltered, and it has not expired at `now`; null otherwise. */
  open(id: unknown, now: number): OpenedId | null {
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) return null;
    const raw = Buffer.from(id, 'base64url');
    if (raw.length !== TOKEN_BYTES || raw[0] !== VERSION) return null;
    const sealed = raw.subarray(0, TOKEN_BYTES - TAG);
    this.idMac.macInto(sealed, expected, 0, TAG);
    if (!timingSafeEqual(expected, raw.subarray(sealed.length))) return null; // not ours, or altered
    const expiresAt = raw.readUInt32BE(1 + NONCE) * 1000;
    if (expiresAt <= now) return null;
    return { key: raw.subarray(1, 1 + NONCE).toString('base64url'), expiresAt, raw };
  }

  /**
   * The process that issued an authentic, unexpired id (CaptchaStoreOptions.owner); null
   * for any other id. Ids from a server outside the cluster read as random bytes here.
   */
  ownerOf(id: unknown, now: number): IdOwner | null {
    const opened = this.open(id, now);
    return opened ? { index: opened.raw[1], generation: opened.raw.readUInt16BE(2) } : null;
  }

  /** Whether `answer` is the one sealed into the opened id (constant time). */
  answers(opened: OpenedId, answer: unknown): boolean {
    if (typeof answer !== 'string') return false;
    const given = this.normalise(answer);
    if (given.length === 0 || given.length > MAX_ANSWER_LENGTH) return false;
    const { raw } = opened;
    this.answerMac.macInto(answerMessage(raw.subarray(1, 1 + NONCE), given), expected, 0, TAG);
    return timingSafeEqual(expected, raw.subarray(1 + NONCE + 4, TOKEN_BYTES - TAG));
  }

  private normalise(s: string): string {
    const t = s.normalize('NFKC').trim();
    return this.ignoreCase ? t.toLowerCase() : t;
  }
}

/** The default store: the used-id set in this process's memory. */
export class CaptchaStore implements AnswerStore {
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly ignoreCase: boolean;
  private readonly now: () => number;
  private readonly seal: IdSeal;
  /** Used ids (their nonces) and when each expires. */
  private readonly used = new Map<string, number>();
  /**
   * The same ids in the order they were used (mostly expiry order), as a queue from
   * `head`: expired ones are dropped from its front. Not by walking the Map from its
   * front: V8 keeps deleted Map entries as holes that every such walk skips, so under
   * sustained verifying each verify cost more and more (77 -> 237 µs an issue and
   * verify in a minute of steady state).
   */
  private usedKeys: string[] = [];
  private usedExpiries: number[] = [];
  private head = 0;
  private lastFullSweep = -Infinity;
  /** Verifies refused because the used set was full. */
  refusedFull = 0;

  constructor(opts: CaptchaStoreOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 5 * 60_000;
    this.maxEntries = opts.maxEntries ?? 1_000_000;
    this.ignoreCase = opts.ignoreCase ?? true;
    this.now = opts.now ?? Date.now;
    this.seal = new IdSeal(opts.secret ?? randomSecret(), this.ignoreCase, opts.owner);
  }

  readonly kind = 'memory';

  ownerOf(id: unknown): IdOwner | null {
    return this.seal.ownerOf(id, this.now());
  }

  /** Memory is always there. */
  checkIssuable(): void {}

  /** Seals an answer into a fresh id; nothing is stored. */
  issue(answer: string): { id: string; expiresAt: number } {
    return this.seal.seal(answer, this.now() + this.ttlMs);
  }

  /** See verifyNow; a promise to fit AnswerStore. */
  verify(id: unknown, answer: unknown): Promise<boolean> {
    return Promise.resolve(this.verifyNow(id, answer));
  }

  /** True only for an authentic, unexpired, unused id with the right answer. Consumes the id either way. */
  verifyNow(id: unknown, answer: unknown): boolean {
    const now = this.now();
    const opened = this.seal.open(id, now);
    if (!opened) return false;
    if (this.used.has(opened.key)) return false;
    if (!this.remember(opened.key, opened.expiresAt, now)) return false;
    return this.seal.answers(opened, answer);
  }

  /** Marks an id used; false (fail closed) when the set is full of unexpired ids. */
  private remember(key: string, expiresAt: number, now: number): boolean {
    this.sweep(now);
    if (this.used.size >= this.maxEntries) {
      this.refusedFull++;
      return false;
    }
    this.used.set(key, expiresAt);
    this.usedKeys.push(key);
    this.usedExpiries.push(expiresAt);
    return true;
  }

  /**
   * Drops expired ids: from the front of the queue (they are remembered roughly in
   * expiry order) on every call, and all of them, at most once a second, when full.
   */
  private sweep(now: number): void {
    const keys = this.usedKeys;
    const expiries = this.usedExpiries;
    let head = this.head;
    // An id the full sweep already dropped is dropped again here: harmless.
    while (head < keys.length && expiries[head] <= now) this.used.delete(keys[head++]);
    // Compacted once the dropped front is the larger half: amortised O(1) per id.
    if (head > 1024 && head * 2 > keys.length) {
      this.usedKeys = keys.slice(head);
      this.usedExpiries = expiries.slice(head);
      head = 0;
    }
    this.head = head;
    if (this.used.size >= this.maxEntries && now - this.lastFullSweep >= FULL_SWEEP_MS) {
      this.lastFullSweep = now;
      for (const [k, exp] of this.used) if (exp <= now) this.used.delete(k);
    }
  }

  get size(): number {
    return this.used.size;
  }

  get full(): boolean {
    return this.used.size >= this.maxEntries;
  }

  health(): Promise<StoreHealth> {
    return Promise.resolve({ kind: 'memory', available: true, full: this.full, used: this.used.size });
  }

  open(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
