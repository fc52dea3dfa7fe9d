/** The strength check's options and their limits, shared by the check and the CLI (which loads the check only to run it). */
import type { AttackName } from './report.ts';

export const ATTACKS: readonly AttackName[] = ['ocr', 'segmentation'];
export const DEFAULT_SAMPLES = 200;
export const MIN_SAMPLES = 1;
export const MAX_SAMPLES = 2000;
