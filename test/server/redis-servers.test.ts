/**
 * Many servers, one store: two real servers (`store: redis://…`, one secret) behind an
 * imagined load balancer, sharing one real redis-server over HTTP. A captcha issued by
 * one verifies on the other exactly once; racing verifies give one `valid`; with Redis
 * killed, issuing and verifying answer 503 and nothing is valid, /healthz says so, and
 * both recover by themselves when Redis is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenderPool } from '../../src-main/render/pool.ts';
import { createStudioServer, type StudioServer } from '../../src-main/server/server.ts';
import { recordAnswers } from '../support/answers.ts';
import { call, postJson, type Reply } from '../support/http.ts';
import { noRedis, RedisProcess } from '../support/redis.ts';
import { until } from '../support/until.ts';

const skip = noRedis();
if (skip) console.log(skip);

const SECRET = 'one secret for every instance of the site, 32+';
let redis: RedisProcess;
let pool: RenderPool;
let a: StudioServer;
let b: StudioServer;
let baseA: string;
let baseB: string;
/** What each server sealed into the ids it issued (test/support/answers.ts). */
let answerOf: (id: string) => string | undefined;
const logged: string[] = [];

async function issue(base: string): Promise<{ id: string; answer: string }> {
  const r = await postJson(base, '/api/captcha', {});
  expect(r.status, r.body.toString()).toBe(200);
  const id = r.json().id as string;
  return { id, answer: answerOf(id)! };
}

const verify = (base: string, id: string, answer: string): Promise<Reply> => postJson(base, '/api/captcha/verify', { id, answer });

