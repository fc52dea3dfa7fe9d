import { describe, expect, it } from 'vitest';
import { CaptchaStore } from '../../src-main/server/captcha-store.ts';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('captcha store', () => {
  it('accepts the right answer exactly once', () => {
    const s = new CaptchaStore();
    const { id } = s.issue('Ab3dE');
    expect(s.verify(id, 'Ab3dE')).toBe(true);
    expect(s.verify(id, 'Ab3dE')).toBe(false);
  });

  it('consumes the id on a wrong answer too, so one id cannot be brute-forced', () => {
    const s = new CaptchaStore();
    const { id } = s.issue('Ab3dE');
    expect(s.verify(id, 'wrong')).toBe(false);
    expect(s.verify(id, 'Ab3dE')).toBe(false);
  });

  it('ignores case and surrounding spaces by default, and can be strict', () => {
    const loose = new CaptchaStore();
    expect(loose.verify(loose.issue('Ab3dE').id, '  aB3De ')).toBe(true);
    const strict = new CaptchaStore({ ignoreCase: false });
    expect(strict.verify(strict.issue('Ab3dE').id, 'ab3de')).toBe(false);
    expect(strict.verify(strict.issue('Ab3dE').id, 'Ab3dE')).toBe(true);
  });

  it('expires answers after the TTL', () => {
    const c = clock();
    const s = new CaptchaStore({ ttlMs: 60_000, now: c.now });
    const a = s.issue('x1');
    const b = s.issue('x2');
    c.advance(59_999);
    expect(s.verify(a.id, 'x1')).toBe(true);
    c.advance(1);
    expect(s.verify(b.id, 'x2')).toBe(false);
    expect(b.expiresAt).toBe(1_000_000 + 60_000);
  });

  it('never accepts an unknown, malformed or missing id, nor an empty answer', () => {
    const s = new CaptchaStore();
    const { id } = s.issue('abc');
    expect(s.verify('AAAAAAAAAAAAAAAAAAAAAA', 'abc')).toBe(false);
    expect(s.verify('../../etc', 'abc')).toBe(false);
    expect(s.verify(undefined, 'abc')).toBe(false);
    expect(s.verify(42, 'abc')).toBe(false);
    expect(s.verify(id, '')).toBe(false);
    expect(s.verify(s.issue('abc').id, '   ')).toBe(false);
    expect(s.verify(s.issue('abc').id, 'a'.repeat(10_000))).toBe(false);
    expect(s.verify(s.issue('abc').id, { toString: () => 'abc' })).toBe(false);
  });

  it('stays bounded under a flood, evicting the oldest first', () => {
    const s = new CaptchaStore({ maxEntries: 100 });
    const first = s.issue('first');
    const ids = Array.from({ length: 1000 }, (_, i) => s.issue(`a${i}`).id);
    expect(s.size).toBe(100);
    expect(s.evicted).toBe(901);
    expect(s.verify(first.id, 'first')).toBe(false);
    expect(s.verify(ids[999], 'a999')).toBe(true);
    expect(s.verify(ids[900], 'a900')).toBe(true);
    expect(s.verify(ids[899], 'a899')).toBe(false);
  });

  it('issues unguessable URL-safe ids', () => {
    const s = new CaptchaStore();
    const ids = new Set(Array.from({ length: 1000 }, () => s.issue('x').id));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
