/**
 * RedisAnswerStore against a real redis-server (test/support/redis.ts): the same rules as
 * the memory store, with the used-id set shared, atomic, bounded, namespaced, expired by
 * Redis, and failing closed when Redis is away. The HTTP side is redis-servers.test.ts.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src-main/server/captcha-store.ts';
import { createAnswerStore } from '../../src-main/server/answer-stores.ts';
import { RedisAnswerStore, type RedisStoreOptions } from '../../src-main/server/redis-store.ts';
import { parseStoreSpec } from '../../src-main/server/store-spec.ts';
import { noRedis, RedisProcess } from '../support/redis.ts';
import { until as poll } from '../support/until.ts';

/** This file's deadline: 10 s, polled every 20 ms. */
const until = (what: string, ok: () => boolean | Promise<boolean>) => poll(what, ok, 10_000, 20);

const skip = noRedis();
if (skip) console.log(skip);

const SECRET = 'a secret several servers share, 32+ chars';
let redis: RedisProcess;
let admin: Redis;
const open: RedisAnswerStore[] = [];
const quiet: string[] = [];

async function store(opts: Partial<RedisStoreOptions> = {}, db = 1): Promise<RedisAnswerStore> {
  const spec = parseStoreSpec(redis.url(db));
  if (spec.kind !== 'redis') throw new Error('not a redis spec');
  const s = new RedisAnswerStore({ spec, secret: SECRET, retryDelayMs: () => 50, log: (l) => quiet.push(l), ...opts });
  open.push(s);
  await s.open();
  return s;
}

