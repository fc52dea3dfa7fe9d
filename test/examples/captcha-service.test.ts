/**
 * createCaptchaService from the built library: the server's rules (named option errors,
 * fresh answers whatever seed the design carries, single use, the case rule, the TTL)
 * and a shared real Redis: issued by one process, verified by another, once; while
 * Redis is down nothing issues and nothing verifies, and it recovers by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePng } from '../support/png.ts';
import { noRedis, RedisProcess } from '../support/redis.ts';
import { answerRecordingStore, builtCore, builtServer, type LibServer } from './built-library.ts';
import { until } from '../support/until.ts';

let lib: typeof LibServer;
beforeAll(async () => {
  lib = await builtServer();
});

function refusal(make: () => unknown): { field: string; message: string } {
  try {
    make();
  } catch (e) {
    return { field: (e as LibServer.InputError).field, message: (e as Error).message };
  }
  throw new Error('not refused');
}

describe('createCaptchaService options', () => {
  it('names the option and its rule', () => {
    const c = (o: unknown) => refusal(() => lib.createCaptchaService(o as LibServer.CaptchaServiceOptions));
    expect(c({ design: 'no-such-preset' })).toMatchObject({ field: 'design', message: expect.stringContaining('seed-002-captcha') });
    expect(c({ design: 'placeholder' })).toMatchObject({ field: 'design', message: expect.stringContaining('is not a captcha') });
    expect(c({ design: { width: 270, height: 0, text: { mode: 'random' } } })).toMatchObject({ field: 'height' });
    expect(c({ design: 42 })).toMatchObject({ field: 'design' });
    expect(c({ ttl: 0 })).toMatchObject({ field: 'ttl', message: 'ttl: must be a whole number of seconds from 1 to 86400' });
    expect(c({ ttl: 1.5 })).toMatchObject({ field: 'ttl' });
    expect(c({ secret: 'short' })).toMatchObject({ field: 'secret', message: expect.stringContaining('at least 32') });
    expect(c({ store: 'mongodb://x' })).toMatchObject({ field: 'store', message: expect.stringContaining('redis://HOST:PORT/DB') });
    expect(c({ store: { verify: 1 } })).toMatchObject({ field: 'store' });
    expect(c({ store: 'redis://127.0.0.1:1/0' })).toMatchObject({ field: 'secret', message: expect.stringContaining('required with a redis:// store') });
  });

  it('refuses a design over the captcha render budget, as the issuing routes do', () => {
    const costly: LibServer.DesignInput = { width: 6000, height: 5000, text: { mode: 'random' }, background: [{ type: 'grain' }, { type: 'grain' }] };
    expect(refusal(() => lib.createCaptchaService({ design: costly }))).toMatchObject({ field: 'width', message: expect.stringContaining('allows 500 M') });
  });
});

describe('issuing and verifying', () => {
  it('issues fresh captchas even from a design with a fixed seed', async () => {
    const { store, answerOf } = await answerRecordingStore();
    const preset = (await builtCore()).getPreset('digits-captcha')!;
    const captchas = lib.createCaptchaService({ design: { ...preset, seed: 7 }, store });
    const got = await Promise.all(Array.from({ length: 6 }, () => captchas.issue()));
    expect(new Set(got.map((c) => answerOf(c.id))).size).toBeGreaterThan(1);
    expect(new Set(got.map((c) => c.image.toString('base64'))).size).toBe(6);
    const png = decodePng(got[0].image);
    expect([png.width, png.height]).toEqual([got[0].width, got[0].height]);
    expect(got[0].mime).toBe('image/png');
    expect(lib.toDataUrl(got[0])).toBe(`data:image/png;base64,${got[0].image.toString('base64')}`);
  });

  it('verifies once, refuses wrong answers and replays, and ignores case unless told otherwise', async () => {
    const { store, answerOf } = await answerRecordingStore();
    const captchas = lib.createCaptchaService({ store });
    const a = await captchas.issue();
    expect(await captchas.verify(a.id, answerOf(a.id).toLowerCase())).toBe(true);
    expect(await captchas.verify(a.id, answerOf(a.id))).toBe(false);
    const b = await captchas.issue();
    expect(await captchas.verify(b.id, 'wrong')).toBe(false);
    expect(await captchas.verify(b.id, answerOf(b.id))).toBe(false); // the wrong try used it up
    expect(await captchas.verify(undefined, 'x')).toBe(false);
    expect(await captchas.verify({ id: 1 }, 'x')).toBe(false);
  });

  it('ignores case by default and keeps it when caseSensitive is set, in its own store', async () => {
    // One character to draw from: the answer is known without reading the store.
    const design: LibServer.DesignInput = { width: 160, height: 40, text: { charset: 'custom', chars: 'k', length: 4 } };
    const loose = lib.createCaptchaService({ design });
    expect(await loose.verify((await loose.issue()).id, 'KKKK')).toBe(true);
    const strict = lib.createCaptchaService({ design, caseSensitive: true });
    expect(await strict.verify((await strict.issue()).id, 'KKKK')).toBe(false);
    expect(await strict.verify((await strict.issue()).id, 'kkkk')).toBe(true);
  });

  it('refuses a captcha once its TTL has passed', async () => {
    const answers = new Map<string, string>();
    const store = new lib.CaptchaStore({ ttlMs: 1000 });
    const seal = store.issue.bind(store);
    store.issue = (a: string) => {
      const r = seal(a);
      answers.set(r.id, a);
      return r;
    };
    const captchas = lib.createCaptchaService({ store });
    const c = await captchas.issue();
    expect(c.expiresAt.getTime()).toBeGreaterThan(Date.now());
    await until('the captcha to expire', async () => Date.now() > c.expiresAt.getTime(), 5000);
    expect(await captchas.verify(c.id, answers.get(c.id))).toBe(false);
  });
});

const skip = noRedis();
if (skip) console.log(skip);

describe.skipIf(!!skip)('two processes sharing one real Redis', () => {
  const secret = 'one secret for every instance of the site, 32+';
  let redis: RedisProcess;
  let a: LibServer.CaptchaService;
  let b: LibServer.CaptchaService;
  let storeB: LibServer.AnswerStore;
  const answers = new Map<string, string>();

  beforeAll(async () => {
    redis = await RedisProcess.start();
    // A: the store from its URL, as users write it. B: the same kind of store, built by
    // the library's createAnswerStore and passed in, so the test can read B's answers.
    a = lib.createCaptchaService({ store: redis.url(3), secret, ttl: 60 });
    storeB = lib.createAnswerStore(redis.url(3), { secret, ttlMs: 60_000, log: () => {} });
    const seal = storeB.issue.bind(storeB);
    storeB.issue = (answer: string) => {
      const r = seal(answer);
      answers.set(r.id, answer);
      return r;
    };
    b = lib.createCaptchaService({ store: storeB });
  }, 30_000);
  afterAll(async () => {
    await a?.close();
    await storeB?.close();
    await redis?.stop();
  });

  it('a captcha issued by one verifies on the other, once', async () => {
    const c = await b.issue();
    expect(await a.verify(c.id, answers.get(c.id))).toBe(true);
    expect(await b.verify(c.id, answers.get(c.id))).toBe(false);
    expect(await a.verify(c.id, answers.get(c.id))).toBe(false);
    expect(await a.health()).toMatchObject({ kind: 'redis', available: true });
  });

  it('fails closed while Redis is down and recovers by itself', async () => {
    const pending = await b.issue();
    await redis.kill();
    await until('the store to notice Redis is gone', async () => !(await a.health()).available);
    await expect(a.issue()).rejects.toMatchObject({ name: 'StoreUnavailableError', kind: 'busy' });
    await expect(a.verify(pending.id, answers.get(pending.id))).rejects.toMatchObject({ name: 'StoreUnavailableError' });
    await redis.run();
    await until('the store to reconnect', async () => (await a.health()).available);
    // Nothing was used while Redis was down: the pending captcha still verifies, once.
    expect(await a.verify(pending.id, answers.get(pending.id))).toBe(true);
    expect(await b.verify(pending.id, answers.get(pending.id))).toBe(false);
    expect((await a.issue()).id).toMatch(/^[A-Za-z0-9_-]+$/);
  }, 40_000);
});
