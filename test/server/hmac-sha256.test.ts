/** The seal's HMAC-SHA256 (src-main/server/hmac-sha256.ts) against node:crypto and RFC 4231. */
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HmacSha256 } from '../../src-main/server/hmac-sha256.ts';

const hex = (s: string) => Buffer.from(s, 'hex');

describe('HmacSha256', () => {
  it('gives createHmac\'s tag for every message length to 300 bytes, under keys of 0 to 100 bytes', () => {
    let checked = 0;
    for (const keyLength of [0, 1, 31, 32, 63, 64, 65, 100]) {
      const key = randomBytes(keyLength);
      const mac = new HmacSha256(key);
      for (let n = 0; n <= 300; n++) {
        const msg = randomBytes(n);
        expect(mac.mac(msg).toString('hex'), `key ${keyLength} B, message ${n} B`).toBe(createHmac('sha256', key).update(msg).digest('hex'));
        checked++;
      }
    }
    expect(checked).toBe(8 * 301);
  });

  it('matches RFC 4231 test cases 1, 2, 4 and 6 (a key longer than a block), and its truncated case 5', () => {
    const cases: [Buffer, Buffer, string][] = [
      [Buffer.alloc(20, 0x0b), Buffer.from('Hi There'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
      [Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
      [hex('0102030405060708090a0b0c0d0e0f10111213141516171819'), Buffer.alloc(50, 0xcd), '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b'],
      [Buffer.alloc(131, 0xaa), Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First'), '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'],
    ];
    for (const [key, msg, tag] of cases) expect(new HmacSha256(key).mac(msg).toString('hex')).toBe(tag);
    expect(new HmacSha256(Buffer.alloc(20, 0x0c)).mac(Buffer.from('Test With Truncation'), 16).toString('hex')).toBe('a3b6167473100ee06e0c796c2955552b');
  });

  it('writes a truncated tag in place and leaves the bytes around it alone', () => {
    const key = randomBytes(32);
    const msg = randomBytes(33);
    const out = Buffer.alloc(40, 0xee);
    new HmacSha256(key).macInto(msg, out, 10, 16);
    expect(out.subarray(10, 26)).toEqual(createHmac('sha256', key).update(msg).digest().subarray(0, 16));
    expect([...out.subarray(0, 10), ...out.subarray(26)].every((b) => b === 0xee)).toBe(true);
    expect(() => new HmacSha256(key).macInto(msg, out, 0, 33)).toThrow(/at most 32 bytes/);
  });

  it('keeps two keys apart when tags interleave', () => {
    const [k1, k2] = [randomBytes(32), randomBytes(32)];
    const [m1, m2] = [new HmacSha256(k1), new HmacSha256(k2)];
    for (let i = 0; i < 50; i++) {
      const msg = randomBytes(i);
      const a = m1.mac(msg);
      const b = m2.mac(msg);
      expect(a).toEqual(createHmac('sha256', k1).update(msg).digest());
      expect(b).toEqual(createHmac('sha256', k2).update(msg).digest());
    }
  });
});
