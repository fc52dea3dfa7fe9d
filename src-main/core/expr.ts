/**
 * Tiny arithmetic expressions for geometry in design files, so a preset can say
 * "100+w" (seed 000's ellipse) or "i*60" (seed 002's glyph positions) and still
 * follow whatever size the request asks for. Numbers, + - * /, parentheses,
 * unary minus, min()/max(), and named variables. Never uses eval.
 */

import { KeyedMemo } from './memo.ts';
import { ParseError } from './parse-error.ts';

export type Vars = Readonly<Record<string, number>>;
type Node =
  | { k: 'num'; v: number }
  | { k: 'var'; name: string }
  | { k: 'neg'; a: Node }
  | { k: 'bin'; op: '+' | '-' | '*' | '/'; a: Node; b: Node }
  | { k: 'call'; fn: 'min' | 'max'; args: Node[] };

export const MAX_EXPR_LENGTH = 120;
/** Parsed expressions: designs repeat a few, and every render evaluates them again. */
const cache = new KeyedMemo<readonly string[], Node>(2000);

/** An expression that does not parse; the message (the rule) is for the caller to put after its field. */
export class ExprError extends ParseError {
  constructor(rule: string) {
    super('expression', rule);
    this.name = 'ExprError';
  }
}

/** Parses an expression; throws ExprError with a short reason on bad input. */
export function parseExpr(src: string, allowed: readonly string[]): Node {
  const hit = cache.get(allowed, 0, src);
  if (hit) return hit;
  if (src.length > MAX_EXPR_LENGTH) throw new ExprError(`is longer than ${MAX_EXPR_LENGTH} characters`);
  let pos = 0;
  const peek = () => {
    while (src[pos] === ' ') pos++;
    return src[pos];
  };
  const expect = (c: string) => {
    if (peek() !== c) throw new ExprError(`expected "${c}" at position ${pos + 1}`);
    pos++;
  };
  const primary = (): Node => {
    const c = peek();
    if (c === '(') {
      pos++;
      const n = sum();
      expect(')');
      return n;
    }
    if (c === '-') {
      pos++;
      return { k: 'neg', a: primary() };
    }
    if (c === '+') {
      pos++;
      return primary();
    }
    const num = /^(\d+(\.\d+)?|\.\d+)/.exec(src.slice(pos));
    if (num) {
      pos += num[0].length;
      return { k: 'num', v: Number(num[0]) };
    }
    const id = /^[a-z]+/i.exec(src.slice(pos));
    if (id) {
      pos += id[0].length;
      const name = id[0];
      if (name === 'min' || name === 'max') {
        expect('(');
        const args = [sum()];
        while (peek() === ',') {
          pos++;
          args.push(sum());
        }
        expect(')');
        return { k: 'call', fn: name, args };
      }
      if (!allowed.includes(name)) {
        throw new ExprError(`unknown name "${name}" (allowed: ${allowed.join(', ') || 'none'})`);
      }
      return { k: 'var', name };
    }
    throw new ExprError(c === undefined ? 'ends too early' : `unexpected "${c}" at position ${pos + 1}`);
  };
  const product = (): Node => {
    let n = primary();
    for (let c = peek(); c === '*' || c === '/'; c = peek()) {
      pos++;
      n = { k: 'bin', op: c, a: n, b: primary() };
    }
    return n;
  };
  const sum = (): Node => {
    let n = product();
    for (let c = peek(); c === '+' || c === '-'; c = peek()) {
      pos++;
      n = { k: 'bin', op: c, a: n, b: product() };
    }
    return n;
  };
  const root = sum();
  if (peek() !== undefined) throw new ExprError(`unexpected "${peek()}" at position ${pos + 1}`);
  cache.set(allowed, 0, src, root);
  return root;
}

function evalNode(n: Node, vars: Vars): number {
  switch (n.k) {
    case 'num':
      return n.v;
    case 'var':
      return vars[n.name] ?? 0;
    case 'neg':
      return -evalNode(n.a, vars);
    case 'call': {
      const vals = n.args.map((a) => evalNode(a, vars));
      return n.fn === 'min' ? Math.min(...vals) : Math.max(...vals);
    }
    case 'bin': {
      const a = evalNode(n.a, vars);
      const b = evalNode(n.b, vars);
      if (n.op === '+') return a + b;
      if (n.op === '-') return a - b;
      if (n.op === '*') return a * b;
      return b === 0 ? 0 : a / b; // division by zero yields 0 rather than Infinity pixels
    }
  }
}

/** A length is a plain number of design pixels or an expression string. */
export type Length = number | string;

export function evalLength(v: Length, vars: Vars, allowed: readonly string[]): number {
  if (typeof v === 'number') return v;
  const out = evalNode(parseExpr(v, allowed), vars);
  return Number.isFinite(out) ? out : 0;
}

/** Names usable in background geometry: canvas width and height in design pixels. */
export const SIZE_VARS = ['w', 'h'] as const;
/** Names usable in glyph placement: also glyph index i and glyph count n, size s. */
export const GLYPH_VARS = ['w', 'h', 'i', 'n', 's'] as const;
