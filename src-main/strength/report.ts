/**
 * What a strength check reports: the contract between the attacks (src-main/strength),
 * the CLI (`captcha-studio strength`), the StudioApi and the designer's Strength panel,
 * and bench:strength, which writes the measured ratings (ratings.json) this file types.
 * Types only, so the renderer can import them.
 */
import type { DesignIssue } from '../core/design-error.ts';

/** A success rate with its 95% interval (Wilson score), as 0..1 fractions. */
export interface Rate {
  hits: number;
  total: number;
  rate: number;
  low: number;
  high: number;
}

/** One sample an attack read right: enough for the panel to render it again (design + seed) and say what was read. */
export interface SolvedSample {
  seed: number;
  answer: string;
  read: string;
}

export type AttackName = 'ocr' | 'segmentation';

export interface AttackResult {
  attack: AttackName;
  /** Plain words: what the attack does. */
  summary: string;
  samples: number;
  /** Whole answers read right, scored as the server scores (its case rule included). */
  full: Rate;
  /** Characters read right at their position. */
  perChar: Rate;
  /** Up to 8 samples it read right. */
  solved: SolvedSample[];
  ms: number;
}

/** The odds of a blind guess: the exact number of answers the design can ask for, under the server's case rule. */
export interface GuessOdds {
  /** Distinct answers (after case folding when the server ignores case). */
  space: number;
  /** The best single guess's chance: the most likely answer's probability (math answers are not uniform). */
  best: number;
  /** Plain words, e.g. "1 in 4,096 (4 digits)". */
  text: string;
}

/** bench:strength's figures for an unchanged preset (src-main/strength/ratings.json). */
export interface PresetRating {
  preset: string;
  /** sha256 (hex, first 12) of the preset's canonical design when measured: a changed preset has no rating. */
  version: string;
  measured: string;
  /** Full-answer rates of each attack bench:strength ran, by name (e.g. "cnn-positions", "crnn-ctc", "tesseract", "segmentation"). */
  attacks: Record<string, Rate>;
  /** Plain words on the budget (samples, epochs, minutes). */
  budget: string;
}

export interface StrengthProgress {
  stage: 'guess' | 'legibility' | AttackName | 'done';
  done: number;
  total: number;
}

export interface StrengthReport {
  design: string;
  guess: GuessOdds;
  attacks: AttackResult[];
  rating: PresetRating | null;
  /** The core's legibility warnings over the checked seeds. */
  legibility: DesignIssue[];
  /** That these figures are lower bounds. */
  caveat: string;
  /** The case rule the rates were scored with. */
  ignoreCase: boolean;
  ms: number;
}
