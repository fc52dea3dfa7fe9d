/**
 * Scoring a read as the server scores an answer (NFKC, trimmed, case folded unless the
 * server is case-sensitive), per-character hits, and Wilson intervals for the rates.
 */
import type { Rate } from './report.ts';

/** The server's rule (captcha-store.ts IdSeal.normalise): what two answers must agree on. */
export function normaliseAnswer(s: string, ignoreCase: boolean): string {
  const t = s.normalize('NFKC').trim();
  return ignoreCase ? t.toLowerCase() : t;
}

export function answersMatch(read: string, answer: string, ignoreCase: boolean): boolean {
  const given = normaliseAnswer(read, ignoreCase);
  return given.length > 0 && given === normaliseAnswer(answer, ignoreCase);
}

/** Characters of `expected` read right at their own position (code points, folded as answers are). */
export function charHits(read: string, expected: string, ignoreCase: boolean): number {
  const r = [...normaliseAnswer(read, ignoreCase)];
  const e = [...normaliseAnswer(expected, ignoreCase)];
  let hits = 0;
  for (let i = 0; i < e.length; i++) if (r[i] === e[i]) hits++;
  return hits;
}

/** The 95% Wilson score interval: honest at 0 and 100 % and for a few dozen samples, unlike p ± 1.96·se. */
export function wilson(hits: number, total: number, z = 1.96): Rate {
  if (total <= 0) return { hits: 0, total: 0, rate: 0, low: 0, high: 1 };
  const p = hits / total;
  const z2 = z * z;
  const centre = (p + z2 / (2 * total)) / (1 + z2 / total);
  const half = (z * Math.sqrt((p * (1 - p)) / total + z2 / (4 * total * total))) / (1 + z2 / total);
  return { hits, total, rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** Tallies an attack's reads: full answers and characters at their position. */
export class Tally {
  full = 0;
  chars = 0;
  charTotal = 0;
  samples = 0;

  /**
   * One sample: `read` is the attack's answer, scored against `answer`; `readText` against
   * `shownText` for the per-character rate (they differ for math, where the question is read).
   */
  add(read: string, answer: string, ignoreCase: boolean, readText = read, shownText = answer): boolean {
    const ok = answersMatch(read, answer, ignoreCase);
    this.samples++;
    if (ok) this.full++;
    this.chars += charHits(readText, shownText, ignoreCase);
    this.charTotal += [...normaliseAnswer(shownText, ignoreCase)].length;
    return ok;
  }

  rates(): { full: Rate; perChar: Rate } {
    return { full: wilson(this.full, this.samples), perChar: wilson(this.chars, this.charTotal) };
  }
}

const QUESTION = /^\s*(\d{1,4})\s*([+\-−×xX*])\s*(\d{1,4})/;

/** What a math question as read ("12×3=?") asks for, as the answer string; null when it is not a question. */
export function solveQuestion(text: string): string | null {
  const m = QUESTION.exec(text);
  if (!m) return null;
  const a = Number(m[1]);
  const b = Number(m[3]);
  const op = m[2];
  const r = op === '+' ? a + b : op === '-' || op === '−' ? a - b : a * b;
  return String(r);
}
