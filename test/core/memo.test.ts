/**
 * The render's memos (core/memo.ts): KeyedMemo finds a value only under the object, the
 * number and the string it was stored with, and starts over once it holds `max` entries.
 */
import { describe, expect, it } from 'vitest';
import { BoundedMemo, KeyedMemo } from '../../src-main/core/memo.ts';

describe('KeyedMemo', () => {
  it('keeps values apart by object identity, number and string', () => {
    const memo = new KeyedMemo<object, string>(100);
    const a = { file: 'same.ttf' };
    const b = { file: 'same.ttf' }; // equal contents, another face
    memo.set(a, 30, 'x', 'a30x');
    memo.set(a, 30.25, 'x', 'a30.25x');
    memo.set(a, 30, 'y', 'a30y');
    memo.set(b, 30, 'x', 'b30x');
    expect([memo.get(a, 30, 'x'), memo.get(a, 30.25, 'x'), memo.get(a, 30, 'y'), memo.get(b, 30, 'x')]).toEqual(['a30x', 'a30.25x', 'a30y', 'b30x']);
    expect(memo.get(a, 31, 'x')).toBeUndefined();
    expect(memo.get({ file: 'same.ttf' }, 30, 'x')).toBeUndefined();
    memo.set(a, 30, 'x', 'again'); // replacing is not a new entry
    expect(memo.get(a, 30, 'x')).toBe('again');
  });

  it('starts over at max entries, as BoundedMemo does', () => {
    const face = {};
    const keyed = new KeyedMemo<object, number>(3);
    const bounded = new BoundedMemo<string, number>(3);
    for (const [k, ch] of ['a', 'b', 'c'].entries()) {
      keyed.set(face, 1, ch, k);
      bounded.set(ch, k);
    }
    expect(keyed.get(face, 1, 'c')).toBe(2);
    keyed.set(face, 1, 'd', 3);
    bounded.set('d', 3);
    expect([keyed.get(face, 1, 'a'), keyed.get(face, 1, 'd')]).toEqual([undefined, 3]);
    expect([bounded.get('a'), bounded.get('d')]).toEqual([undefined, 3]);
  });
});
