/**
 * The answer store for several servers behind one load balancer: the ids are sealed
 * exactly as in memory (IdSeal: servers sharing `secret` verify each other's ids and
 * issuing writes nothing), and only the set of used ids lives in Redis, shared.
 *
 * Single use is one small Lua script over a sorted set (member: the id's nonce, score:
 * its sealed expiry), not `SET key 1 NX PX ttl` or GETDEL, because in one atomic round
 * trip it also
 * - checks the expiry against Redis's own clock (TIME), so servers whose clocks
 *   disagree cannot replay an id one of them already let Redis forget (SET ... PX/PXAT
 *   would accept an expiry already past, and the key would vanish at once);
 * - keeps the memory store's flood limit: at `maxEntries` unexpired ids it refuses
 *   (fails closed) instead of growing, and reports the set's size for /healthz;
 * - needs no per-issue write: GETDEL would store every issued answer's hash in Redis,
 *   a write per image and memory an issue flood could fill, where this stores one
 *   nonce per verified id, and only for authentic ids (forged ones never reach Redis).
 * Expired members are pruned by Redis's clock as the script runs (a few per call, all
 * of them when full), and the key itself expires (PEXPIREAT) with its newest member,
 * so an idle deployment leaves nothing in Redis. Keys are namespaced by a hash of the
 * secret: deployments sharing one Redis do not share or fill each other's sets.
 * Redis must not evict keys (maxmemory-policy noeviction, its default): an evicted
 * set would allow replays. Out of memory, the script's write fails and we fail closed.
 *
 * Client: ioredis, because its options map one to one onto failing closed
 * (enableOfflineQueue false and maxRetriesPerRequest 0: a command while disconnected,
 * or in flight when the connection drops, fails at once instead of waiting; a command
 * timeout for a Redis that hangs), it reconnects by itself with a backoff we choose,
 * defineCommand runs the script by EVALSHA and re-sends it after NOSCRIPT (a restarted
 * Redis has lost its script cache), and it ships its own TypeScript types.
 */
import { createHmac } from 'node:crypto';
import { Redis } from 'ioredis';
import { IdSeal, StoreUnavailableError, type AnswerStore, type CaptchaStoreOptions, type StoreHealth, type IdOwner } from './captcha-store.ts';
import { randomSecret } from './signing.ts';
import { describeStore, type StoreSpec } from './store-spec.ts';

export interface RedisStoreOptions extends CaptchaStoreOptions {
  /** Checked by parseStoreSpec. */
  spec: Extract<StoreSpec, { kind: 'redis' }>;
  /** Prefix of every key (default `captcha-studio:`). */
  keyPrefix?: string;
  /** A command with no reply by then fails (503) and marks the store unavailable until Redis answers again. */
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Delay before reconnect attempt n (default 50 ms per attempt, at most 1 s). */
  retryDelayMs?: (attempt: number) => number;
  /** One line when Redis goes away and when it is back (default console.warn). */
  log?: (line: string) => void;
}

/** Script replies: the id's state and the set's size after the call. */
const FRESH = 1;
const FULL = 3;

/**
 * KEYS[1] the used-id set; ARGV[1] nonce, ARGV[2] sealed expiry (ms), ARGV[3] maxEntries.
 * Returns {state, size}: 1 fresh (now used), 0 used before, 2 expired by Redis's clock, 3 full.
 */
const USE_ID = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local key = KEYS[1]
local exp = tonumber(ARGV[2])
local max = tonumber(ARGV[3])
if exp <= now then return {2, redis.call('ZCARD', key)} end
local old = redis.call('ZRANGEBYSCORE', key, '-inf', now, 'LIMIT', 0, 64)
if #old > 0 then redis.call('ZREM', key, unpack(old)) end
if redis.call('ZSCORE', key, ARGV[1]) then return {0, redis.call('ZCARD', key)} end
local size = redis.call('ZCARD', key)
if size >= max then
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  size = redis.call('ZCARD', key)
  if size >= max then return {3, size} end
