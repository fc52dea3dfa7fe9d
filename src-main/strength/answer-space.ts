/**
 * The odds of a blind guess: the exact set of answers a design can ask for, folded by the
 * server's case rule, and how likely the likeliest one is. Math answers are counted by
 * walking every question makeChallenge can draw (core/text.ts), so the figure follows the
 * core's rules rather than a formula that could drift from them.
 */
import type { Design, TextSpec } from '../core/design.ts';
import { charsetOf, fixedText } from '../core/text.ts';
import type { GuessOdds } from './report.ts';
import { normaliseAnswer } from './scoring.ts';

const count = (n: number) => (n < 1e15 ? Math.round(n).toLocaleString('en-US') : n.toExponential(2).replace('e+', ' × 10^'));
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `1 in N` for a probability p. */
function oneIn(p: number): string {
  return `1 in ${count(1 / p)}`;
}

function randomOdds(t: TextSpec, ignoreCase: boolean): GuessOdds {
  const chars = charsetOf(t);
  // Characters the server cannot tell apart fall into one class; a class drawn more often
  // (a and A when case is ignored) makes the answers made of it likelier.
  const classes = new Map<string, number>();
  for (const c of chars) {
    const k = normaliseAnswer(c, ignoreCase) || c;
    classes.set(k, (classes.get(k) ?? 0) + 1);
  }
  const k = classes.size;
  const biggest = Math.max(...classes.values());
  const space = k ** t.length;
  const best = (biggest / chars.length) ** t.length;
  const what =
    t.charset === 'digits'
      ? plural(t.length, 'digit')
      : `${plural(t.length, 'character')} from ${k.toLocaleString('en-US')}${k < chars.length ? `, ${chars.length} drawn with case ignored` : ''}`;
  const uniform = Math.abs(best * space - 1) < 1e-9;
  return { space, best, text: uniform ? `${oneIn(best)} (${what})` : `${count(space)} answers (${what}); the likeliest wins ${oneIn(best)}` };
}

const OP_NAME: Record<string, string> = { '+': '+', '-': '−', '*': '×' };

/** Every question makeChallenge can draw, with its probability: operator by index (a repeated one weighs more), operands uniform. */
export function mathAnswers(t: TextSpec): Map<string, number> {
  const { operators, min, max } = t.math;
  const n = max - min + 1;
  const p = 1 / (operators.length * n * n);
  const out = new Map<string, number>();
  for (const op of operators) {
    for (let a0 = min; a0 <= max; a0++) {
      for (let b0 = min; b0 <= max; b0++) {
        let a = a0;
        let b = b0;
        if (op === '-' && b > a) [a, b] = [b, a];
        const r = String(op === '+' ? a + b : op === '-' ? a - b : a * b);
        out.set(r, (out.get(r) ?? 0) + p);
      }
    }
  }
  return out;
}

function mathOdds(t: TextSpec): GuessOdds {
  const answers = mathAnswers(t);
  let bestAnswer = '';
  let best = 0;
  for (const [a, p] of answers) if (p > best) [bestAnswer, best] = [a, p];
  const ops = [...new Set(t.math.operators)].map((o) => OP_NAME[o]).join(' ');
  return {
    space: answers.size,
    best,
    text: `${count(answers.size)} possible answers (${t.math.min} to ${t.math.max} with ${ops}); the likeliest, ${bestAnswer}, comes up ${oneIn(best)}`,
  };
}

/** The odds of a blind guess at the design's answer, under the server's case rule. */
export function guessOdds(design: Design, opts: { ignoreCase: boolean }): GuessOdds {
  const t = design.text;
  if (!t) return { space: 0, best: 0, text: 'no text: nothing to guess (this design is not a captcha)' };
  if (t.mode === 'fixed') {
    const shown = fixedText(t.value ?? '', { w: design.width, h: design.height });
    return { space: 1, best: 1, text: `1 in 1: the answer is always "${shown}"; a fixed answer is no captcha` };
  }
  if (t.mode === 'math') return mathOdds(t);
  return randomOdds(t, opts.ignoreCase);
}
