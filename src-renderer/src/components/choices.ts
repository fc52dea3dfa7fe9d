/**
 * The choices the inspector's menus offer. Each list is the UI's copy of a schema
 * enum (see design-types.ts for why it is a copy); each is typed so that the compiler
 * refuses it when the core gains or loses a member.
 */
import type { ImageFit, ImageFormat, MathOperator, NoisePlacement, TextCharset, TextColorMode, TextMode, WaveDirection } from '../design-types.ts';

export interface Choice<T extends string = string> {
  value: T;
  label: string;
}

/** Every member of T, in the order written: a missing member is a type error that names it. */
function allOf<T extends string>() {
  return <const L extends readonly T[]>(list: L & ([T] extends [L[number]] ? unknown : { missing: Exclude<T, L[number]> })): L => list;
}

/** Menu entries from labels keyed by value; the Record type makes the labels exhaustive. */
function labelled<T extends string>(labels: Record<T, string>): Choice<T>[] {
  return (Object.keys(labels) as T[]).map((value) => ({ value, label: labels[value] }));
}

export const CHARSETS = allOf<TextCharset>()(['digits', 'letters', 'lowercase', 'uppercase', 'alphanumeric', 'unambiguous', 'cjk', 'custom']);
export const IMAGE_FITS = allOf<ImageFit>()(['cover', 'contain', 'stretch', 'tile']);
export const WAVE_DIRECTIONS = allOf<WaveDirection>()(['horizontal', 'vertical']);
export const IMAGE_FORMATS = allOf<ImageFormat>()(['png', 'jpeg', 'webp']);

export const TEXT_MODES = labelled<TextMode>({ random: 'Random characters', fixed: 'Fixed text', math: 'Math question' });
export const TEXT_COLOR_MODES = labelled<TextColorMode>({ random: 'Random, with minimum contrast', palette: 'From a palette' });
export const NOISE_PLACEMENTS = labelled<NoisePlacement>({ over: 'Over the text', under: 'Under the text' });
export const MATH_OPERATORS = labelled<MathOperator>({ '+': 'Addition (+)', '-': 'Subtraction (−)', '*': 'Multiplication (×)' });