end
redis.call('ZADD', key, exp, ARGV[1])
if redis.call('PTTL', key) < exp - now then redis.call('PEXPIREAT', key, exp) end
return {1, size + 1}
`;

type ScriptedRedis = Redis & { captchaStudioUseId(key: string, nonce: string, expiresAt: number, maxEntries: number): Promise<[number, number]> };

export class RedisAnswerStore implements AnswerStore {
  readonly ttlMs: number;
  readonly ignoreCase: boolean;
  readonly maxEntries: number;
  readonly where: string;
  private readonly now: () => number;
  private readonly seal: IdSeal;
  private readonly client: ScriptedRedis;
  private readonly usedKey: string;
  private readonly probeKey: string;
  private readonly log: (line: string) => void;
  private lastError: string | null = null;
  /** Set when a command failed on a connection that looked up (a timeout, a refused write); a probe clears it. */
  private stalled = false;
  private probeTimer: NodeJS.Timeout | null = null;
  /** Whether the operator was told it is down, so each outage is one line, not one per retry. */
  private saidDown = false;
  private lastSize = 0;
  /** Verifies refused because the used set was full. */
  refusedFull = 0;

  constructor(opts: RedisStoreOptions) {
    this.ttlMs = opts.ttlMs ?? 5 * 60_000;
    this.maxEntries = opts.maxEntries ?? 1_000_000;
    this.now = opts.now ?? Date.now;
    const secret = opts.secret ?? randomSecret();
    this.ignoreCase = opts.ignoreCase ?? true;
    this.seal = new IdSeal(secret, this.ignoreCase, opts.owner);
    this.where = describeStore(opts.spec);
    this.log = opts.log ?? ((line) => console.warn(line));
    // Not the secret itself: a hash that names this deployment's set.
    const ns = createHmac('sha256', secret).update('captcha-studio redis namespace v1').digest('hex').slice(0, 16);
    const prefix = opts.keyPrefix ?? 'captcha-studio:';
    this.usedKey = `${prefix}used:${ns}`;
    this.probeKey = `${prefix}probe:${ns}`;
    const retry = opts.retryDelayMs ?? ((n: number) => Math.min(50 * n, 1000));
    this.client = new Redis(opts.spec.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: opts.commandTimeoutMs ?? 1000,
      connectTimeout: opts.connectTimeoutMs ?? 2000,
      retryStrategy: (n) => retry(n),
      connectionName: 'captcha-studio',
    }) as ScriptedRedis;
    this.client.defineCommand('captchaStudioUseId', { numberOfKeys: 1, lua: USE_ID });
    const down = (why: string) => {
      if (this.saidDown) return;
      this.saidDown = true;
      this.log(`captcha-studio: the captcha store ${this.where} is unreachable (${why}): captchas answer 503 until it is back`);
    };
    this.client.on('error', (e: Error) => {
      this.lastError = e.message;
      down(e.message);
    });
    // Emitted only for a lost connection (not our own close()), before the first failed retry.
    this.client.on('reconnecting', () => down(this.lastError ?? 'connection lost'));
    this.client.on('ready', () => {
      this.lastError = null;
      this.stalled = false;
      if (this.saidDown) this.log(`captcha-studio: the captcha store ${this.where} is reachable again`);
      this.saidDown = false;
    });
  }

  /** Connected, and the last command on this connection did not fail. */
  get available(): boolean {
    return this.client.status === 'ready' && !this.stalled;
  }

  /** Refused at once while Redis is down: a captcha issued now could not be verified. */
  checkIssuable(): void {
    if (!this.available) throw new StoreUnavailableError(this.why());
  }

  readonly kind = 'redis';

  ownerOf(id: unknown): IdOwner | null {
    return this.seal.ownerOf(id, this.now());
  }

  /** Seals locally: issuing writes nothing to Redis. */
  issue(answer: string): { id: string; expiresAt: number } {
    this.checkIssuable();
    return this.seal.seal(answer, this.now() + this.ttlMs);
  }

  async verify(id: unknown, answer: unknown): Promise<boolean> {
    // Forged, altered and expired ids are refused here: they never reach Redis.
    const opened = this.seal.open(id, this.now());
    if (!opened) return false;
    let state: number;
    try {
      [state, this.lastSize] = await this.client.captchaStudioUseId(this.usedKey, opened.key, opened.expiresAt, this.maxEntries);
    } catch (e) {
      this.failed(e);
      throw new StoreUnavailableError(this.why(), e);
    }
    if (state === FULL) this.refusedFull++;
    // Consumed right or wrong, as in memory: one id is one attempt.
    return state === FRESH && this.seal.answers(opened, answer);
  }

  get size(): number {
    return this.lastSize;
  }

  get full(): boolean {
    return this.lastSize >= this.maxEntries;
  }

  /** A write (Redis refusing writes is down for us too) and the set's size, in one round trip. */
  async health(): Promise<StoreHealth> {
    if (this.client.status !== 'ready') return { kind: 'redis', available: false, full: this.full, used: null, error: this.why() };
    try {
      await this.probe();
      this.lastSize = await this.client.zcount(this.usedKey, `(${this.now()}`, '+inf');
      return { kind: 'redis', available: this.available, full: this.full, used: this.lastSize };
    } catch (e) {
      this.failed(e);
      return { kind: 'redis', available: false, full: this.full, used: null, error: this.why() };
    }
  }

  /** Starts connecting and waits for the first answer or failure; reconnecting goes on by itself after. */
  async open(): Promise<void> {
    if (this.client.status !== 'wait' && this.client.status !== 'end') return;
    try {
      await this.client.connect();
    } catch (e) {
      this.lastError ??= (e as Error).message;
    }
  }

  async close(): Promise<void> {
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = null;
    if (this.client.status === 'end' || this.client.status === 'wait') return;
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  private async probe(): Promise<void> {
    await this.client.set(this.probeKey, '1', 'PX', 5000);
    if (this.stalled) this.log(`captcha-studio: the captcha store ${this.where} answers again`);
    this.stalled = false;
  }

  /**
   * A command failed. While disconnected the client's status says so already; on a
   * connection that looks up (a timeout, an out-of-memory refusal) issuing stops too,
   * until a probe write succeeds.
   */
  private failed(e: unknown): void {
    this.lastError = (e as Error).message;
    if (this.client.status !== 'ready' || this.stalled) return;
    this.stalled = true;
    this.log(`captcha-studio: the captcha store ${this.where} failed a command (${this.lastError}): captchas answer 503 until a write succeeds`);
    const retry = () => {
      this.probeTimer = null;
      if (this.client.status === 'end') return;
      this.probe().catch(() => {
        if (this.stalled) this.probeTimer = setTimeout(retry, 500).unref();
      });
    };
    this.probeTimer = setTimeout(retry, 200).unref();
  }

  /**
   * Why, for a 503 body and /healthz, which anyone may read: the state only. Redis's
   * address and its error (which names it) go to the operator's log.
   */
  private why(): string {
    return this.client.status === 'ready' ? 'redis is not answering' : 'redis is not connected';
  }
}