describe.skipIf(skip)('Redis answer store', () => {
  beforeAll(async () => {
    redis = await RedisProcess.start();
    admin = new Redis(redis.url(1), { lazyConnect: true, maxRetriesPerRequest: 1 });
    await admin.connect();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    if (!redis.running) await redis.run();
    if (admin.status !== 'ready') await until('admin reconnects', () => admin.status === 'ready');
    await admin.flushall();
  });
  afterAll(async () => {
    admin?.disconnect();
    await redis?.stop();
  });

  it('createAnswerStore picks memory or Redis from the setting, and refuses a bad one naming the field', () => {
    expect(createAnswerStore(undefined).constructor.name).toBe('CaptchaStore');
    expect(createAnswerStore('memory').constructor.name).toBe('CaptchaStore');
    const r = createAnswerStore(redis.url(2));
    expect(r).toBeInstanceOf(RedisAnswerStore);
    expect(() => createAnswerStore('redis://h:0/0', {}, '--store')).toThrow(/^--store: .*port must be 1\.\.65535/);
    expect(() => createAnswerStore('mysql://h/0')).toThrow(/^store: must be "memory" or redis:\/\//);
  });

  it('one server issues, another verifies once; the answer is consumed right or wrong', async () => {
    const a = await store();
    const b = await store();
    const { id } = a.issue('K7mXp');
    expect(await b.verify(id, ' k7mxp ')).toBe(true);
    expect(await a.verify(id, 'K7mXp')).toBe(false);
    const wrong = b.issue('abcde');
    expect(await a.verify(wrong.id, 'nope')).toBe(false);
    expect(await b.verify(wrong.id, 'abcde')).toBe(false);
  });

  it('50 concurrent verifies of one id across two stores: exactly one wins', async () => {
    const a = await store();
    const b = await store();
    for (let round = 0; round < 5; round++) {
      const { id } = a.issue('race1');
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).verify(id, 'race1')));
      expect(results.filter(Boolean)).toHaveLength(1);
    }
  });

  it('stores no answer and nothing per issue; the used set is one namespaced key that Redis expires', async () => {
    const a = await store({ ttlMs: 5000 });
    for (let i = 0; i < 100; i++) a.issue(`x${i}`);
    expect(await admin.dbsize()).toBe(0);
    const { id } = a.issue('SeCrEt');
    expect(await a.verify(id, 'secret')).toBe(true);
    const keys = await admin.keys('*');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^captcha-studio:used:[0-9a-f]{16}$/);
    // Expires with its newest member (the ids' expiry is sealed in whole seconds).
    const pttl = await admin.pttl(keys[0]);
    expect(pttl).toBeGreaterThan(3000);
    expect(pttl).toBeLessThanOrEqual(6000);
    const members = await admin.zrange(keys[0], '0', '-1');
    expect(members).toHaveLength(1);
    expect(members[0]).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(members[0].toLowerCase()).not.toContain('secret');
    // Another deployment (another secret) on the same Redis has a set of its own.
    const other = await store({ secret: 'another deployment, another secret, 32+' });
    expect(await other.verify(other.issue('q').id, 'q')).toBe(true);
    expect(await admin.keys('*')).toHaveLength(2);
  });

  it('forged, altered and foreign ids are refused without reaching Redis', async () => {
    const a = await store();
    const { id } = a.issue('abc');
    const raw = Buffer.from(id, 'base64url');
    raw[5] ^= 1;
    const foreign = (await store({ secret: 'x'.repeat(32) })).issue('abc').id;
    for (const bad of [raw.toString('base64url'), foreign, 'A'.repeat(66), undefined, 42]) expect(await a.verify(bad, 'abc')).toBe(false);
    expect(await admin.dbsize()).toBe(0);
    expect(await a.verify(id, 'abc')).toBe(true);
  });

  it('keeps the flood limit: full of unexpired ids it refuses (fails closed) and /healthz can tell', async () => {
    const a = await store({ maxEntries: 3 });
    const ids = Array.from({ length: 5 }, (_, i) => a.issue(`a${i}`).id);
    expect(await a.verify(ids[0], 'a0')).toBe(true);
    expect(await a.verify(ids[1], 'wrong')).toBe(false);
    expect(await a.verify(ids[2], 'a2')).toBe(true);
    expect(a.full).toBe(true);
    expect(await a.verify(ids[3], 'a3')).toBe(false);
    expect(a.refusedFull).toBe(1);
    expect(await a.health()).toMatchObject({ kind: 'redis', available: true, full: true, used: 3 });
  });

  it('expires ids by Redis\'s clock: an id past its time is refused, and its member is pruned', async () => {
    let now = Date.now();
    const a = await store({ ttlMs: 1000, now: () => now });
    const first = a.issue('old');
    expect(await a.verify(first.id, 'old')).toBe(true);
    const key = (await admin.keys('*'))[0];
    // A server whose clock lags would still take it as unexpired; Redis does not.
    const late = a.issue('late');
    await until('the sealed expiry passes on Redis\'s clock', async () => {
      const [sec] = await admin.time();
      return Number(sec) * 1000 > late.expiresAt;
    });
    now = late.expiresAt - 1;
    expect(await a.verify(late.id, 'late')).toBe(false);
    // The next use prunes what expired.
    now = Date.now();
    expect(await a.verify(a.issue('new').id, 'new')).toBe(true);
    expect(await admin.zcard(key)).toBe(1);
  });

  it('fails closed while Redis is down (503 errors, never valid) and recovers by itself', async () => {
    const a = await store();
    const pending = a.issue('before');
    await redis.kill();
    await until('the client notices', () => !a.available);
    expect(() => a.issue('x')).toThrow(StoreUnavailableError);
    await expect(a.verify(pending.id, 'before')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(a.verify(pending.id, 'before')).rejects.toThrow(/^store: the captcha store is unavailable \(redis is not connected\); retry shortly$/);
    expect(await a.health()).toMatchObject({ kind: 'redis', available: false, used: null });
    expect(quiet.some((l) => /is unreachable/.test(l))).toBe(true);
    await redis.run();
    await until('it reconnects', () => a.available);
    // The id issued before the outage was never consumed: it verifies now (Redis kept nothing, as it was started without persistence).
    expect(await a.verify(pending.id, 'before')).toBe(true);
    expect(quiet.some((l) => /reachable again/.test(l))).toBe(true);
  });

  it('fails closed when Redis refuses writes (out of memory), and answers again once it accepts them', async () => {
    const a = await store();
    const { id } = a.issue('oom');
    await admin.config('SET', 'maxmemory', '1');
    try {
      await expect(a.verify(id, 'oom')).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(a.available).toBe(false);
      expect(() => a.issue('x')).toThrow(StoreUnavailableError);
    } finally {
      await admin.config('SET', 'maxmemory', '0');
    }
    await until('a probe write succeeds', () => a.available);
    expect(await a.verify(a.issue('ok').id, 'ok')).toBe(true);
  });

  it('starts while Redis is away and connects when it appears', async () => {
    await redis.kill();
    const a = await store();
    expect(a.available).toBe(false);
    expect(() => a.issue('x')).toThrow(StoreUnavailableError);
    await redis.run();
    await until('it connects', () => a.available);
    expect(await a.verify(a.issue('late').id, 'late')).toBe(true);
  });
});
