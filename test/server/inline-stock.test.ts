/** The captchas a cluster process draws itself, a few at a time (src-main/server/inline-stock.ts). */
import { describe, expect, it } from 'vitest';
import { getPreset } from '../../src-main/core/presets.ts';
import type { Design } from '../../src-main/core/design.ts';
import { InlineStock } from '../../src-main/server/inline-stock.ts';
import type { RenderOutput } from '../../src-main/render/protocol.ts';

/** A drawing stand-in that numbers what it draws, so a test can see each image once. */
function counter() {
  const drawn: string[] = [];
  const draw = (design: Design): RenderOutput => {
    const answer = `${design.name}#${drawn.length}`;
    drawn.push(answer);
    return { bytes: Buffer.from(answer), mime: 'image/png', width: design.width, height: design.height, seed: drawn.length, deterministic: false, answer };
  };
  return { drawn, draw };
}

const seed002 = getPreset('seed-002-captcha')!;
const classic = getPreset('classic-captcha')!;

describe('InlineStock', () => {
  it('draws a batch worth the budget when empty, and hands each image out once', () => {
    const { drawn, draw } = counter();
    const stock = new InlineStock(draw, 5e6);
    const out: string[] = [];
    // 5e6 / 665,020 units: 7 a batch.
    out.push(stock.take(seed002, 665_020).answer!);
    expect(drawn.length).toBe(7);
    expect(stock.size).toBe(6);
    for (let i = 0; i < 6; i++) out.push(stock.take(seed002, 665_020).answer!);
    expect(drawn.length).toBe(7);
    out.push(stock.take(seed002, 665_020).answer!);
    expect(drawn.length).toBe(14);
    expect(new Set(out).size).toBe(out.length);
    expect(out.every((a) => drawn.includes(a))).toBe(true);
  });

  it('draws costly designs one at a time, and never more than maxBatch', () => {
    const { drawn, draw } = counter();
    const stock = new InlineStock(draw, 5e6, 4);
    stock.take(classic, 3e6);
    stock.take(classic, 3e6);
    expect(drawn.length).toBe(2);
    expect(stock.size).toBe(0);
    stock.take(seed002, 1);
    expect(drawn.length).toBe(2 + 4);
  });

  it('keeps one stock per design text, not per object, and drops the least recently used past maxDesigns', () => {
    const { drawn, draw } = counter();
    const stock = new InlineStock(draw, 5e6, 8, 2);
    stock.take(seed002, 1e6); // 5 drawn, 4 kept
    stock.take({ ...seed002 }, 1e6); // the same design in another object: from the stock
    expect(drawn.length).toBe(5);
    const other = { ...seed002, name: 'other' };
    stock.take(other, 1e6);
    stock.take(seed002, 1e6); // seed 002 is now the most recently used
    expect(stock.size).toBe(2 + 4);
    stock.take({ ...seed002, name: 'third' }, 1e6); // drops `other`, the least recently used
    expect(stock.size).toBe(2 + 4);
    const before = drawn.length;
    stock.take(other, 1e6);
    expect(drawn.length).toBe(before + 5);
  });

  it('still answers the request whose batch fails part way, and the next request meets the error', () => {
    let calls = 0;
    const stock = new InlineStock((design) => {
      if (++calls === 3) throw new Error('drawing failed');
      if (calls > 3) throw new Error('still failing');
      return { bytes: Buffer.from(String(calls)), mime: 'image/png', width: design.width, height: design.height, seed: calls, deterministic: false, answer: String(calls) };
    }, 5e6);
    expect(stock.take(seed002, 1e6).answer).toBe('1');
    expect(stock.take(seed002, 1e6).answer).toBe('2');
    expect(() => stock.take(seed002, 1e6)).toThrow('still failing');
  });
});
