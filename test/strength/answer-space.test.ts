/** The odds of a blind guess: exact counts, and math answers counted by walking makeChallenge agree with drawing them. */
import { describe, expect, it } from 'vitest';
import { parseDesign, type Design } from '../../src-main/core/design.ts';
import { seededRng } from '../../src-main/core/random.ts';
import { CHARSET_CHARS, makeChallenge } from '../../src-main/core/text.ts';
import { guessOdds, mathAnswers } from '../../src-main/strength/answer-space.ts';
import { preset } from './designs.ts';

const withText = (text: object): Design => parseDesign({ text });

describe('guessOdds', () => {
  it('counts random answers exactly: 4 digits are 1 in 10,000', () => {
    const odds = guessOdds(withText({ charset: 'digits', length: 4 }), { ignoreCase: true });
    expect(odds.space).toBe(10_000);
    expect(odds.best).toBeCloseTo(1e-4, 12);
    expect(odds.text).toBe('1 in 10,000 (4 digits)');
  });

  it('folds case as the server does: alphanumeric is 36 classes ignoring case, 62 with it', () => {
    const d = withText({ charset: 'alphanumeric', length: 5 });
    const folded = guessOdds(d, { ignoreCase: true });
    expect(folded.space).toBe(36 ** 5);
    // A letter class holds two of the 62 characters: all-letter answers are likelier.
    expect(folded.best).toBeCloseTo((2 / 62) ** 5, 15);
    const exact = guessOdds(d, { ignoreCase: false });
    expect(exact.space).toBe(62 ** 5);
    expect(exact.best).toBeCloseTo(62 ** -5, 15);
  });

  it('deduplicates custom charsets and counts CJK characters', () => {
    expect(guessOdds(withText({ charset: 'custom', chars: 'aabbc', length: 3 }), { ignoreCase: false }).space).toBe(27);
    expect(guessOdds(withText({ charset: 'custom', chars: 'aA', length: 3 }), { ignoreCase: true }).space).toBe(1);
    const cjk = preset('cjk-captcha');
    const chars = new Set(CHARSET_CHARS.cjk);
    expect(guessOdds(cjk, { ignoreCase: true }).space).toBe(chars.size ** cjk.text!.length);
  });

  it('says a fixed answer is no captcha', () => {
    const odds = guessOdds(withText({ mode: 'fixed', value: 'hello' }), { ignoreCase: true });
    expect(odds).toMatchObject({ space: 1, best: 1 });
    expect(odds.text).toMatch(/no captcha/);
  });

  it.each([
    ['a small math design', withText({ mode: 'math', math: { operators: ['+', '-', '*'], min: 1, max: 3 } })],
    ['math-captcha', preset('math-captcha')],
    ['a repeated operator', withText({ mode: 'math', math: { operators: ['*', '*', '+'], min: 0, max: 5 } })],
  ])('%s: the answers walked agree with makeChallenge drawn from 60,000 seeds', (_, design) => {
    const t = design.text!;
    const walked = mathAnswers(t);
    const drawn = new Map<string, number>();
    const N = 60_000;
    for (let seed = 0; seed < N; seed++) {
      const { answer } = makeChallenge(t, { w: design.width, h: design.height }, seededRng(seed, 'answer'));
      drawn.set(answer, (drawn.get(answer) ?? 0) + 1);
    }
    expect([...drawn.keys()].sort()).toEqual([...walked.keys()].sort());
    const total = [...walked.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(1, 9);
    // Each answer's frequency is within 5 standard errors of its walked probability.
    for (const [answer, p] of walked) {
      const se = Math.sqrt((p * (1 - p)) / N);
      expect(Math.abs(drawn.get(answer)! / N - p), answer).toBeLessThan(5 * se + 1e-9);
    }
    const odds = guessOdds(design, { ignoreCase: true });
    expect(odds.space).toBe(walked.size);
    expect(odds.best).toBe(Math.max(...walked.values()));
  });
});
