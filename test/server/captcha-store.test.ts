import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CaptchaStore, ID_PATTERN } from '../../src-main/server/captcha-store.ts';

/**
 * The id format of captcha-store.ts's header, built with node:crypto alone: version | nonce |
 * expires | HMAC(answer key, nonce | answer)[0..16] | HMAC(id key, all before)[0..16].
 */
function referenceId(secret: string, nonce: Buffer, expiresSec: number, answer: string): string {
  const key = (purpose: string) => createHmac('sha256', secret).update(purpose).digest();
  const head = Buffer.alloc(17);
  head[0] = 1;
  nonce.copy(head, 1);
  head.writeUInt32BE(expiresSec, 13);
  const answerTag = createHmac('sha256', key('captcha-studio answer v1')).update(nonce).update(answer).digest().subarray(0, 16);
  const sealed = Buffer.concat([head, answerTag]);
  return Buffer.concat([sealed, createHmac('sha256', key('captcha-studio id v1')).update(sealed).digest().subarray(0, 16)]).toString('base64url');
}

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('captcha store', async () => {
  it('accepts the right answer exactly once', async () => {
    const s = new CaptchaStore();
    const { id } = s.issue('Ab3dE');
    expect(await s.verify(id, 'Ab3dE')).toBe(true);
    expect(await s.verify(id, 'Ab3dE')).toBe(false);
  });

  it('consumes the id on a wrong answer too, so one id cannot be brute-forced', async () => {
    const s = new CaptchaStore();
    const { id } = s.issue('Ab3dE');
    expect(await s.verify(id, 'wrong')).toBe(false);
    expect(await s.verify(id, 'Ab3dE')).toBe(false);
  });

  it('ignores case and surrounding spaces by default, and can be strict', async () => {
    const loose = new CaptchaStore();
    expect(await loose.verify(loose.issue('Ab3dE').id, '  aB3De ')).toBe(true);
    const strict = new CaptchaStore({ ignoreCase: false });
    expect(await strict.verify(strict.issue('Ab3dE').id, 'ab3de')).toBe(false);
    expect(await strict.verify(strict.issue('Ab3dE').id, 'Ab3dE')).toBe(true);
  });

  it('expires answers after the TTL', async () => {
    const c = clock();
    const s = new CaptchaStore({ ttlMs: 60_000, now: c.now });
    const a = s.issue('x1');
    const b = s.issue('x2');
    // Expiry is sealed in whole seconds.
    expect(b.expiresAt).toBe(1_000_000 + 60_000);
    c.advance(59_999);
    expect(await s.verify(a.id, 'x1')).toBe(true);
    c.advance(1);
    expect(await s.verify(b.id, 'x2')).toBe(false);
  });

  it('never accepts an unknown, malformed or missing id, nor an empty answer', async () => {
    const s = new CaptchaStore();
    const { id } = s.issue('abc');
    expect(await s.verify('AAAAAAAAAAAAAAAAAAAAAA', 'abc')).toBe(false);
    expect(await s.verify('A'.repeat(66), 'abc')).toBe(false);
    expect(await s.verify('../../etc', 'abc')).toBe(false);
    expect(await s.verify(undefined, 'abc')).toBe(false);
    expect(await s.verify(42, 'abc')).toBe(false);
    expect(await s.verify(id, '')).toBe(false);
    expect(await s.verify(s.issue('abc').id, '   ')).toBe(false);
    expect(await s.verify(s.issue('abc').id, 'a'.repeat(10_000))).toBe(false);
    expect(await s.verify(s.issue('abc').id, { toString: () => 'abc' })).toBe(false);
  });

  it('stores nothing when issuing, so no flood of issues can push out a pending captcha', async () => {
    const s = new CaptchaStore({ maxEntries: 100 });
    const first = s.issue('first');
    for (let i = 0; i < 100_000; i++) s.issue(`a${i}`);
    expect(s.size).toBe(0);
    expect(await s.verify(first.id, 'first')).toBe(true);
  });

  it('remembers tried ids until they expire and fails closed when that set is full, never forgetting one', async () => {
    const c = clock();
    const s = new CaptchaStore({ maxEntries: 3, ttlMs: 60_000, now: c.now });
    const ids = Array.from({ length: 5 }, (_, i) => s.issue(`a${i}`).id);
    expect(await s.verify(ids[0], 'a0')).toBe(true);
    expect(await s.verify(ids[1], 'wrong')).toBe(false);
    expect(await s.verify(ids[2], 'a2')).toBe(true);
    expect(s.full).toBe(true);
    // Full of unexpired ids: a right answer is refused rather than an old id forgotten (a replay).
    expect(await s.verify(ids[3], 'a3')).toBe(false);
    expect(s.refusedFull).toBe(1);
    expect(await s.verify(ids[0], 'a0')).toBe(false);
    // Once they expire the set empties and fresh ids verify again.
    c.advance(60_000);
    const fresh = s.issue('b');
    expect(await s.verify(fresh.id, 'b')).toBe(true);
    expect(s.size).toBe(1);
  });

  it('drops used ids as they expire, thousands at a time, and still refuses every unexpired one again', async () => {
    const c = clock();
    const s = new CaptchaStore({ ttlMs: 10_000, now: c.now });
    const waves: string[][] = [];
    // Waves of 3,000 used ids half a TTL apart: each wave drops the one two before it from
    // the front of the queue of used ids, which is compacted while the wave before stays.
    for (let w = 0; w < 6; w++) {
      const wave = Array.from({ length: 3000 }, (_, i) => s.issue(`w${w}-${i}`).id);
      for (const [i, id] of wave.entries()) expect(s.verifyNow(id, `w${w}-${i}`)).toBe(true);
      waves.push(wave);
      expect(s.size).toBe(w === 0 ? 3000 : 6000);
      c.advance(5_000);
    }
    c.advance(-5_000);
    // The last two waves are unexpired: every one of their ids is refused a second time.
    for (const w of [4, 5]) for (const [i, id] of waves[w].entries()) expect(s.verifyNow(id, `w${w}-${i}`)).toBe(false);
    c.advance(15_000);
    expect(s.verifyNow(s.issue('x').id, 'x')).toBe(true);
    expect(s.size).toBe(1);
  });

  it('refuses forged and altered ids without remembering them', async () => {
    const s = new CaptchaStore({ maxEntries: 10 });
    const { id } = s.issue('abc');
    const raw = Buffer.from(id, 'base64url');
    for (const at of [0, 1, 13, 17, 40]) {
      const bad = Buffer.from(raw);
      bad[at] ^= 1;
      expect(await s.verify(bad.toString('base64url'), 'abc')).toBe(false);
    }
    // An id sealed with another secret is not ours either.
    const other = new CaptchaStore({ secret: 'x'.repeat(32) });
    expect(await s.verify(other.issue('abc').id, 'abc')).toBe(false);
    expect(s.size).toBe(0);
    expect(await s.verify(id, 'abc')).toBe(true);
  });

  it('servers sharing a secret verify each other\'s ids; the answer is not in the id', async () => {
    const secret = 's'.repeat(40);
    const a = new CaptchaStore({ secret });
    const b = new CaptchaStore({ secret });
    const { id } = a.issue('K7MXP');
    expect(Buffer.from(id, 'base64url').toString('latin1').toLowerCase()).not.toContain('k7mxp');
    expect(await b.verify(id, 'k7mxp')).toBe(true);
  });

  it('seals ids exactly as node:crypto\'s HMAC would, so ids from earlier versions and other servers still verify', async () => {
    const secret = 'a shared secret of at least sixteen characters';
    const c = clock(1_700_000_000_000);
    const s = new CaptchaStore({ secret, now: c.now, ignoreCase: false });
    // An id this store sealed, rebuilt from its nonce and expiry by the reference construction.
    const { id } = s.issue('Zx9ü€');
    const raw = Buffer.from(id, 'base64url');
    expect(referenceId(secret, raw.subarray(1, 13), raw.readUInt32BE(13), 'Zx9ü€')).toBe(id);
    // And ones the reference made verify here: right answer once, wrong answer consumed.
    const made = (nonceByte: number) => referenceId(secret, Buffer.alloc(12, nonceByte), 1_700_000_100, 'Q7kP2');
    expect(await s.verify(made(1), 'Q7kP2')).toBe(true);
    expect(await s.verify(made(1), 'Q7kP2')).toBe(false);
    expect(await s.verify(made(2), 'Q7kp2')).toBe(false);
    expect(await s.verify(made(3), 'Q7kP2')).toBe(true);
    // A 64-character answer (the longest) in UTF-8 of up to 3 bytes a character.
    const long = '€'.repeat(64);
    expect(await s.verify(referenceId(secret, Buffer.alloc(12, 4), 1_700_000_100, long), long)).toBe(true);
  });

  it('issues unguessable URL-safe ids', async () => {
    const s = new CaptchaStore();
    const ids = new Set(Array.from({ length: 1000 }, () => s.issue('x').id));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(ID_PATTERN);
  });
});