describe.skipIf(skip)('two servers sharing one Redis', () => {
  beforeAll(async () => {
    redis = await RedisProcess.start();
    // One small pool for both: the test is about the store, not rendering.
    pool = new RenderPool({ size: 1, maxQueue: 256 });
    const opts = { port: 0, secret: SECRET, store: redis.url(4), sharedPool: pool, storeTuning: { retryDelayMs: () => 50, log: (l: string) => logged.push(l) } };
    a = createStudioServer(opts);
    b = createStudioServer(opts);
    const mapA = recordAnswers(a);
    const mapB = recordAnswers(b);
    answerOf = (id) => mapA.get(id) ?? mapB.get(id);
    baseA = (await a.start()).url;
    baseB = (await b.start()).url;
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await pool?.close();
    await redis?.stop();
  });

  it('a captcha issued on A verifies on B; a replay on A is refused', async () => {
    const { id, answer } = await issue(baseA);
    expect((await verify(baseB, id, answer)).json()).toEqual({ valid: true });
    expect((await verify(baseA, id, answer)).json()).toEqual({ valid: false });
    expect((await verify(baseB, id, answer)).json()).toEqual({ valid: false });
    // A wrong answer on B uses the id up for A too.
    const second = await issue(baseB);
    expect((await verify(baseB, second.id, 'wrong')).json()).toEqual({ valid: false });
    expect((await verify(baseA, second.id, second.answer)).json()).toEqual({ valid: false });
  });

  it('50 concurrent verifies of one id across both servers: exactly one is valid', async () => {
    const { id, answer } = await issue(baseB);
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => verify(i % 2 ? baseA : baseB, id, answer)));
    expect(replies.map((r) => r.status).every((s) => s === 200)).toBe(true);
    expect(replies.filter((r) => r.json().valid === true)).toHaveLength(1);
  });

  it('/healthz names the store and counts the ids used on every server', async () => {
    const h = (await call(baseA, '/healthz')).json();
    expect(h).toMatchObject({ ok: true, store: 'redis', storeAvailable: true, captchaStoreFull: false });
    expect(h.captchas).toBeGreaterThanOrEqual(3); // the ids the tests above used, on A or B
    expect((await call(baseB, '/healthz')).json().captchas).toBe(h.captchas);
  });

  it('Redis killed mid-run: 503s with a clear error and never valid; both recover by themselves', async () => {
    const pending = await issue(baseA);
    // Load on both servers (issue on one, verify on the other) while Redis dies.
    let stop = false;
    let killedAt = Infinity;
    const verifies: { startedAt: number; status: number; valid?: boolean }[] = [];
    const issues: { startedAt: number; status: number }[] = [];
    const load = Promise.all(
      [baseA, baseB].map(async (base) => {
        while (!stop) {
          const issuedAt = performance.now();
          const r = await postJson(base, '/api/captcha', {});
          issues.push({ startedAt: issuedAt, status: r.status });
          if (r.status !== 200) continue;
          const { id } = r.json();
          const startedAt = performance.now();
          const v = await verify(base === baseA ? baseB : baseA, id, answerOf(id)!);
          verifies.push({ startedAt, status: v.status, valid: v.status === 200 ? v.json().valid : undefined });
        }
      }),
    );
    await until('captchas verify under load', async () => verifies.filter((s) => s.valid).length >= 4);
    await redis.kill();
    killedAt = performance.now();
    await until('a run of 503s on both servers after the kill', async () => issues.filter((s) => s.startedAt > killedAt && s.status === 503).length >= 20);
    stop = true;
    await load;
    // Every request that started once Redis was dead was refused: 503, never a `valid`.
    const afterKill = [...issues, ...verifies].filter((s) => s.startedAt > killedAt);
    expect(afterKill.length).toBeGreaterThanOrEqual(20);
    expect(afterKill.filter((s) => s.status !== 503)).toEqual([]);
    expect(verifies.filter((s) => s.startedAt > killedAt && s.valid !== undefined)).toEqual([]);
    // Before it, they did verify: the test could have seen a valid.
    expect(verifies.filter((s) => s.startedAt < killedAt && s.valid).length).toBeGreaterThanOrEqual(4);

    for (const base of [baseA, baseB]) {
      const issued = await postJson(base, '/api/captcha', {});
      expect(issued.status).toBe(503);
      expect(issued.headers['retry-after']).toBe('2');
      expect(issued.json()).toEqual({ error: 'store: the captcha store is unavailable (redis is not connected); retry shortly' });
      const image = await call(base, '/captcha.png');
      expect(image.status).toBe(503);
      const v = await verify(base, pending.id, pending.answer);
      expect(v.status).toBe(503);
      expect(v.json().valid).toBeUndefined();
      expect(v.json().error).toMatch(/^store: the captcha store is unavailable/);
      const h = await call(base, '/healthz');
      expect(h.status).toBe(503);
      expect(h.json()).toMatchObject({ ok: false, store: 'redis', storeAvailable: false, captchas: null });
      // Public answers name no internal address; the operator's log does.
      expect(h.body.toString() + v.body.toString()).not.toContain(String(redis.port));
      // Images that need no store still serve.
      expect((await call(base, '/background.png?width=32&height=16&seed=1')).status).toBe(200);
    }
    expect(logged.some((l) => l.includes(`redis://127.0.0.1:${redis.port}/4 is unreachable`))).toBe(true);

    await redis.run();
    await until('both report healthy', async () => (await call(baseA, '/healthz')).status === 200 && (await call(baseB, '/healthz')).status === 200);
    // The captcha issued before the outage verifies once, across servers, as before.
    expect((await verify(baseB, pending.id, pending.answer)).json()).toEqual({ valid: true });
    expect((await verify(baseA, pending.id, pending.answer)).json()).toEqual({ valid: false });
    const fresh = await issue(baseB);
    expect((await verify(baseA, fresh.id, fresh.answer)).json()).toEqual({ valid: true });
  });

  it('stops cleanly: the server lets go of its Redis connection, and connects again on a restart', async () => {
    const c = createStudioServer({ port: 0, secret: SECRET, store: redis.url(4), sharedPool: pool });
    const answersC = recordAnswers(c);
    const base = (await c.start()).url;
    expect((await call(base, '/healthz')).json()).toMatchObject({ storeAvailable: true });
    await c.stop();
    expect((await c.store.health()).available).toBe(false);
    const again = (await c.start()).url;
    try {
      expect((await call(again, '/healthz')).json()).toMatchObject({ storeAvailable: true });
      // Its captchas verify on the others, once.
      const { id } = (await postJson(again, '/api/captcha', {})).json();
      expect((await verify(baseA, id, answersC.get(id)!)).json()).toEqual({ valid: true });
      expect((await verify(again, id, answersC.get(id)!)).json()).toEqual({ valid: false });
    } finally {
      await c.stop();
    }
  });
});
